/*
 * worker.c - the netbackd worker: one process per vif.
 *
 * It owns the xenbus state of its vif (common/xenbus.c: InitWait only
 * after the TAP exists, Connected only once the hotplug script wrote
 * hotplug-status=connected), maps each queue's TX and RX rings, binds
 * their event channels (split or shared), tells the TAP which offloads
 * the guest takes, and runs the two data paths (nettx.c, netrx.c) from one
 * event loop.  The TAP's fds come from the parent, which created it.
 * A broken frontend closes this vif only; nothing the guest writes makes
 * this process exit other than by closing its own device.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ring.h first: it picks the Xen interface version io/ring.h needs. */
#include "ring.h"
#include "ev.h"
#include "gnt.h"
#include "journal.h"
#include "log.h"
#include "netjournal.h"
#include "netquiesce.h"
#include "netstats.h"
#include "parse.h"
#include "proc.h"
#include "ring.h"
#include "tap.h"
#include "wproc.h"
#include "xenbus.h"
#include "xs.h"
#include "worker.h"

uint64_t
nb_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
nb_warn_once(struct nb_worker *w, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	if (w->warned)
		return;
	w->warned = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s (further ones only counted)", msg);
}

void
nb_queue_fatal(struct nb_queue *q, const char *fmt, ...)
{
	struct nb_worker *w = q->w;
	va_list ap;
	char msg[256];
	unsigned int i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Every queue stops: the frontend is broken (Linux disables the vif). */
	for (i = 0; i < w->nq; i++) {
		w->q[i].halted = true;
		nb_rx_stop(&w->q[i]);
	}
	xb_dev_fatal(w->dev, EPROTO, "%s", msg);
}

/* ---- buffers --------------------------------------------------------------------- */

int
nb_queue_bufs_init(struct nb_queue *q)
{
	size_t tx = (size_t)NB_TX_BATCH * NB_BUF_SIZE;
	size_t rx = (size_t)NB_RX_BATCH * NB_BUF_SIZE;
	uint8_t *m;
	unsigned int i;

	/* Touched only as used; reused for the life of the connection. */
	m = mmap(NULL, tx + rx, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	for (i = 0; i < NB_TX_BATCH; i++)
		q->txbuf[i].data = m + (size_t)i * NB_BUF_SIZE;
	for (i = 0; i < NB_RX_BATCH; i++)
		q->rxbuf[i].data = m + tx + (size_t)i * NB_BUF_SIZE;
	if (gnt_batch_init(&q->txgb, NB_TX_BATCH * NB_TX_FATAL_SLOTS) == -1 ||
	    gnt_batch_init(&q->rxgb, NB_RX_BATCH * NB_RX_MAX_SLOTS) == -1)
		return -1;
	return 0;
}

void
nb_queue_bufs_free(struct nb_queue *q)
{
	uint8_t *lo = q->txbuf[0].data;
	unsigned int i;

	/* rxbuf[] entries may have been swapped: free the whole mapping once. */
	for (i = 0; i < NB_RX_BATCH; i++)
		if (q->rxbuf[i].data != NULL && q->rxbuf[i].data < lo)
			lo = q->rxbuf[i].data;
	if (lo != NULL)
		munmap(lo, (size_t)(NB_TX_BATCH + NB_RX_BATCH) * NB_BUF_SIZE);
	gnt_batch_free(&q->txgb);
	gnt_batch_free(&q->rxgb);
	memset(q->txbuf, 0, sizeof(q->txbuf));
	memset(q->rxbuf, 0, sizeof(q->rxbuf));
}

/* ---- counters ---------------------------------------------------------------------- */

void
nb_stats_log(const struct nb_worker *w, const char *when)
{
	const struct nb_stats *s = &w->st;
	char drops[512];
	size_t off = 0;
	unsigned int i;

	drops[0] = '\0';
	for (i = 1; i < NB_TXW_COUNT && off < sizeof(drops); i++)
		if (s->tx_drop[i] > 0)
			off += (size_t)snprintf(drops + off, sizeof(drops) - off,
			    "; %s %llu", nb_tx_why_str(i),
			    (unsigned long long)s->tx_drop[i]);
	for (i = 1; i < NB_HDRW_COUNT && off < sizeof(drops); i++)
		if (s->tx_hdr_drop[i] + s->rx_hdr_drop[i] > 0)
			off += (size_t)snprintf(drops + off, sizeof(drops) - off,
			    "; %s tx %llu rx %llu", nb_hdr_why_str(i),
			    (unsigned long long)s->tx_hdr_drop[i],
			    (unsigned long long)s->rx_hdr_drop[i]);
	log_info("%s: tx %llu packets %llu bytes (tap errors %llu, grant errors "
	    "%llu, multicast requests %llu, rate waits %llu, zero-length "
	    "fragments %llu); rx %llu packets %llu bytes (too big %llu, "
	    "multicast filtered %llu, expired %llu, grant errors %llu, short "
	    "%llu, stalls %llu); event storms %llu (empty wake-ups %llu)%s",
	    when,
	    (unsigned long long)s->tx_pkts, (unsigned long long)s->tx_bytes,
	    (unsigned long long)s->tx_tap_err, (unsigned long long)s->tx_gnt_err,
	    (unsigned long long)s->tx_dummy, (unsigned long long)s->tx_rate_waits,
	    (unsigned long long)s->tx_zero_frags,
	    (unsigned long long)s->rx_pkts, (unsigned long long)s->rx_bytes,
	    (unsigned long long)s->rx_too_big,
	    (unsigned long long)s->rx_mcast_drop,
	    (unsigned long long)s->rx_expired, (unsigned long long)s->rx_gnt_err,
	    (unsigned long long)s->rx_short_frame,
	    (unsigned long long)s->rx_stalls,
	    (unsigned long long)s->storms,
	    (unsigned long long)s->empty_wakeups, drops);
}

/* ---- xenbus ------------------------------------------------------------------------ */

/* netbackd.h; --print-capabilities prints the same table. */
const char *const net_features_on[] = {
	"feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6",
	"feature-ipv6-csum-offload", "feature-rx-copy",
	"feature-multicast-control", "feature-split-event-channels",
	NULL
};

static int
nb_features_txn(struct xsc *xsc, xs_transaction_t t, void *arg)
{
	struct nb_worker *w = arg;
	unsigned int i;

	(void)xsc;
	/* Linux netback_probe(): all before the frontend sees InitWait. */
	for (i = 0; net_features_on[i] != NULL; i++)
		if (xb_dev_printf(w->dev, t, net_features_on[i], "1") == -1)
			return -1;
	if (xb_dev_printf(w->dev, t, "feature-rx-flip", "0") == -1 ||
	    xb_dev_printf(w->dev, t, "multi-queue-max-queues", "%u",
	    w->ntap) == -1)
		return -1;
	return 0;
}

/* xb_dev_ops.probe: check our keys, advertise the features. */
static int
nb_probe(struct xb_dev *dev, void *arg)
{
	struct nb_worker *w = arg;
	char *mac, esc[64];

	/* Linux netback reads "mac" and fails the device on garbage. */
	mac = xb_dev_be_read(dev, "mac");
	if (mac != NULL && nb_mac_parse(mac, w->mac) == -1) {
		xb_dev_error(dev, EINVAL, "bad mac \"%s\" in the backend "
		    "directory", log_escape(esc, sizeof(esc), mac));
		log_warnx("bad mac \"%s\" in the backend directory",
		    log_escape(esc, sizeof(esc), mac));
		free(mac);
		return -1;
	}
	free(mac);
	return xsc_txn_run(w->xsc, nb_features_txn, w);
}

static void
nb_queue_free(struct nb_worker *w, struct nb_queue *q)
{
	if (q->port_rx >= 0 && q->port_rx != q->port_tx)
		ring_evtchn_unbind(w->xce, q->port_rx);
	if (q->port_tx >= 0)
		ring_evtchn_unbind(w->xce, q->port_tx);
	if (q->txs != NULL)
		ring_unmap(w->xgt, q->txs, 1);
	if (q->rxs != NULL)
		ring_unmap(w->xgt, q->rxs, 1);
	ev_free(q->ev_tap);
	ev_free(q->ev_tx_more);
	ev_free(q->ev_rx_more);
	ev_free(q->ev_rx_poll);
	ev_free(q->ev_unmask);
	ev_free(q->ev_rx_stall);
	nb_queue_bufs_free(q);
	q->port_tx = q->port_rx = -1;
	q->txs = q->rxs = NULL;
}

void
nb_queues_free(struct nb_worker *w)
{
	unsigned int i;

	for (i = 0; w->q != NULL && i < w->nq; i++)
		nb_queue_free(w, &w->q[i]);
	free(w->q);
	w->q = NULL;
	w->nq = 0;
}

static int
nb_disconnect(struct xb_dev *dev, void *arg)
{
	struct nb_worker *w = arg;

	(void)dev;
	if (w->q == NULL)
		return 0;
	/* Nothing is in flight between events: every batch completes inline. */
	nj_disconnect(w->j);
	if (w->jh != NULL)
		journal_clear(w->jh, JOURNAL_CONNECTED);
	w->connected = false;
	nb_queues_free(w);
	nb_stats_log(w, "disconnected");
	return 0;
}

/* Read a frontend flag (absent or garbage: def). */
bool
nb_fe_flag(struct nb_worker *w, const char *key, bool def)
{
	uint64_t v;

	if (xb_dev_fe_uint(w->dev, key, 1, &v) == -1)
		return def;
	return v == 1;
}

/* Bind the event channel(s) of queue q from the keys in dir. */
static int
nb_queue_evtchn(struct nb_worker *w, struct nb_queue *q, const char *dir)
{
	struct xb_dev *dev = w->dev;
	char key[300];
	uint64_t tx, rx;
	const char *pre = dir + strlen(xb_dev_fepath(dev));

	if (*pre == '/')
		pre++;
	/* io/netif.h: event-channel-tx/-rx if split, else event-channel. */
	snprintf(key, sizeof(key), "%s%sevent-channel-tx", pre, *pre ? "/" : "");
	if (xb_dev_fe_uint(dev, key, UINT32_MAX, &tx) == 0) {
		snprintf(key, sizeof(key), "%s%sevent-channel-rx", pre,
		    *pre ? "/" : "");
		if (xb_dev_fe_need(dev, key, UINT32_MAX, &rx) == -1)
			return -1;
	} else if (errno != ENOENT) {
		/* Present but garbage: refused, not taken as "not split". */
		xb_dev_fe_bad(dev, key, UINT32_MAX);
		return -1;
	} else {
		snprintf(key, sizeof(key), "%s%sevent-channel", pre,
		    *pre ? "/" : "");
		if (xb_dev_fe_need(dev, key, UINT32_MAX, &tx) == -1)
			return -1;
		rx = tx;
	}
	q->rport_tx = (uint32_t)tx;
	q->rport_rx = (uint32_t)rx;
	if ((q->port_tx = ring_evtchn_bind(w->xce, w->domid,
	    (uint32_t)tx)) == -1) {
		xb_dev_fatal(dev, errno, "queue %u: binding event channel %llu: "
		    "%s", q->idx, (unsigned long long)tx, strerror(errno));
		return -1;
	}
	if (rx == tx)
		q->port_rx = q->port_tx;
	else if ((q->port_rx = ring_evtchn_bind(w->xce, w->domid,
	    (uint32_t)rx)) == -1) {
		xb_dev_fatal(dev, errno, "queue %u: binding event channel %llu: "
		    "%s", q->idx, (unsigned long long)rx, strerror(errno));
		return -1;
	}
	return 0;
}

/* Map one ring page named by <dir>/<key>. */
static void *
nb_map_ring(struct nb_worker *w, struct nb_queue *q, const char *dir,
    const char *key, uint32_t *refp)
{
	struct xb_dev *dev = w->dev;
	char path[300];
	const char *pre = dir + strlen(xb_dev_fepath(dev));
	uint64_t ref;
	void *p;

	if (*pre == '/')
		pre++;
	snprintf(path, sizeof(path), "%s%s%s", pre, *pre ? "/" : "", key);
	if (xb_dev_fe_need(dev, path, UINT32_MAX, &ref) == -1)
		return NULL;
	uint32_t r = (uint32_t)ref;
	*refp = r;
	if ((p = ring_map(w->xgt, w->domid, &r, 1)) == NULL)
		xb_dev_fatal(dev, errno, "queue %u: mapping %s %u: %s", q->idx,
		    key, r, strerror(errno));
	return p;
}

static int
nb_queue_setup(struct nb_worker *w, struct nb_queue *q, const char *dir)
{
	struct xb_dev *dev = w->dev;
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;

	if ((q->txs = nb_map_ring(w, q, dir, "tx-ring-ref", &q->tx_ref)) == NULL ||
	    (q->rxs = nb_map_ring(w, q, dir, "rx-ring-ref", &q->rx_ref)) == NULL)
		return -1;
	txs = q->txs;
	rxs = q->rxs;
	/* Attach to the rings as they are (Linux xenvif_map_frontend_data_rings). */
	if (!ring_attach_ok(txs->req_prod, txs->rsp_prod, NB_TX_RING_SIZE) ||
	    !ring_attach_ok(rxs->req_prod, rxs->rsp_prod, NB_RX_RING_SIZE)) {
		xb_dev_fatal(dev, EPROTO, "queue %u: ring indexes impossible",
		    q->idx);
		return -1;
	}
	BACK_RING_ATTACH(&q->tx, txs, txs->rsp_prod, XB_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, rxs, rxs->rsp_prod, XB_PAGE_SIZE);
	if (nb_queue_evtchn(w, q, dir) == -1)
		return -1;
	return nb_queue_events(w, q);
}

/* The queue's events and buffers (connect and resume). */
int
nb_queue_events(struct nb_worker *w, struct nb_queue *q)
{
	q->ev_tap = ev_read(wproc_base(w->wp), q->tapfd, false, nb_tap_cb, q);
	q->ev_tx_more = ev_timer(wproc_base(w->wp), nb_tx_more_cb, q);
	q->ev_rx_more = ev_timer(wproc_base(w->wp), nb_rx_more_cb, q);
	q->ev_rx_poll = ev_timer(wproc_base(w->wp), nb_rx_poll_cb, q);
	q->ev_unmask = ev_timer(wproc_base(w->wp), nb_unmask_cb, q);
	q->ev_rx_stall = ev_timer(wproc_base(w->wp), nb_rx_stall_cb, q);
	if (q->ev_tap == NULL || q->ev_tx_more == NULL || q->ev_rx_more == NULL ||
	    q->ev_rx_poll == NULL || q->ev_unmask == NULL ||
	    q->ev_rx_stall == NULL ||
	    nb_queue_bufs_init(q) == -1) {
		xb_dev_fatal(w->dev, ENOMEM, "queue %u: out of memory", q->idx);
		return -1;
	}
	return 0;
}

/* Apply the backend's "rate" key (read at connect and on every change). */
static void
nb_rate_load(struct nb_worker *w)
{
	uint64_t bytes = 0, usec = 0;
	char *s, esc[64];

	s = xb_dev_be_read(w->dev, "rate");
	if (s != NULL && nb_rate_parse(s, &bytes, &usec) == -1) {
		/* Linux: "Failed to parse network rate limit. Traffic unlimited." */
		log_warnx("bad rate \"%s\" in the backend directory: traffic "
		    "unlimited", log_escape(esc, sizeof(esc), s));
		bytes = usec = 0;
	}
	free(s);
	if (bytes != w->rate.bytes || usec != w->rate.usec) {
		if (bytes != 0)
			log_info("rate limit %llu bytes per %llu us (guest TX)",
			    (unsigned long long)bytes, (unsigned long long)usec);
		else if (w->rate.bytes != 0)
			log_info("rate limit removed");
	}
	nb_rate_set(&w->rate, bytes, usec, nb_now_us());
	if (w->rate_blocked) {
		/* The new budget may let waiting packets go now. */
		ev_timer_arm(w->ev_rate, 0);
	}
}

static void
nb_rate_watch_cb(const char *path, void *arg)
{
	struct nb_worker *w = arg;

	(void)path;
	nb_rate_load(w);
}

/* Allocate nq queues, each with its journal record. */
int
nb_queues_alloc(struct nb_worker *w, unsigned int nq)
{
	unsigned int i;

	if ((w->q = calloc(nq, sizeof(*w->q))) == NULL) {
		xb_dev_fatal(w->dev, ENOMEM, "out of memory");
		return -1;
	}
	w->nq = nq;
	for (i = 0; i < w->nq; i++) {
		w->q[i].w = w;
		w->q[i].idx = i;
		w->q[i].port_tx = w->q[i].port_rx = -1;
		w->q[i].tapfd = w->tapfd[i];
		w->q[i].jq = &w->j->q[i];
	}
	return 0;
}

/* The TAP side of a connection (connect and resume). */
void
nb_tap_setup(struct nb_worker *w)
{
	unsigned int i;

	/* Frames for the guest are spread over the queues it uses only. */
	for (i = 0; i < w->ntap; i++)
		if (tap_queue_enable(w->tapfd[i], i < w->nq) == -1)
			log_warn("%s: %s queue %u", w->ifname,
			    i < w->nq ? "attaching" : "detaching", i);
	if (tap_set_offload(w->tapfd[0], nb_hdr_tun_offload(&w->feat)) == -1)
		log_warn("%s: TUNSETOFFLOAD", w->ifname);
	nb_rate_load(w);
}

void
nb_queue_push(struct nb_worker *w, struct nb_queue *q)
{
	int ntx, nrx;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, ntx);
	nj_pushed(&q->jq->tx, q->tx.rsp_prod_pvt);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, nrx);
	nj_pushed(&q->jq->rx, q->rx.rsp_prod_pvt);
	if (ntx)
		xenevtchn_notify(w->xce, (evtchn_port_t)q->port_tx);
	if (nrx && q->port_rx != q->port_tx)
		xenevtchn_notify(w->xce, (evtchn_port_t)q->port_rx);
}

void
nb_kick(struct nb_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];

		xenevtchn_unmask(w->xce, (evtchn_port_t)q->port_tx);
		xenevtchn_notify(w->xce, (evtchn_port_t)q->port_tx);
		if (q->port_rx != q->port_tx) {
			xenevtchn_unmask(w->xce, (evtchn_port_t)q->port_rx);
			xenevtchn_notify(w->xce, (evtchn_port_t)q->port_rx);
		}
		ev_timer_arm(q->ev_tx_more, 0);
		ev_timer_arm(q->ev_rx_more, 0);
	}
}

/* Write the connection record: rings, ports, features, indexes. */
void
nb_journal_connect(struct nb_worker *w)
{
	unsigned int i;

	nj_init(w->j);
	w->j->nq = w->nq;
	for (i = 0; i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];
		struct nj_queue *jq = q->jq;

		jq->tx_ref = q->tx_ref;
		jq->rx_ref = q->rx_ref;
		jq->rport_tx = q->rport_tx;
		jq->rport_rx = q->rport_rx;
		jq->lport_tx = (uint32_t)q->port_tx;
		jq->lport_rx = (uint32_t)q->port_rx;
		jq->tx.cons = jq->tx.rsp = q->tx.req_cons;
		jq->rx.cons = jq->rx.rsp = q->rx.req_cons;
	}
	nj_connect(w->j, &w->feat);
	if (w->jh != NULL)
		journal_set(w->jh, JOURNAL_CONNECTED);
}

/*
 * A successor (-R): take over the rings the journal describes, if the
 * vif is still where the dead worker left it (design 3.7): backend
 * Connected, the frontend's queue count, ring refs and event channels
 * unchanged.  Writes nothing to xenstore.  Returns 0, or -1 to connect
 * afresh (logged once).
 */
static int
nb_resume(struct nb_worker *w)
{
	struct xb_dev *dev = w->dev;
	struct nj *j = w->j;
	struct nj_recovered rtx, rrx;
	char why[200], key[64], *s;
	uint64_t nq, v;
	unsigned int i;
	bool checked = false;

	memset(&rtx, 0, sizeof(rtx));
	memset(&rrx, 0, sizeof(rrx));
	if (nj_check(j, w->ntap, why, sizeof(why)) == -1)
		goto fresh;
	checked = true;
	s = xb_dev_be_read(dev, "state");
	v = 0;
	if (s == NULL || parse_uint(s, 10, &v) == -1 ||
	    v != XenbusStateConnected) {
		free(s);
		snprintf(why, sizeof(why), "the backend is not Connected");
		goto fresh;
	}
	free(s);
	if (xb_dev_fe_uint(dev, "multi-queue-num-queues", w->ntap, &nq) == -1)
		nq = 1;
	if (nq != j->nq) {
		snprintf(why, sizeof(why), "the frontend now has %llu queues, "
		    "the journal %u", (unsigned long long)nq, j->nq);
		goto fresh;
	}
	for (i = 0; i < j->nq; i++) {
		static const char *const keys[] = { "tx-ring-ref", "rx-ring-ref",
		    "event-channel-tx", "event-channel-rx", "event-channel" };
		const struct nj_queue *jq = &j->q[i];
		uint32_t want[5] = { jq->tx_ref, jq->rx_ref, jq->rport_tx,
		    jq->rport_rx, jq->rport_tx };
		bool split = jq->rport_tx != jq->rport_rx || jq->lport_tx !=
		    jq->lport_rx;
		unsigned int k;

		for (k = 0; k < 5; k++) {
			if (split ? k == 4 : k == 2 || k == 3)
				continue;
			if (j->nq == 1)
				snprintf(key, sizeof(key), "%s", keys[k]);
			else
				snprintf(key, sizeof(key), "queue-%u/%s", i,
				    keys[k]);
			if (xb_dev_fe_uint(dev, key, UINT32_MAX, &v) == -1 ||
			    v != want[k]) {
				snprintf(why, sizeof(why), "the frontend's %s "
				    "changed", key);
				goto fresh;
			}
		}
	}

	/* The vif is as the journal says: map the rings again, recover. */
	if (nb_queues_alloc(w, j->nq) == -1)
		return -1;
	nj_get_feat(j, &w->feat);
	nj_get_mcast(j, &w->mcast);
	for (i = 0; i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];
		struct nj_queue *jq = q->jq;

		q->tx_ref = jq->tx_ref;
		q->rx_ref = jq->rx_ref;
		q->rport_tx = jq->rport_tx;
		q->rport_rx = jq->rport_rx;
		if ((q->txs = ring_map(w->xgt, w->domid, &q->tx_ref, 1)) == NULL ||
		    (q->rxs = ring_map(w->xgt, w->domid, &q->rx_ref, 1)) == NULL) {
			snprintf(why, sizeof(why), "queue %u: mapping the rings "
			    "again: %s", i, strerror(errno));
			/* The ports are unbound once, below. */
			for (i = 0; i < w->nq; i++)
				w->q[i].port_tx = w->q[i].port_rx = -1;
			nb_queues_free(w);
			goto fresh;
		}
		/* Bound on the event-channel file the parent kept (3.1). */
		q->port_tx = (int)jq->lport_tx;
		q->port_rx = (int)jq->lport_rx;
		BACK_RING_ATTACH(&q->tx, (netif_tx_sring_t *)q->txs, jq->tx.rsp,
		    XB_PAGE_SIZE);
		BACK_RING_ATTACH(&q->rx, (netif_rx_sring_t *)q->rxs, jq->rx.rsp,
		    XB_PAGE_SIZE);
		if (nb_queue_events(w, q) == -1) {
			nb_queues_free(w);
			return -1;
		}
		nj_tx_recover(&jq->tx, &q->tx, &rtx);
		nj_rx_recover(&jq->rx, &q->rx, &rrx);
	}
	nb_tap_setup(w);
	w->connected = true;
	if (w->jh != NULL) {
		journal_clear(w->jh, JOURNAL_CLEAN);
		journal_set(w->jh, JOURNAL_CONNECTED);
	}
	/*
	 * The dead worker may have read an event without unmasking it, or
	 * published without notifying.
	 */
	nb_kick(w);
	log_info("resumed: %u queue%s; tx %u slots answered ERROR (%u "
	    "published already), rx %u slots answered ERROR (%u published "
	    "already)%s", w->nq, w->nq > 1 ? "s" : "", rtx.answered,
	    rtx.published, rrx.answered, rrx.published,
	    rtx.bad_rsp || rrx.bad_rsp ? "; the guest's rsp_prod was out of "
	    "range" : "");
	return 0;

fresh:
	log_warnx("not resuming: %s; connecting afresh", why);
	if (checked) {
		/* Still bound on the kept file: release them. */
		for (i = 0; i < j->nq; i++) {
			if (j->q[i].lport_rx != j->q[i].lport_tx)
				ring_evtchn_unbind(w->xce, (int)j->q[i].lport_rx);
			ring_evtchn_unbind(w->xce, (int)j->q[i].lport_tx);
		}
	}
	nj_disconnect(j);
	if (w->jh != NULL)
		journal_clear(w->jh, JOURNAL_CONNECTED);
	return -1;
}

/* What we may send to the guest (io/netif.h; defaults per key). */
void
nb_read_feat(struct nb_worker *w)
{
	w->feat.sg = nb_fe_flag(w, "feature-sg", false);
	w->feat.gso_v4 = w->feat.sg && nb_fe_flag(w, "feature-gso-tcpv4", false);
	w->feat.gso_v6 = w->feat.sg && nb_fe_flag(w, "feature-gso-tcpv6", false);
	w->feat.csum_v4 = !nb_fe_flag(w, "feature-no-csum-offload", false);
	w->feat.csum_v6 = nb_fe_flag(w, "feature-ipv6-csum-offload", false);
	w->feat.rx_notify = nb_fe_flag(w, "feature-rx-notify", false);
	w->feat.mcast_ctrl = nb_fe_flag(w, "request-multicast-control", false);
}

static int
nb_connect(struct xb_dev *dev, void *arg)
{
	struct nb_worker *w = arg;
	uint64_t nq;
	char dir[256];
	unsigned int i;

	if (w->resume) {
		/* Only the first connect of a successor may resume. */
		w->resume = false;
		w->warned = false;
		if (nb_resume(w) == 0)
			return 0;
	}
	if (w->reattach) {
		const char *why = "";
		int rc;

		w->reattach = false;	/* once, for the first connect */
		w->warned = false;
		if ((rc = nb_reattach(w, &why)) != 1)
			return rc;
		/*
		 * The parent checked the record before starting us: the
		 * frontend changed since, or the rings are not where the
		 * record says (the guest wrote rsp_prod).  Responses may have
		 * been lost with the old daemon: close rather than guess.
		 */
		xb_dev_fatal(dev, EPROTO, "not re-attaching after a stop: "
		    "%s %s", XB_QUIESCED_KEY, why);
		return -1;
	}
	nb_disconnect(dev, arg);
	w->warned = false;
	if (xb_dev_fe_uint(dev, "multi-queue-num-queues", w->ntap, &nq) == -1) {
		if (errno != ENOENT) {
			/* "greater than N": we offer 1 to N */
			xb_dev_fe_bad(dev, "multi-queue-num-queues", w->ntap);
			return -1;
		}
		nq = 1;
	}
	if (nq == 0) {
		xb_dev_fatal(dev, EINVAL, "multi-queue-num-queues is 0");
		return -1;
	}
	/* Linux connect_data_rings(): only the copying receive path exists. */
	if (!nb_fe_flag(w, "request-rx-copy", false)) {
		xb_dev_fatal(dev, EOPNOTSUPP, "frontend does not request "
		    "rx-copy (request-rx-copy); page flipping is not supported");
		return -1;
	}
	nb_read_feat(w);
	memset(&w->mcast, 0, sizeof(w->mcast));
	/* A -A worker that connects afresh: its record is stale now. */
	if (w->opts.reattach)
		nb_rm_quiesced(w);

	if (nb_queues_alloc(w, (unsigned int)nq) == -1)
		return -1;
	for (i = 0; i < w->nq; i++) {
		/* One queue: keys at the top level (io/netif.h "Multi-queue"). */
		if (w->nq == 1)
			snprintf(dir, sizeof(dir), "%s", xb_dev_fepath(dev));
		else
			snprintf(dir, sizeof(dir), "%s/queue-%u",
			    xb_dev_fepath(dev), i);
		if (nb_queue_setup(w, &w->q[i], dir) == -1) {
			nb_queues_free(w);
			return -1;
		}
	}
	nb_tap_setup(w);
	nb_journal_connect(w);
	w->connected = true;
	log_info("connected: %u queue%s, %s event channels, sg %d, gso v4 %d "
	    "v6 %d, csum v4 %d v6 %d, rx-notify %d, multicast control %d",
	    w->nq, w->nq > 1 ? "s" : "",
	    w->q[0].port_tx != w->q[0].port_rx ? "split" : "shared",
	    w->feat.sg, w->feat.gso_v4, w->feat.gso_v6, w->feat.csum_v4,
	    w->feat.csum_v6, w->feat.rx_notify, w->feat.mcast_ctrl);
	/* Requests may be waiting already (reconnect). */
	for (i = 0; i < w->nq; i++) {
		ev_timer_arm(w->q[i].ev_tx_more, 0);
		ev_timer_arm(w->q[i].ev_rx_more, 0);
	}
	return 0;
}

static void
nb_destroy(struct xb_dev *dev, void *arg)
{
	struct nb_worker *w = arg;

	(void)dev;
	wproc_exit(w->wp, 0);
}

static const struct xb_dev_ops nb_xb_ops = {
	.probe = nb_probe,
	.connect = nb_connect,
	.disconnect = nb_disconnect,
	.destroy = nb_destroy,
};

/* ---- event channels -------------------------------------------------------------- */

/*
 * Did this wake-up find nothing new on q?  Counted per second; past
 * NB_STORM_EMPTY the port is unmasked late (XSA-332: a guest must not be
 * able to keep dom0 busy with notifications alone).
 */
static bool
nb_storm(struct nb_queue *q, RING_IDX tx_prod, RING_IDX rx_prod)
{
	uint64_t now = nb_now_us() / 1000000u;
	bool empty = tx_prod == q->tx.req_cons && rx_prod == q->rx_prod_seen;

	q->rx_prod_seen = rx_prod;
	if (now != q->storm_window) {
		q->storm_window = now;
		q->storm_empty = 0;
	}
	if (!empty)
		return false;
	q->w->st.empty_wakeups++;
	if (++q->storm_empty < NB_STORM_EMPTY)
		return false;
	if (q->storm_empty == NB_STORM_EMPTY) {
		q->w->st.storms++;
		nb_warn_once(q->w, "queue %u: more than %u empty notifications "
		    "in a second: throttled", q->idx, NB_STORM_EMPTY);
	}
	return true;
}

static void
nb_evtchn_cb(int fd, void *arg)
{
	struct nb_worker *w = arg;
	xenevtchn_port_or_error_t port;
	unsigned int i;

	(void)fd;
	if ((port = xenevtchn_pending(w->xce)) < 0)
		return;
	for (i = 0; i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];
		RING_IDX txp, rxp;

		if (q->port_tx != port && q->port_rx != port)
			continue;
		if (q->halted || q->txs == NULL)
			break;
		txp = q->tx.sring->req_prod;
		rxp = q->rx.sring->req_prod;
		if (nb_storm(q, txp, rxp) && !q->storm_masked) {
			/* Leave it masked for a while; nb_unmask_cb ends that. */
			q->storm_masked = true;
			q->storm_port = port;
			ev_timer_arm(q->ev_unmask, NB_STORM_DELAY_MS);
			return;
		}
		if (port == q->port_tx)
			nb_tx_serve(q);
		if (port == q->port_rx)
			nb_rx_serve(q);
		break;
	}
	/* Unmask only after draining: the userland lateeoi (XSA-332). */
	xenevtchn_unmask(w->xce, (evtchn_port_t)port);
}

void
nb_unmask_cb(int fd, void *arg)
{
	struct nb_queue *q = arg;

	(void)fd;
	q->storm_masked = false;
	xenevtchn_unmask(q->w->xce, (evtchn_port_t)q->storm_port);
	nb_tx_serve(q);
	nb_rx_serve(q);
}

/* ---- process: setup and teardown (common/wproc.c runs the loop) -------------- */

/*
 * wproc_on_quiesce hook (PROC_SHUTDOWN "restart", an upgrade): nothing is
 * in flight between events, every batch completes inline; publish what is
 * answered but not pushed yet, mark the journal clean and exit for the
 * successor.  The ports stay bound (nb_worker_free).
 */
static void
nb_quiesce(void *arg)
{
	struct nb_worker *w = arg;
	unsigned int i;

	for (i = 0; w->connected && i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];

		if (q->halted || q->txs == NULL || q->rxs == NULL)
			continue;
		nb_queue_push(w, q);
	}
	if (w->jh != NULL)
		journal_set(w->jh, JOURNAL_CLEAN);
	log_info("quiesced for a restart%s", w->connected ? "" :
	    " (not connected)");
	wproc_exit(w->wp, WPROC_EX_RESTART);
}

/* wproc_hook for SIGUSR1: log the counters. */
static void
nb_usr1(void *arg)
{
	struct nb_worker *w = arg;

	nb_stats_log(w, w->connected ? "counters" : "counters (not "
	    "connected)");
}

/*
 * Receive the fds (netbackd.h): max_queues named "tap", then "evtchn"
 * into *evfd and "journal", which is mapped (the parent keeps the fd).
 */
static int
nb_recv_fds(struct nb_worker *w, int *evfd)
{
	struct proc_msg m;
	unsigned int i;
	const char *jwhy;
	int fd;

	for (i = 0; i < w->opts.max_queues + 2; i++) {
		const char *want = i < w->opts.max_queues ? "tap" :
		    i == w->opts.max_queues ? "evtchn" : "journal";

		if (proc_recv(PROC_CHAN_FD, &m) != 1 || m.type != PROC_FD ||
		    m.fd < 0 || strcmp(m.data, want) != 0) {
			if (m.fd >= 0)
				close(m.fd);
			errno = EPROTO;
			return -1;
		}
		if (i < w->opts.max_queues)
			w->tapfd[w->ntap++] = m.fd;
		else if (i == w->opts.max_queues)
			*evfd = m.fd;
		else {
			fd = m.fd;
			w->jh = journal_map(fd, &w->jsize);
			close(fd);
			if (w->jh == NULL)
				return -1;
			/* The parent made it; checked like any input anyway. */
			if (journal_check(w->jh, w->jsize, NJ_OFFSET +
			    sizeof(struct nj), JOURNAL_NET, w->domid, w->devid,
			    &jwhy) == -1) {
				log_warnx("journal: %s", jwhy);
				errno = EPROTO;
				return -1;
			}
			w->j = (struct nj *)(void *)((char *)w->jh + NJ_OFFSET);
		}
	}
	return tap_ifname(w->tapfd[0], w->ifname);
}

static void
nb_worker_free(struct nb_worker *w)
{
	unsigned int i;

	/*
	 * Leaving while connected (a quiesce, a signal): the ports stay bound
	 * on the parent's evtchn file for a successor, which the journal
	 * names them to; the parent's close releases them with the device.
	 */
	for (i = 0; w->connected && w->q != NULL && i < w->nq; i++)
		w->q[i].port_tx = w->q[i].port_rx = -1;
	nb_queues_free(w);
	if (w->rate_watch != NULL)
		xsc_unwatch(w->xsc, w->rate_watch);
	if (w->dev != NULL)
		xb_dev_free(w->dev);
	ev_free(w->ev_evtchn);
	ev_free(w->ev_rate);
	ev_free(w->ev_stop);
	for (i = 0; i < w->ntap; i++)
		close(w->tapfd[i]);
	if (w->xce != NULL)
		xenevtchn_close(w->xce);
	if (w->xgt != NULL)
		xengnttab_close(w->xgt);
	journal_unmap(w->jh, w->jsize);
	if (w->xsc != NULL)
		xsc_close(w->xsc);
	wproc_free(w->wp);	/* last: everything above used its base */
}

/*
 * Confine this worker (common/sandbox.h): every fd exists now; rings and
 * ports come later, through the handles named here.
 */
static int
nb_sandbox_enter(struct nb_worker *w)
{
	struct sandbox_profile sp;
	char why[256];
	unsigned int i;

	sandbox_profile_init(&sp);
	sp.name = "netbackd";
	sp.root = NET_SANDBOX_ROOT;
	sp.uid = w->opts.uid;
	sp.gid = w->opts.gid;
	sp.rules = net_sandbox;
	sp.nrules = net_sandbox_len;
	sandbox_profile_fd(&sp, SB_CHAN, PROC_CHAN_FD);
	sandbox_profile_fd(&sp, SB_EVTCHN, xenevtchn_fd(w->xce));
	sandbox_profile_fd(&sp, SB_GNTDEV, xengnttab_fd(w->xgt));
	for (i = 0; i < w->ntap; i++)
		sandbox_profile_fd(&sp, SB_TAP, w->tapfd[i]);
	if (w->opts.test && wproc_test_hooks(w->wp) == -1)
		return wproc_failed(w->wp, "test hooks");
	if (sandbox_enter(&sp, why, sizeof(why)) == -1)
		return wproc_failed(w->wp, why);
	return 0;
}

int
worker_main(unsigned int domid, unsigned int devid, const struct net_opts *o)
{
	struct nb_worker w;
	unsigned int self;
	char path[256];
	int rc = 1, evfd = -1;

	memset(&w, 0, sizeof(w));
	w.domid = domid;
	w.devid = devid;
	w.opts = *o;
	log_set_prefix("vif d%u/%u", domid, devid);

	if ((w.wp = wproc_new(PROC_CHAN_FD, nb_usr1, &w)) == NULL)
		return 1;
	/* The parent created the TAP, the evtchn handle and the journal. */
	if (w.opts.max_queues == 0 || w.opts.max_queues > NET_MAX_QUEUES ||
	    nb_recv_fds(&w, &evfd) == -1) {
		rc = wproc_failed(w.wp, "no TAP, evtchn or journal fds from the "
		    "parent");
		goto out;
	}
	/*
	 * A successor resumes from the journal; so does a worker started
	 * plain (-R comes only after a READY) over a journal left connected.
	 */
	w.resume = o->resume || (journal_flags(w.jh) & JOURNAL_CONNECTED);
	/* -A after a clean stop; a successor's journal decides instead. */
	w.reattach = o->reattach && !w.resume;
	if ((w.xsc = xsc_open_proxy(w.wp)) == NULL) {
		rc = wproc_failed(w.wp, "xenstore");
		goto out;
	}
	if (xsc_self_domid(w.xsc, &self) == -1 ||
	    (w.dev = xb_dev_new(w.xsc, NET_TYPE, self, domid, devid,
	    &nb_xb_ops, &w)) == NULL) {
		rc = wproc_failed(w.wp, "reading the backend directory");
		goto out;
	}
	if ((w.xgt = xengnttab_open(NULL, 0)) == NULL) {
		rc = wproc_failed(w.wp, "opening gntdev");
		goto out;
	}
	/* Restricted to the guest by the parent; ports outlive us (3.1). */
	if ((w.xce = xenevtchn_fdopen(NULL, evfd, 0)) == NULL) {
		rc = wproc_failed(w.wp, "evtchn handle from the parent");
		goto out;
	}
	evfd = -1;
	w.ev_evtchn = ev_read(wproc_base(w.wp), xenevtchn_fd(w.xce), true,
	    nb_evtchn_cb, &w);
	w.ev_rate = ev_timer(wproc_base(w.wp), nb_rate_cb, &w);
	w.ev_stop = ev_timer(wproc_base(w.wp), nb_stop_cb, &w);
	wproc_on_quiesce(w.wp, nb_quiesce, &w);
	wproc_on_stop(w.wp, nb_stop, &w);
	wproc_on_stats(w.wp, nb_stats, &w);
	if (w.ev_evtchn == NULL || w.ev_rate == NULL || w.ev_stop == NULL) {
		rc = wproc_failed(w.wp, "registering events");
		goto out;
	}
	/* "rate" may change while the guest runs (a toolstack writes it). */
	snprintf(path, sizeof(path), "%s/rate", xb_dev_bepath(w.dev));
	if ((w.rate_watch = xsc_watch(w.xsc, path, nb_rate_watch_cb,
	    &w)) == NULL) {
		rc = wproc_failed(w.wp, "watching rate");
		goto out;
	}

	log_info("serving %s with %u TAP queue%s", w.ifname, w.ntap,
	    w.ntap > 1 ? "s" : "");
	if ((rc = nb_sandbox_enter(&w)) != 0)
		goto out;
	rc = 1;
	xb_dev_set_ready(w.dev, true);
	if (w.resume || w.reattach)
		xb_dev_set_reattach(w.dev);	/* nb_connect() decides */
	xb_dev_start(w.dev);
	wproc_ready(w.wp);
	rc = wproc_run(w.wp);
out:
	if (evfd >= 0)
		close(evfd);
	nb_worker_free(&w);
	return rc;
}
