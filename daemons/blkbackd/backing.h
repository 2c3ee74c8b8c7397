/*
 * backing.h - the vtable between the blkif protocol side (worker.c) and a
 * backing store (after bhyve's block_if / net_backends split).
 *
 * The parent holds the privilege to open paths and sockets; a store is
 * handed to the worker as one fd plus a short argument (struct
 * backing_params).  The worker never names a path.
 *
 * The interface is asynchronous: submit() queues an I/O, kick() pushes the
 * queue to the kernel or the server, and the store calls the worker's
 * completion function later: from the event loop, or from kick() for
 * completions that are ready by then (so a store that finishes I/O at once
 * costs no loop iteration), never from inside submit() and never nested
 * inside another completion.  The worker calls kick() after its submits,
 * at points where a completion may run.  Completions may come in any
 * order.  The store registers its own events on the worker's ev_base.
 *
 * Ordering is the worker's business: a store may run queued I/Os in any
 * order and concurrently.  The worker waits for completions where blkif
 * needs order (flush before a FUA write, barrier drains).
 *
 * All offsets and lengths are bytes, multiples of 512.
 */
#ifndef BACKING_H
#define BACKING_H

#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_base;

/* What the parent opened, as handed to the worker. */
struct backing_params {
	int		 fd;		/* the store; ownership passes to open() */
	const char	*arg;		/* store-specific (NBD export name) or "" */
	bool		 readonly;
	size_t		 max_io;	/* largest single I/O the worker will submit */
	unsigned int	 queue_depth;	/* I/Os the worker may have in flight */
};

/* What a store offers; filled in by open(). */
struct backing_info {
	uint64_t	size;		/* bytes */
	unsigned int	logical_block;	/* bytes, usually 512 */
	unsigned int	physical_block;	/* bytes */
	bool		is_blockdev;
	bool		can_flush;	/* FLUSH does something (else it is a no-op) */
	bool		can_discard;
	bool		discard_secure;	/* secure erase on discard is possible */
	unsigned int	discard_granularity;	/* bytes (0: unknown) */
	bool		direct;		/* page cache bypassed (O_DIRECT) */
	bool		can_resize;	/* size() may change while open */
	/*
	 * I/O is done by the time submit() returns (a memory file system):
	 * the worker kicks after each request, so that each is answered at
	 * once instead of after the whole batch.
	 */
	bool		completes_inline;
	/*
	 * The store submits through an io_uring whose requests may outlive
	 * the process (backing_raw.c, not inline): its fd and the
	 * io_uring_params it was set up with, for the parent's stale-I/O
	 * fence after a crash (common/fence.h).  Valid while the store is open.
	 */
	bool		has_uring;
	int		uring_fd;
	const void	*uring_params;
	size_t		uring_params_len;
};

enum backing_op {
	BACKING_READ = 1,
	BACKING_WRITE,
	BACKING_FLUSH,		/* make completed writes durable */
	BACKING_DISCARD,	/* off/len may be dropped; reads may return zeroes */
};

/*
 * One I/O.  Owned by the worker, which must keep it (and iov) alive until
 * its completion.  The store may keep private state only in its own
 * structures, keyed by the pointer.
 */
struct backing_io {
	enum backing_op		 op;
	uint64_t		 off;
	uint64_t		 len;		/* READ/WRITE: sum of iov lengths */
	const struct iovec	*iov;		/* READ/WRITE */
	unsigned int		 iovcnt;	/* 1 .. BACKING_MAX_IOV */
	bool			 secure;	/* DISCARD: secure erase */
	int			 error;		/* set before completion: 0 or errno */
	void			*arg;		/* the worker's */
};

/* Most iovec entries of one I/O (one per blkif segment). */
#define BACKING_MAX_IOV		256

/* Called once per submitted I/O, from the event loop, with io->error set. */
typedef void	(*backing_done_fn)(struct backing_io *);

struct backing_ops {
	/* Short name for logs ("raw", "nbd"). */
	const char	*name;
	/*
	 * Take ownership of p->fd (even on failure) and describe the store in
	 * *info.  Completions are delivered to done on base.  Returns a
	 * context, or NULL with errno set and a reason in why[why_len].
	 */
	void		*(*open)(const struct backing_params *p, struct ev_base *base,
			    backing_done_fn done, struct backing_info *info,
			    char *why, size_t why_len);
	/*
	 * Queue io.  Returns 0 (done() will be called exactly once), or -1
	 * with errno if it cannot even be queued (done() is not called).
	 */
	int		 (*submit)(void *ctx, struct backing_io *io);
	/*
	 * Send what submit() queued and deliver completions that are ready
	 * (unless called from inside a completion).  Errors surface through
	 * completions.
	 */
	void		 (*kick)(void *ctx);
	/* Current size in bytes (resize detection).  Returns 0 or -1. */
	int		 (*size)(void *ctx, uint64_t *bytes);
	/* I/Os submitted and not yet completed. */
	unsigned int	 (*inflight)(void *ctx);
	/*
	 * Close the store and free ctx.  I/O still in flight is waited for
	 * (its completions are not delivered).
	 */
	void		 (*close)(void *ctx);
};

/* Regular files and block devices through io_uring (backing_raw.c). */
extern const struct backing_ops backing_raw;
/* An NBD export through libnbd, over a socket the parent connected (backing_nbd.c). */
extern const struct backing_ops backing_nbd;

#endif
