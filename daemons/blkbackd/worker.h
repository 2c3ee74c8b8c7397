/*
 * worker.h - what the two files of the blkbackd worker share: the request,
 * queue and worker state.  worker.c owns the process and the xenbus side
 * (connect, keys, resize, teardown); blkio.c the data path (taking,
 * validating, moving and answering requests).  Private to the worker.
 */
#ifndef WORKER_H
#define WORKER_H

#include <sys/uio.h>

#include <stdbool.h>
#include <stdint.h>

#include "backing.h"
#include "blkbackd.h"
#include "blkif.h"
#include "blkjournal.h"
#include "blkring.h"
#include "gnt.h"
#include "pgrant.h"
#include "ring.h"
#include "sandbox.h"

struct ev;
struct wproc;
struct xb_dev;
struct xsc;

/* Requests taken per queue per event before yielding to the loop (XSA-332). */
#define BLK_BUDGET		64
/*
 * Bounce pages shared by all queues (64 MiB of address space, touched only
 * as used): enough for 64 requests of 1 MiB in flight.  A request that
 * finds too few waits for completions; it never fails for lack of them.
 */
#define BLK_POOL_PAGES		16384u
/*
 * Event-channel storm guard (XSA-332: a guest must not keep dom0 busy with
 * notifications alone): past BLK_STORM_RUN wake-ups in a row, or
 * BLK_STORM_EMPTY in one second (netbackd's bound), that find no new
 * request, the port is unmasked only after BLK_STORM_DELAY_MS, and again
 * at each further empty wake-up.  A frontend following io/ring.h notifies
 * only after pushing requests; an empty wake-up is a race the next push
 * ends, not a run of 32 (Linux's lateeoi already delays the second
 * spurious event in a row).
 */
#define BLK_STORM_RUN		32u
#define BLK_STORM_EMPTY		2000u
#define BLK_STORM_DELAY_MS	10u
/* Housekeeping tick: resize check every tick, idle grants every 10. */
#define BLK_TICK_MS		1000
#define BLK_PURGE_TICKS		10
/* Persistent grants unused this long are unmapped (Linux: 60 s). */
#define BLK_PGRANT_IDLE_S	60

struct blk_worker;
struct blk_queue;

enum blk_stage { ST_PREFLUSH, ST_DATA, ST_POSTFLUSH };

/* One request in flight.  Preallocated per ring slot: no malloc per request. */
struct blk_io {
	struct blk_queue	*q;
	struct blk_io		*next;		/* free list */
	struct blk_req		 r;
	struct backing_io	 bio;
	enum blk_stage		 stage;
	int16_t			 status;
	unsigned int		 ncopy;		/* segments through the pool */
	unsigned int		 npinned;	/* segments holding pg[] or page[] */
	struct iovec		 iov[BLK_MAX_SEGS];
	struct pgrant		*pg[BLK_MAX_SEGS];	/* NULL: pool page */
	uint32_t		 page[BLK_MAX_SEGS];	/* pool page index */
};

/* One ring: a queue of multi-queue blkif. */
struct blk_queue {
	struct blk_worker	*w;
	unsigned int		 idx;
	void			*sring;
	unsigned int		 npages;
	uint32_t		 refs[XB_RING_MAX_PAGES];	/* as read */
	struct blk_ring		 ring;
	int			 port;		/* local, -1 if unbound */
	struct blk_io		*ios;
	unsigned int		 nios;
	struct blk_io		*free;
	unsigned int		 inflight;	/* taken and not yet answered */
	/* Taken but not started: a barrier draining, or waiting for pages. */
	struct blk_io		*held;
	/* A barrier in progress: nothing after it starts until it is done. */
	struct blk_io		*barrier;
	bool			 halted;	/* frontend broke the ring */
	struct pgrant_table	 pg;
	/* "Continue" timer; also ends a storm mask (blk_more_cb()). */
	struct ev		*ev_more;
	/* Storm guard: empty wake-ups in a row and in the current second. */
	uint64_t		 storm_window;	/* s */
	unsigned int		 storm_run, storm_empty;
	bool			 storm_masked;	/* port left masked */
	/* Restart journal of this queue (NULL: none). */
	struct blkj_queue	*jq;
	/* After a resume: journaled requests to take again, oldest first. */
	uint16_t		*redo;
	unsigned int		 nredo, redo_pos;
};

struct blk_worker {
	struct wproc		*wp;		/* event base, parent channel, signals */
	struct xsc		*xsc;
	struct xb_dev		*dev;
	xengnttab_handle	*xgt;
	xenevtchn_handle	*xce;
	struct ev		*ev_evtchn, *ev_tick, *ev_kick;
	unsigned int		 domid, devid;
	struct blk_opts		 opts;
	struct blkj		*j;		/* restart journal (parent's memfd) */
	size_t			 jsize;
	unsigned int		 prev_pid;	/* its last writer, for messages */
	int			 evtchn_fd;	/* until xenevtchn_fdopen() */

	const struct backing_ops *bops;
	void			*store;
	struct backing_info	 info;
	struct blk_limits	 lim;
	bool			 cdrom;

	/* Rings, valid while connected. */
	bool			 connected;
	bool			 persistent;	/* negotiated */
	struct blk_queue	*q;
	unsigned int		 nq;

	/* Bounce pages, shared by the queues. */
	uint8_t			*pool;
	uint32_t		*pool_free;
	unsigned int		 pool_nfree;
	bool			 pool_waiters;	/* some queue waits for pages */

	struct gnt_batch	 gb;
	struct blkif_request_segment *ipages;	/* indirect pages, copied */
	unsigned int		 ticks;

	/* Counters; the first bad request per connection is logged. */
	uint64_t		 nr_req, nr_bad, nr_ioerr, nr_rd, nr_wr, nr_fl,
				 nr_ds, nr_copy_segs, nr_pgrant_segs, nr_storms,
				 nr_rd_bytes, nr_wr_bytes;
	bool			 warned;
	bool			 closing;	/* the drain at disconnect is logged */
	bool			 quiescing;	/* sup_restart(): answer, then exit 75 */
	bool			 stopping;	/* sup_stop(): answer, leave a record, exit 0 */
	const struct blkq_rec	*qrec;		/* -A: the record being re-attached */
};

/* Log once per connection (the first bad request); the rest are counted. */
void		 blk_warn_once(struct blk_worker *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Monotonic seconds (persistent grant ages). */
uint64_t	 blk_now(void);

/* Reserve the bounce page pool.  Returns 0 or -1. */
int		 pool_init(struct blk_worker *);

/*
 * Take, validate and start the requests waiting on queue q (up to a
 * budget, then again from the loop), and start held ones that may go.
 */
void		 blk_serve(struct blk_queue *);

/* Answer io with status (journaled), release it, resume what waited. */
void		 blk_finish(struct blk_io *, int16_t status);

/* backing_done_fn: one stage of a request completed. */
void		 blk_io_done(struct backing_io *);

/*
 * ev callbacks: a queue's "continue" timer (it also unmasks a port the
 * storm guard left masked); the event channel fd.
 */
void		 blk_more_cb(int fd, void *arg);
void		 blk_evtchn_cb(int fd, void *arg);

/* pgrant_map_fn / pgrant_unmap_fn over the worker's gntdev handle. */
void		*blk_pg_map(void *arg, uint32_t gref);
void		 blk_pg_unmap(void *arg, void *addr);

/* The worker's seccomp rows (sandbox.c; common/sandbox.h). */
extern const struct sandbox_rule blk_sandbox[];
extern const size_t blk_sandbox_len;

#endif
