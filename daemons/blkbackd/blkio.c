/*
 * blkio.c - the blkbackd worker's data path (worker.h).
 *
 * Per queue: take each request from the shared ring once (blkring.c),
 * validate the copy (blkif.c), attach guest pages (persistent grants or
 * pool pages filled by batched grant copy), hand it to the backing store
 * (backing.h) stage by stage (preflush, data, postflush), and answer it
 * when the store completes it.  Requests complete in any order.  Guest
 * input reaches no assert() or exit(): a bad request is answered with an
 * error, an impossible ring state halts that queue and closes the device.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev.h"
#include "log.h"
#include "worker.h"
#include "xenbus.h"

void
blk_warn_once(struct blk_worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void
blk_warn_once(struct blk_worker *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (w->warned)
		return;
	w->warned = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s (further errors on this connection are counted, not logged)",
	    msg);
}

uint64_t
blk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* ---- bounce page pool ---------------------------------------------------- */

int
pool_init(struct blk_worker *w)
{
	unsigned int i;

	w->pool = mmap(NULL, (size_t)BLK_POOL_PAGES * XB_PAGE_SIZE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0);
	if (w->pool == MAP_FAILED) {
		w->pool = NULL;
		return -1;
	}
	if ((w->pool_free = calloc(BLK_POOL_PAGES, sizeof(uint32_t))) == NULL)
		return -1;
	/* Low pages on top: a light load keeps touching the same few. */
	for (i = 0; i < BLK_POOL_PAGES; i++)
		w->pool_free[i] = BLK_POOL_PAGES - 1 - i;
	w->pool_nfree = BLK_POOL_PAGES;
	return 0;
}

static uint8_t *
pool_page(struct blk_worker *w, uint32_t i)
{
	return w->pool + (size_t)i * XB_PAGE_SIZE;
}

/* ---- responses ------------------------------------------------------------ */

/*
 * Answer io: journal RESPONDING, write, publish, journal the publish
 * (blkjournal.h has the order a successor relies on).
 */
static void
blk_respond(struct blk_io *io, int16_t status)
{
	struct blk_queue *q = io->q;
	unsigned int i = (unsigned int)(io - q->ios);
	RING_IDX at = q->ring.rsp_prod_pvt;
	bool notify;

	if (q->jq != NULL)
		blkj_rsp_begin(q->jq, i, at, status);
	blk_ring_put_rsp(&q->ring, io->r.id, io->r.op, status);
	notify = blk_ring_push(&q->ring);
	if (q->jq != NULL)
		blkj_rsp_end(q->jq, i, at);
	if (notify)
		xenevtchn_notify(q->w->xce, (evtchn_port_t)q->port);
}

/* Give back the pages and persistent grants io holds. */
static void
blk_io_unpin(struct blk_io *io)
{
	struct blk_queue *q = io->q;
	struct blk_worker *w = q->w;
	unsigned int i;

	for (i = 0; i < io->npinned; i++) {
		if (io->pg[i] != NULL)
			pgrant_put(&q->pg, io->pg[i]);
		else
			w->pool_free[w->pool_nfree++] = io->page[i];
		io->pg[i] = NULL;
	}
	io->npinned = 0;
}

/* Release io and put it on the free list. */
static void
blk_io_release(struct blk_io *io)
{
	struct blk_queue *q = io->q;

	blk_io_unpin(io);
	io->next = q->free;
	q->free = io;
}

/* After any request finished: resume what waited for it. */
static void
blk_after_finish(struct blk_queue *q)
{
	struct blk_worker *w = q->w;
	unsigned int i;

	if (w->pool_waiters) {
		w->pool_waiters = false;
		for (i = 0; i < w->nq; i++)
			ev_timer_arm(w->q[i].ev_more, 0);
	} else if (q->held != NULL)
		ev_timer_arm(q->ev_more, 0);
	/*
	 * A disconnect waits for the last answer (blk_disconnect()).  From
	 * the loop, not here: it frees the queues we may be inside of.
	 */
	if ((!w->connected || w->quiescing) && w->dev != NULL &&
	    q->inflight == 0)
		ev_timer_arm(w->ev_kick, 0);
}

void
blk_finish(struct blk_io *io, int16_t status)
{
	struct blk_queue *q = io->q;

	blk_respond(io, status);
	blk_io_release(io);
	q->inflight--;
	if (q->barrier == io) {
		q->barrier = NULL;
		ev_timer_arm(q->ev_more, 0);
	}
	blk_after_finish(q);
}

/* ---- data path ------------------------------------------------------------ */

/*
 * Queue grant copies for the pool segments of io, towards the guest (reads
 * done) or from it (writes to come), and run them.  Returns 0 or -1.
 */
static int
blk_copy(struct blk_io *io, bool to_guest)
{
	struct blk_worker *w = io->q->w;
	unsigned int i, bad;
	int gst;

	if (io->ncopy == 0)
		return 0;
	gnt_batch_reset(&w->gb);
	for (i = 0; i < io->r.nseg; i++) {
		if (io->pg[i] != NULL)
			continue;
		/* Bounds were checked by blk_validate(); this cannot fail. */
		if (gnt_batch_add(&w->gb, to_guest, w->domid, io->r.seg[i].gref,
		    io->r.seg[i].offset, io->r.seg[i].len,
		    pool_page(w, io->page[i])) == -1)
			return -1;
	}
	if (gnt_batch_run(w->xgt, &w->gb, &bad, &gst) == -1) {
		w->nr_bad++;
		blk_warn_once(w, "grant copy %s guest failed (request id %llu, "
		    "copy %u, status %d)", to_guest ? "to" : "from",
		    (unsigned long long)io->r.id, bad, gst);
		return -1;
	}
	return 0;
}

/* Hand io's current stage to the store; on refusal, answer the request. */
static void
blk_submit_stage(struct blk_io *io)
{
	struct blk_worker *w = io->q->w;
	struct backing_io *b = &io->bio;

	b->arg = io;
	b->error = 0;
	b->secure = false;
	if (io->stage != ST_DATA || io->r.kind == BLK_FLUSH) {
		b->op = BACKING_FLUSH;
		b->off = b->len = 0;
		b->iov = NULL;
		b->iovcnt = 0;
	} else if (io->r.kind == BLK_DISCARD) {
		b->op = BACKING_DISCARD;
		b->off = io->r.sector << BLK_SECTOR_SHIFT;
		b->len = io->r.nr_sectors << BLK_SECTOR_SHIFT;
		b->secure = io->r.secure;
		b->iov = NULL;
		b->iovcnt = 0;
	} else {
		b->op = io->r.kind == BLK_READ ? BACKING_READ : BACKING_WRITE;
		b->off = io->r.sector << BLK_SECTOR_SHIFT;
		b->len = io->r.nr_sectors << BLK_SECTOR_SHIFT;
		b->iov = io->iov;
		b->iovcnt = io->r.nseg;
	}
	if (w->bops->submit(w->store, b) == -1) {
		w->nr_ioerr++;
		blk_warn_once(w, "submitting request id %llu: %s",
		    (unsigned long long)io->r.id, strerror(errno));
		blk_finish(io, errno == EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
		    BLKIF_RSP_ERROR);
	}
}

/*
 * Attach guest pages to io's segments.  Returns 0, or -1 if the pool ran
 * short (nothing is held then; the caller retries after completions).
 */
static int
blk_io_pages(struct blk_io *io)
{
	struct blk_queue *q = io->q;
	struct blk_worker *w = q->w;
	uint64_t now = w->persistent ? blk_now() : 0;
	unsigned int i;

	io->ncopy = 0;
	for (i = 0; i < io->r.nseg; i++) {
		const struct blk_seg *s = &io->r.seg[i];
		struct pgrant *p = NULL;

		if (w->persistent)
			p = pgrant_get(&q->pg, s->gref, now);
		if (p != NULL) {
			io->pg[i] = p;
			io->iov[i].iov_base = (uint8_t *)p->addr + s->offset;
		} else {
			if (w->pool_nfree == 0) {
				/* Undo: the request is retried whole later. */
				blk_io_unpin(io);
				w->pool_waiters = true;
				return -1;
			}
			io->pg[i] = NULL;
			io->page[i] = w->pool_free[--w->pool_nfree];
			io->iov[i].iov_base = pool_page(w, io->page[i]);
			io->ncopy++;
		}
		io->npinned = i + 1;
		io->iov[i].iov_len = s->len;
	}
	w->nr_copy_segs += io->ncopy;
	w->nr_pgrant_segs += io->r.nseg - io->ncopy;
	return 0;
}

/*
 * Start a validated request.  Returns 0 (started or answered), or -1 if
 * it must wait for pool pages (it is then held by the queue).
 */
static int
blk_io_start(struct blk_io *io)
{
	struct blk_worker *w = io->q->w;

	if (io->r.drain)
		io->q->barrier = io;
	switch (io->r.kind) {
	case BLK_FLUSH:
		w->nr_fl++;
		io->stage = ST_DATA;
		blk_submit_stage(io);
		return 0;
	case BLK_DISCARD:
		w->nr_ds++;
		io->r.nseg = 0;
		io->stage = ST_DATA;
		blk_submit_stage(io);
		return 0;
	case BLK_READ:
		w->nr_rd++;
		w->nr_rd_bytes += io->r.nr_sectors * 512;
		break;
	case BLK_WRITE:
		w->nr_wr++;
		w->nr_wr_bytes += io->r.nr_sectors * 512;
		break;
	}
	if (blk_io_pages(io) == -1) {
		if (io->q->barrier == io)
			io->q->barrier = NULL;
		return -1;
	}
	if (io->r.kind == BLK_WRITE && blk_copy(io, false) == -1) {
		blk_finish(io, BLKIF_RSP_ERROR);
		return 0;
	}
	io->stage = io->r.preflush ? ST_PREFLUSH : ST_DATA;
	blk_submit_stage(io);
	return 0;
}

/* backing_done_fn: one stage of a request completed. */
void
blk_io_done(struct backing_io *b)
{
	struct blk_io *io = b->arg;
	struct blk_worker *w = io->q->w;
	char opbuf[16];

	if (b->error != 0) {
		w->nr_ioerr++;
		blk_warn_once(w, "%s of %llu bytes at %llu failed: %s",
		    b->op == BACKING_FLUSH ? "flush" :
		    b->op == BACKING_DISCARD ? "discard" :
		    blk_op_name(io->r.op, opbuf, sizeof(opbuf)),
		    (unsigned long long)b->len, (unsigned long long)b->off,
		    strerror(b->error));
		blk_finish(io, b->error == EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
		    BLKIF_RSP_ERROR);
		goto kick;
	}
	switch (io->stage) {
	case ST_PREFLUSH:
		io->stage = ST_DATA;
		blk_submit_stage(io);
		goto kick;
	case ST_DATA:
		if (io->r.kind == BLK_READ && blk_copy(io, true) == -1) {
			blk_finish(io, BLKIF_RSP_ERROR);
			goto kick;
		}
		if (io->r.postflush) {
			io->stage = ST_POSTFLUSH;
			blk_submit_stage(io);
			goto kick;
		}
		break;
	case ST_POSTFLUSH:
		break;
	}
	blk_finish(io, BLKIF_RSP_OKAY);
kick:
	w->bops->kick(w->store);
}

/* ---- taking requests -------------------------------------------------------- */

/* The frontend made the ring state impossible: stop serving it. */
static void
blk_halt(struct blk_queue *q, RING_IDX prod)
{
	const struct blk_ring *r = &q->ring;

	q->halted = true;
	if ((int32_t)(prod - r->req_cons) < 0)
		xb_dev_fatal(q->w->dev, EPROTO, "queue %u: frontend request "
		    "producer %u went back behind the requests we took (%u): "
		    "ring halted", q->idx, prod, r->req_cons);
	else
		xb_dev_fatal(q->w->dev, EPROTO, "queue %u: frontend request "
		    "producer %u is more than %u past our response index %u: "
		    "ring halted", q->idx, prod, r->nr_ents, r->rsp_prod_pvt);
}

/* Copy an indirect request's descriptor pages once, then validate them. */
static int
blk_indirect(struct blk_worker *w, struct blk_req *r, const char **why)
{
	unsigned int i, left = r->nseg, bad;
	int gst;

	gnt_batch_reset(&w->gb);
	for (i = 0; i < r->nipages; i++) {
		unsigned int n = left < BLK_SEGS_PER_IPAGE ? left :
		    (unsigned int)BLK_SEGS_PER_IPAGE;

		if (gnt_batch_add(&w->gb, 0, w->domid, r->igref[i], 0,
		    n * sizeof(struct blkif_request_segment),
		    (uint8_t *)w->ipages + (size_t)i * XB_PAGE_SIZE) == -1) {
			*why = "too many indirect pages";
			return BLKIF_RSP_ERROR;
		}
		left -= n;
	}
	if (gnt_batch_run(w->xgt, &w->gb, &bad, &gst) == -1) {
		*why = "indirect page not granted";
		return BLKIF_RSP_ERROR;
	}
	__asm__ __volatile__("" ::: "memory");
	return blk_validate_indirect(r, w->ipages, &w->lim, why);
}

static bool	blk_dispatch(struct blk_queue *, struct blk_io *);

/*
 * Take, validate and start one request.  Returns false if the queue must
 * stop taking for now (a barrier drains, or the pool ran short).
 */
static bool
blk_take_one(struct blk_queue *q)
{
	struct blk_worker *w = q->w;
	struct blk_wire wire;
	struct blk_io *io;
	const char *why = "";
	char opbuf[16];
	int st;

	if ((io = q->free) == NULL)
		return false;	/* cannot happen: one io per slot */
	q->free = io->next;
	blk_ring_take(&q->ring, &wire);
	q->inflight++;
	w->nr_req++;

	st = blk_validate(&wire, &w->lim, &io->r, &why);
	if (st == BLKIF_RSP_OKAY && io->r.nipages > 0)
		st = blk_indirect(w, &io->r, &why);
	/* Write-ahead: a successor redoes or answers it (blkjournal.h). */
	if (q->jq != NULL)
		blkj_take(q->jq, (unsigned int)(io - q->ios),
		    q->ring.req_cons - 1, &io->r, (int16_t)st);
	if (st != BLKIF_RSP_OKAY) {
		w->nr_bad++;
		blk_warn_once(w, "queue %u: bad request id %llu (%s, %u "
		    "segments, sector %llu): %s", q->idx,
		    (unsigned long long)wire.id,
		    blk_op_name(wire.operation, opbuf, sizeof(opbuf)),
		    wire.nr_segments, (unsigned long long)wire.sector_number,
		    why);
		blk_finish(io, (int16_t)st);
		return true;
	}
	return blk_dispatch(q, io);
}

/*
 * Start a taken, valid request, or hold it.  Returns false if the queue
 * must stop taking for now (a barrier drains, or the pool ran short).
 */
static bool
blk_dispatch(struct blk_queue *q, struct blk_io *io)
{
	/* A barrier starts when everything before it has completed. */
	if (io->r.drain && q->inflight > 1) {
		q->held = io;
		return false;
	}
	if (blk_io_start(io) == -1) {
		q->held = io;
		return false;
	}
	return true;
}

void
blk_serve(struct blk_queue *q)
{
	struct blk_worker *w = q->w;
	unsigned int budget = BLK_BUDGET;

	if (q->sring == NULL)
		return;
	/*
	 * A held request was taken already: it is started even when the
	 * ring is halted or closing, so that everything taken is answered
	 * and a disconnect can drain.
	 */
	if (q->held != NULL) {
		struct blk_io *io = q->held;

		if (q->barrier != NULL || (io->r.drain && q->inflight > 1))
			goto out;
		q->held = NULL;
		if (blk_io_start(io) == -1) {
			q->held = io;
			goto out;
		}
	}
	/*
	 * After a resume: the journaled requests again, in the order they
	 * were taken, before anything new from the ring.  They were validated
	 * when taken and again by blkj_plan(); a refused one gets its
	 * journaled status.
	 */
	while (q->redo_pos < q->nredo) {
		struct blk_io *io;

		if (q->barrier != NULL || q->held != NULL)
			goto out;
		io = &q->ios[q->redo[q->redo_pos++]];
		q->inflight++;
		w->nr_req++;
		if (io->status != BLKIF_RSP_OKAY) {
			blk_finish(io, io->status);
			continue;
		}
		if (!blk_dispatch(q, io))
			goto out;
	}
	if (!w->connected || q->halted || w->quiescing)
		goto out;
	do {
		RING_IDX prod = blk_ring_req_prod(&q->ring);

		if (blk_ring_prod_bad(&q->ring, prod)) {
			blk_halt(q, prod);
			break;
		}
		while (blk_ring_can_take(&q->ring, prod)) {
			if (q->barrier != NULL || q->held != NULL)
				goto out;	/* resumed when they finish */
			if (budget-- == 0) {
				/* Yield; continue from the loop, not the guest. */
				ev_timer_arm(q->ev_more, 0);
				goto out;
			}
			if (!blk_take_one(q))
				goto out;
			/* Answer at once what is already done (tmpfs). */
			if (w->info.completes_inline)
				w->bops->kick(w->store);
		}
	} while (blk_ring_final_check(&q->ring));
out:
	w->bops->kick(w->store);
}

void
blk_more_cb(int fd, void *arg)
{
	struct blk_queue *q = arg;

	(void)fd;
	if (q->storm_masked) {
		q->storm_masked = false;
		xenevtchn_unmask(q->w->xce, (evtchn_port_t)q->port);
	}
	blk_serve(q);
}

/*
 * Does this wake-up of q find nothing to do, for the BLK_STORM_RUN-th time
 * in a row or the BLK_STORM_EMPTY-th time this second?  Then the caller
 * leaves the port masked for a while (XSA-332: notifications alone must
 * not keep a dom0 CPU busy).
 */
static bool
blk_storm(struct blk_queue *q)
{
	uint64_t now = blk_now();

	if (q->sring == NULL || q->held != NULL ||
	    blk_ring_req_prod(&q->ring) != q->ring.req_cons) {
		q->storm_run = 0;
		return false;
	}
	if (now != q->storm_window) {
		q->storm_window = now;
		q->storm_empty = 0;
	}
	q->storm_empty++;
	if (++q->storm_run < BLK_STORM_RUN &&
	    q->storm_empty < BLK_STORM_EMPTY)
		return false;
	if (q->storm_run == BLK_STORM_RUN ||
	    q->storm_empty == BLK_STORM_EMPTY) {
		q->w->nr_storms++;
		blk_warn_once(q->w, "queue %u: %u notifications in a row (%u "
		    "this second) found no request: event channel storm, port "
		    "throttled", q->idx, q->storm_run, q->storm_empty);
	}
	return true;
}

void
blk_evtchn_cb(int fd, void *arg)
{
	struct blk_worker *w = arg;
	xenevtchn_port_or_error_t port;
	unsigned int i;

	(void)fd;
	if ((port = xenevtchn_pending(w->xce)) < 0)
		return;
	for (i = 0; i < w->nq; i++) {
		struct blk_queue *q = &w->q[i];

		if (q->port != port)
			continue;
		if (blk_storm(q)) {
			/* Left masked; blk_more_cb() unmasks it. */
			q->storm_masked = true;
			ev_timer_arm(q->ev_more, BLK_STORM_DELAY_MS);
			return;
		}
		blk_serve(q);
	}
	/* Unmask only after draining: the userland lateeoi (XSA-332). */
	xenevtchn_unmask(w->xce, (evtchn_port_t)port);
}

/* ---- persistent grant callbacks ----------------------------------------------- */

void *
blk_pg_map(void *arg, uint32_t gref)
{
	struct blk_worker *w = arg;

	/* Mapped read/write: the frontend promises so (io/blkif.h). */
	return xengnttab_map_grant_ref(w->xgt, w->domid, gref,
	    PROT_READ | PROT_WRITE);
}

void
blk_pg_unmap(void *arg, void *addr)
{
	struct blk_worker *w = arg;

	if (xengnttab_unmap(w->xgt, addr, 1) == -1)
		log_warn("unmapping a persistent grant");
}
