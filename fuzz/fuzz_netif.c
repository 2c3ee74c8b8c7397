/*
 * fuzz_netif.c - guest TX as nettx.c's tx_serve() drives it: the request
 * producer checked against req_cons, every published slot copied once,
 * nb_tx_take() (netif.c) over the copies, each packet's data gathered
 * from its granted pages as the grant copy does, and nb_hdr_from_guest()
 * (nethdr.c) over the gathered frame.
 *
 * Input: our private req_cons, a second req_prod (the guest moves it
 * between two passes), a split, then the guest's memory: bytes [0, split)
 * fill the TX ring page (repeated), the rest fills four granted pages
 * that the packet data comes from.  The page buffers, the slot copies and
 * the frame are allocated at their exact size so ASan sees any overrun.
 */
#include <stdbool.h>

#include "netif.h"
#include "nethdr.h"
#include "nethdr_check.h"
#include "fuzz.h"

#define NGPAGES		4u
/* worker.h NB_BUF_SIZE: one packet's buffer. */
#define BUF_SIZE	(65536u + 4096u)

static uint8_t *gpage[NGPAGES];

/* Two takes of the same slots agree (nb_tx_take is pure). */
static void
check_same(const struct nb_txpkt *a, enum nb_tx_verdict va,
    const struct nb_txpkt *b, enum nb_tx_verdict vb)
{
	unsigned int i;

	FUZZ_CHECK(va == vb && a->nreq == b->nreq && a->why == b->why);
	FUZZ_CHECK(a->nseg == b->nseg && a->nids == b->nids &&
	    a->nextra == b->nextra && a->len == b->len);
	for (i = 0; i < a->nseg; i++)
		FUZZ_CHECK(a->seg[i].gref == b->seg[i].gref &&
		    a->seg[i].offset == b->seg[i].offset &&
		    a->seg[i].len == b->seg[i].len);
}

/* What nb_tx_take() promises for a verdict the worker acts on. */
static void
check_take(const netif_tx_request_t *s, unsigned int n,
    const struct nb_txpkt *p, enum nb_tx_verdict v)
{
	uint32_t sum = 0;
	unsigned int i;

	FUZZ_CHECK(p->nreq >= 1 && p->nreq <= n);
	/* One response per slot consumed, or the rings drift apart. */
	FUZZ_CHECK(p->nids + p->nextra == p->nreq);
	FUZZ_CHECK(p->nids >= 1 && p->nids <= NB_TX_MAX_DATA);
	FUZZ_CHECK(p->nextra <= NB_TX_MAX_EXTRAS);
	FUZZ_CHECK(p->ids[0] == s[0].id);
	switch (v) {
	case NB_TX_DUMMY:
		FUZZ_CHECK(p->nids == 1 && p->nseg == 0);
		FUZZ_CHECK(p->mcast_add != p->mcast_del);
		return;
	case NB_TX_DROP:
		FUZZ_CHECK(p->why == NB_TXW_TOO_SHORT ||
		    p->why == NB_TXW_TOO_MANY_SLOTS ||
		    p->why == NB_TXW_FRAG_TOO_BIG);
		FUZZ_CHECK(p->nseg == 0 && p->nzero == 0);
		return;
	case NB_TX_PKT:
		break;
	default:
		FUZZ_CHECK(!"verdict");
	}
	FUZZ_CHECK(p->why == NB_TXW_NONE);
	FUZZ_CHECK(p->nseg >= 1 && p->nseg <= NB_TX_FATAL_SLOTS);
	FUZZ_CHECK(p->nseg + p->nzero == p->nids);
	FUZZ_CHECK(p->nids - 1 <= NB_TX_DROP_SLOTS);
	FUZZ_CHECK(p->seg[0].len >= NB_ETH_HLEN);
	for (i = 0; i < p->nseg; i++) {
		/* The grant copy stays inside the granted page. */
		FUZZ_CHECK(p->seg[i].len > 0);
		FUZZ_CHECK((uint32_t)p->seg[i].offset + p->seg[i].len <=
		    XB_PAGE_SIZE);
		sum += p->seg[i].len;
	}
	FUZZ_CHECK(sum == p->len && p->len <= NB_MAX_PKT);
	FUZZ_CHECK((p->flags & ~(NETTXF_csum_blank | NETTXF_data_validated))
	    == 0);
	FUZZ_CHECK(p->gso_type == XEN_NETIF_GSO_TYPE_NONE ||
	    ((p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ||
	    p->gso_type == XEN_NETIF_GSO_TYPE_TCPV6) && p->gso_size > 0));
}

/* tx_stage() + tx_flush(): gather, then the virtio-net header. */
static void
forward(const struct nb_txpkt *p, uint8_t *buf, uint8_t *orig)
{
	struct virtio_net_hdr vh;
	enum nb_hdr_why why = NB_HDRW_NONE;
	uint32_t pos = 0;
	unsigned int i;
	uint8_t *frame;
	int rc;

	for (i = 0; i < p->nseg; i++) {
		const struct nb_txseg *s = &p->seg[i];

		FUZZ_CHECK(pos + s->len <= BUF_SIZE);
		memcpy(buf + pos, gpage[s->gref % NGPAGES] + s->offset, s->len);
		pos += s->len;
	}
	/* The exact length, so a header walk past it is seen. */
	frame = malloc(pos);
	FUZZ_CHECK(frame != NULL);
	memcpy(frame, buf, pos);
	memcpy(orig, buf, pos);
	rc = nb_hdr_from_guest(frame, pos, p->flags, p->gso_type, p->gso_size,
	    &vh, &why);
	check_hdr_from_guest(orig, frame, pos, p->flags, p->gso_type,
	    p->gso_size, rc, &vh, why);
	free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size }, gin;
	netif_tx_sring_t *sring;
	netif_tx_back_ring_t tx;
	netif_tx_request_t *slots;
	struct nb_txpkt p, q;
	enum nb_tx_verdict v, v2;
	uint8_t *buf, *orig;
	RING_IDX start, prod, prod2, avail, k;
	unsigned int pass, i;
	uint16_t split;

	start = fuzz_u32(&in);
	prod2 = fuzz_u32(&in);
	split = fuzz_u16(&in);
	if (split > in.n)
		split = (uint16_t)in.n;
	gin.p = in.p + split;
	gin.n = in.n - split;
	in.n = split;

	sring = malloc(XB_PAGE_SIZE);
	buf = malloc(BUF_SIZE);
	orig = malloc(BUF_SIZE);
	FUZZ_CHECK(sring != NULL && buf != NULL && orig != NULL);
	fuzz_fill(&in, sring, XB_PAGE_SIZE);
	for (i = 0; i < NGPAGES; i++) {
		gpage[i] = malloc(XB_PAGE_SIZE);
		FUZZ_CHECK(gpage[i] != NULL);
		fuzz_fill(&gin, gpage[i], XB_PAGE_SIZE);
		if (gin.n > XB_PAGE_SIZE) {
			gin.p += XB_PAGE_SIZE;
			gin.n -= XB_PAGE_SIZE;
		}
	}
	/* The worker's private indexes, wherever a previous life left them. */
	memset(&tx, 0, sizeof(tx));
	tx.sring = sring;
	tx.nr_ents = NB_TX_RING_SIZE;
	tx.req_cons = tx.rsp_prod_pvt = start;

	for (pass = 0; pass < 2; pass++) {
		prod = sring->req_prod;
		/* Linux "Impossible number of requests" (XSA-39). */
		if (prod - tx.req_cons > NB_TX_RING_SIZE)
			break;
		avail = prod - tx.req_cons;
		/* Copied once, at their exact number. */
		slots = malloc((avail ? avail : 1) * sizeof(*slots));
		FUZZ_CHECK(slots != NULL);
		for (i = 0; i < avail; i++)
			memcpy(&slots[i], RING_GET_REQUEST(&tx, tx.req_cons + i),
			    sizeof(slots[i]));
		for (k = 0; k < avail;) {
			v = nb_tx_take(&slots[k], avail - k, &p);
			if (v == NB_TX_SHORT || v == NB_TX_FATAL) {
				FUZZ_CHECK(p.why != NB_TXW_NONE);
				FUZZ_CHECK(p.nseg == 0);
				break;	/* nb_queue_fatal() */
			}
			check_take(&slots[k], avail - k, &p, v);
			/* netif.h: a prefix is SHORT or the same answer. */
			v2 = nb_tx_take(&slots[k], p.nreq, &q);
			check_same(&p, v, &q, v2);
			v2 = nb_tx_take(&slots[k], p.nreq - 1, &q);
			FUZZ_CHECK(v2 == NB_TX_SHORT);
			if (v == NB_TX_PKT)
				forward(&p, buf, orig);
			tx.req_cons += p.nreq;
			k += p.nreq;
			/* tx_respond_pkt(): one response per slot. */
			for (i = 0; i < p.nids + p.nextra; i++) {
				netif_tx_response_t *rsp;

				rsp = RING_GET_RESPONSE(&tx, tx.rsp_prod_pvt);
				rsp->id = i < p.nids ? p.ids[i] : 0;
				rsp->status = NETIF_RSP_OKAY;
				tx.rsp_prod_pvt++;
			}
			FUZZ_CHECK(tx.rsp_prod_pvt == tx.req_cons);
		}
		free(slots);
		if (k < avail)
			break;
		sring->req_prod = prod2;
	}
	for (i = 0; i < NGPAGES; i++)
		free(gpage[i]);
	free(orig);
	free(buf);
	free(sring);
	return 0;
}
