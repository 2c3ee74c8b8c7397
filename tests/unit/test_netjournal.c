/*
 * test_netjournal.c - netbackd's restart journal (netjournal.h): the
 * checks a successor runs on it, and recovery after a crash at every
 * store of the guest TX and RX sequences (nettx.c, netrx.c), with a
 * guest model that fails on a missing or doubled response, a response
 * with the wrong id, or a published slot written again after the guest
 * took it back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x5eed2c0ffee1d00dULL
#include "xorshift.h"

#include "netjournal.h"

#define PAGE		4096u
#define JUNK		0xeeu

/* ---- a guest TX ring and a worker that crashes after `budget` stores ---- */

struct txenv {
	void			*page;
	netif_tx_sring_t	*s;
	netif_tx_front_ring_t	 f;
	netif_tx_back_ring_t	 b;
	struct nj		 j;
	/* guest: ids in flight (count of answers owed), NULLs owed */
	int			 owed[65536];
	unsigned int		 nulls_owed;
	unsigned int		 npkt;
	long			 budget;	/* stores left before the crash */
};

/* One store the worker makes; false: it died just before it. */
static bool
step(long *budget)
{
	if (*budget < 0)
		return true;		/* no crash planned */
	if (*budget == 0)
		return false;
	(*budget)--;
	return true;
}

static void
tx_env_init(struct txenv *e)
{
	memset(e, 0, sizeof(*e));
	e->page = aligned_alloc(PAGE, PAGE);
	assert_non_null(e->page);
	e->s = e->page;
	SHARED_RING_INIT(e->s);
	FRONT_RING_INIT(&e->f, e->s, PAGE);
	BACK_RING_INIT(&e->b, e->s, PAGE);
	nj_init(&e->j);
	e->j.nq = 1;
	nj_connect(&e->j, &(struct nb_fe_feat){ .sg = true });
}

/* Guest: post one packet of kind 0 plain, 1 GSO + fragment, 2 too short. */
static unsigned int
tx_post(struct txenv *e, unsigned int kind)
{
	netif_tx_request_t *r;
	uint16_t id = (uint16_t)(1000u + e->npkt * 4u);
	unsigned int n = 0;

	e->npkt++;
	r = RING_GET_REQUEST(&e->f, e->f.req_prod_pvt + n++);
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->gref = 7;
	if (kind == 1) {
		struct netif_extra_info *x;

		r->flags = NETTXF_extra_info | NETTXF_more_data;
		r->size = 3000;
		x = (void *)RING_GET_REQUEST(&e->f, e->f.req_prod_pvt + n++);
		memset(x, 0, sizeof(*x));
		x->type = XEN_NETIF_EXTRA_TYPE_GSO;
		x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		x->u.gso.size = 1448;
		r = RING_GET_REQUEST(&e->f, e->f.req_prod_pvt + n++);
		memset(r, 0, sizeof(*r));
		r->id = (uint16_t)(id + 1);
		r->gref = 8;
		r->size = 1000;
		e->owed[id + 1]++;
		e->nulls_owed++;
	} else
		r->size = kind == 2 ? 10 : 60;
	e->owed[id]++;
	e->f.req_prod_pvt += n;
	RING_PUSH_REQUESTS(&e->f);
	return n;
}

static bool
tx_rsp(struct txenv *e, uint16_t id, int16_t st)
{
	netif_tx_response_t *rsp;

	if (!step(&e->budget))
		return false;
	rsp = RING_GET_RESPONSE(&e->b, e->b.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = st;
	e->b.rsp_prod_pvt++;
	return true;
}

/* nettx.c tx_respond_pkt() */
static bool
tx_rsp_pkt(struct txenv *e, const struct nb_txpkt *p, int16_t st)
{
	unsigned int i;

	if (p->nids > 0 && !tx_rsp(e, p->ids[0], st))
		return false;
	for (i = 0; i < p->nextra; i++)
		if (!tx_rsp(e, 0, NETIF_RSP_NULL))
			return false;
	for (i = 1; i < p->nids; i++)
		if (!tx_rsp(e, p->ids[i], st))
			return false;
	return true;
}

/*
 * The live path of nettx.c tx_serve()/tx_flush() with batches of `batch`
 * packets: take + journal, answer drops at once (after flushing what is
 * staged: responses stay in slot order), then answer, push, journal rsp.
 * Returns false if it "died".
 */
static bool
tx_live(struct txenv *e, unsigned int batch)
{
	struct nb_txpkt staged[8], p;
	netif_tx_request_t copy[NJ_SLOTS];
	struct nj_dir *d = &e->j.q[0].tx;
	unsigned int n = 0, i, k, avail;
	RING_IDX prod;

	for (;;) {
		prod = e->s->req_prod;
		avail = prod - e->b.req_cons;
		if (avail == 0)
			break;
		for (i = 0; i < avail; i++)
			memcpy(&copy[i], RING_GET_REQUEST(&e->b, e->b.req_cons + i),
			    sizeof(copy[i]));
		for (k = 0; k < avail;) {
			enum nb_tx_verdict v = nb_tx_take(&copy[k], avail - k, &p);
			uint32_t old = d->cons;

			assert_true(v == NB_TX_PKT || v == NB_TX_DROP);
			if (!step(&e->budget))
				return false;
			nj_tx_take(d, e->b.req_cons, &p);
			if (!step(&e->budget)) {
				d->cons = old;	/* died between ids and cons */
				return false;
			}
			e->b.req_cons += p.nreq;
			k += p.nreq;
			if (v == NB_TX_DROP) {
				for (i = 0; i < n; i++)
					if (!tx_rsp_pkt(e, &staged[i], 0))
						return false;
				n = 0;
				if (!tx_rsp_pkt(e, &p, NETIF_RSP_ERROR))
					return false;
				continue;
			}
			staged[n++] = p;
			if (n == batch) {
				for (i = 0; i < n; i++)
					if (!tx_rsp_pkt(e, &staged[i], 0))
						return false;
				n = 0;
				if (!step(&e->budget))
					return false;
				RING_PUSH_RESPONSES(&e->b);
				if (!step(&e->budget))
					return false;
				nj_pushed(d, e->b.rsp_prod_pvt);
			}
		}
		for (i = 0; i < n; i++)
			if (!tx_rsp_pkt(e, &staged[i], 0))
				return false;
		n = 0;
		if (!step(&e->budget))
			return false;
		RING_PUSH_RESPONSES(&e->b);
		if (!step(&e->budget))
			return false;
		nj_pushed(d, e->b.rsp_prod_pvt);
	}
	return true;
}

/* Guest: take every published response, then reuse the slots (junk). */
static void
tx_guest_consume(struct txenv *e)
{
	RING_IDX prod = e->s->rsp_prod, i;

	for (i = e->f.rsp_cons; i != prod; i++) {
		netif_tx_response_t *r = RING_GET_RESPONSE(&e->f, i);

		if (r->status == NETIF_RSP_NULL) {
			assert_true(e->nulls_owed > 0);
			e->nulls_owed--;
		} else {
			assert_int_equal(e->owed[r->id], 1);
			e->owed[r->id]--;
		}
		memset(r, JUNK, sizeof(*r));
	}
	e->f.rsp_cons = prod;
}

static void
tx_guest_done(struct txenv *e)
{
	unsigned int i;

	for (i = 0; i < 65536; i++)
		assert_int_equal(e->owed[i], 0);
	assert_int_equal(e->nulls_owed, 0);
	free(e->page);
}

/* The successor: check the journal, attach at jrsp, recover. */
static void
tx_successor(struct txenv *e, struct nj_recovered *rc)
{
	char why[128];
	struct nj_dir *d = &e->j.q[0].tx;

	RING_IDX i, from = d->rsp;

	assert_int_equal(nj_check(&e->j, 4, why, sizeof(why)), 0);
	memset(&e->b, 0x77, sizeof(e->b));
	BACK_RING_ATTACH(&e->b, e->s, d->rsp, PAGE);
	memset(rc, 0, sizeof(*rc));
	nj_tx_recover(d, &e->b, rc);
	/* What the guest took back (junk) was not written again. */
	for (i = from; (int32_t)(e->f.rsp_cons - i) > 0; i++) {
		const uint8_t *r = (const void *)RING_GET_RESPONSE(&e->f, i);
		size_t k;

		for (k = 0; k < sizeof(netif_tx_response_t); k++)
			assert_int_equal(r[k], JUNK);
	}
	assert_false(rc->bad_rsp);
	assert_int_equal(e->b.req_cons, d->cons);
	assert_int_equal(e->s->rsp_prod, d->cons);
}

static const unsigned int tx_kinds[] = { 0, 1, 0, 2, 1, 1, 0, 2, 0 };

static void
tx_crash_at(long budget, bool guest_first, unsigned int batch)
{
	struct txenv *e = malloc(sizeof(*e));
	struct nj_recovered rc;
	unsigned int i;

	assert_non_null(e);
	tx_env_init(e);
	for (i = 0; i < sizeof(tx_kinds) / sizeof(tx_kinds[0]); i++)
		tx_post(e, tx_kinds[i]);
	e->budget = budget;
	if (tx_live(e, batch)) {
		/* No crash: nothing to recover. */
		tx_guest_consume(e);
		tx_guest_done(e);
		free(e);
		return;
	}
	if (guest_first)
		tx_guest_consume(e);
	tx_successor(e, &rc);
	/* More traffic after the resume, then everything answered. */
	tx_post(e, 1);
	tx_post(e, 0);
	e->budget = -1;
	assert_true(tx_live(e, batch));
	tx_guest_consume(e);
	tx_guest_done(e);
	free(e);
}

static void
test_tx_every_crash_point(void **state)
{
	long b;
	unsigned int batch;

	(void)state;
	for (batch = 1; batch <= 4; batch++)
		for (b = 0; b < 200; b++) {
			tx_crash_at(b, false, batch);
			tx_crash_at(b, true, batch);
		}
}

/* Crash, resume, crash again: many deaths in a row on one ring. */
static void
test_tx_repeated_crashes(void **state)
{
	struct txenv *e = malloc(sizeof(*e));
	struct nj_recovered rc;
	unsigned int round, i;

	(void)state;
	assert_non_null(e);
	tx_env_init(e);
	for (round = 0; round < 2000; round++) {
		/* Keep the ring below full: at most 3 slots per packet. */
		for (i = (unsigned int)(rng() % 6); i > 0; i--)
			if ((RING_IDX)(e->f.req_prod_pvt - e->f.rsp_cons) + 3 <=
			    NB_TX_RING_SIZE)
				tx_post(e, (unsigned int)(rng() % (3)));
		e->budget = (long)(rng() % (40));
		if (!tx_live(e, 1 + (unsigned int)(rng() % (4)))) {
			if ((rng() % (2)))
				tx_guest_consume(e);
			tx_successor(e, &rc);
		}
		tx_guest_consume(e);
	}
	e->budget = -1;
	assert_true(tx_live(e, 2));
	tx_guest_consume(e);
	tx_guest_done(e);
	free(e);
}

/* ---- guest RX ---- */

struct rxenv {
	void			*page;
	netif_rx_sring_t	*s;
	netif_rx_front_ring_t	 f;
	netif_rx_back_ring_t	 b;
	struct nj		 j;
	uint16_t		 posted[NJ_SLOTS];	/* id per ring index */
	unsigned int		 answered;
	long			 budget;
};

static void
rx_env_init(struct rxenv *e)
{
	memset(e, 0, sizeof(*e));
	e->page = aligned_alloc(PAGE, PAGE);
	assert_non_null(e->page);
	e->s = e->page;
	SHARED_RING_INIT(e->s);
	FRONT_RING_INIT(&e->f, e->s, PAGE);
	BACK_RING_INIT(&e->b, e->s, PAGE);
	nj_init(&e->j);
	e->j.nq = 1;
	nj_connect(&e->j, &(struct nb_fe_feat){ .sg = true });
}

/* Guest: post buffers up to a full ring (netfront: id = index & mask). */
static void
rx_post(struct rxenv *e, unsigned int n)
{
	while (n-- > 0 && e->f.req_prod_pvt - e->f.rsp_cons < NB_RX_RING_SIZE) {
		netif_rx_request_t *r = RING_GET_REQUEST(&e->f, e->f.req_prod_pvt);

		r->id = (uint16_t)((e->f.req_prod_pvt & 0xff) ^ 0x5a00);
		r->gref = 9;
		e->posted[e->f.req_prod_pvt % NJ_SLOTS] = r->id;
		e->f.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&e->f);
}

/* netrx.c rx_plan()/rx_flush(): frames of 1-3 slots, batches of `batch`. */
static bool
rx_live(struct rxenv *e, unsigned int batch, unsigned int frames)
{
	struct nj_dir *d = &e->j.q[0].rx;
	RING_IDX start[8];
	unsigned int need[8], n = 0, i, k;

	while (frames-- > 0) {
		unsigned int want = 1 + (frames % 3), avail;
		uint16_t ids[4];
		uint32_t old = d->cons;

		avail = e->s->req_prod - e->b.req_cons;
		if (want > avail)
			break;
		for (k = 0; k < want; k++)
			ids[k] = RING_GET_REQUEST(&e->b, e->b.req_cons + k)->id;
		if (!step(&e->budget))
			return false;
		nj_rx_take(d, e->b.req_cons, ids, want);
		if (!step(&e->budget)) {
			d->cons = old;
			return false;
		}
		start[n] = e->b.req_cons;
		need[n++] = want;
		e->b.req_cons += want;
		if (n < batch && frames > 0)
			continue;
		for (i = 0; i < n; i++)
			for (k = 0; k < need[i]; k++) {
				netif_rx_response_t *r;

				if (!step(&e->budget))
					return false;
				r = RING_GET_RESPONSE(&e->b, start[i] + k);
				r->id = e->posted[(start[i] + k) % NJ_SLOTS];
				r->offset = 0;
				r->flags = k + 1 < need[i] ? NETRXF_more_data : 0;
				r->status = 100;
				e->b.rsp_prod_pvt = start[i] + k + 1;
			}
		n = 0;
		if (!step(&e->budget))
			return false;
		RING_PUSH_RESPONSES(&e->b);
		if (!step(&e->budget))
			return false;
		nj_pushed(d, e->b.rsp_prod_pvt);
	}
	return true;
}

static void
rx_guest_consume(struct rxenv *e)
{
	RING_IDX prod = e->s->rsp_prod, i;

	for (i = e->f.rsp_cons; i != prod; i++) {
		netif_rx_response_t *r = RING_GET_RESPONSE(&e->f, i);

		/* netfront: the response at index i is for request i. */
		assert_int_equal(r->id, e->posted[i % NJ_SLOTS]);
		assert_true(r->status == 100 || (r->status == NETIF_RSP_ERROR &&
		    r->flags == 0));
		e->answered++;
		memset(r, JUNK, sizeof(*r));
	}
	e->f.rsp_cons = prod;
}

static void
rx_successor(struct rxenv *e)
{
	struct nj_recovered rc;
	char why[128];
	struct nj_dir *d = &e->j.q[0].rx;

	RING_IDX i, from = d->rsp;

	assert_int_equal(nj_check(&e->j, 1, why, sizeof(why)), 0);
	memset(&e->b, 0x77, sizeof(e->b));
	BACK_RING_ATTACH(&e->b, e->s, d->rsp, PAGE);
	memset(&rc, 0, sizeof(rc));
	nj_rx_recover(d, &e->b, &rc);
	for (i = from; (int32_t)(e->f.rsp_cons - i) > 0; i++) {
		const uint8_t *r = (const void *)RING_GET_RESPONSE(&e->f, i);
		size_t k;

		for (k = 0; k < sizeof(netif_rx_response_t); k++)
			assert_int_equal(r[k], JUNK);
	}
	assert_false(rc.bad_rsp);
	assert_int_equal(e->s->rsp_prod, d->cons);
}

static void
test_rx_every_crash_point(void **state)
{
	struct rxenv *e = malloc(sizeof(*e));
	unsigned int batch, g;
	long b;

	(void)state;
	assert_non_null(e);
	for (batch = 1; batch <= 4; batch++)
		for (g = 0; g < 2; g++)
			for (b = 0; b < 120; b++) {
				rx_env_init(e);
				rx_post(e, 40);
				e->budget = b;
				if (!rx_live(e, batch, 12)) {
					if (g)
						rx_guest_consume(e);
					rx_successor(e);
				}
				rx_guest_consume(e);
				rx_post(e, 10);
				e->budget = -1;
				assert_true(rx_live(e, batch, 5));
				rx_guest_consume(e);
				/* Every consumed request answered exactly once. */
				assert_int_equal(e->answered, e->b.req_cons);
				assert_int_equal(e->f.rsp_cons, e->b.req_cons);
				free(e->page);
			}
	free(e);
}

static void
test_rx_repeated_crashes(void **state)
{
	struct rxenv *e = malloc(sizeof(*e));
	unsigned int round;

	(void)state;
	assert_non_null(e);
	rx_env_init(e);
	for (round = 0; round < 3000; round++) {
		rx_post(e, (unsigned int)(rng() % (20)));
		e->budget = (long)(rng() % (30));
		if (!rx_live(e, 1 + (unsigned int)(rng() % (4)),
		    1 + (unsigned int)(rng() % (10)))) {
			if ((rng() % (2)))
				rx_guest_consume(e);
			rx_successor(e);
		}
		rx_guest_consume(e);
	}
	assert_int_equal(e->answered, e->b.req_cons);
	free(e->page);
	free(e);
}

/* ---- checks on the journal itself ---- */

static void
good(struct nj *j)
{
	nj_init(j);
	j->nq = 2;
	nj_connect(j, &(struct nb_fe_feat){ .sg = true, .rx_notify = true });
}

static void
expect_bad(const struct nj *j, unsigned int ntap, const char *needle)
{
	char why[128] = "";

	assert_int_equal(nj_check(j, ntap, why, sizeof(why)), -1);
	if (strstr(why, needle) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, needle);
}

static void
test_check(void **state)
{
	struct nj *j = malloc(sizeof(*j));
	struct nb_fe_feat f;
	struct nb_mcast m, m2;
	char why[128];

	(void)state;
	assert_non_null(j);
	good(j);
	assert_int_equal(nj_check(j, 4, why, sizeof(why)), 0);
	nj_get_feat(j, &f);
	assert_true(f.sg && f.rx_notify && !f.gso_v4 && !f.mcast_ctrl);

	good(j); j->magic ^= 1;			expect_bad(j, 4, "magic");
	good(j); j->version = 2;		expect_bad(j, 4, "version");
	good(j); nj_disconnect(j);		expect_bad(j, 4, "not connected");
	good(j); j->flags |= 0x80;		expect_bad(j, 4, "flags");
	good(j); j->nq = 0;			expect_bad(j, 4, "0 queues");
	good(j);				expect_bad(j, 1, "2 queues");
	good(j); j->nq = NET_MAX_QUEUES + 1;	expect_bad(j, ~0u, "queues");
	good(j); j->feat = 0x80;		expect_bad(j, 4, "feature");
	good(j); j->nmcast = NB_MCAST_MAX + 1;	expect_bad(j, 4, "multicast");
	good(j); j->q[1].tx.cons = NJ_SLOTS + 1; expect_bad(j, 4, "queue 1 tx");
	good(j); j->q[0].rx.rsp = 5; j->q[0].rx.cons = 4;
						expect_bad(j, 4, "queue 0 rx");
	/* Wrapping indexes are fine. */
	good(j); j->q[0].tx.rsp = 0xfffffff0u; j->q[0].tx.cons = 0x10;
	assert_int_equal(nj_check(j, 4, why, sizeof(why)), 0);
	/* A TX id may carry the extra bit, nothing else; RX not even that. */
	good(j); j->q[0].tx.cons = 2; j->q[0].tx.ids[1] = NJ_ID_EXTRA | 5;
	assert_int_equal(nj_check(j, 4, why, sizeof(why)), 0);
	j->q[0].tx.ids[1] = 0x20000;		expect_bad(j, 4, "bad id");
	good(j); j->q[1].rx.cons = 1; j->q[1].rx.ids[0] = NJ_ID_EXTRA;
						expect_bad(j, 4, "bad id");
	/* Ids outside [rsp, cons) are not looked at. */
	good(j); j->q[0].tx.ids[7] = 0xffffffffu;
	assert_int_equal(nj_check(j, 4, why, sizeof(why)), 0);

	/* The multicast list round-trips. */
	memset(&m, 0, sizeof(m));
	m.n = 3;
	memset(m.addr, 0x33, sizeof(m.addr[0]) * 3);
	good(j);
	nj_set_mcast(j, &m);
	nj_get_mcast(j, &m2);
	assert_int_equal(m2.n, 3);
	assert_memory_equal(m2.addr, m.addr, sizeof(m.addr[0]) * 3);
	free(j);
}

/* A guest's nonsense rsp_prod costs it only its own responses. */
static void
test_bad_rsp_prod(void **state)
{
	struct txenv *e = malloc(sizeof(*e));
	struct nj_recovered rc;

	(void)state;
	assert_non_null(e);
	tx_env_init(e);
	tx_post(e, 0);
	tx_post(e, 0);
	e->budget = 2;		/* journaled the first packet, then died */
	assert_false(tx_live(e, 2));
	e->s->rsp_prod = 12345;
	memset(&rc, 0, sizeof(rc));
	BACK_RING_ATTACH(&e->b, e->s, e->j.q[0].tx.rsp, PAGE);
	nj_tx_recover(&e->j.q[0].tx, &e->b, &rc);
	assert_true(rc.bad_rsp);
	assert_int_equal(rc.answered, 1);
	assert_int_equal(e->s->rsp_prod, 1);
	free(e->page);
	free(e);
}

/* Random journals: the check never reads out of bounds, recovery stays in the ring. */
static void
test_random_journals(void **state)
{
	struct txenv *e = malloc(sizeof(*e));
	unsigned int round, i, ok = 0;
	char why[128];

	(void)state;
	assert_non_null(e);
	tx_env_init(e);
	for (round = 0; round < 20000; round++) {
		uint8_t *p = (uint8_t *)&e->j;
		struct nj_recovered rc;

		good(&e->j);
		/* Flip a few bytes anywhere in the first queue's record. */
		for (i = (unsigned int)(rng() % 4) + 1; i > 0; i--)
			p[(rng() % (offsetof(struct nj, q) +
			    sizeof(struct nj_queue)))] = (uint8_t)rng();
		if ((rng() % (2)))
			e->j.q[0].tx.cons = e->j.q[0].tx.rsp +
			    (uint32_t)(rng() % (NJ_SLOTS + 2));
		if (nj_check(&e->j, NET_MAX_QUEUES, why, sizeof(why)) == -1)
			continue;
		ok++;
		memset(&rc, 0, sizeof(rc));
		e->s->rsp_prod = (RING_IDX)rng();
		BACK_RING_ATTACH(&e->b, e->s, e->j.q[0].tx.rsp, PAGE);
		nj_tx_recover(&e->j.q[0].tx, &e->b, &rc);
		assert_true(rc.answered <= NJ_SLOTS);
	}
	assert_true(ok > 0);
	free(e->page);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_bad_rsp_prod),
		cmocka_unit_test(test_random_journals),
		cmocka_unit_test(test_tx_every_crash_point),
		cmocka_unit_test(test_tx_repeated_crashes),
		cmocka_unit_test(test_rx_every_crash_point),
		cmocka_unit_test(test_rx_repeated_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
