/*
 * worker.c - the blkbackd worker: one process per guest disk.
 *
 * It owns the xenbus state of its device (common/xenbus.c), maps the
 * frontend's rings (one per queue, 1..16 pages each), copies each request
 * out once (blkring.c), validates the copy (blkif.c) and moves data
 * between the guest's pages and the backing store (backing.h) with many
 * requests in flight and completions in any order.  This file is the
 * process and the xenbus side; the data path is blkio.c (worker.h).
 *
 * Guest pages reach the store in one of two ways, per segment:
 *  - persistent grants (when both ends offer feature-persistent): the page
 *    is mapped once and kept (pgrant.c); the store reads and writes it
 *    directly;
 *  - otherwise, or when the table is full, batched grant copy to or from
 *    a page of our bounded pool.
 * A broken frontend closes this device only; nothing the guest writes can
 * make this process exit other than by closing its own device.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "blkbackd.h"
#include "blkif.h"
#include "blkquiesce.h"
#include "blkstats.h"
#include "blkring.h"
#include "ev.h"
#include "fence.h"
#include "gnt.h"
#include "log.h"
#include "parse.h"
#include "pgrant.h"
#include "proc.h"
#include "ring.h"
#include "wproc.h"
#include "xenbus.h"
#include "xs.h"
#include "worker.h"

/* ---- xenbus ------------------------------------------------------------------- */

/* xb_dev_ops.probe: the keys the frontend reads before it sets up rings. */
static int
blk_probe(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;

	if (xb_dev_printf(dev, XBT_NULL, "feature-max-indirect-segments", "%u",
	    BLK_MAX_SEGS) == -1 ||
	    xb_dev_printf(dev, XBT_NULL, "multi-queue-max-queues", "%u",
	    w->opts.max_queues) == -1 ||
	    xb_dev_printf(dev, XBT_NULL, "max-ring-page-order", "%u",
	    XB_RING_MAX_ORDER) == -1)
		return -1;
	return 0;
}

static int
blk_connect_keys_txn(struct xsc *xsc, xs_transaction_t t, void *arg)
{
	struct blk_worker *w = arg;
	unsigned int info = 0;

	(void)xsc;
	if (w->lim.readonly)
		info |= VDISK_READONLY;
	if (w->cdrom)
		info |= VDISK_CDROM | VDISK_REMOVABLE;
	if (xb_dev_printf(w->dev, t, "feature-flush-cache", "%d",
	    w->lim.flush) == -1 ||
	    xb_dev_printf(w->dev, t, "feature-barrier", "%d", w->lim.flush) == -1 ||
	    xb_dev_printf(w->dev, t, "feature-persistent", "%d",
	    w->opts.pgrants > 0) == -1 ||
	    xb_dev_printf(w->dev, t, "sectors", "%llu",
	    (unsigned long long)w->lim.sectors) == -1 ||
	    xb_dev_printf(w->dev, t, "info", "%u", info) == -1 ||
	    xb_dev_printf(w->dev, t, "sector-size", "%u", 512) == -1 ||
	    xb_dev_printf(w->dev, t, "physical-sector-size", "%u",
	    w->info.physical_block) == -1)
		return -1;
	if (w->lim.discard) {
		if (xb_dev_printf(w->dev, t, "discard-granularity", "%u",
		    w->info.discard_granularity ? w->info.discard_granularity :
		    w->info.physical_block) == -1 ||
		    xb_dev_printf(w->dev, t, "discard-alignment", "%u", 0) == -1 ||
		    xb_dev_printf(w->dev, t, "discard-secure", "%d",
		    w->lim.discard_secure) == -1)
			return -1;
	}
	return xb_dev_printf(w->dev, t, "feature-discard", "%d", w->lim.discard);
}

/* Release one queue's ring, event channel, grants and requests. */
static void
blk_queue_free(struct blk_worker *w, struct blk_queue *q)
{
	pgrant_free(&q->pg);
	if (q->port >= 0) {
		ring_evtchn_unbind(w->xce, q->port);
		if (q->jq != NULL)
			__atomic_store_n(&q->jq->port, 0, __ATOMIC_RELEASE);
	}
	free(q->redo);
	q->redo = NULL;
	q->nredo = q->redo_pos = 0;
	if (q->sring != NULL)
		ring_unmap(w->xgt, q->sring, q->npages);
	ev_free(q->ev_more);
	free(q->ios);
	q->port = -1;
	q->sring = NULL;
	q->ev_more = NULL;
	q->ios = NULL;
}

static void
blk_queues_free(struct blk_worker *w)
{
	unsigned int i;

	for (i = 0; w->q != NULL && i < w->nq; i++)
		blk_queue_free(w, &w->q[i]);
	free(w->q);
	w->q = NULL;
	w->nq = 0;
}

static unsigned int
blk_inflight(const struct blk_worker *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nq; i++)
		n += w->q[i].inflight;
	return n;
}

/*
 * Requests the frontend published that we never took: dropped at
 * disconnect (io/blkif.h promises no answer to a frontend that closed).
 * A halted queue's producer is not to be trusted: none counted.
 */
static unsigned int
blk_unread(const struct blk_worker *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nq; i++) {
		const struct blk_queue *q = &w->q[i];
		RING_IDX prod;

		if (q->sring == NULL || q->halted)
			continue;
		prod = blk_ring_req_prod(&q->ring);
		if (!blk_ring_prod_bad(&q->ring, prod))
			n += prod - q->ring.req_cons;
	}
	return n;
}

static int
blk_disconnect(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;
	unsigned int busy, unread;

	(void)dev;
	if (w->q == NULL)
		return 0;
	w->connected = false;		/* take no more requests */
	busy = blk_inflight(w);
	if (!w->closing) {
		/*
		 * A frontend may close (or vanish) with requests out.  Those
		 * taken finish first: the store holds iovecs into persistent
		 * grants and the grant copy of a read writes into the guest's
		 * pages, so the rings and grants are unmapped only when the
		 * last one is answered.
		 */
		w->closing = true;
		unread = blk_unread(w);
		if (busy > 0 || unread > 0)
			log_info("frontend closed with %u request%s in flight "
			    "and %u unread on the ring: answering the first "
			    "before unmapping, dropping the rest", busy,
			    busy == 1 ? "" : "s", unread);
	}
	if (busy > 0) {
		errno = EBUSY;		/* blk_after_finish() kicks us */
		return -1;
	}
	/* Nothing to resume from now: a successor connects afresh. */
	if (w->j != NULL)
		journal_clear(&w->j->h, JOURNAL_CONNECTED);
	blk_queues_free(w);
	log_info("disconnected: %llu requests (%llu read, %llu write, %llu "
	    "flush, %llu discard), %llu rejected, %llu I/O errors, %llu event "
	    "storms; segments %llu copied, %llu persistent",
	    (unsigned long long)w->nr_req,
	    (unsigned long long)w->nr_rd, (unsigned long long)w->nr_wr,
	    (unsigned long long)w->nr_fl, (unsigned long long)w->nr_ds,
	    (unsigned long long)w->nr_bad, (unsigned long long)w->nr_ioerr,
	    (unsigned long long)w->nr_storms,
	    (unsigned long long)w->nr_copy_segs,
	    (unsigned long long)w->nr_pgrant_segs);
	return 0;
}

/* The frontend key of page pg of queue qi's ring, for the log. */
static void
blk_ref_key(const struct blk_worker *w, unsigned int qi, unsigned int pg,
    unsigned int np, char *buf, size_t len)
{
	char pre[16] = "";

	if (w->nq > 1)
		snprintf(pre, sizeof(pre), "queue-%u/", qi);
	if (np > 1)
		snprintf(buf, len, "%sring-ref%u", pre, pg);
	else
		snprintf(buf, len, "%sring-ref", pre);
}

/*
 * io/blkif.h (multi-page rings) has ring-ref0..ring-ref(2^order - 1) name
 * the pages of one ring in order, and each queue its own ring.  A ref that
 * repeats (in this ring or an earlier queue's) makes slots alias each
 * other and the indexes: nothing a working frontend does, so the device
 * is refused rather than served in a ring that overwrites itself.
 */
static int
blk_refs_repeat(struct blk_worker *w, struct blk_queue *q,
    const uint32_t *refs, unsigned int np)
{
	uint32_t all[BLK_MAX_QUEUES * XB_RING_MAX_PAGES];
	char ka[32], kb[32];
	unsigned int i, a, b;

	/* Every queue has the same order (read from the top level). */
	if (q->idx >= BLK_MAX_QUEUES)
		return 0;
	for (i = 0; i < q->idx; i++)
		memcpy(all + i * np, w->q[i].refs, np * sizeof(*refs));
	memcpy(all + q->idx * np, refs, np * sizeof(*refs));
	memcpy(q->refs, refs, np * sizeof(*refs));
	if (!ring_refs_repeat(all, (q->idx + 1) * np, &a, &b))
		return 0;
	blk_ref_key(w, a / np, a % np, np, ka, sizeof(ka));
	blk_ref_key(w, b / np, b % np, np, kb, sizeof(kb));
	xb_dev_fatal(w->dev, EINVAL, "frontend %s repeats %s (grant %u): the "
	    "pages of the rings must be distinct", kb, ka, all[b]);
	return -1;
}

/* Every io of q on the free list (nothing taken). */
static void
blk_free_all(struct blk_queue *q)
{
	unsigned int i;

	q->free = NULL;
	for (i = q->nios; i-- > 0;) {
		q->ios[i].next = q->free;
		q->free = &q->ios[i];
	}
}

/* How blk_queue_setup() takes a ring. */
enum blk_setup {
	BLK_SETUP_FRESH,	/* a connect */
	BLK_SETUP_RESUME,	/* -R: the journal's record, ports still bound */
	BLK_SETUP_REATTACH,	/* -A: the clean-stop record, ports to bind again */
};

/*
 * Map, attach and bind queue q from the frontend keys in dir.  resume: the
 * keys must equal the journal's record (else 1 is returned and nothing is
 * reported: the caller connects afresh), and the port bound by an earlier
 * worker, which the parent's handle kept bound, is used as it is.
 * reattach: the keys must equal the clean-stop record (else 1), and the
 * guest's port, left unbound for us when the old daemon's handle closed
 * (Xen common/event_channel.c evtchn_close), is bound again.
 */
static int
blk_queue_setup(struct blk_worker *w, struct blk_queue *q, const char *dir,
    enum blk_abi abi, enum blk_setup mode)
{
	bool resume = mode == BLK_SETUP_RESUME;
	const struct blkq_queue *rq = mode == BLK_SETUP_REATTACH &&
	    w->qrec != NULL && q->idx < w->qrec->nq ? &w->qrec->q[q->idx] : NULL;
	struct xb_dev *dev = w->dev;
	uint32_t refs[XB_RING_MAX_PAGES];
	const char *bad = "";
	char key[64];
	uint64_t evtchn;
	unsigned int i;
	int n;

	n = ring_read_refs(dev, xb_dev_fepath(dev), dir, XB_RING_MAX_ORDER,
	    refs, &bad);
	if (resume) {
		const struct blkj_queue *jq = q->jq;

		if (n < 1 || (unsigned int)n != jq->npages ||
		    memcmp(refs, jq->refs, (size_t)n * sizeof(refs[0])) != 0)
			return 1;
	}
	if (mode == BLK_SETUP_REATTACH && (rq == NULL || n < 1 ||
	    (unsigned int)n != rq->npages ||
	    memcmp(refs, rq->refs, (size_t)n * sizeof(refs[0])) != 0))
		return 1;
	if (n != -1 && blk_refs_repeat(w, q, refs, (unsigned int)n) == -1)
		return -1;
	if (n == -1) {
		/* One line naming the key, its value and why (xenbus.h). */
		if (strcmp(bad, "ring-page-order") == 0)
			xb_dev_fe_bad(dev, bad, XB_RING_MAX_ORDER);
		else {
			if (strcmp(dir, xb_dev_fepath(dev)) == 0)
				snprintf(key, sizeof(key), "%s", bad);
			else
				snprintf(key, sizeof(key), "queue-%u/%s",
				    q->idx, bad);
			xb_dev_fe_bad(dev, key, UINT32_MAX);
		}
		return -1;
	}
	if (strcmp(dir, xb_dev_fepath(dev)) == 0)
		snprintf(key, sizeof(key), "event-channel");
	else
		snprintf(key, sizeof(key), "queue-%u/event-channel", q->idx);
	if (resume && (xb_dev_fe_uint(dev, key, UINT32_MAX, &evtchn) == -1 ||
	    evtchn != q->jq->evtchn || q->jq->port == 0))
		return 1;
	if (rq != NULL && (xb_dev_fe_uint(dev, key, UINT32_MAX, &evtchn) == -1 ||
	    evtchn != rq->evtchn))
		return 1;
	if (mode == BLK_SETUP_FRESH &&
	    xb_dev_fe_need(dev, key, UINT32_MAX, &evtchn) == -1)
		return -1;
	q->npages = (unsigned int)n;
	if ((q->sring = ring_map(w->xgt, w->domid, refs, q->npages)) == NULL) {
		xb_dev_fatal(dev, errno, "queue %u: mapping %u ring page%s "
		    "(ring-ref%s %u%s): %s", q->idx, q->npages,
		    q->npages > 1 ? "s" : "", q->npages > 1 ? "0" : "", refs[0],
		    q->npages > 1 ? " ..." : "", strerror(errno));
		return -1;
	}
	/* Attach to the ring as it is (Linux xen_blkif_map, BACK_RING_ATTACH). */
	if (blk_ring_attach(&q->ring, q->sring, abi, q->npages) == -1) {
		xb_dev_fatal(dev, EPROTO, "queue %u: ring indexes impossible",
		    q->idx);
		return -1;
	}
	/* Nothing was in flight at the stop: the ring must be where we left it. */
	if (rq != NULL && q->ring.rsp_prod_pvt != rq->rsp_prod)
		return 1;
	if (resume)
		q->port = (int)q->jq->port;
	else if ((q->port = ring_evtchn_bind(w->xce, w->domid,
	    (uint32_t)evtchn)) == -1) {
		xb_dev_fatal(dev, errno, "queue %u: binding event channel %llu: "
		    "%s", q->idx, (unsigned long long)evtchn, strerror(errno));
		return -1;
	}
	q->nios = q->ring.nr_ents;
	if ((q->ios = calloc(q->nios, sizeof(*q->ios))) == NULL ||
	    (q->ev_more = ev_timer(wproc_base(w->wp), blk_more_cb, q)) == NULL ||
	    pgrant_init(&q->pg, w->persistent ? w->opts.pgrants : 0,
	    blk_pg_map, blk_pg_unmap, w) == -1) {
		xb_dev_fatal(dev, ENOMEM, "queue %u: out of memory", q->idx);
		return -1;
	}
	for (i = 0; i < q->nios; i++)
		q->ios[i].q = q;
	if (q->jq != NULL && !resume) {
		/* The connection record, for a successor. */
		q->jq->npages = q->npages;
		memcpy(q->jq->refs, refs, (size_t)n * sizeof(refs[0]));
		q->jq->evtchn = (uint32_t)evtchn;
		q->jq->nents = q->nios;
		for (i = 0; i < q->nios && i < BLKJ_MAX_ENTS; i++)
			__atomic_store_n(&q->jq->ent[i].state, BLKJ_FREE,
			    __ATOMIC_RELEASE);
		__atomic_store_n(&q->jq->req_cons, q->ring.req_cons,
		    __ATOMIC_RELEASE);
		__atomic_store_n(&q->jq->rsp, q->ring.rsp_prod_pvt,
		    __ATOMIC_RELEASE);
		__atomic_store_n(&q->jq->port, (uint32_t)q->port,
		    __ATOMIC_RELEASE);
	}
	if (!resume)
		blk_free_all(q);
	return 0;
}

/* The directory of queue i's keys (one queue: the top, as Linux). */
static void
blk_queue_dir(struct blk_worker *w, unsigned int i, char *dir, size_t len)
{
	if (w->nq == 1)
		snprintf(dir, len, "%s", xb_dev_fepath(w->dev));
	else
		snprintf(dir, len, "%s/queue-%u", xb_dev_fepath(w->dev), i);
}

static int
blk_queues_new(struct blk_worker *w, unsigned int nq)
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
		w->q[i].port = -1;
		if (w->j != NULL)
			w->q[i].jq = &w->j->q[i];
	}
	return 0;
}

/* Is xenstore key (backend or frontend state) one of a and b? */
static bool
blk_state_is(char *v, int a, int b)
{
	int st = v != NULL ? parse_xenbus_state(v) : -1;

	free(v);
	return st == a || st == b;
}

/*
 * Apply the recovery plan of queue q (blkjournal.h): the indexes from the
 * journal, the one response to write again, the requests to take again.
 */
static void
blk_queue_resume(struct blk_queue *q, const struct blkj_plan *p,
    unsigned int *redone, unsigned int *again)
{
	struct blkj_queue *jq = q->jq;
	unsigned int i, k;
	bool busy[BLKJ_MAX_ENTS];

	memset(busy, 0, sizeof(busy));
	q->ring.rsp_prod_pvt = p->rsp_prod_pvt;
	q->ring.req_cons = p->req_cons;
	if (p->published_ent >= 0) {
		/* Published before the crash, journaled now. */
		__atomic_store_n(&jq->rsp, p->rsp_prod_pvt, __ATOMIC_RELEASE);
		__atomic_store_n(&jq->ent[p->published_ent].state, BLKJ_FREE,
		    __ATOMIC_RELEASE);
	}
	for (k = 0; k < p->nredo; k++) {
		struct blk_io *io = &q->ios[p->redo[k]];
		const struct blkj_ent *e = &jq->ent[p->redo[k]];

		memcpy(&io->r, &e->r, offsetof(struct blk_req, seg));
		memcpy(io->r.seg, e->r.seg, io->r.nseg * sizeof(io->r.seg[0]));
		io->status = e->status;
		/* A flush is answered only after the writes taken before it. */
		if (io->r.kind == BLK_FLUSH || io->r.preflush)
			io->r.drain = true;
		busy[p->redo[k]] = true;
	}
	if (p->again >= 0)
		busy[p->again] = true;
	if ((q->redo = calloc(p->nredo + 1, sizeof(*q->redo))) != NULL) {
		memcpy(q->redo, p->redo, p->nredo * sizeof(*q->redo));
		q->nredo = p->nredo;
	}
	q->free = NULL;
	for (i = q->nios; i-- > 0;) {
		if (busy[i])
			continue;
		q->ios[i].next = q->free;
		q->free = &q->ios[i];
	}
	*redone = q->nredo;
	*again = 0;
	if (p->again >= 0) {
		struct blk_io *io = &q->ios[p->again];
		const struct blkj_ent *e = &jq->ent[p->again];

		/* Never seen by the guest: the same bytes into the same slot. */
		io->r.id = e->r.id;
		io->r.op = e->r.op;
		io->r.nseg = 0;
		io->status = e->status;
		q->inflight++;		/* blk_finish() answers and frees it */
		*again = 1;
	}
}

/*
 * Plan the resume of queue i from its journal (blkj_plan()) into plan;
 * -1 (the device failed) if the journal cannot be trusted.
 */
static int
blk_plan_queue(struct blk_worker *w, unsigned int i, struct blkj_plan *plan)
{
	struct blk_queue *q = &w->q[i];
	const char *why = "";

	if (blkj_plan(q->jq, q->nios, blk_ring_rsp_prod(&q->ring), &w->lim,
	    plan, &why) == -1) {
		xb_dev_fatal(w->dev, EPROTO, "queue %u: restart journal "
		    "unusable (%s); the ring's state is unknown", i, why);
		return -1;
	}
	return 0;
}

/*
 * -R: take over the live rings recorded in the journal, if the backend is
 * still Connected and the frontend Initialised or Connected with the same
 * rings and event channels; then nothing is written to xenstore, and the
 * frontend sees nothing.  Returns 0 (resumed), 1 (connect afresh) or -1
 * (reported: the journal cannot be trusted and the ring state is unknown).
 */
static int
blk_resume(struct blk_worker *w)
{
	struct xb_dev *dev = w->dev;
	struct blkj *j = w->j;
	struct blkj_plan *plan;
	char dir[256], *proto;
	unsigned int i, redone = 0, again = 0, n, a;
	enum blk_abi abi;
	uint64_t nq;

	if (j == NULL || !(journal_flags(&j->h) & JOURNAL_CONNECTED) ||
	    !blk_state_is(xb_dev_be_read(dev, "state"), XenbusStateConnected,
	    XenbusStateConnected) ||
	    !blk_state_is(xb_dev_fe_read(dev, "state"),
	    XenbusStateInitialised, XenbusStateConnected))
		return 1;
	proto = xb_dev_fe_read(dev, "protocol");
	if (blk_abi_parse(proto, &abi) == -1 || abi != (enum blk_abi)j->abi) {
		free(proto);
		return 1;
	}
	free(proto);
	if (xb_dev_fe_uint(dev, "multi-queue-num-queues", w->opts.max_queues,
	    &nq) == -1)
		nq = 1;
	if (nq != j->nq || nq > w->opts.max_queues)
		return 1;
	w->persistent = j->persistent != 0 && w->opts.pgrants > 0;
	journal_clear(&j->h, JOURNAL_CLEAN);
	if (blk_queues_new(w, (unsigned int)nq) == -1)
		return -1;
	for (i = 0; i < w->nq; i++) {
		int rc;

		blk_queue_dir(w, i, dir, sizeof(dir));
		if ((rc = blk_queue_setup(w, &w->q[i], dir, abi,
		    BLK_SETUP_RESUME)) != 0) {
			blk_queues_free(w);
			return rc;
		}
	}
	if ((plan = malloc(sizeof(*plan))) == NULL) {
		xb_dev_fatal(dev, ENOMEM, "out of memory");
		blk_queues_free(w);
		return -1;
	}
	for (i = 0, n = 0; i < w->nq; i++) {
		if (blk_plan_queue(w, i, plan) == -1) {
			free(plan);
			blk_queues_free(w);
			return -1;
		}
		n += blkj_unfenced_writes(w->q[i].jq, plan);
	}
	/*
	 * NBD has no fence: the server may still run the dead connection's
	 * writes after ours (qemu nbd/server.c client_close() shuts the
	 * channel while request coroutines run on), so redoing one could be
	 * overwritten by its stale copy.  Reads and flushes are redone.
	 */
	if (n > 0 && w->bops == &backing_nbd) {
		xb_dev_fatal(dev, EIO, "NBD: %u write%s %s in flight when "
		    "worker %u died; NBD cannot fence them", n, n == 1 ? "" :
		    "s", n == 1 ? "was" : "were", w->prev_pid);
		free(plan);
		blk_queues_free(w);
		return -1;
	}
	for (i = 0; i < w->nq; i++) {
		struct blk_queue *q = &w->q[i];

		/* Planned above: the journal has not changed since. */
		if (blk_plan_queue(w, i, plan) == -1) {
			free(plan);
			blk_queues_free(w);
			return -1;
		}
		w->connected = true;
		blk_queue_resume(q, plan, &n, &a);
		redone += n;
		again += a;
		if (a)
			blk_finish(&q->ios[plan->again],
			    q->ios[plan->again].status);
	}
	free(plan);
	for (i = 0; i < w->nq; i++) {
		/*
		 * The dead worker may have left a port masked (evtchn_interrupt
		 * disables it until userland writes it), and events may have
		 * come in the gap: unmask and notify every port once.
		 */
		xenevtchn_unmask(w->xce, (evtchn_port_t)w->q[i].port);
		xenevtchn_notify(w->xce, (evtchn_port_t)w->q[i].port);
		ev_timer_arm(w->q[i].ev_more, 0);
	}
	log_info("resumed (journal gen %u): %u queue%s, %u request%s done "
	    "again, %u response%s published again", j->h.gen, w->nq,
	    w->nq > 1 ? "s" : "", redone, redone == 1 ? "" : "s", again,
	    again == 1 ? "" : "s");
	return 0;
}

/* xbq_read_fn over the frontend directory. */
static char *
blk_fe_read_cb(void *arg, const char *key)
{
	return xb_dev_fe_read(arg, key);
}

/*
 * -A: the previous daemon stopped cleanly and left XB_QUIESCED_KEY
 * (blkquiesce.h).  If it parses and the frontend still describes the same
 * rings, take them over where they stand: bind the guest's ports again,
 * map the rings, start at rsp_prod (nothing was in flight), remove the
 * key, write nothing else (the frontend must see nothing) and kick every
 * port.  Returns 0 (re-attached), 1 (no usable record: *why) or -1
 * (reported).
 */
static int
blk_reattach(struct blk_worker *w, const char **why)
{
	struct xb_dev *dev = w->dev;
	struct blkq_rec rec;
	char dir[256], path[320], *s;
	uint64_t pers;
	unsigned int i;
	int rc;

	s = xb_dev_be_read(dev, XB_QUIESCED_KEY);
	rc = blkq_parse(s, w->opts.max_queues, &rec, why);
	free(s);
	if (rc == -1)
		return 1;
	if (!blk_state_is(xb_dev_be_read(dev, "state"), XenbusStateConnected,
	    XenbusStateConnected) ||
	    !blk_state_is(xb_dev_fe_read(dev, "state"),
	    XenbusStateInitialised, XenbusStateConnected)) {
		*why = "not Connected";
		return 1;
	}
	if (blkq_match(&rec, blk_fe_read_cb, dev, why) != 1)
		return 1;
	if (xb_dev_fe_uint(dev, "feature-persistent", 1, &pers) == -1)
		pers = 0;
	w->persistent = pers == 1 && w->opts.pgrants > 0;
	if (blk_queues_new(w, rec.nq) == -1)
		return -1;
	w->qrec = &rec;
	for (i = 0; i < w->nq; i++) {
		blk_queue_dir(w, i, dir, sizeof(dir));
		if ((rc = blk_queue_setup(w, &w->q[i], dir, rec.abi,
		    BLK_SETUP_REATTACH)) != 0) {
			w->qrec = NULL;
			blk_queues_free(w);
			*why = "ring or event channel differs from the record";
			return rc;
		}
	}
	w->qrec = NULL;
	w->connected = true;
	if (w->j != NULL) {
		w->j->abi = rec.abi;
		w->j->nq = w->nq;
		w->j->persistent = w->persistent;
		journal_set(&w->j->h, JOURNAL_CONNECTED);
	}
	/* Used once: a later daemon must not take an old record for a new stop. */
	snprintf(path, sizeof(path), "%s/%s", xb_dev_bepath(dev),
	    XB_QUIESCED_KEY);
	if (xsc_rm(w->xsc, XBT_NULL, path) == -1)
		log_warn("removing %s", XB_QUIESCED_KEY);
	for (i = 0; i < w->nq; i++) {
		/* Requests the guest queued while nobody listened: look now. */
		xenevtchn_unmask(w->xce, (evtchn_port_t)w->q[i].port);
		xenevtchn_notify(w->xce, (evtchn_port_t)w->q[i].port);
		ev_timer_arm(w->q[i].ev_more, 0);
	}
	log_info("re-attached after a clean stop: %u queue%s, rsp_prod %u%s, "
	    "persistent grants %s", w->nq, w->nq > 1 ? "s" : "",
	    w->q[0].ring.rsp_prod_pvt, w->nq > 1 ? " ..." : "",
	    w->persistent ? "on" : "off");
	return 0;
}

/*
 * sup_stop(), nothing in flight: record in our backend directory what the
 * next daemon's worker needs to re-attach (blkquiesce.h).  Not connected,
 * or a queue halted by a bad frontend: no record, the next daemon leaves
 * the device alone as after a crash.
 */
static void
blk_write_quiesced(struct blk_worker *w)
{
	struct blkq_rec rec;
	char buf[BLKQ_MAX_LEN + 1], path[320];
	unsigned int i;

	if (!w->connected || w->q == NULL || w->nq == 0 ||
	    w->nq > BLK_MAX_QUEUES) {
		log_info("stopping: not connected, no re-attach record");
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.abi = w->q[0].ring.abi;
	rec.nq = w->nq;
	for (i = 0; i < w->nq; i++) {
		const struct blk_queue *q = &w->q[i];

		if (q->halted || q->ring.req_cons != q->ring.rsp_prod_pvt ||
		    q->jq == NULL) {
			log_warnx("stopping: queue %u not quiet (req_cons %u, "
			    "rsp_prod %u%s): no re-attach record", i,
			    q->ring.req_cons, q->ring.rsp_prod_pvt,
			    q->halted ? ", halted" : "");
			return;
		}
		rec.q[i].evtchn = q->jq->evtchn;
		rec.q[i].rsp_prod = q->ring.rsp_prod_pvt;
		rec.q[i].npages = q->npages;
		memcpy(rec.q[i].refs, q->refs, q->npages * sizeof(q->refs[0]));
	}
	snprintf(path, sizeof(path), "%s/%s", xb_dev_bepath(w->dev),
	    XB_QUIESCED_KEY);
	if (blkq_format(&rec, buf, sizeof(buf)) == -1 ||
	    xsc_write(w->xsc, XBT_NULL, path, buf) == -1) {
		log_warn("stopping: writing %s", XB_QUIESCED_KEY);
		return;
	}
	log_info("quiesced for a stop: %s = \"%s\"", XB_QUIESCED_KEY, buf);
}

static int
blk_connect(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;
	uint64_t nq, pers;
	enum blk_abi abi;
	char *proto, esc[64], dir[256];
	unsigned int i;
	int rc;

	if (blk_disconnect(dev, arg) == -1)	/* precondition, as Linux connect_ring() */
		return -1;
	w->warned = false;
	w->closing = false;
	if (w->opts.resume) {
		w->opts.resume = false;		/* once, for the first connect */
		if ((rc = blk_resume(w)) != 1)
			return rc;
		log_info("restart journal does not match the frontend: "
		    "connecting afresh");
	}
	if (w->opts.reattach) {
		const char *why = "";

		w->opts.reattach = false;	/* once, for the first connect */
		if ((rc = blk_reattach(w, &why)) != 1)
			return rc;
		/*
		 * The parent checked the record before starting us: the
		 * frontend changed since, or the ring is not where the record
		 * says (the guest wrote rsp_prod).  Requests may have been
		 * lost with the old daemon: close rather than guess.
		 */
		xb_dev_fatal(dev, EPROTO, "not re-attaching after a stop: "
		    "%s %s", XB_QUIESCED_KEY, why);
		return -1;
	}
	if (w->j != NULL) {
		journal_clear(&w->j->h, JOURNAL_CONNECTED);
		/* Ports a dead worker bound are still bound in the parent's file. */
		for (i = 0; i < w->j->maxq; i++) {
			uint32_t port = __atomic_exchange_n(&w->j->q[i].port, 0,
			    __ATOMIC_ACQ_REL);

			if (port != 0)
				ring_evtchn_unbind(w->xce, (int)port);
		}
	}

	/* io/blkif.h "protocol": the request layout. */
	proto = xb_dev_fe_read(dev, "protocol");
	if (blk_abi_parse(proto, &abi) == -1) {
		xb_dev_fatal(dev, EINVAL, "unknown frontend protocol \"%s\"",
		    log_escape(esc, sizeof(esc), proto));
		free(proto);
		return -1;
	}
	free(proto);

	if (xb_dev_fe_uint(dev, "multi-queue-num-queues", w->opts.max_queues,
	    &nq) == -1) {
		if (errno != ENOENT) {
			/* "greater than N": we offer 1 to N */
			xb_dev_fe_bad(dev, "multi-queue-num-queues",
			    w->opts.max_queues);
			return -1;
		}
		nq = 1;
	}
	if (nq == 0) {
		xb_dev_fatal(dev, EINVAL, "multi-queue-num-queues is 0");
		return -1;
	}
	if (xb_dev_fe_uint(dev, "feature-persistent", 1, &pers) == -1)
		pers = 0;	/* absent or garbage: not offered */
	w->persistent = pers == 1 && w->opts.pgrants > 0;

	if (blk_queues_new(w, (unsigned int)nq) == -1)
		return -1;
	for (i = 0; i < w->nq; i++) {
		/* One queue: keys at the top (Linux, even if num-queues is 1). */
		blk_queue_dir(w, i, dir, sizeof(dir));
		if (blk_queue_setup(w, &w->q[i], dir, abi,
		    BLK_SETUP_FRESH) == -1) {
			blk_queues_free(w);
			return -1;
		}
	}
	if (xsc_txn_run(w->xsc, blk_connect_keys_txn, w) == -1) {
		log_warn("writing connect keys");
		blk_queues_free(w);
		return -1;
	}
	w->connected = true;
	if (w->j != NULL) {
		w->j->abi = abi;
		w->j->nq = w->nq;
		w->j->persistent = w->persistent;
		journal_set(&w->j->h, JOURNAL_CONNECTED);
	}
	log_info("connected: %u queue%s of %u page%s (%u slots), %s, "
	    "persistent grants %s, %llu sectors%s", w->nq, w->nq > 1 ? "s" : "",
	    w->q[0].npages, w->q[0].npages > 1 ? "s" : "", w->q[0].ring.nr_ents,
	    blk_abi_name(abi), w->persistent ? "on" : "off",
	    (unsigned long long)w->lim.sectors,
	    w->lim.readonly ? ", read-only" : "");
	/* Requests may be waiting already (reconnect). */
	for (i = 0; i < w->nq; i++)
		ev_timer_arm(w->q[i].ev_more, 0);
	return 0;
}

static void
blk_destroy(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;

	(void)dev;
	wproc_exit(w->wp, 0);
}

static const struct xb_dev_ops blk_xb_ops = {
	.probe = blk_probe,
	.connect = blk_connect,
	.disconnect = blk_disconnect,
	.destroy = blk_destroy,
};

/* ---- housekeeping: resize and idle grants ------------------------------------- */

static int
blk_resize_txn(struct xsc *xsc, xs_transaction_t t, void *arg)
{
	struct blk_worker *w = arg;

	(void)xsc;
	/* Rewriting state fires the frontend's watch (Linux xen_vbd_resize). */
	if (xb_dev_printf(w->dev, t, "sectors", "%llu",
	    (unsigned long long)w->lim.sectors) == -1 ||
	    xb_dev_printf(w->dev, t, "state", "%d", xb_dev_state(w->dev)) == -1)
		return -1;
	return 0;
}

static void
blk_check_size(struct blk_worker *w)
{
	uint64_t bytes, sectors;

	if (!w->info.can_resize || w->bops->size(w->store, &bytes) == -1)
		return;
	sectors = bytes >> BLK_SECTOR_SHIFT;
	if (sectors == w->lim.sectors)
		return;
	log_info("backing store resized: %llu -> %llu sectors",
	    (unsigned long long)w->lim.sectors, (unsigned long long)sectors);
	w->lim.sectors = sectors;
	w->info.size = bytes;
	if (w->connected && xsc_txn_run(w->xsc, blk_resize_txn, w) == -1)
		log_warn("announcing the new size");
}

static void
blk_tick_cb(int fd, void *arg)
{
	struct blk_worker *w = arg;
	unsigned int i;

	(void)fd;
	blk_check_size(w);
	if (++w->ticks % BLK_PURGE_TICKS == 0 && w->persistent) {
		uint64_t now = blk_now();

		for (i = 0; i < w->nq; i++)
			if (now > BLK_PGRANT_IDLE_S)
				pgrant_purge(&w->q[i].pg, now - BLK_PGRANT_IDLE_S);
	}
	ev_timer_arm(w->ev_tick, BLK_TICK_MS);
}

/* ---- process: setup and teardown (common/wproc.c runs the loop) ---------------- */

/* The last answer of a deferred disconnect went out (blk_after_finish()). */
static void
blk_kick_cb(int fd, void *arg)
{
	struct blk_worker *w = arg;

	(void)fd;
	if (w->quiescing && w->stopping) {
		if (blk_inflight(w) == 0) {
			blk_write_quiesced(w);
			wproc_exit(w->wp, 0);
		}
		return;
	}
	if (w->quiescing) {
		if (blk_inflight(w) == 0) {
			/* Nothing in flight: the successor resumes at once. */
			if (w->j != NULL)
				journal_set(&w->j->h, JOURNAL_CLEAN);
			log_info("quiesced: exiting for a restart");
			wproc_exit(w->wp, WPROC_EX_RESTART);
		}
		return;
	}
	xb_dev_kick(w->dev);
}

/* wproc quiesce hook (sup_restart()): take nothing new, answer, exit 75. */
static void
blk_quiesce(void *arg)
{
	struct blk_worker *w = arg;

	w->quiescing = true;
	ev_timer_arm(w->ev_kick, 0);
}

/*
 * wproc stop hook (sup_stop(): the daemon stops, e.g. systemctl restart):
 * take nothing new, answer what is in flight, record the rings for the
 * next daemon (blk_write_quiesced()), exit 0.  The state stays Connected.
 */
static void
blk_stop(void *arg)
{
	struct blk_worker *w = arg;

	w->quiescing = true;
	w->stopping = true;
	ev_timer_arm(w->ev_kick, 0);
}

/* Open the store the parent sent: "raw" or "nbd:<export>". */
static int
blk_open_store(struct blk_worker *w, const struct proc_msg *m)
{
	struct backing_params bp;
	char why[256] = "", msg[PROC_MSG_MAX];

	memset(&bp, 0, sizeof(bp));
	bp.fd = m->fd;
	bp.readonly = w->lim.readonly;
	bp.max_io = (size_t)BLK_MAX_SEGS * XB_PAGE_SIZE;
	/* Every slot of every queue at the largest ring. */
	bp.queue_depth = w->opts.max_queues *
	    ring_nr_ents(blk_abi_slot(BLK_ABI_X86_32), XB_RING_MAX_PAGES);
	if (strcmp(m->data, "raw") == 0) {
		w->bops = &backing_raw;
		bp.arg = "";
	} else if (strncmp(m->data, "nbd:", 4) == 0) {
		w->bops = &backing_nbd;
		bp.arg = m->data + 4;
	} else {
		close(m->fd);
		errno = EINVAL;
		return wproc_failed(w->wp, "unknown backing store kind");
	}
	if ((w->store = w->bops->open(&bp, wproc_base(w->wp), blk_io_done, &w->info, why,
	    sizeof(why))) == NULL) {
		snprintf(msg, sizeof(msg), "%s store: %s", w->bops->name, why);
		return wproc_failed(w->wp, msg);
	}
	return 0;
}

/*
 * After the store: the restart journal ("journal") and the event-channel
 * handle ("evtchn"), in that order (blkbackd.h).  Returns 0, or -1 after
 * reporting.
 */
static int
blk_take_fds(struct blk_worker *w)
{
	const char *why = "";
	struct proc_msg m;
	struct blkj *j;

	if (proc_recv(PROC_CHAN_FD, &m) != 1 || m.type != PROC_FD ||
	    m.fd < 0 || strcmp(m.data, "journal") != 0) {
		if (m.fd >= 0)
			close(m.fd);
		errno = EPROTO;
		return -(wproc_failed(w->wp, "no journal fd from the parent"));
	}
	j = (struct blkj *)journal_map(m.fd, &w->jsize);
	close(m.fd);		/* the mapping keeps it; the parent holds it */
	if (j == NULL)
		return -(wproc_failed(w->wp, "mapping the restart journal"));
	w->j = j;
	/* The first worker of the device sizes the queue room once. */
	if (j->h.gen == 0 && j->maxq == 0 && w->jsize > sizeof(*j)) {
		size_t room = (w->jsize - sizeof(*j)) / sizeof(j->q[0]);

		j->maxq = room < BLK_MAX_QUEUES ? (uint32_t)room :
		    BLK_MAX_QUEUES;
	}
	if (blkj_check(j, w->jsize, w->domid, w->devid, &why) == -1 ||
	    j->maxq < w->opts.max_queues) {
		/* Not ours to trust: no resume, and nothing written to it. */
		log_warnx("restart journal unusable (%s): not journaling, "
		    "no resume", j->maxq < w->opts.max_queues ? "too small" :
		    why);
		journal_unmap(&j->h, w->jsize);
		w->j = NULL;
		w->opts.resume = false;
	} else {
		j->h.gen++;
		w->prev_pid = j->h.pid;
		j->h.pid = (uint32_t)getpid();
	}
	if (proc_recv(PROC_CHAN_FD, &m) != 1 || m.type != PROC_FD ||
	    m.fd < 0 || strcmp(m.data, "evtchn") != 0) {
		if (m.fd >= 0)
			close(m.fd);
		errno = EPROTO;
		return -(wproc_failed(w->wp, "no evtchn fd from the parent"));
	}
	w->evtchn_fd = m.fd;
	return 0;
}

/*
 * Hand the parent a copy of our io_uring and its parameters (PROC_FD
 * "uring"): if we die, it waits for our I/O to complete before a
 * successor redoes it (common/fence.h).  Without it a crash is still
 * restarted, only unfenced: say so.
 */
static void
blk_send_uring(struct blk_worker *w)
{
	char buf[64 + FENCE_PARAMS_MAX];

	if (w->info.uring_params_len > FENCE_PARAMS_MAX)
		return;
	memcpy(buf, "uring", sizeof("uring"));
	memcpy(buf + sizeof("uring"), w->info.uring_params,
	    w->info.uring_params_len);
	if (proc_send(PROC_CHAN_FD, PROC_FD, buf, sizeof("uring") +
	    w->info.uring_params_len, w->info.uring_fd) == -1)
		log_warn("handing the parent our io_uring for the restart fence");
}

static void
blk_worker_free(struct blk_worker *w)
{
	if (w->store != NULL)
		w->bops->close(w->store);	/* waits for in-flight I/O */
	w->store = NULL;
	/*
	 * Leaving for a restart: the ports stay bound in the parent's
	 * handle for the successor, and the journal keeps the record.
	 */
	for (unsigned int i = 0; w->quiescing && w->q != NULL && i < w->nq; i++)
		w->q[i].port = -1;
	blk_queues_free(w);
	if (w->dev != NULL)
		xb_dev_free(w->dev);
	gnt_batch_free(&w->gb);
	free(w->ipages);
	if (w->pool != NULL)
		munmap(w->pool, (size_t)BLK_POOL_PAGES * XB_PAGE_SIZE);
	free(w->pool_free);
	ev_free(w->ev_evtchn);
	ev_free(w->ev_tick);
	ev_free(w->ev_kick);
	if (w->xce != NULL)
		xenevtchn_close(w->xce);
	if (w->xgt != NULL)
		xengnttab_close(w->xgt);
	if (w->xsc != NULL)
		xsc_close(w->xsc);
	if (w->evtchn_fd >= 0)
		close(w->evtchn_fd);
	if (w->j != NULL)
		journal_unmap(&w->j->h, w->jsize);
	wproc_free(w->wp);	/* last: everything above used its base */
}

/*
 * Confine this worker (common/sandbox.h): every fd exists now; rings,
 * grants and ports come later, through the handles named here.
 */
static int
blk_sandbox_enter(struct blk_worker *w, int store_fd)
{
	struct sandbox_profile sp;
	char why[256];

	sandbox_profile_init(&sp);
	sp.name = "blkbackd";
	sp.root = BLK_SANDBOX_ROOT;
	sp.uid = w->opts.uid;
	sp.gid = w->opts.gid;
	sp.rules = blk_sandbox;
	sp.nrules = blk_sandbox_len;
	sandbox_profile_fd(&sp, SB_CHAN, PROC_CHAN_FD);
	sandbox_profile_fd(&sp, SB_STORE, store_fd);
	sandbox_profile_fd(&sp, SB_EVTCHN, xenevtchn_fd(w->xce));
	sandbox_profile_fd(&sp, SB_GNTDEV, xengnttab_fd(w->xgt));
	if (w->opts.test && wproc_test_hooks(w->wp) == -1)
		return wproc_failed(w->wp, "test hooks");
	if (sandbox_enter(&sp, why, sizeof(why)) == -1)
		return wproc_failed(w->wp, why);
	return 0;
}

int
worker_main(unsigned int domid, unsigned int devid, const struct blk_opts *o)
{
	struct blk_worker w;
	struct proc_msg m;
	unsigned int self;
	char *s;
	int rc = 1, store_fd;

	memset(&w, 0, sizeof(w));
	w.evtchn_fd = -1;
	w.domid = domid;
	w.devid = devid;
	w.opts = *o;
	log_set_prefix("vbd d%u/%u", domid, devid);

	/* No SIGUSR1 hook: the signal the parent passes on is ignored. */
	if ((w.wp = wproc_new(PROC_CHAN_FD, NULL, NULL)) == NULL)
		return 1;
	/* The parent opened the store; we only get its fd. */
	if (proc_recv(PROC_CHAN_FD, &m) != 1 || m.type != PROC_FD || m.fd < 0) {
		errno = EPROTO;
		rc = wproc_failed(w.wp, "no backing fd from the parent");
		goto out;
	}
	/* Before any request to the parent: its replies would queue them. */
	if (blk_take_fds(&w) == -1) {
		close(m.fd);
		goto out;
	}
	if ((w.xsc = xsc_open_proxy(w.wp)) == NULL) {
		close(m.fd);
		rc = wproc_failed(w.wp, "xenstore");
		goto out;
	}
	if (xsc_self_domid(w.xsc, &self) == -1 ||
	    (w.dev = xb_dev_new(w.xsc, BLK_TYPE, self, domid, devid,
	    &blk_xb_ops, &w)) == NULL) {
		close(m.fd);
		rc = wproc_failed(w.wp, "reading the backend directory");
		goto out;
	}
	s = xb_dev_be_read(w.dev, "mode");
	w.lim.readonly = !parse_mode_writable(s);
	free(s);
	s = xb_dev_be_read(w.dev, "device-type");
	w.cdrom = s != NULL && strcmp(s, "cdrom") == 0;
	free(s);

	store_fd = m.fd;
	if (blk_open_store(&w, &m) != 0)
		goto out;
	if (w.info.has_uring)
		blk_send_uring(&w);
	w.lim.sectors = w.info.size >> BLK_SECTOR_SHIFT;
	w.lim.flush = w.info.can_flush;
	w.lim.max_indirect = BLK_MAX_SEGS;
	/* libxl writes discard-enable from the disk line (discard/no-discard). */
	s = xb_dev_be_read(w.dev, "discard-enable");
	w.lim.discard = w.info.can_discard && !w.lim.readonly &&
	    !(s != NULL && strcmp(s, "0") == 0);
	w.lim.discard_secure = w.lim.discard && w.info.discard_secure;
	free(s);

	if ((w.xgt = xengnttab_open(NULL, 0)) == NULL) {
		rc = wproc_failed(w.wp, "opening gntdev");
		goto out;
	}
	/* The parent's handle, restricted to the guest, bound ports and all. */
	if ((w.xce = xenevtchn_fdopen(NULL, w.evtchn_fd, 0)) == NULL) {
		rc = wproc_failed(w.wp, "opening evtchn");
		goto out;
	}
	w.evtchn_fd = -1;
	if (gnt_batch_init(&w.gb, BLK_MAX_SEGS) == -1 || pool_init(&w) == -1 ||
	    (w.ipages = aligned_alloc(XB_PAGE_SIZE,
	    BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * XB_PAGE_SIZE)) == NULL) {
		rc = wproc_failed(w.wp, "allocating buffers");
		goto out;
	}

	w.ev_evtchn = ev_read(wproc_base(w.wp), xenevtchn_fd(w.xce), true,
	    blk_evtchn_cb, &w);
	w.ev_tick = ev_timer(wproc_base(w.wp), blk_tick_cb, &w);
	w.ev_kick = ev_timer(wproc_base(w.wp), blk_kick_cb, &w);
	if (w.ev_evtchn == NULL || w.ev_tick == NULL || w.ev_kick == NULL) {
		rc = wproc_failed(w.wp, "registering events");
		goto out;
	}
	ev_timer_arm(w.ev_tick, BLK_TICK_MS);
	wproc_on_quiesce(w.wp, blk_quiesce, &w);
	wproc_on_stats(w.wp, blk_stats, &w);
	wproc_on_stop(w.wp, blk_stop, &w);

	log_info("serving %s store of %llu bytes (%s%s%s%s%s)", w.bops->name,
	    (unsigned long long)w.info.size,
	    w.lim.readonly ? "read-only" : "read-write",
	    w.info.direct ? ", O_DIRECT" : "",
	    w.info.completes_inline ? ", memory file system: inline I/O" : "",
	    w.lim.discard ? ", discard" : "", w.cdrom ? ", cdrom" : "");
	if ((rc = blk_sandbox_enter(&w, store_fd)) != 0)
		goto out;
	rc = 1;
	xb_dev_set_ready(w.dev, true);
	if (w.opts.resume)
		w.opts.reattach = false;	/* a successor: the journal decides */
	if (w.opts.resume || w.opts.reattach)
		xb_dev_set_reattach(w.dev);	/* blk_connect() checks the journal */
	xb_dev_start(w.dev);
	wproc_ready(w.wp);
	rc = wproc_run(w.wp);
out:
	blk_worker_free(&w);
	return rc;
}
