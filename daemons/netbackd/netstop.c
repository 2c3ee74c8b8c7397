/*
 * netstop.c - stop and start of netbackd (docs/ARCHITECTURE.md "Stop and
 * start"): the worker's side.  On the daemon's stop it takes nothing new
 * and leaves the clean-stop record (netquiesce.h) in its backend
 * directory; a worker of the next daemon started with -A takes the live
 * rings over from that record, on the TAP the parent opened again.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "ev.h"
#include "journal.h"
#include "log.h"
#include "netjournal.h"
#include "netquiesce.h"
#include "parse.h"
#include "wproc.h"
#include "xenbus.h"
#include "xs.h"
#include "worker.h"

/* Remove our clean-stop record (used once, or stale). */
void
nb_rm_quiesced(struct nb_worker *w)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", xb_dev_bepath(w->dev),
	    XB_QUIESCED_KEY);
	if (xsc_rm(w->xsc, XBT_NULL, path) == -1 && errno != ENOENT)
		log_warn("removing %s", XB_QUIESCED_KEY);
}

/* xbq_read_fn over the frontend directory. */
static char *
nb_fe_read_cb(void *arg, const char *key)
{
	return xb_dev_fe_read(arg, key);
}

/* Is the state key s (freed) one of a, b? */
static bool
nb_state_is(char *s, int a, int b)
{
	int st = s != NULL ? parse_xenbus_state(s) : -1;

	free(s);
	return st == a || st == b;
}

/*
 * -A, queue q: map the rings the record names (the frontend's keys equal
 * them, netq_match()), which must stand where the stopped worker left
 * them (rsp_prod equal: nothing was in flight, so the guest cannot have
 * seen more responses), and bind the guest's ports again: Xen left them
 * unbound for dom0 when the old daemon's handle closed
 * (xen/common/event_channel.c evtchn_close() sets the remote end
 * ECS_UNBOUND with remote_domid = the closer).  Returns 0, or 1 with *why.
 */
static int
nb_reattach_queue(struct nb_worker *w, struct nb_queue *q,
    const struct netq_queue *rq, const char **why)
{
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;

	q->tx_ref = rq->tx_ref;
	q->rx_ref = rq->rx_ref;
	q->rport_tx = rq->evtchn_tx;
	q->rport_rx = rq->evtchn_rx;
	if ((q->txs = ring_map(w->xgt, w->domid, &q->tx_ref, 1)) == NULL ||
	    (q->rxs = ring_map(w->xgt, w->domid, &q->rx_ref, 1)) == NULL) {
		*why = "cannot map the rings";
		return 1;
	}
	txs = q->txs;
	rxs = q->rxs;
	if (txs->rsp_prod != rq->tx_rsp || rxs->rsp_prod != rq->rx_rsp) {
		*why = "the rings' rsp_prod moved";
		return 1;
	}
	if (!ring_attach_ok(txs->req_prod, txs->rsp_prod, NB_TX_RING_SIZE) ||
	    !ring_attach_ok(rxs->req_prod, rxs->rsp_prod, NB_RX_RING_SIZE)) {
		*why = "ring indexes impossible";
		return 1;
	}
	BACK_RING_ATTACH(&q->tx, txs, rq->tx_rsp, XB_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, rxs, rq->rx_rsp, XB_PAGE_SIZE);
	if ((q->port_tx = ring_evtchn_bind(w->xce, w->domid,
	    rq->evtchn_tx)) == -1) {
		*why = "cannot bind the event channel again";
		return 1;
	}
	if (rq->evtchn_rx == rq->evtchn_tx)
		q->port_rx = q->port_tx;
	else if ((q->port_rx = ring_evtchn_bind(w->xce, w->domid,
	    rq->evtchn_rx)) == -1) {
		*why = "cannot bind the event channel again";
		return 1;
	}
	return 0;
}

/*
 * -A: the previous daemon stopped cleanly, left XB_QUIESCED_KEY
 * (netquiesce.h) and its TAP, which the parent opened again for us.  If
 * the record parses and the frontend still describes the same rings,
 * take them over where they stand, remove the key and write nothing else
 * (the frontend must see nothing); kick every port.  Returns 0
 * (re-attached), 1 (no usable record or rings: *why) or -1 (reported).
 */
int
nb_reattach(struct nb_worker *w, const char **why)
{
	struct xb_dev *dev = w->dev;
	struct netq_rec rec;
	unsigned int i;
	char *s;
	int rc;

	s = xb_dev_be_read(dev, XB_QUIESCED_KEY);
	rc = netq_parse(s, w->ntap, &rec, why);
	free(s);
	if (rc == -1)
		return 1;
	if (!nb_state_is(xb_dev_be_read(dev, "state"), XenbusStateConnected,
	    XenbusStateConnected) ||
	    !nb_state_is(xb_dev_fe_read(dev, "state"),
	    XenbusStateInitialised, XenbusStateConnected)) {
		*why = "not Connected";
		return 1;
	}
	if (netq_match(&rec, nb_fe_read_cb, dev, why) != 1)
		return 1;
	if (!nb_fe_flag(w, "request-rx-copy", false)) {
		*why = "the frontend no longer requests rx-copy";
		return 1;
	}
	nb_read_feat(w);
	if (nb_queues_alloc(w, rec.nq) == -1)
		return -1;
	for (i = 0; i < w->nq; i++) {
		if ((rc = nb_reattach_queue(w, &w->q[i], &rec.q[i], why)) != 0 ||
		    (rc = nb_queue_events(w, &w->q[i])) != 0) {
			nb_queues_free(w);
			return rc;
		}
	}
	w->mcast = rec.mcast;
	nb_tap_setup(w);
	/* A later crash of this worker resumes with -R as usual. */
	nb_journal_connect(w);
	nj_set_mcast(w->j, &w->mcast);
	w->connected = true;
	/* Used once: a later daemon must not take an old record for a new stop. */
	nb_rm_quiesced(w);
	/* What the guest queued while nobody listened: look now. */
	nb_kick(w);
	log_info("re-attached after a clean stop: %u queue%s, %s event "
	    "channels, tx rsp_prod %u, rx rsp_prod %u%s, %u multicast "
	    "address%s", w->nq, w->nq > 1 ? "s" : "",
	    w->q[0].port_tx != w->q[0].port_rx ? "split" : "shared",
	    w->q[0].tx.rsp_prod_pvt, w->q[0].rx.rsp_prod_pvt,
	    w->nq > 1 ? " ..." : "", w->mcast.n, w->mcast.n == 1 ? "" : "es");
	return 0;
}

/*
 * The daemon stops, nothing is in flight (every batch completes inline):
 * publish what is answered, and record in our backend directory what the
 * next daemon's worker needs to re-attach (netquiesce.h).  Not connected,
 * or a queue halted by a bad frontend: no record, the next daemon leaves
 * the device alone as after a crash.
 */
static void
nb_write_quiesced(struct nb_worker *w)
{
	struct netq_rec rec;
	char buf[NETQ_MAX_LEN + 1], path[320];
	unsigned int i, held = 0;

	if (!w->connected || w->q == NULL || w->nq == 0 ||
	    w->nq > NET_MAX_QUEUES) {
		log_info("stopping: not connected, no re-attach record");
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.nq = w->nq;
	for (i = 0; i < w->nq; i++) {
		struct nb_queue *q = &w->q[i];

		if (q->halted || q->txs == NULL || q->rxs == NULL) {
			log_warnx("stopping: queue %u halted: no re-attach "
			    "record", i);
			return;
		}
		nb_queue_push(w, q);
		if (q->tx.req_cons != q->tx.rsp_prod_pvt ||
		    q->rx.req_cons != q->rx.rsp_prod_pvt) {
			log_warnx("stopping: queue %u not quiet (tx %u/%u, rx "
			    "%u/%u): no re-attach record", i, q->tx.req_cons,
			    q->tx.rsp_prod_pvt, q->rx.req_cons,
			    q->rx.rsp_prod_pvt);
			return;
		}
		rec.q[i].tx_ref = q->tx_ref;
		rec.q[i].rx_ref = q->rx_ref;
		rec.q[i].evtchn_tx = q->rport_tx;
		rec.q[i].evtchn_rx = q->rport_rx;
		rec.q[i].tx_rsp = q->tx.rsp_prod_pvt;
		rec.q[i].rx_rsp = q->rx.rsp_prod_pvt;
		held += q->held;
	}
	rec.mcast = w->mcast;
	snprintf(path, sizeof(path), "%s/%s", xb_dev_bepath(w->dev),
	    XB_QUIESCED_KEY);
	if (netq_format(&rec, buf, sizeof(buf)) == -1 ||
	    xsc_write(w->xsc, XBT_NULL, path, buf) == -1) {
		log_warn("stopping: writing %s", XB_QUIESCED_KEY);
		return;
	}
	/* A frame read from the TAP and not delivered is dropped (TCP resends). */
	log_info("quiesced for a stop: %s = \"%s\"%s", XB_QUIESCED_KEY, buf,
	    held > 0 ? "; a frame for the guest dropped" : "");
}

void
nb_stop_cb(int fd, void *arg)
{
	struct nb_worker *w = arg;

	(void)fd;
	nb_write_quiesced(w);
	nb_stats_log(w, "stopped");
	wproc_exit(w->wp, 0);
}

/*
 * wproc stop hook (sup_stop(): the daemon stops, e.g. systemctl restart):
 * take nothing new from the rings or the TAP, then (from the loop, not
 * from inside the parent's message) leave the record for the next daemon
 * and exit 0.  The state stays Connected, the ports stay bound on the
 * parent's handle until it exits, the parent keeps the TAP.
 */
void
nb_stop(void *arg)
{
	struct nb_worker *w = arg;
	unsigned int i;

	w->stopping = true;
	ev_disable(w->ev_evtchn);
	for (i = 0; w->q != NULL && i < w->nq; i++)
		nb_rx_stop(&w->q[i]);
	ev_timer_arm(w->ev_stop, 0);
}
