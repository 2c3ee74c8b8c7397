/*
 * netjournal.c - netbackd's restart journal: the write-ahead records the
 * data paths make and the recovery a successor runs (netjournal.h).
 */
#include <stdio.h>
#include <string.h>

#include "netjournal.h"

/*
 * Index and flag stores that publish what precedes them.  A successor
 * runs only after the parent reaped the writer, so no CPU ordering is
 * needed, only that the compiler keeps program order.
 */
#define NJ_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define NJ_LOAD(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)

void
nj_init(struct nj *j)
{
	memset(j, 0, sizeof(*j));
	j->magic = NJ_MAGIC;
	j->version = NJ_VERSION;
}

void
nj_connect(struct nj *j, const struct nb_fe_feat *f)
{
	j->feat = (f->sg ? NJ_FEAT_SG : 0) | (f->gso_v4 ? NJ_FEAT_GSO_V4 : 0) |
	    (f->gso_v6 ? NJ_FEAT_GSO_V6 : 0) |
	    (f->csum_v4 ? NJ_FEAT_CSUM_V4 : 0) |
	    (f->csum_v6 ? NJ_FEAT_CSUM_V6 : 0) |
	    (f->rx_notify ? NJ_FEAT_RX_NOTIFY : 0) |
	    (f->mcast_ctrl ? NJ_FEAT_MCAST_CTRL : 0);
	j->nmcast = 0;
	NJ_STORE(&j->flags, NJ_CONNECTED);
}

void
nj_disconnect(struct nj *j)
{
	NJ_STORE(&j->flags, 0u);
}

void
nj_set_mcast(struct nj *j, const struct nb_mcast *m)
{
	unsigned int n = m->n > NB_MCAST_MAX ? NB_MCAST_MAX : m->n;

	/* Shrink first, then copy, then grow: never a count over garbage. */
	if (n < j->nmcast)
		NJ_STORE(&j->nmcast, n);
	memcpy(j->mcast, m->addr, (size_t)n * NB_ETH_ALEN);
	NJ_STORE(&j->nmcast, n);
}

void
nj_get_feat(const struct nj *j, struct nb_fe_feat *f)
{
	memset(f, 0, sizeof(*f));
	f->sg = (j->feat & NJ_FEAT_SG) != 0;
	f->gso_v4 = (j->feat & NJ_FEAT_GSO_V4) != 0;
	f->gso_v6 = (j->feat & NJ_FEAT_GSO_V6) != 0;
	f->csum_v4 = (j->feat & NJ_FEAT_CSUM_V4) != 0;
	f->csum_v6 = (j->feat & NJ_FEAT_CSUM_V6) != 0;
	f->rx_notify = (j->feat & NJ_FEAT_RX_NOTIFY) != 0;
	f->mcast_ctrl = (j->feat & NJ_FEAT_MCAST_CTRL) != 0;
}

void
nj_get_mcast(const struct nj *j, struct nb_mcast *m)
{
	memset(m, 0, sizeof(*m));
	m->n = j->nmcast > NB_MCAST_MAX ? NB_MCAST_MAX : j->nmcast;
	memcpy(m->addr, j->mcast, (size_t)m->n * NB_ETH_ALEN);
}

static int
nj_check_dir(const struct nj_dir *d, bool tx, unsigned int q, char *why,
    size_t whylen)
{
	uint32_t n = d->cons - d->rsp, i;

	if (n > NJ_SLOTS) {
		snprintf(why, whylen, "queue %u %s: cons %u is %u past rsp %u",
		    q, tx ? "tx" : "rx", d->cons, n, d->rsp);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint32_t id = d->ids[(d->rsp + i) % NJ_SLOTS];

		/* RX slots have no extras: only a 16-bit id. */
		if (id > (tx ? (NJ_ID_EXTRA | 0xffffu) : 0xffffu)) {
			snprintf(why, whylen, "queue %u %s: slot %u: bad id "
			    "0x%x", q, tx ? "tx" : "rx", d->rsp + i, id);
			return -1;
		}
	}
	return 0;
}

int
nj_check(const struct nj *j, unsigned int ntap, char *why, size_t whylen)
{
	unsigned int i;

	if (j->magic != NJ_MAGIC || j->version != NJ_VERSION) {
		snprintf(why, whylen, "bad magic 0x%x or version %u", j->magic,
		    j->version);
		return -1;
	}
	if ((j->flags & NJ_CONNECTED) == 0) {
		snprintf(why, whylen, "not connected");
		return -1;
	}
	if (j->flags & ~(NJ_CONNECTED | NJ_CLEAN)) {
		snprintf(why, whylen, "unknown flags 0x%x", j->flags);
		return -1;
	}
	if (j->nq == 0 || j->nq > ntap || j->nq > NET_MAX_QUEUES) {
		snprintf(why, whylen, "%u queues (the TAP has %u)", j->nq, ntap);
		return -1;
	}
	if (j->feat & ~NJ_FEAT_ALL) {
		snprintf(why, whylen, "unknown feature bits 0x%x", j->feat);
		return -1;
	}
	if (j->nmcast > NB_MCAST_MAX) {
		snprintf(why, whylen, "%u multicast addresses (at most %u)",
		    j->nmcast, NB_MCAST_MAX);
		return -1;
	}
	for (i = 0; i < j->nq; i++)
		if (nj_check_dir(&j->q[i].tx, true, i, why, whylen) == -1 ||
		    nj_check_dir(&j->q[i].rx, false, i, why, whylen) == -1)
			return -1;
	return 0;
}

void
nj_tx_take(struct nj_dir *d, uint32_t cons, const struct nb_txpkt *p)
{
	unsigned int k, n = 0;

	/* nettx.c tx_respond_pkt(): ids[0], a NULL per extra, ids[1..]. */
	if (p->nids > 0)
		d->ids[(cons + n++) % NJ_SLOTS] = p->ids[0];
	for (k = 0; k < p->nextra && n < p->nreq; k++)
		d->ids[(cons + n++) % NJ_SLOTS] = NJ_ID_EXTRA;
	for (k = 1; k < p->nids && n < p->nreq; k++)
		d->ids[(cons + n++) % NJ_SLOTS] = p->ids[k];
	/* nreq == nids + nextra (netif.c); anything else is answered NULL. */
	while (n < p->nreq)
		d->ids[(cons + n++) % NJ_SLOTS] = NJ_ID_EXTRA;
	NJ_STORE(&d->cons, cons + p->nreq);
}

void
nj_rx_take(struct nj_dir *d, uint32_t start, const uint16_t *ids,
    unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		d->ids[(start + k) % NJ_SLOTS] = ids[k];
	NJ_STORE(&d->cons, start + n);
}

void
nj_pushed(struct nj_dir *d, uint32_t rsp)
{
	NJ_STORE(&d->rsp, rsp);
}

/*
 * The first slot to answer: what the guest sees published, if it lies in
 * [rsp, cons] (a crash between RING_PUSH and nj_pushed()), else rsp.
 */
static uint32_t
nj_first(const struct nj_dir *d, uint32_t rsp_prod, struct nj_recovered *rc)
{
	uint32_t pub = rsp_prod - d->rsp;

	if (pub > d->cons - d->rsp) {
		/* Only the guest writes there besides us: its loss. */
		rc->bad_rsp = true;
		pub = 0;
	}
	rc->published += pub;
	return d->rsp + pub;
}

void
nj_tx_recover(struct nj_dir *d, netif_tx_back_ring_t *r,
    struct nj_recovered *rc)
{
	uint32_t cons = NJ_LOAD(&d->cons), i;

	i = nj_first(d, r->sring->rsp_prod, rc);
	for (; i != cons; i++) {
		netif_tx_response_t *rsp = RING_GET_RESPONSE(r, i);
		uint32_t id = d->ids[i % NJ_SLOTS];

		if (id & NJ_ID_EXTRA)
			rsp->status = NETIF_RSP_NULL;
		else {
			rsp->id = (uint16_t)id;
			rsp->status = NETIF_RSP_ERROR;
		}
		rc->answered++;
	}
	r->req_cons = cons;
	r->rsp_prod_pvt = cons;
	RING_PUSH_RESPONSES(r);
	nj_pushed(d, cons);
}

void
nj_rx_recover(struct nj_dir *d, netif_rx_back_ring_t *r,
    struct nj_recovered *rc)
{
	uint32_t cons = NJ_LOAD(&d->cons), i;

	i = nj_first(d, r->sring->rsp_prod, rc);
	for (; i != cons; i++) {
		netif_rx_response_t *rsp = RING_GET_RESPONSE(r, i);

		/* netfront drops an error slot and recycles its buffer. */
		rsp->id = (uint16_t)d->ids[i % NJ_SLOTS];
		rsp->offset = 0;
		rsp->flags = 0;
		rsp->status = NETIF_RSP_ERROR;
		rc->answered++;
	}
	r->req_cons = cons;
	r->rsp_prod_pvt = cons;
	RING_PUSH_RESPONSES(r);
	nj_pushed(d, cons);
}
