/*
 * backing_nbd.c - an NBD export as a backing store (see backing.h), through
 * libnbd's asynchronous API on the worker's event loop.
 *
 * The parent connected the socket (the worker cannot open sockets); this
 * file does the handshake over it and then runs the data path:
 *
 *  - submit() only takes a slot (one per I/O the worker may have in
 *    flight) and queues it; kick() issues the queued I/Os with
 *    nbd_aio_pread/pwrite/flush/trim.  libnbd may complete a command inside
 *    any of its calls (a connection that dies aborts every command at
 *    once), so its completion callback only records the result and moves
 *    the slot to a completed list.  The worker's done() is called only from
 *    our own event callbacks (fd events, or a 0 ms timer armed when
 *    something completed inside kick()), never from submit() or kick().
 *  - Events: one read and one write event on the socket, armed after
 *    every libnbd call from nbd_aio_get_direction() (libnbd(3) "Socket and
 *    direction"), so a socket that libnbd is not waiting on never spins the
 *    loop.  They watch a dup of nbd_aio_get_fd(): libnbd closes its fd
 *    when the connection dies, and the event loop must never be left
 *    holding a closed (or reused) fd number.
 *  - libnbd needs one contiguous buffer per command.  A one-entry iovec is
 *    used as is; a longer one goes through the slot's bounce buffer of
 *    max_io bytes, allocated on first need and kept, so there is no
 *    allocation per I/O once warm.
 *  - An I/O larger than the server's maximum request (or 32 MiB) becomes
 *    several commands; the I/O completes when the last one does, with the
 *    first error.
 *  - A connection that dies is logged once; every pending and later I/O
 *    completes with an error.  Nothing here exits.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnbd.h>

#include "backing.h"
#include "ev.h"
#include "log.h"

/* The handshake at open(): bounded, so a server that hangs cannot hang setup. */
#define NBD_CONNECT_MS		10000
/* close(): how long in-flight requests are waited for before being dropped. */
#define NBD_DRAIN_MS		10000
/*
 * Largest read or write per command when the server states no maximum:
 * some servers drop the connection above 32 MiB (nbd_get_block_size(3)).
 */
#define NBD_RW_CHUNK		(32u << 20)
/* Largest trim per command: NBD lengths are 32-bit (proto.md). */
#define NBD_TRIM_CHUNK		(1u << 30)
/* Failed I/Os logged one by one; later ones are only counted. */
#define NBD_LOG_ERRORS		10

struct nbd_ctx;

/* A slot: one worker I/O between submit() and its completion. */
struct nbd_io {
	TAILQ_ENTRY(nbd_io)	 entry;		/* free, pending or completed */
	struct nbd_ctx		*ctx;
	struct backing_io	*io;
	char			*bounce;	/* max_io bytes; lazily, then kept */
	char			*buf;		/* the data: iov[0] or bounce */
	bool			 bounced;
	unsigned int		 parts;		/* commands issued, not completed */
	bool			 issuing;	/* kick() is still issuing parts */
	bool			 logged;	/* its error was logged at issue */
	int			 error;		/* first error of any part */
};

TAILQ_HEAD(nbd_ioq, nbd_io);

struct nbd_ctx {
	struct nbd_handle	*h;
	backing_done_fn		 done;
	struct ev		*ev_rd, *ev_wr, *ev_later;
	int			 evfd;		/* our dup of libnbd's socket */
	struct nbd_io		*slots;
	unsigned int		 nslots;
	struct nbd_ioq		 free, pending, completed;
	unsigned int		 inflight;	/* submitted, not yet delivered */
	size_t			 max_io;
	uint64_t		 size;
	uint32_t		 rw_chunk;
	bool			 readonly, can_flush, can_trim;
	bool			 dead;		/* connection lost (logged once) */
	bool			 delivering;	/* in nbd_deliver(): close() defers the free */
	bool			 closed;
	unsigned long		 nerrors;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
op_name(enum backing_op op)
{
	switch (op) {
	case BACKING_READ:
		return "read";
	case BACKING_WRITE:
		return "write";
	case BACKING_FLUSH:
		return "flush";
	case BACKING_DISCARD:
		return "trim";
	}
	return "?";
}

/*
 * The text and errno of the libnbd call that just failed.  The text is
 * copied at once (the next libnbd call frees it) and escaped: it can carry
 * strings the server sent.
 */
static int
nbd_last_error(char *buf, size_t len)
{
	const char *msg;
	int e;

	e = nbd_get_errno();
	msg = nbd_get_error();
	log_escape(buf, len, msg != NULL ? msg : "unknown libnbd error");
	return e != 0 ? e : EIO;
}

/* Log an I/O error unless too many were logged already. */
static void
nbd_log_error(struct nbd_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
nbd_log_error(struct nbd_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++c->nerrors > NBD_LOG_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s%s", msg, c->nerrors == NBD_LOG_ERRORS ?
	    " (further NBD errors are counted, not logged)" : "");
}

/* Notice, once, that the connection is gone; why may be NULL. */
static void
nbd_check_dead(struct nbd_ctx *c, const char *why)
{
	if (c->dead || (nbd_aio_is_dead(c->h) != 1 &&
	    nbd_aio_is_closed(c->h) != 1))
		return;
	c->dead = true;
	/* Our dup keeps the socket open: make sure the server sees the end. */
	(void)shutdown(c->evfd, SHUT_RDWR);
	log_warnx("NBD connection lost: %s; every further I/O fails",
	    why != NULL ? why : "the server closed it");
}

/*
 * After a failed libnbd call: log it (or note the connection died) and
 * return the errno for the I/O it concerned.
 */
static int
nbd_call_failed(struct nbd_ctx *c, const char *what)
{
	char msg[300];
	int e;

	e = nbd_last_error(msg, sizeof(msg));
	if (c->dead)
		return e;
	nbd_check_dead(c, msg);
	if (!c->dead)
		nbd_log_error(c, "NBD %s: %s", what, msg);
	return e;
}

/* Arm the fd events the way libnbd wants to be woken next. */
static void
nbd_update_events(struct nbd_ctx *c)
{
	unsigned int dir;

	dir = nbd_aio_get_direction(c->h);
	if (dir & LIBNBD_AIO_DIRECTION_READ)
		ev_enable(c->ev_rd);
	else
		ev_disable(c->ev_rd);
	if (dir & LIBNBD_AIO_DIRECTION_WRITE)
		ev_enable(c->ev_wr);
	else
		ev_disable(c->ev_wr);
	nbd_check_dead(c, NULL);
}

/* A slot has no command left: it waits for nbd_deliver(). */
static void
nbd_completed(struct nbd_ctx *c, struct nbd_io *nio)
{
	TAILQ_INSERT_TAIL(&c->completed, nio, entry);
}

/* Make sure nbd_deliver() runs soon, from the event loop. */
static void
nbd_deliver_later(struct nbd_ctx *c)
{
	if (!TAILQ_EMPTY(&c->completed) && ev_timer_arm(c->ev_later, 0) == -1)
		log_warn("NBD: arming the completion timer");
}

/*
 * libnbd's completion callback for one command.  It may run inside any
 * libnbd call, kick() included, so it only records: see nbd_deliver().
 * Returning 1 retires the command.
 */
static int
nbd_part_done(void *arg, int *error)
{
	struct nbd_io *nio = arg;

	if (*error != 0 && nio->error == 0)
		nio->error = *error;
	nio->parts--;
	if (nio->parts == 0 && !nio->issuing)
		nbd_completed(nio->ctx, nio);
	return 1;
}

/* Send one slot's I/O as one or more commands. */
static void
nbd_issue(struct nbd_ctx *c, struct nbd_io *nio)
{
	struct backing_io *io = nio->io;
	nbd_completion_callback cb = { .callback = nbd_part_done,
	    .user_data = nio };
	uint64_t off = io->off, left = io->len, n = 0;
	char *p = nio->buf, what[96];
	int64_t cookie;

	nio->issuing = true;
	do {
		/* Counted first: the callback may run inside the call. */
		nio->parts++;
		switch (io->op) {
		case BACKING_READ:
			n = left < c->rw_chunk ? left : c->rw_chunk;
			cookie = nbd_aio_pread(c->h, p, n, off, cb, 0);
			break;
		case BACKING_WRITE:
			n = left < c->rw_chunk ? left : c->rw_chunk;
			cookie = nbd_aio_pwrite(c->h, p, n, off, cb, 0);
			break;
		case BACKING_DISCARD:
			n = left < NBD_TRIM_CHUNK ? left : NBD_TRIM_CHUNK;
			cookie = nbd_aio_trim(c->h, n, off, cb, 0);
			break;
		case BACKING_FLUSH:
		default:
			n = left;
			cookie = nbd_aio_flush(c->h, cb, 0);
			break;
		}
		if (cookie == -1) {
			/* Not queued: libnbd will not call back for it. */
			nio->parts--;
			snprintf(what, sizeof(what), "%s of %llu bytes at %llu",
			    op_name(io->op), (unsigned long long)n,
			    (unsigned long long)off);
			if (nio->error == 0)
				nio->error = nbd_call_failed(c, what);
			else
				(void)nbd_call_failed(c, what);
			nio->logged = true;
			break;
		}
		off += n;
		p += n;
		left -= n;
	} while (left > 0);
	nio->issuing = false;
	if (nio->parts == 0)
		nbd_completed(c, nio);
}

static void
nbd_free(struct nbd_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nslots; i++)
		free(c->slots[i].bounce);
	free(c->slots);
	free(c);
}

/*
 * Hand completed I/Os to the worker.  Runs only from event callbacks.
 * done() may submit, kick or even close(): a slot is back on the free list
 * before done() sees its I/O, and a close() from inside done() leaves the
 * free to us.
 */
static void
nbd_deliver(struct nbd_ctx *c)
{
	struct backing_io *io;
	struct nbd_io *nio;
	unsigned int i;
	size_t o;

	c->delivering = true;
	while (!c->closed && (nio = TAILQ_FIRST(&c->completed)) != NULL) {
		TAILQ_REMOVE(&c->completed, nio, entry);
		io = nio->io;
		io->error = nio->error;
		if (io->error == 0 && io->op == BACKING_READ && nio->bounced) {
			for (i = 0, o = 0; i < io->iovcnt; i++) {
				memcpy(io->iov[i].iov_base, nio->bounce + o,
				    io->iov[i].iov_len);
				o += io->iov[i].iov_len;
			}
		}
		if (io->error != 0 && !c->dead && !nio->logged)
			nbd_log_error(c, "NBD %s of %llu bytes at %llu failed: "
			    "%s", op_name(io->op), (unsigned long long)io->len,
			    (unsigned long long)io->off, strerror(io->error));
		nio->io = NULL;
		/* LIFO, so the slots with warm bounce buffers are reused. */
		TAILQ_INSERT_HEAD(&c->free, nio, entry);
		c->inflight--;
		c->done(io);
	}
	c->delivering = false;
	if (c->closed)
		nbd_free(c);
}

static void
nbd_read_cb(int fd, void *arg)
{
	struct nbd_ctx *c = arg;

	(void)fd;
	if ((nbd_aio_get_direction(c->h) & LIBNBD_AIO_DIRECTION_READ) &&
	    nbd_aio_notify_read(c->h) == -1)
		(void)nbd_call_failed(c, "reading from the server");
	nbd_update_events(c);
	nbd_deliver(c);
}

static void
nbd_write_cb(int fd, void *arg)
{
	struct nbd_ctx *c = arg;

	(void)fd;
	if ((nbd_aio_get_direction(c->h) & LIBNBD_AIO_DIRECTION_WRITE) &&
	    nbd_aio_notify_write(c->h) == -1)
		(void)nbd_call_failed(c, "writing to the server");
	nbd_update_events(c);
	nbd_deliver(c);
}

static void
nbd_later_cb(int fd, void *arg)
{
	(void)fd;
	nbd_deliver(arg);
}

static bool
is_pow2(int64_t v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

/* Fill info from what the server announced in the handshake. */
static int
nbd_describe(struct nbd_ctx *c, const struct backing_params *p,
    const char *arg, struct backing_info *info, char *why, size_t why_len)
{
	int64_t size, bmin, bpref, bmax;
	char msg[300], e[200];
	int ro, fl, tr, err;

	if ((size = nbd_get_size(c->h)) == -1) {
		err = nbd_last_error(msg, sizeof(msg));
		snprintf(why, why_len, "NBD export size: %s", msg);
		errno = err;
		return -1;
	}
	if ((ro = nbd_is_read_only(c->h)) == -1) {
		err = nbd_last_error(msg, sizeof(msg));
		snprintf(why, why_len, "NBD export flags: %s", msg);
		errno = err;
		return -1;
	}
	fl = nbd_can_flush(c->h);
	tr = nbd_can_trim(c->h);
	bmin = nbd_get_block_size(c->h, LIBNBD_SIZE_MINIMUM);
	bpref = nbd_get_block_size(c->h, LIBNBD_SIZE_PREFERRED);
	bmax = nbd_get_block_size(c->h, LIBNBD_SIZE_MAXIMUM);
	if (ro == 1 && !p->readonly) {
		snprintf(why, why_len, "the NBD server offers export \"%s\" "
		    "read-only but the disk is attached read-write: attach "
		    "it read-only (mode r) or export it writable",
		    log_escape(e, sizeof(e), arg));
		errno = EROFS;
		return -1;
	}
	c->size = (uint64_t)size;
	c->readonly = p->readonly || ro == 1;
	c->can_flush = fl == 1;
	c->can_trim = tr == 1 && !c->readonly;

	memset(info, 0, sizeof(*info));
	info->size = c->size;
	/*
	 * Requests not aligned to the server's minimum fail (libnbd checks
	 * them: LIBNBD_STRICT_ALIGN), so a larger minimum is our sector.
	 */
	info->logical_block = 512;
	if (is_pow2(bmin) && bmin > 512 && bmin <= 4096)
		info->logical_block = (unsigned int)bmin;
	if (is_pow2(bpref) && bpref >= 512)
		info->physical_block = bpref > 4096 ? 4096 :
		    (unsigned int)bpref;
	else
		info->physical_block = 4096;
	if (info->physical_block < info->logical_block)
		info->physical_block = info->logical_block;
	info->is_blockdev = false;
	info->can_flush = c->can_flush;
	info->can_discard = c->can_trim;
	info->discard_secure = false;
	info->discard_granularity = is_pow2(bpref) && bpref >= 512 ?
	    (unsigned int)(bpref > (32 << 20) ? (32 << 20) : bpref) : 4096;
	info->direct = false;
	info->can_resize = false;

	c->rw_chunk = NBD_RW_CHUNK;
	if (bmax > 0 && bmax < (int64_t)c->rw_chunk) {
		c->rw_chunk = (uint32_t)bmax & ~(info->logical_block - 1);
		if (c->rw_chunk == 0)
			c->rw_chunk = info->logical_block;
	}
	log_info("NBD export \"%s\": %lld bytes%s, flush %s, trim %s, block "
	    "sizes min %lld preferred %lld max %lld",
	    log_escape(e, sizeof(e), arg), (long long)size,
	    ro == 1 ? " (read-only)" : "", c->can_flush ? "yes" : "no",
	    c->can_trim ? "yes" : "no", (long long)bmin, (long long)bpref,
	    (long long)bmax);
	return 0;
}

static void *
nbd_open(const struct backing_params *p, struct ev_base *base,
    backing_done_fn done, struct backing_info *info, char *why,
    size_t why_len)
{
	struct nbd_ctx *c = NULL;
	char msg[300], e[200];
	long long deadline, left;
	unsigned int i;
	int fd = p->fd, err, nfd;
	const char *arg = p->arg != NULL ? p->arg : "";

	if (p->queue_depth == 0 || p->max_io == 0 || done == NULL) {
		snprintf(why, why_len, "NBD: queue depth and largest I/O must "
		    "not be 0");
		err = EINVAL;
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->slots = calloc(p->queue_depth, sizeof(*c->slots))) == NULL) {
		err = errno;
		snprintf(why, why_len, "NBD: allocating %u slots: %s",
		    p->queue_depth, strerror(err));
		goto fail;
	}
	c->nslots = p->queue_depth;
	c->evfd = -1;
	c->max_io = p->max_io;
	c->done = done;
	TAILQ_INIT(&c->free);
	TAILQ_INIT(&c->pending);
	TAILQ_INIT(&c->completed);
	for (i = 0; i < c->nslots; i++) {
		c->slots[i].ctx = c;
		TAILQ_INSERT_TAIL(&c->free, &c->slots[i], entry);
	}

	if ((c->h = nbd_create()) == NULL ||
	    nbd_set_export_name(c->h, arg) == -1) {
		err = nbd_last_error(msg, sizeof(msg));
		snprintf(why, why_len, "NBD: %s", msg);
		goto fail;
	}
	/* This starts the handshake, and may already fail in it. */
	if (nbd_aio_connect_socket(c->h, fd) == -1) {
		err = nbd_last_error(msg, sizeof(msg));
		snprintf(why, why_len, "NBD handshake for export \"%s\" "
		    "failed: %s", log_escape(e, sizeof(e), arg), msg);
		goto fail;
	}
	fd = -1;	/* libnbd's now; nbd_close() closes it */

	/* The handshake, synchronously but bounded. */
	deadline = now_ms() + NBD_CONNECT_MS;
	while (nbd_aio_is_connecting(c->h) == 1) {
		if ((left = deadline - now_ms()) <= 0) {
			snprintf(why, why_len, "NBD handshake for export \"%s\" "
			    "timed out after %d s", log_escape(e, sizeof(e),
			    arg), NBD_CONNECT_MS / 1000);
			err = ETIMEDOUT;
			goto fail;
		}
		if (nbd_poll(c->h, (int)left) == -1) {
			err = nbd_last_error(msg, sizeof(msg));
			snprintf(why, why_len, "NBD handshake for export "
			    "\"%s\" failed: %s", log_escape(e, sizeof(e), arg),
			    msg);
			goto fail;
		}
	}
	if (nbd_aio_is_ready(c->h) != 1) {
		snprintf(why, why_len, "NBD handshake for export \"%s\" did not "
		    "complete", log_escape(e, sizeof(e), arg));
		err = EPROTO;
		goto fail;
	}
	if (nbd_describe(c, p, arg, info, why, why_len) == -1) {
		err = errno;
		goto fail;
	}

	if ((nfd = nbd_aio_get_fd(c->h)) == -1) {
		err = nbd_last_error(msg, sizeof(msg));
		snprintf(why, why_len, "NBD: %s", msg);
		goto fail;
	}
	if ((c->evfd = fcntl(nfd, F_DUPFD_CLOEXEC, 0)) == -1) {
		err = errno;
		snprintf(why, why_len, "NBD: dup of the socket: %s",
		    strerror(err));
		goto fail;
	}
	c->ev_rd = ev_read(base, c->evfd, false, nbd_read_cb, c);
	c->ev_wr = ev_write(base, c->evfd, nbd_write_cb, c);
	c->ev_later = ev_timer(base, nbd_later_cb, c);
	if (c->ev_rd == NULL || c->ev_wr == NULL || c->ev_later == NULL) {
		err = errno != 0 ? errno : ENOMEM;
		snprintf(why, why_len, "NBD: registering events: %s",
		    strerror(err));
		goto fail;
	}
	nbd_update_events(c);
	return c;

fail:
	if (fd >= 0)
		close(fd);
	if (c != NULL) {
		ev_free(c->ev_rd);
		ev_free(c->ev_wr);
		ev_free(c->ev_later);
		if (c->evfd >= 0)
			close(c->evfd);
		if (c->h != NULL)
			nbd_close(c->h);
		if (c->slots != NULL)
			nbd_free(c);
		else
			free(c);
	}
	errno = err;
	return NULL;
}

static int
nbd_submit(void *ctx, struct backing_io *io)
{
	struct nbd_ctx *c = ctx;
	struct nbd_io *nio;
	uint64_t sum = 0;
	unsigned int i;
	size_t o;
	bool trivial = false;

	switch (io->op) {
	case BACKING_READ:
	case BACKING_WRITE:
		if (io->iov == NULL || io->iovcnt == 0 ||
		    io->iovcnt > BACKING_MAX_IOV)
			goto inval;
		for (i = 0; i < io->iovcnt; i++) {
			/* No wrap-around: the pieces must really sum to len. */
			if (io->iov[i].iov_len > io->len - sum)
				goto inval;
			sum += io->iov[i].iov_len;
		}
		if (sum != io->len || (io->iovcnt > 1 && io->len > c->max_io))
			goto inval;
		if (io->op == BACKING_WRITE && c->readonly) {
			errno = EROFS;
			return -1;
		}
		trivial = io->len == 0;
		break;
	case BACKING_FLUSH:
		/* Nothing to make durable on a server that has no cache to flush. */
		trivial = !c->can_flush;
		break;
	case BACKING_DISCARD:
		if (c->readonly) {
			errno = EROFS;
			return -1;
		}
		if (!c->can_trim || io->secure) {
			errno = EOPNOTSUPP;
			return -1;
		}
		trivial = io->len == 0;
		break;
	default:
		goto inval;
	}
	if (io->op != BACKING_FLUSH && io->off + io->len < io->off)
		goto inval;
	if ((nio = TAILQ_FIRST(&c->free)) == NULL) {
		errno = EAGAIN;		/* more than queue_depth in flight */
		return -1;
	}

	nio->bounced = false;
	nio->buf = NULL;
	if ((io->op == BACKING_READ || io->op == BACKING_WRITE) && !trivial) {
		if (io->iovcnt == 1) {
			nio->buf = io->iov[0].iov_base;
		} else {
			if (nio->bounce == NULL &&
			    (nio->bounce = malloc(c->max_io)) == NULL)
				return -1;
			nio->buf = nio->bounce;
			nio->bounced = true;
			if (io->op == BACKING_WRITE) {
				for (i = 0, o = 0; i < io->iovcnt; i++) {
					memcpy(nio->bounce + o,
					    io->iov[i].iov_base,
					    io->iov[i].iov_len);
					o += io->iov[i].iov_len;
				}
			}
		}
	}
	TAILQ_REMOVE(&c->free, nio, entry);
	nio->io = io;
	nio->parts = 0;
	nio->issuing = false;
	nio->logged = false;
	nio->error = 0;
	c->inflight++;
	if (trivial) {
		nbd_completed(c, nio);
		nbd_deliver_later(c);
	} else
		TAILQ_INSERT_TAIL(&c->pending, nio, entry);
	return 0;

inval:
	errno = EINVAL;
	return -1;
}

static void
nbd_kick(void *ctx)
{
	struct nbd_ctx *c = ctx;
	struct nbd_io *nio;

	while ((nio = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, nio, entry);
		nbd_issue(c, nio);
	}
	nbd_update_events(c);
	nbd_deliver_later(c);
}

static int
nbd_size(void *ctx, uint64_t *bytes)
{
	struct nbd_ctx *c = ctx;

	/* NBD has no resize notification; the size is the handshake's. */
	*bytes = c->size;
	return 0;
}

static unsigned int
nbd_inflight(void *ctx)
{
	struct nbd_ctx *c = ctx;

	return c->inflight;
}

static void
nbd_close_ctx(void *ctx)
{
	struct nbd_ctx *c = ctx;
	long long deadline, left;
	char msg[300];
	int n;

	/*
	 * Commands already sent may still write into the worker's buffers:
	 * wait for them (bounded: a hung server must not hang the worker;
	 * nbd_close() then drops the connection and libnbd lets go of the
	 * buffers).  Queued I/Os that were never sent are dropped.
	 */
	/* Off the event loop before nbd_close() closes the socket under it. */
	ev_free(c->ev_rd);
	ev_free(c->ev_wr);
	ev_free(c->ev_later);
	c->ev_rd = c->ev_wr = c->ev_later = NULL;
	close(c->evfd);
	c->evfd = -1;

	TAILQ_INIT(&c->pending);
	deadline = now_ms() + NBD_DRAIN_MS;
	while ((n = nbd_aio_in_flight(c->h)) > 0 &&
	    nbd_aio_is_dead(c->h) != 1 && nbd_aio_is_closed(c->h) != 1) {
		if ((left = deadline - now_ms()) <= 0) {
			log_warnx("NBD: closing with %d requests unanswered "
			    "after %d s", n, NBD_DRAIN_MS / 1000);
			break;
		}
		if (nbd_poll(c->h, (int)left) == -1) {
			nbd_last_error(msg, sizeof(msg));
			if (!c->dead)
				log_warnx("NBD: waiting for in-flight requests: "
				    "%s", msg);
			break;
		}
	}
	/* NBD_CMD_DISC: the server gets a clean end (proto.md). */
	if (nbd_aio_is_ready(c->h) == 1)
		(void)nbd_aio_disconnect(c->h, 0);
	nbd_close(c->h);
	c->h = NULL;
	if (c->nerrors > NBD_LOG_ERRORS)
		log_warnx("NBD: %lu I/O errors in all", c->nerrors);
	c->closed = true;
	if (!c->delivering)
		nbd_free(c);
}

const struct backing_ops backing_nbd = {
	.name = "nbd",
	.open = nbd_open,
	.submit = nbd_submit,
	.kick = nbd_kick,
	.size = nbd_size,
	.inflight = nbd_inflight,
	.close = nbd_close_ctx,
};
