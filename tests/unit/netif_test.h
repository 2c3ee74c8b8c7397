/*
 * netif_test.h - building guest TX chains for the nb_tx_take() tests
 * (test_netif.c), and a model of the rules for the randomized one.
 * Include after <cmocka.h>.
 *
 * Every call goes through take(), which hands nb_tx_take() a heap copy of
 * exactly nslots requests (ASan stops a read past the end) and checks on
 * the way that each shorter prefix gives NB_TX_SHORT or the very same
 * answer (a packet is judged only from the slots it uses).
 */
#ifndef NETIF_TEST_H
#define NETIF_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netif.h"

#define CHAIN_MAX	64u

#define MORE	NETTXF_more_data
#define EXTRA	NETTXF_extra_info
#define XMORE	XEN_NETIF_EXTRA_FLAG_MORE

struct chain {
	netif_tx_request_t	s[CHAIN_MAX];
	unsigned int		n;
};

static inline void
chain_init(struct chain *c)
{
	/* Junk in every byte an extra does not cover. */
	memset(c, 0xa5, sizeof(*c));
	c->n = 0;
}

/* A data request: id 100 + slot, gref 1000 + slot. */
static inline void
chain_req(struct chain *c, uint16_t offset, uint16_t flags, uint16_t size)
{
	netif_tx_request_t *r = &c->s[c->n];

	r->gref = 1000u + c->n;
	r->offset = offset;
	r->flags = flags;
	r->id = (uint16_t)(100u + c->n);
	r->size = size;
	c->n++;
}

static inline void
chain_extra(struct chain *c, const struct netif_extra_info *e)
{
	memcpy(&c->s[c->n], e, sizeof(*e));
	c->n++;
}

static inline void
chain_gso(struct chain *c, uint8_t flags, uint8_t type, uint16_t size)
{
	struct netif_extra_info e;

	memset(&e, 0, sizeof(e));
	e.type = XEN_NETIF_EXTRA_TYPE_GSO;
	e.flags = flags;
	e.u.gso.type = type;
	e.u.gso.size = size;
	chain_extra(c, &e);
}

static inline void
chain_mcast(struct chain *c, uint8_t type, uint8_t flags, uint8_t last)
{
	struct netif_extra_info e;
	const uint8_t a[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, last };

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.flags = flags;
	memcpy(e.u.mcast.addr, a, sizeof(a));
	chain_extra(c, &e);
}

static inline void
chain_plain_extra(struct chain *c, uint8_t type, uint8_t flags)
{
	struct netif_extra_info e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.flags = flags;
	chain_extra(c, &e);
}

static inline bool
pkt_equal(const struct nb_txpkt *a, const struct nb_txpkt *b)
{
	unsigned int i;

	if (a->nreq != b->nreq || a->nseg != b->nseg || a->nzero != b->nzero ||
	    a->nextra != b->nextra || a->len != b->len ||
	    a->flags != b->flags || a->gso_type != b->gso_type ||
	    a->gso_size != b->gso_size || a->mcast_add != b->mcast_add ||
	    a->mcast_del != b->mcast_del || a->nids != b->nids ||
	    a->why != b->why ||
	    memcmp(a->mcast_addr, b->mcast_addr, NB_ETH_ALEN) != 0)
		return false;
	for (i = 0; i < a->nseg && i < NB_TX_FATAL_SLOTS; i++)
		if (a->seg[i].gref != b->seg[i].gref ||
		    a->seg[i].offset != b->seg[i].offset ||
		    a->seg[i].len != b->seg[i].len ||
		    a->seg[i].id != b->seg[i].id)
			return false;
	for (i = 0; i < a->nzero && i < NB_TX_FATAL_SLOTS; i++)
		if (a->zero_id[i] != b->zero_id[i])
			return false;
	for (i = 0; i < a->nids && i < NB_TX_MAX_DATA; i++)
		if (a->ids[i] != b->ids[i])
			return false;
	return true;
}

/* nb_tx_take() on an exact heap copy of s[0..n). */
static inline enum nb_tx_verdict
take_exact(const netif_tx_request_t *s, unsigned int n, struct nb_txpkt *p)
{
	netif_tx_request_t *h = NULL;
	enum nb_tx_verdict v;

	if (n > 0) {
		h = malloc(n * sizeof(*h));
		assert_non_null(h);
		memcpy(h, s, n * sizeof(*h));
	}
	/* Junk in, so a field the function forgets to set shows. */
	memset(p, 0x5a, sizeof(*p));
	v = nb_tx_take(h, n, p);
	free(h);
	return v;
}

/* take_exact() of the first n slots, and the prefix property. */
static inline enum nb_tx_verdict
take_n(const struct chain *c, unsigned int n, struct nb_txpkt *p)
{
	struct nb_txpkt q;
	enum nb_tx_verdict v, w;
	unsigned int k;

	v = take_exact(c->s, n, p);
	assert_true(p->nreq <= n);
	if (v == NB_TX_SHORT)
		assert_int_equal(p->why, NB_TXW_INCOMPLETE);
	for (k = 0; k < n; k++) {
		w = take_exact(c->s, k, &q);
		if (w == NB_TX_SHORT)
			continue;
		assert_int_equal(w, v);
		assert_true(pkt_equal(&q, p));
	}
	return v;
}

static inline enum nb_tx_verdict
take(const struct chain *c, struct nb_txpkt *p)
{
	return take_n(c, c->n, p);
}

/* ---- a model of the rules, for the randomized test ---- */

/*
 * The verdict, reason and slot count nb_tx_take() must give, worked out
 * another way: find how far the fragment chain reaches in the slots
 * given, then decide which event comes first (a fragment crossing its
 * page, the 21st fragment, the end of the slots), then the drop reasons
 * in Linux's order, then the first slot and the GSO extra.
 */
struct tx_model {
	enum nb_tx_verdict	v;
	enum nb_tx_why		why;
	unsigned int		nreq;
};

static inline void
model_end(struct tx_model *m, enum nb_tx_verdict v, enum nb_tx_why why,
    unsigned int nreq)
{
	m->v = v;
	m->why = why;
	m->nreq = nreq;
}

static inline void
tx_model(const netif_tx_request_t *s, unsigned int n, struct tx_model *m)
{
	struct netif_extra_info e, gso;
	unsigned int i = 1, k, nfr, cross, drop_at, avail;
	unsigned int seen = 0, sum = 0, left;
	enum nb_tx_why drop = NB_TXW_NONE;
	bool more;

	memset(&gso, 0, sizeof(gso));
	if (n == 0) {
		model_end(m, NB_TX_SHORT, NB_TXW_INCOMPLETE, 0);
		return;
	}
	if (s[0].flags & NETTXF_extra_info) {
		do {
			if (i == n) {
				model_end(m, NB_TX_SHORT, NB_TXW_INCOMPLETE, i);
				return;
			}
			memcpy(&e, &s[i++], sizeof(e));
			if (e.type == 0 || e.type >= XEN_NETIF_EXTRA_TYPE_MAX ||
			    (seen & (1u << e.type))) {
				model_end(m, NB_TX_FATAL, NB_TXW_BAD_EXTRA, i);
				return;
			}
			seen |= 1u << e.type;
			if (e.type == XEN_NETIF_EXTRA_TYPE_GSO)
				gso = e;
		} while (e.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}
	if (seen & (1u << XEN_NETIF_EXTRA_TYPE_MCAST_ADD |
	    1u << XEN_NETIF_EXTRA_TYPE_MCAST_DEL)) {
		model_end(m, NB_TX_DUMMY, NB_TXW_NONE, i);
		return;
	}

	/* How far the chain reaches in what was given. */
	avail = n - i;
	more = (s[0].flags & NETTXF_more_data) != 0;
	for (nfr = 0; more && nfr < avail; nfr++)
		more = (s[i + nfr].flags & NETTXF_more_data) != 0;
	cross = UINT32_MAX;
	for (k = 0; k < nfr && k < NB_TX_FATAL_SLOTS; k++)
		if ((uint32_t)s[i + k].offset + s[i + k].size > 4096) {
			cross = k;
			break;
		}
	if (cross != UINT32_MAX) {
		model_end(m, NB_TX_FATAL, NB_TXW_CROSS_PAGE, i + cross + 1);
		return;
	}
	if (nfr > NB_TX_FATAL_SLOTS) {
		model_end(m, NB_TX_FATAL, NB_TXW_FATAL_SLOTS,
		    i + NB_TX_FATAL_SLOTS);
		return;
	}
	if (more) {
		model_end(m, NB_TX_SHORT, NB_TXW_INCOMPLETE, n);
		return;
	}

	/* The first drop reason, in chain order. */
	drop_at = UINT32_MAX;
	for (k = 0; k < nfr; k++) {
		left = s[0].size - sum;
		if (k >= NB_TX_DROP_SLOTS) {
			drop = NB_TXW_TOO_MANY_SLOTS;
			drop_at = k;
			break;
		}
		if (s[i + k].size > left) {
			drop = NB_TXW_FRAG_TOO_BIG;
			drop_at = k;
			break;
		}
		sum += s[i + k].size;
	}
	if (drop_at != UINT32_MAX) {
		model_end(m, NB_TX_DROP, drop, i + nfr);
		return;
	}
	left = s[0].size - sum;
	if (left < NB_ETH_HLEN) {
		model_end(m, NB_TX_DROP, NB_TXW_TOO_SHORT, i + nfr);
		return;
	}
	if (s[0].offset + left > 4096) {
		model_end(m, NB_TX_FATAL, NB_TXW_CROSS_PAGE, i + nfr);
		return;
	}
	if ((seen & (1u << XEN_NETIF_EXTRA_TYPE_GSO)) &&
	    (gso.u.gso.size == 0 || (gso.u.gso.type != 1 &&
	    gso.u.gso.type != 2))) {
		model_end(m, NB_TX_FATAL, NB_TXW_BAD_GSO, i + nfr);
		return;
	}
	model_end(m, NB_TX_PKT, NB_TXW_NONE, i + nfr);
}

/* ---- random chains ---- */

#define XORSHIFT_SEED	0x853c49e6748fea9bULL
#include "xorshift.h"

static inline uint16_t
rnd_size(void)
{
	static const uint16_t v[] = { 0, 0, 1, 13, 14, 60, 1000, 4095, 4096,
	    4097 };

	return rng() % 4 ? v[rng() % 10] : (uint16_t)rng();
}

static inline uint16_t
rnd_offset(uint16_t size)
{
	static const uint16_t v[] = { 0, 1, 2048, 4000, 4095, 4096 };

	if (rng() % 8 == 0)
		return rng() % 2 ? v[rng() % 6] : (uint16_t)rng();
	return size <= 4096 ? (uint16_t)(rng() % (4097u - size)) : 0;
}

/* A packet, usually plausible, then junk packets after it. */
static inline void
rnd_chain(struct chain *c)
{
	static const unsigned int nfr[] = { 0, 0, 1, 2, 3, 17, 18, 19, 20,
	    21, 25 };
	unsigned int i, n, first, ne, sum = 0;
	uint16_t sz;

	chain_init(c);
	first = c->n;
	chain_req(c, 0, (uint16_t)(rng() & 0xf), 0);
	if (c->s[first].flags & EXTRA) {
		ne = (unsigned int)(rng() % 4);
		for (i = 0; i <= ne && c->n < CHAIN_MAX; i++) {
			uint8_t t = rng() % 8 ? (uint8_t)(1 + rng() % 4) :
			    (uint8_t)rng();
			uint8_t fl = i < ne ? XMORE : 0;

			if (rng() % 16 == 0)
				fl ^= XMORE;
			if (t == XEN_NETIF_EXTRA_TYPE_GSO)
				chain_gso(c, fl, (uint8_t)(rng() % 4),
				    rng() % 4 ? 1448 : 0);
			else if (t == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ||
			    t == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
				chain_mcast(c, rng() % 4 ? XEN_NETIF_EXTRA_TYPE_HASH
				    : t, fl, (uint8_t)rng());
			else
				chain_plain_extra(c, t, fl);
		}
	}
	n = nfr[rng() % 11];
	c->s[first].flags = (uint16_t)((c->s[first].flags & ~MORE) |
	    (n > 0 ? MORE : 0));
	for (i = 0; i < n && c->n < CHAIN_MAX; i++) {
		sz = rng() % 3 ? (uint16_t)(rng() % 4097) : rnd_size();
		chain_req(c, rnd_offset(sz), (uint16_t)((i + 1 < n ||
		    rng() % 32 == 0 ? MORE : 0) | (rng() % 16 ? 0 :
		    (uint16_t)rng())), sz);
		sum += sz;
	}
	sz = rnd_size();
	c->s[first].size = rng() % 4 ? (uint16_t)(sum + sz % 4097) :
	    (uint16_t)rng();
	c->s[first].offset = rnd_offset((uint16_t)(c->s[first].size - sum));
	/* Whatever follows: some more requests. */
	while (c->n < CHAIN_MAX && rng() % 4)
		chain_req(c, rnd_offset(60), (uint16_t)rng(), rnd_size());
}

static inline void
check_invariants(const struct chain *c, enum nb_tx_verdict v,
    const struct nb_txpkt *p)
{
	unsigned int i, j, data = 0;
	uint32_t total = 0;

	switch (v) {
	case NB_TX_PKT:
		assert_true(p->nseg >= 1 && p->nseg <= NB_TX_DROP_SLOTS + 1);
		assert_int_equal(p->nseg + p->nzero, p->nids);
		assert_int_equal(p->nreq, p->nids + p->nextra);
		assert_true(p->seg[0].len >= NB_ETH_HLEN);
		for (i = 0; i < p->nseg; i++) {
			assert_true(p->seg[i].len > 0);
			assert_true(p->seg[i].offset + p->seg[i].len <= 4096u);
			total += p->seg[i].len;
		}
		assert_int_equal(total, p->len);
		/* Every data slot is a segment or a zero id, in ring order. */
		for (i = 0, j = 0; i < p->nids; i++) {
			if (data < p->nseg && p->seg[data].id == p->ids[i])
				data++;
			else
				assert_int_equal(p->zero_id[j++], p->ids[i]);
		}
		assert_int_equal(j, p->nzero);
		assert_true(p->gso_type == XEN_NETIF_GSO_TYPE_NONE ||
		    p->gso_size > 0);
		break;
	case NB_TX_DROP:
		assert_int_equal(p->nseg, 0);
		assert_int_equal(p->nzero, 0);
		assert_true(p->nids >= 1 && p->nids <= NB_TX_MAX_DATA);
		assert_int_equal(p->nreq, p->nids + p->nextra);
		assert_int_equal(p->ids[0], c->s[0].id);
		break;
	case NB_TX_DUMMY:
		assert_true(p->mcast_add != p->mcast_del);
		assert_int_equal(p->nreq, 1 + p->nextra);
		assert_int_equal(p->nseg, 0);
		break;
	case NB_TX_FATAL:
		assert_true(p->why == NB_TXW_FATAL_SLOTS ||
		    p->why == NB_TXW_CROSS_PAGE || p->why == NB_TXW_BAD_EXTRA ||
		    p->why == NB_TXW_BAD_GSO);
		assert_int_equal(p->nseg, 0);
		break;
	case NB_TX_SHORT:
		assert_int_equal(p->nseg, 0);
		break;
	}
	assert_true(p->nextra <= NB_TX_MAX_EXTRAS + 1);
}

#endif
