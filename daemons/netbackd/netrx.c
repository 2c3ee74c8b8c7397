/*
 * netrx.c - guest RX: the TAP to the buffers the frontend posted.
 *
 * The TAP is read only while the guest has posted at least one buffer;
 * otherwise its event is off and frames wait in the kernel's TAP queue
 * (bounded by txqueuelen, drops counted there), which is the back-pressure
 * the issue asks for.  A frame that needs more slots than are posted is
 * held (one per queue, the only backlog we keep) until the guest posts
 * more or NB_RX_DRAIN_MS passes, then dropped and counted (XSA-392: no
 * unbounded queue for a guest that stops reading).
 *
 * Each frame is split into page-sized slots (io/netif.h "Receive path"):
 * the first slot, then the GSO extra-info slot if any, then the rest,
 * each response in the ring slot of the request it consumes (the rule
 * Linux and Windows frontends rely on).  Data moves by one grant-copy
 * batch for up to NB_RX_BATCH frames.
 */
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
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
rx_tap_enable(struct nb_queue *q, bool on)
{
	if (q->tap_on == on)
		return;
	q->tap_on = on;
	if (on)
		ev_enable(q->ev_tap);
	else
		ev_disable(q->ev_tap);
}

void
nb_rx_stop(struct nb_queue *q)
{
	if (q->ev_tap != NULL)
		rx_tap_enable(q, false);
}

/* Requests posted and not consumed, or -1 if the index is impossible. */
static int
rx_avail(struct nb_queue *q)
{
	RING_IDX prod = q->rx.sring->req_prod;

	xen_rmb();
	if (prod - q->rx.req_cons > NB_RX_RING_SIZE) {
		nb_queue_fatal(q, "queue %u: rx req_prod %u is %u ahead of "
		    "req_cons %u", q->idx, prod, prod - q->rx.req_cons,
		    q->rx.req_cons);
		return -1;
	}
	return (int)(prod - q->rx.req_cons);
}

/* Write the responses of one planned frame at its request slots. */
static void
rx_respond(struct nb_queue *q, const struct nb_rxent *e, bool bad)
{
	unsigned int k, data = 0;
	uint32_t left = e->len;
	bool gso = e->m.gso_type != XEN_NETIF_GSO_TYPE_NONE;

	for (k = 0; k < e->nslots; k++) {
		RING_IDX idx = e->start + k;
		netif_rx_response_t *rsp = RING_GET_RESPONSE(&q->rx, idx);

		if (gso && k == 1) {
			struct netif_extra_info x;

			memset(&x, 0, sizeof(x));
			x.type = XEN_NETIF_EXTRA_TYPE_GSO;
			x.u.gso.size = e->m.gso_size;
			x.u.gso.type = e->m.gso_type;
			memcpy(rsp, &x, sizeof(x));
			continue;
		}
		uint32_t chunk = left > XB_PAGE_SIZE ? XB_PAGE_SIZE : left;
		left -= chunk;
		rsp->id = e->ids[k];
		rsp->offset = 0;
		rsp->flags = left > 0 ? NETRXF_more_data : 0;
		if (data == 0) {
			rsp->flags |= e->m.flags;
			if (gso)
				rsp->flags |= NETRXF_extra_info;
		}
		rsp->status = bad ? NETIF_RSP_ERROR : (int16_t)chunk;
		data++;
	}
	q->rx.rsp_prod_pvt = e->start + e->nslots;
}

/* Copy the planned frames into the guest and answer their slots. */
static void
rx_flush(struct nb_queue *q, unsigned int n)
{
	struct nb_worker *w = q->w;
	unsigned int i, j, badi;
	int gst, notify;
	bool all_bad = false;

	if (n == 0)
		return;
	if (q->rxgb.n > 0 && gnt_batch_run(w->xgt, &q->rxgb, &badi, &gst) == -1 &&
	    errno != EIO) {
		log_warn("grant copy (guest RX)");
		all_bad = true;
	}
	for (i = 0; i < n; i++) {
		const struct nb_rxent *e = &q->rxent[i];
		bool bad = all_bad;

		for (j = 0; !bad && j < e->nseg; j++)
			if (q->rxgb.segs[e->seg0 + j].status != GNTST_okay)
				bad = true;
		if (bad) {
			w->st.rx_gnt_err++;
			nb_warn_once(w, "queue %u: guest RX grant copy failed",
			    q->idx);
		} else {
			w->st.rx_pkts++;
			w->st.rx_bytes += e->len;
		}
		rx_respond(q, e, bad);
	}
	gnt_batch_reset(&q->rxgb);
	q->blocked_since = 0;		/* the guest took frames */
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, notify);
	nj_pushed(&q->jq->rx, q->rx.rsp_prod_pvt);
	if (notify)
		xenevtchn_notify(w->xce, (evtchn_port_t)q->port_rx);
	/* Take what the guest sent meanwhile (ACKs): see tx_flush(). */
	nb_tx_serve(q);
}

/*
 * Read one frame into b.  Returns 1, 0 if the TAP is empty, -1 on a
 * frame to skip (counted) or a TAP error.
 */
static int
rx_read(struct nb_queue *q, struct nb_buf *b)
{
	struct iovec iov[2];
	ssize_t n;

	iov[0].iov_base = &b->vh;
	iov[0].iov_len = sizeof(b->vh);
	iov[1].iov_base = b->data;
	iov[1].iov_len = NB_BUF_SIZE;
	if ((n = readv(q->tapfd, iov, 2)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		log_warn("queue %u: reading %s", q->idx, q->w->ifname);
		return 0;
	}
	if ((size_t)n < sizeof(b->vh) + NB_ETH_HLEN) {
		q->w->st.rx_short_frame++;
		return -1;
	}
	b->len = (uint32_t)((size_t)n - sizeof(b->vh));
	return 1;
}

/*
 * Is frame b for this guest, and how many slots does it need?  Fills the
 * metadata.  Returns the slot count, 0 to drop it (counted).
 */
static unsigned int
rx_classify(struct nb_queue *q, struct nb_buf *b, struct nb_rxmeta *m)
{
	struct nb_worker *w = q->w;
	enum nb_hdr_why why = NB_HDRW_NONE;
	unsigned int need;

	if (nb_hdr_to_guest(&b->vh, &w->feat, m, &why) == -1) {
		w->st.rx_hdr_drop[why]++;
		return 0;
	}
	if (w->feat.mcast_ctrl && !nb_mcast_pass(&w->mcast, b->data)) {
		w->st.rx_mcast_drop++;
		return 0;
	}
	if ((need = nb_rx_slots(b->len, m->gso_type, &w->feat)) == 0 ||
	    need > NB_RX_MAX_SLOTS) {
		w->st.rx_too_big++;
		nb_warn_once(w, "queue %u: %u-byte frame the guest cannot take "
		    "(feature-sg %d) dropped", q->idx, b->len, w->feat.sg);
		return 0;
	}
	return need;
}

/* Plan frame b into the next need request slots; consumes them. */
static void
rx_plan(struct nb_queue *q, struct nb_rxent *e, struct nb_buf *b,
    unsigned int need)
{
	struct nb_worker *w = q->w;
	bool gso = e->m.gso_type != XEN_NETIF_GSO_TYPE_NONE;
	uint32_t off = 0;
	unsigned int k;

	e->start = q->rx.req_cons;
	e->nslots = need;
	e->len = b->len;
	e->seg0 = q->rxgb.n;
	e->nseg = 0;
	for (k = 0; k < need; k++) {
		netif_rx_request_t req;
		uint32_t chunk;

		/* Copy once (XSA-155): id and gref are read here only. */
		memcpy(&req, RING_GET_REQUEST(&q->rx, q->rx.req_cons + k),
		    sizeof(req));
		e->ids[k] = req.id;
		if (gso && k == 1)
			continue;	/* the extra-info slot carries no data */
		chunk = b->len - off > XB_PAGE_SIZE ? XB_PAGE_SIZE : b->len - off;
		/* Cannot fail: chunk <= 4096 at offset 0, the batch is sized. */
		if (chunk > 0 && gnt_batch_add(&q->rxgb, 1, w->domid, req.gref, 0,
		    chunk, b->data + off) == 0)
			e->nseg++;
		off += chunk;
	}
	/* Write-ahead: the slots' ids before they are consumed. */
	nj_rx_take(&q->jq->rx, e->start, e->ids, need);
	q->rx.req_cons += need;
}

/* The guest has no room for the frame in rxbuf[0]: wait for it. */
static void
rx_block(struct nb_queue *q)
{
	struct nb_worker *w = q->w;

	rx_tap_enable(q, false);
	if (!w->feat.rx_notify)
		ev_timer_arm(q->ev_rx_poll, NB_RX_POLL_MS);
	else if (q->held)
		ev_timer_arm(q->ev_rx_poll, NB_RX_DRAIN_MS);
	if (q->blocked_since == 0)
		q->blocked_since = nb_now_us() / 1000 + 1;
	if (!q->stall_armed && !q->stall_logged) {
		q->stall_armed = true;
		ev_timer_arm(q->ev_rx_stall, NB_RX_STALL_MS);
	}
}

static void rx_serve(struct nb_queue *);

void
nb_rx_serve(struct nb_queue *q)
{
	if (q->in_rx)
		return;		/* called back from the TX side mid-batch */
	if (q->w->stopping)
		return;		/* the daemon stops: take nothing new */
	q->in_rx = true;
	rx_serve(q);
	q->in_rx = false;
}

static void
rx_serve(struct nb_queue *q)
{
	struct nb_worker *w = q->w;
	unsigned int n = 0, done = 0, need;
	int avail, more;

	if (q->halted || !w->connected || q->rxs == NULL)
		return;
	for (;;) {
		struct nb_buf *b = &q->rxbuf[n];
		struct nb_rxent *e = &q->rxent[n];

		if (done >= NB_BUDGET) {
			rx_flush(q, n);
			ev_timer_arm(q->ev_rx_more, 0);
			return;
		}
		if ((avail = rx_avail(q)) == -1)
			return;
		if (!(n == 0 && q->held)) {
			int r;

			if (avail == 0) {
				rx_flush(q, n);
				n = 0;
				/* Sets req_event: the guest kicks us when it posts. */
				RING_FINAL_CHECK_FOR_REQUESTS(&q->rx, more);
				if (more)
					continue;
				rx_block(q);
				return;
			}
			if ((r = rx_read(q, b)) == 0) {
				rx_flush(q, n);
				/* Buffers posted, nothing waits: not blocked. */
				q->blocked_since = 0;
				rx_tap_enable(q, true);
				return;
			}
			done++;
			if (r == -1)
				continue;
		}
		if (n == 0 && q->held)
			need = q->held_need;	/* classified when first read */
		else if ((need = rx_classify(q, b, &e->m)) == 0)
			continue;
		if (need > (unsigned int)avail) {
			/* Keep the frame in rxbuf[0] for when room comes. */
			rx_flush(q, n);
			if (n > 0) {
				struct nb_buf t = q->rxbuf[0];

				q->rxbuf[0] = *b;
				*b = t;
				q->rxent[0].m = e->m;
				n = 0;
			}
			if (!q->held) {
				q->held = true;
				q->held_need = need;
				q->held_since = nb_now_us() / 1000;
			}
			/* Ask for a kick when enough is posted, then recheck. */
			q->rx.sring->req_event = q->rx.req_cons + need;
			xen_mb();
			if ((avail = rx_avail(q)) == -1)
				return;
			if (need <= (unsigned int)avail)
				continue;
			rx_block(q);
			return;
		}
		q->held = false;
		rx_plan(q, e, b, need);
		if (++n == NB_RX_BATCH) {
			rx_flush(q, n);
			n = 0;
		}
	}
}

void
nb_tap_cb(int fd, void *arg)
{
	(void)fd;
	nb_rx_serve(arg);
}

void
nb_rx_more_cb(int fd, void *arg)
{
	(void)fd;
	nb_rx_serve(arg);
}

/* No rx-notify: poll for buffers; and drop a held frame that waited too long. */
void
nb_rx_poll_cb(int fd, void *arg)
{
	struct nb_queue *q = arg;
	struct nb_worker *w = q->w;
	uint64_t limit = w->feat.rx_notify ? NB_RX_DRAIN_MS :
	    NB_RX_DRAIN_NONOTIFY_MS;

	(void)fd;
	if (q->halted || !w->connected)
		return;
	if (q->held && nb_now_us() / 1000 - q->held_since >= limit) {
		int avail = rx_avail(q);

		if (avail == -1)
			return;
		if ((unsigned int)avail < q->held_need) {
			q->held = false;
			w->st.rx_expired++;
			nb_warn_once(w, "queue %u: guest posted no RX buffers for "
			    "%llu ms: frame dropped", q->idx,
			    (unsigned long long)limit);
		}
	}
	nb_rx_serve(q);
}

/*
 * The stall notice: the guest has posted no room for NB_RX_STALL_MS while
 * frames wait for it (one held here, or more in the TAP's queue).  Said
 * once per connection; the frames' fate is the TAP's queue limit, which
 * is what keeps the backlog bounded whatever the guest does.
 */
void
nb_rx_stall_cb(int fd, void *arg)
{
	struct nb_queue *q = arg;
	struct nb_worker *w = q->w;
	struct pollfd pfd = { .fd = q->tapfd, .events = POLLIN };
	uint64_t now = nb_now_us() / 1000, elapsed;
	unsigned int need = q->held ? q->held_need : 1;
	bool waiting;
	int avail;

	(void)fd;
	q->stall_armed = false;
	if (q->halted || !w->connected || q->blocked_since == 0 ||
	    q->stall_logged)
		return;
	if ((avail = rx_avail(q)) == -1 || (unsigned int)avail >= need)
		return;		/* broken, or room came: serving resumes */
	waiting = q->held || (poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & POLLIN));
	elapsed = now + 1 - q->blocked_since;
	if (waiting && elapsed >= NB_RX_STALL_MS) {
		q->stall_logged = true;
		w->st.rx_stalls++;
		log_warnx("queue %u: guest RX stalled: no buffers posted for "
		    "%llu ms while frames wait (they queue in %s up to its "
		    "txqueuelen; the kernel drops the rest)", q->idx,
		    (unsigned long long)elapsed, w->ifname);
		return;
	}
	q->stall_armed = true;
	ev_timer_arm(q->ev_rx_stall, waiting ? (unsigned int)(NB_RX_STALL_MS -
	    elapsed) : NB_RX_STALL_MS);
}
