/*
 * backing_raw.c - raw images: regular files and block devices, with
 * pread/pwrite/fdatasync.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "backing.h"

struct raw {
	int	fd;
	bool	blk;
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

static void *
raw_open(int fd, bool readonly, struct backing_info *info)
{
	struct raw *r;
	struct stat st;

	(void)readonly;
	if (fstat(fd, &st) == -1)
		return NULL;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = EINVAL;		/* not a file nor a block device */
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fd = fd;
	r->blk = S_ISBLK(st.st_mode);
	info->is_blockdev = r->blk;
	info->logical_block = 512;
	info->physical_block = 512;
	if (r->blk) {
		int lbs = 0;
		unsigned int pbs = 0;

		if (ioctl(fd, BLKSSZGET, &lbs) == 0 && lbs > 0)
			info->logical_block = (unsigned int)lbs;
		if (ioctl(fd, BLKPBSZGET, &pbs) == 0 && pbs > 0)
			info->physical_block = pbs;
	} else if (st.st_blksize > 0)
		info->physical_block = (unsigned int)st.st_blksize;
	if (raw_size_fd(fd, r->blk, &info->size) == -1) {
		free(r);
		return NULL;
	}
	return r;
}

/* pread/pwrite the whole range, retrying short transfers. */
static int
raw_rw(struct raw *r, void *buf, size_t len, uint64_t off, bool write)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (write)
			n = pwrite(r->fd, (char *)buf + done, len - done,
			    (off_t)(off + done));
		else
			n = pread(r->fd, (char *)buf + done, len - done,
			    (off_t)(off + done));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;	/* the store shrank under us */
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int
raw_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return raw_rw(ctx, buf, len, off, false);
}

static int
raw_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	/* pwrite never writes through buf; the cast only shares raw_rw(). */
	return raw_rw(ctx, (void *)(uintptr_t)buf, len, off, true);
}

static int
raw_flush(void *ctx)
{
	struct raw *r = ctx;

	return fdatasync(r->fd);
}

static int
raw_size(void *ctx, uint64_t *bytes)
{
	struct raw *r = ctx;

	return raw_size_fd(r->fd, r->blk, bytes);
}

static void
raw_close(void *ctx)
{
	struct raw *r = ctx;

	close(r->fd);
	free(r);
}

const struct backing_ops backing_raw = {
	.name = "raw",
	.open = raw_open,
	.read = raw_read,
	.write = raw_write,
	.flush = raw_flush,
	.size = raw_size,
	.close = raw_close,
};
