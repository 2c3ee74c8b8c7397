/*
 * backing_raw.c - raw images: regular files and block devices, through
 * io_uring (liburing).
 *
 * One io_uring per worker; its completion queue signals an eventfd that
 * the worker's event loop watches, so completions run as ordinary events.
 * O_DIRECT is switched on where the store takes it (block devices and
 * most file systems; not tmpfs before Linux 6.6) and the logical block is
 * 512 bytes, the unit of blkif segments; otherwise the page cache is used.
 *
 * Discard: FALLOC_FL_PUNCH_HOLE on files (through the ring), BLKDISCARD /
 * BLKSECDISCARD on block devices (an ioctl, synchronous; its completion is
 * still delivered later, by kick() or the loop).
 *
 * Files on tmpfs/ramfs are read and written inline, with preadv/pwritev:
 * they never wait for a disk, and io_uring would hand every such I/O to a
 * kernel worker thread (these file systems lack FMODE_NOWAIT before Linux
 * 6.6), which costs more than the copy itself.
 *
 * Completions ready at kick() time (inline I/O, and io_uring requests the
 * kernel finished during submission) are delivered by kick(); the eventfd
 * wakes the loop for the rest.  It is registered for every completion,
 * not with IORING_REGISTER_EVENTFD_ASYNC: that flag signals only CQEs
 * posted by io-wq threads (Linux io_uring/io_uring.c io_eventfd_signal,
 * "!io_wq_current_is_worker()"), and an O_DIRECT request on a block
 * device completes through task_work in this process, after submission,
 * with no signal: its answer waited for the next request's kick(), and the
 * last request of a burst for ever (hostile-blk-close-inflight on a loop
 * device found it).  Delivery never nests: a done() that submits and kicks
 * leaves the new completions to the delivery loop already running.
 */
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "ev.h"
#include "log.h"

struct raw {
	int			 fd;
	bool			 blk;
	bool			 readonly;
	struct io_uring		 ring;
	struct io_uring_params	 up;		/* as set up (the fence needs it) */
	bool			 ring_ok;
	int			 efd;		/* completion notifications */
	struct ev		*ev;
	backing_done_fn		 done;
	unsigned int		 inflight;
	unsigned int		 unsubmitted;	/* SQEs not yet handed to the kernel */
	bool			 inline_io;	/* memory file system: no ring */
	bool			 delivering;	/* in raw_deliver() */
	/* Completions produced without the ring, in order. */
	struct backing_io	**sync_done;
	unsigned int		 nsync, maxsync;
};

static int
raw_size_fd(int fd, bool blk, uint64_t *bytes)
{
	struct stat st;

	if (blk) {
		uint64_t sz;

		if (ioctl(fd, BLKGETSIZE64, &sz) == -1)
			return -1;
		*bytes = sz;
		return 0;
	}
	if (fstat(fd, &st) == -1)
		return -1;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

/* Read a small unsigned value from the block device's sysfs queue dir. */
static int
raw_sysfs_queue(dev_t dev, const char *attr, unsigned long long *val)
{
	char path[128];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/queue/%s",
	    major(dev), minor(dev), attr);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	rc = fscanf(f, "%llu", val) == 1 ? 0 : -1;
	fclose(f);
	return rc;
}

/* Describe the store: sizes, discard support, O_DIRECT. */
static int
raw_describe(struct raw *r, const struct stat *st, struct backing_info *info)
{
	unsigned long long v;
	struct statfs sfs;
	int lbs = 512, pbs = 512, fl;

	memset(info, 0, sizeof(*info));
	info->is_blockdev = r->blk;
	info->can_flush = true;
	info->can_resize = true;
	if (raw_size_fd(r->fd, r->blk, &info->size) == -1)
		return -1;
	if (r->blk) {
		if (ioctl(r->fd, BLKSSZGET, &lbs) == -1)
			lbs = 512;
		if (ioctl(r->fd, BLKPBSZGET, &pbs) == -1)
			pbs = lbs;
		if (!r->readonly &&
		    raw_sysfs_queue(st->st_rdev, "discard_max_bytes", &v) == 0 &&
		    v > 0) {
			info->can_discard = true;
			if (raw_sysfs_queue(st->st_rdev, "discard_granularity",
			    &v) == 0 && v <= (1u << 30))
				info->discard_granularity = (unsigned int)v;
		}
	} else {
		/* The file system's block: the size worth aligning to. */
		if (st->st_blksize >= 512 && st->st_blksize <= 4096)
			pbs = (int)st->st_blksize;
		/*
		 * Punching a hole past the end is a no-op where holes are
		 * supported and EOPNOTSUPP where not: a harmless probe.
		 */
		if (!r->readonly && fallocate(r->fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, (off_t)info->size + 4096 * 16, 4096) == 0) {
			info->can_discard = true;
			info->discard_granularity = (unsigned int)pbs;
		}
	}
	info->logical_block = (unsigned int)lbs;
	info->physical_block = (unsigned int)(pbs >= lbs ? pbs : lbs);

	/* Segments are 512-byte granular: O_DIRECT only on 512-byte stores. */
	if (lbs == 512 && (fl = fcntl(r->fd, F_GETFL)) != -1 &&
	    fcntl(r->fd, F_SETFL, fl | O_DIRECT) == 0)
		info->direct = true;
	if (!r->blk && !info->direct && fstatfs(r->fd, &sfs) == 0 &&
	    (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC))
		r->inline_io = info->completes_inline = true;
	return 0;
}

static void raw_cq_cb(int, void *);

/*
 * SQEs run in the kernel past the worker's seccomp filter, and io_uring
 * has OPENAT, SOCKET, CONNECT...: allow only the opcodes submit() uses,
 * and no register op once enabled (io_uring_register(2),
 * IORING_REGISTER_RESTRICTIONS, Linux 5.10).  The eventfd is registered
 * before.
 */
static int
raw_restrict(struct io_uring *ring)
{
	static const uint8_t ops[] = { IORING_OP_READV, IORING_OP_WRITEV,
	    IORING_OP_FSYNC, IORING_OP_FALLOCATE, IORING_OP_NOP };
	struct io_uring_restriction res[sizeof(ops)];
	unsigned int i;

	memset(res, 0, sizeof(res));
	for (i = 0; i < sizeof(ops); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = ops[i];
	}
	/*
	 * Raw calls: Debian 12's liburing 2.3 declares
	 * io_uring_register_restrictions and io_uring_enable_rings but its
	 * shared library does not export them.
	 */
	if (syscall(__NR_io_uring_register, ring->ring_fd,
	    IORING_REGISTER_RESTRICTIONS, res, (unsigned int)sizeof(ops)) == -1 ||
	    syscall(__NR_io_uring_register, ring->ring_fd,
	    IORING_REGISTER_ENABLE_RINGS, NULL, 0) == -1)
		return -errno;
	return 0;
}

static void *
raw_open(const struct backing_params *p, struct ev_base *base,
    backing_done_fn done, struct backing_info *info, char *why,
    size_t why_len)
{
	struct io_uring_params up;
	struct raw *r;
	struct stat st;
	unsigned int depth;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		close(p->fd);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	r->fd = p->fd;
	r->efd = -1;
	r->done = done;
	r->readonly = p->readonly;
	if (fstat(r->fd, &st) == -1 || (!S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode))) {
		snprintf(why, why_len, "not a regular file or block device");
		errno = EINVAL;
		goto fail;
	}
	r->blk = S_ISBLK(st.st_mode);
	if (raw_describe(r, &st, info) == -1) {
		snprintf(why, why_len, "reading the size: %s", strerror(errno));
		goto fail;
	}

	depth = 1;
	while (depth < p->queue_depth && depth < 4096)
		depth <<= 1;
	r->maxsync = depth;
	if ((r->sync_done = calloc(depth, sizeof(*r->sync_done))) == NULL) {
		snprintf(why, why_len, "out of memory");
		goto fail;
	}
	memset(&up, 0, sizeof(up));
	/*
	 * Twice the SQ: completions never overflow with depth in flight.
	 * Created disabled, so the opcode limits below hold before any SQE.
	 */
	up.flags = IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED;
	up.cq_entries = depth * 2;
	if ((rc = io_uring_queue_init_params(depth, &r->ring, &up)) < 0) {
		errno = -rc;
		snprintf(why, why_len, "io_uring setup (%u entries): %s", depth,
		    strerror(errno));
		goto fail;
	}
	r->ring_ok = true;
	r->up = up;
	/* Inline I/O is over when submit() returns: nothing to fence. */
	if (!r->inline_io) {
		info->has_uring = true;
		info->uring_fd = r->ring.ring_fd;
		info->uring_params = &r->up;
		info->uring_params_len = sizeof(r->up);
	}
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (rc = io_uring_register_eventfd(&r->ring, r->efd)) < 0) {
		if (r->efd != -1)
			errno = -rc;
		snprintf(why, why_len, "io_uring eventfd: %s", strerror(errno));
		goto fail;
	}
	if ((rc = raw_restrict(&r->ring)) < 0) {
		errno = -rc;
		snprintf(why, why_len, "io_uring restrictions: %s",
		    strerror(errno));
		goto fail;
	}
	if ((r->ev = ev_read(base, r->efd, true, raw_cq_cb, r)) == NULL) {
		snprintf(why, why_len, "registering the completion event");
		goto fail;
	}
	return r;
fail:
	if (r->ring_ok)
		io_uring_queue_exit(&r->ring);
	if (r->efd != -1)
		close(r->efd);
	free(r->sync_done);
	close(r->fd);
	free(r);
	return NULL;
}

/*
 * The kernel moved fewer bytes than asked (a file shrank, or a short
 * write): finish the rest synchronously, or report EIO for a read past
 * the end.  Rare, so blocking the loop here is acceptable.
 */
static int
raw_finish_short(struct raw *r, struct backing_io *io, size_t done)
{
	struct iovec iov[BACKING_MAX_IOV];
	unsigned int i, n = 0;
	size_t skip = done;
	uint64_t off = io->off + done;
	ssize_t k;

	for (i = 0; i < io->iovcnt; i++) {
		if (skip >= io->iov[i].iov_len) {
			skip -= io->iov[i].iov_len;
			continue;
		}
		iov[n].iov_base = (char *)io->iov[i].iov_base + skip;
		iov[n].iov_len = io->iov[i].iov_len - skip;
		skip = 0;
		n++;
	}
	while (n > 0) {
		if (io->op == BACKING_READ)
			k = preadv(r->fd, iov, (int)n, (off_t)off);
		else
			k = pwritev(r->fd, iov, (int)n, (off_t)off);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return k == 0 ? EIO : errno;
		off += (uint64_t)k;
		while (n > 0 && (size_t)k >= iov[0].iov_len) {
			k -= (ssize_t)iov[0].iov_len;
			memmove(iov, iov + 1, (n - 1) * sizeof(*iov));
			n--;
		}
		if (n > 0) {
			iov[0].iov_base = (char *)iov[0].iov_base + k;
			iov[0].iov_len -= (size_t)k;
		}
	}
	return 0;
}

static void
raw_complete(struct raw *r, struct backing_io *io, int res)
{
	if (res < 0)
		io->error = -res;
	else if ((io->op == BACKING_READ || io->op == BACKING_WRITE) &&
	    (uint64_t)res < io->len)
		io->error = raw_finish_short(r, io, (size_t)res);
	else
		io->error = 0;
}

/*
 * Deliver every completion that is ready: inline ones in submission order,
 * then the ring's.  Loops until both are empty, since done() may submit
 * more; never nests.
 */
static void
raw_deliver(struct raw *r)
{
	struct io_uring_cqe *cqe;
	unsigned int i;
	bool any;

	if (r->delivering)
		return;
	r->delivering = true;
	do {
		any = false;
		for (i = 0; i < r->nsync; i++) {
			struct backing_io *io = r->sync_done[i];

			r->inflight--;
			any = true;
			r->done(io);	/* may append to sync_done */
		}
		r->nsync = 0;
		while (io_uring_peek_cqe(&r->ring, &cqe) == 0) {
			struct backing_io *io = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			/* Seen before the callback, which may submit more. */
			io_uring_cqe_seen(&r->ring, cqe);
			raw_complete(r, io, res);
			r->inflight--;
			any = true;
			r->done(io);
		}
	} while (any);
	r->delivering = false;
}

static void
raw_cq_cb(int fd, void *arg)
{
	struct raw *r = arg;
	eventfd_t cnt;

	(void)eventfd_read(fd, &cnt);
	raw_deliver(r);
}

/* Queue a completion made without the ring; delivered by kick() or the loop. */
static void
raw_sync_done(struct raw *r, struct backing_io *io)
{
	r->sync_done[r->nsync++] = io;
	r->inflight++;
}

/* A block device discard: synchronous ioctl. */
static int
raw_blk_discard(struct raw *r, struct backing_io *io)
{
	uint64_t range[2] = { io->off, io->len };

	if (r->nsync == r->maxsync) {
		errno = EAGAIN;
		return -1;
	}
	io->error = 0;
	if (io->len > 0 && ioctl(r->fd, io->secure ? BLKSECDISCARD :
	    BLKDISCARD, range) == -1)
		io->error = errno;
	raw_sync_done(r, io);
	return 0;
}

/* Memory file systems: do the I/O now (see the top of the file). */
static int
raw_inline(struct raw *r, struct backing_io *io)
{
	ssize_t k = 0;

	if (r->nsync == r->maxsync) {
		errno = EAGAIN;
		return -1;
	}
	io->error = 0;
	switch (io->op) {
	case BACKING_READ:
	case BACKING_WRITE:
		do {
			k = io->op == BACKING_READ ?
			    preadv(r->fd, io->iov, (int)io->iovcnt, (off_t)io->off) :
			    pwritev(r->fd, io->iov, (int)io->iovcnt, (off_t)io->off);
		} while (k == -1 && errno == EINTR);
		if (k == -1)
			io->error = errno;
		else if ((uint64_t)k < io->len)
			io->error = raw_finish_short(r, io, (size_t)k);
		break;
	case BACKING_FLUSH:
		if (fdatasync(r->fd) == -1)
			io->error = errno;
		break;
	case BACKING_DISCARD:
		if (io->secure)
			io->error = EOPNOTSUPP;
		else if (io->len > 0 && fallocate(r->fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, (off_t)io->off, (off_t)io->len) == -1)
			io->error = errno;
		break;
	default:
		io->error = EINVAL;
		break;
	}
	raw_sync_done(r, io);
	return 0;
}

static int
raw_submit(void *ctx, struct backing_io *io)
{
	struct raw *r = ctx;
	struct io_uring_sqe *sqe;

	if (io->op == BACKING_DISCARD && r->blk)
		return raw_blk_discard(r, io);
	if (r->inline_io)
		return raw_inline(r, io);
	if (io->op == BACKING_DISCARD && io->secure) {
		errno = EOPNOTSUPP;	/* files: holes only */
		return -1;
	}
	if ((sqe = io_uring_get_sqe(&r->ring)) == NULL) {
		/* SQ full: hand what we have to the kernel and retry. */
		io_uring_submit(&r->ring);
		r->unsubmitted = 0;
		if ((sqe = io_uring_get_sqe(&r->ring)) == NULL) {
			errno = EAGAIN;
			return -1;
		}
	}
	switch (io->op) {
	case BACKING_READ:
		io_uring_prep_readv(sqe, r->fd, io->iov, io->iovcnt, io->off);
		break;
	case BACKING_WRITE:
		io_uring_prep_writev(sqe, r->fd, io->iov, io->iovcnt, io->off);
		break;
	case BACKING_FLUSH:
		io_uring_prep_fsync(sqe, r->fd, IORING_FSYNC_DATASYNC);
		break;
	case BACKING_DISCARD:
		io_uring_prep_fallocate(sqe, r->fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, io->off, io->len);
		break;
	default:
		/* Give the SQE back as a no-op rather than leave it unset. */
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data(sqe, io);
		io->error = EINVAL;
		r->unsubmitted++;
		r->inflight++;
		return 0;
	}
	io_uring_sqe_set_data(sqe, io);
	r->unsubmitted++;
	r->inflight++;
	return 0;
}

static void
raw_kick(void *ctx)
{
	struct raw *r = ctx;
	int rc;

	if (r->unsubmitted > 0) {
		rc = io_uring_submit(&r->ring);
		if (rc < 0)
			log_warnx("io_uring submit: %s", strerror(-rc));
		r->unsubmitted = 0;
	}
	raw_deliver(r);
}

static int
raw_size(void *ctx, uint64_t *bytes)
{
	struct raw *r = ctx;

	return raw_size_fd(r->fd, r->blk, bytes);
}

static unsigned int
raw_inflight(void *ctx)
{
	return ((struct raw *)ctx)->inflight;
}

static void
raw_close(void *ctx)
{
	struct raw *r = ctx;
	struct io_uring_cqe *cqe;

	if (r == NULL)
		return;
	if (r->unsubmitted > 0)
		io_uring_submit(&r->ring);
	r->inflight -= r->nsync;
	/* Wait for what the kernel still does with our buffers. */
	while (r->inflight > 0 && io_uring_wait_cqe(&r->ring, &cqe) == 0) {
		io_uring_cqe_seen(&r->ring, cqe);
		r->inflight--;
	}
	ev_free(r->ev);
	io_uring_queue_exit(&r->ring);
	close(r->efd);
	close(r->fd);
	free(r->sync_done);
	free(r);
}

const struct backing_ops backing_raw = {
	.name = "raw",
	.open = raw_open,
	.submit = raw_submit,
	.kick = raw_kick,
	.size = raw_size,
	.inflight = raw_inflight,
	.close = raw_close,
};
