/*
 * nettx.c - guest TX: the frontend's transmit ring to the TAP.
 *
 * Each pass copies every request published so far out of the shared page
 * once (XSA-155), takes packets apart with nb_tx_take() (netif.c holds
 * the validation rules), and fills one grant-copy batch with the data of
 * up to NB_TX_BATCH packets, straight into reused buffers (no mapping, no
 * allocation per packet).  After one GNTTABOP_copy call each packet gets
 * its virtio-net header (nethdr.c) and one writev() to the TAP, and every
 * slot its response.  The "rate" budget is charged before a packet is
 * taken; an empty budget stops the pass until the next window.
 */
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ring.h first: it picks the Xen interface version io/ring.h needs. */
#include "ring.h"
#include "ev.h"
#include "gnt.h"
#include "log.h"
#include "netjournal.h"
#include "tap.h"
#include "worker.h"

static void
tx_respond(struct nb_queue *q, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp;

	rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = status;
	q->tx.rsp_prod_pvt++;
}

/* Answer every slot of a packet: data slots with status, extras with NULL. */
static void
tx_respond_pkt(struct nb_queue *q, const struct nb_txpkt *p, int16_t status)
{
	unsigned int i;

	/* Linux make_tx_response(): the first id, then one NULL per extra. */
	if (p->nids > 0)
		tx_respond(q, p->ids[0], status);
	for (i = 0; i < p->nextra; i++) {
		netif_tx_response_t *rsp;

		rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);
		rsp->status = NETIF_RSP_NULL;
		q->tx.rsp_prod_pvt++;
	}
	for (i = 1; i < p->nids; i++)
		tx_respond(q, p->ids[i], status);
}

static void
tx_push(struct nb_queue *q)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, notify);
	/* Published: a successor must not write these again (netjournal.h). */
	nj_pushed(&q->jq->tx, q->tx.rsp_prod_pvt);
	if (notify)
		xenevtchn_notify(q->w->xce, (evtchn_port_t)q->port_tx);
}

/* A dummy request: multicast control (Linux netback.c xenvif_tx_build_gops). */
static void
tx_dummy(struct nb_queue *q, struct nb_txpkt *p)
{
	struct nb_worker *w = q->w;
	int16_t status = NETIF_RSP_OKAY;

	w->st.tx_dummy++;
	if (p->mcast_add && nb_mcast_add(&w->mcast, p->mcast_addr) == -1) {
		w->st.tx_drop[NB_TXW_MCAST_FULL]++;
		status = NETIF_RSP_ERROR;
	}
	if (p->mcast_del)
		nb_mcast_del(&w->mcast, p->mcast_addr);
	if (p->mcast_add || p->mcast_del)
		nj_set_mcast(w->j, &w->mcast);
	tx_respond_pkt(q, p, status);
}

/* Issue the batch, then hand every good packet to the TAP and answer all. */
static void
tx_flush(struct nb_queue *q, unsigned int n)
{
	struct nb_worker *w = q->w;
	unsigned int i, j, bad;
	int gst;

	if (q->txgb.n > 0 && gnt_batch_run(w->xgt, &q->txgb, &bad, &gst) == -1 &&
	    errno != EIO) {
		/* The call itself failed: nothing was copied. */
		log_warn("grant copy (guest TX)");
		for (i = 0; i < n; i++)
			q->txent[i].bad = true;
	}
	for (i = 0; i < n; i++) {
		struct nb_txent *e = &q->txent[i];
		struct nb_buf *b = &q->txbuf[i];
		enum nb_hdr_why why = NB_HDRW_NONE;
		struct iovec iov[2];
		int16_t status = NETIF_RSP_OKAY;

		for (j = 0; !e->bad && j < e->p.nseg; j++)
			if (q->txgb.segs[e->seg0 + j].status != GNTST_okay)
				e->bad = true;
		if (e->bad) {
			/* The guest revoked or never granted a page. */
			w->st.tx_gnt_err++;
			nb_warn_once(w, "queue %u: guest TX grant copy failed",
			    q->idx);
			tx_respond_pkt(q, &e->p, NETIF_RSP_ERROR);
			continue;
		}
		b->len = e->p.len;
		if (nb_hdr_from_guest(b->data, b->len, e->p.flags,
		    e->p.gso_type, e->p.gso_size, &b->vh, &why) == -1) {
			/* Linux drops what skb_checksum_setup() refuses. */
			w->st.tx_hdr_drop[why]++;
			nb_warn_once(w, "queue %u: guest TX frame dropped: %s",
			    q->idx, nb_hdr_why_str(why));
			tx_respond_pkt(q, &e->p, NETIF_RSP_ERROR);
			continue;
		}
		iov[0].iov_base = &b->vh;
		iov[0].iov_len = sizeof(b->vh);
		iov[1].iov_base = b->data;
		iov[1].iov_len = b->len;
		if (writev(q->tapfd, iov, 2) == -1) {
			/*
			 * The host side is down or full: the frame is lost as
			 * it would be on a wire; the guest is not told (Linux
			 * netback answers OKAY for what the stack drops).
			 */
			w->st.tx_tap_err++;
		} else {
			w->st.tx_pkts++;
			w->st.tx_bytes += b->len;
		}
		tx_respond_pkt(q, &e->p, status);
	}
	gnt_batch_reset(&q->txgb);
	tx_push(q);
	/*
	 * Deliver what waits for the guest (its TCP ACKs above all) between
	 * TX batches: one loop serves both directions, and a guest sending
	 * at full speed must not wait a whole budget for its ACKs.
	 */
	if (n > 0)
		nb_rx_serve(q);
}

/*
 * Queue the data of packet e into the batch: one segment per data slot,
 * laid end to end in its buffer.  Returns 0, or -1 if a segment is
 * impossible (nb_tx_take() already bounds offset + len, so only ENOSPC,
 * which the batch size rules out).
 */
static int
tx_stage(struct nb_queue *q, struct nb_txent *e, struct nb_buf *b)
{
	struct nb_worker *w = q->w;
	uint32_t pos = 0;
	unsigned int i;

	e->seg0 = q->txgb.n;
	for (i = 0; i < e->p.nseg; i++) {
		const struct nb_txseg *s = &e->p.seg[i];

		if (pos + s->len > NB_BUF_SIZE ||
		    gnt_batch_add(&q->txgb, 0, w->domid, s->gref, s->offset,
		    s->len, b->data + pos) == -1)
			return -1;
		pos += s->len;
	}
	/* netif.c: the segments add up to first->size. */
	e->p.len = pos;
	return 0;
}

static void tx_serve(struct nb_queue *);

void
nb_tx_serve(struct nb_queue *q)
{
	if (q->in_tx)
		return;		/* called back from the RX side mid-batch */
	if (q->w->stopping)
		return;		/* the daemon stops: take nothing new */
	q->in_tx = true;
	tx_serve(q);
	q->in_tx = false;
}

static void
tx_serve(struct nb_queue *q)
{
	struct nb_worker *w = q->w;
	unsigned int n = 0, done = 0, avail, k, i;
	RING_IDX prod;
	int more;

	if (q->halted || !w->connected || q->txs == NULL)
		return;
	for (;;) {
		prod = q->tx.sring->req_prod;
		xen_rmb();		/* see requests up to prod */
		/* Linux: "Impossible number of requests" (XSA-39). */
		if (prod - q->tx.req_cons > NB_TX_RING_SIZE) {
			nb_queue_fatal(q, "queue %u: tx req_prod %u is %u ahead "
			    "of req_cons %u", q->idx, prod, prod - q->tx.req_cons,
			    q->tx.req_cons);
			return;
		}
		avail = prod - q->tx.req_cons;
		if (avail == 0) {
			if (n > 0) {
				tx_flush(q, n);
				n = 0;
			}
			RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, more);
			if (!more)
				return;
			continue;
		}
		/* Copy once (XSA-155); nb_tx_take() only sees the copies. */
		for (i = 0; i < avail; i++)
			memcpy(&q->txslots[i],
			    RING_GET_REQUEST(&q->tx, q->tx.req_cons + i),
			    sizeof(q->txslots[i]));
		for (k = 0; k < avail;) {
			struct nb_txent *e = &q->txent[n];

			if (done >= NB_BUDGET) {
				if (n > 0)
					tx_flush(q, n);
				ev_timer_arm(q->ev_tx_more, 0);
				return;
			}
			e->bad = false;
			e->v = nb_tx_take(&q->txslots[k], avail - k, &e->p);
			if (e->v == NB_TX_SHORT) {
				/* Everything up to req_prod was given. */
				e->p.why = NB_TXW_INCOMPLETE;
				e->v = NB_TX_FATAL;
			}
			if (e->v == NB_TX_FATAL) {
				if (n > 0)
					tx_flush(q, n);
				w->st.tx_drop[e->p.why]++;
				nb_queue_fatal(q, "queue %u: guest TX: %s", q->idx,
				    nb_tx_why_str(e->p.why));
				return;
			}
			if (e->v == NB_TX_PKT && w->rate.bytes != 0) {
				uint64_t wait_us;

				if (!nb_rate_take(&w->rate, nb_now_us(), e->p.len,
				    &wait_us)) {
					/* Not consumed: taken again when credit returns. */
					if (n > 0)
						tx_flush(q, n);
					w->st.tx_rate_waits++;
					if (!w->rate_blocked) {
						w->rate_blocked = true;
						ev_timer_arm(w->ev_rate,
						    (unsigned int)(wait_us / 1000) + 1);
					}
					return;
				}
			}
			/* Write-ahead: the slots' answers before they are consumed. */
			nj_tx_take(&q->jq->tx, q->tx.req_cons, &e->p);
			q->tx.req_cons += e->p.nreq;
			k += e->p.nreq;
			done++;
			switch (e->v) {
			case NB_TX_DUMMY:
				tx_dummy(q, &e->p);
				break;
			case NB_TX_DROP:
				w->st.tx_drop[e->p.why]++;
				nb_warn_once(w, "queue %u: guest TX packet dropped: "
				    "%s", q->idx, nb_tx_why_str(e->p.why));
				tx_respond_pkt(q, &e->p, NETIF_RSP_ERROR);
				break;
			case NB_TX_PKT:
				/* XSA-448: legal, answered OKAY; counted. */
				w->st.tx_zero_frags += e->p.nzero;
				if (tx_stage(q, e, &q->txbuf[n]) == -1) {
					w->st.tx_gnt_err++;
					tx_respond_pkt(q, &e->p, NETIF_RSP_ERROR);
					break;
				}
				if (++n == NB_TX_BATCH) {
					tx_flush(q, n);
					n = 0;
				}
				break;
			default:
				break;
			}
		}
		if (n > 0) {
			tx_flush(q, n);
			n = 0;
		} else
			tx_push(q);
	}
}

void
nb_tx_more_cb(int fd, void *arg)
{
	(void)fd;
	nb_tx_serve(arg);
}

void
nb_rate_cb(int fd, void *arg)
{
	struct nb_worker *w = arg;
	unsigned int i;

	(void)fd;
	w->rate_blocked = false;
	for (i = 0; i < w->nq; i++)
		nb_tx_serve(&w->q[i]);
}
