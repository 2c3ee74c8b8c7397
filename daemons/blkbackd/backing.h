/*
 * backing.h - the vtable between the blkif protocol side (worker.c) and a
 * backing store (after bhyve's block_if / net_backends split).
 *
 * A store is opened by the parent, which holds the privilege to open paths;
 * the worker only ever receives the fd.  All offsets and lengths are bytes.
 * Calls are synchronous in this version (one device per worker process, so
 * a slow store only slows its own guest).
 */
#ifndef BACKING_H
#define BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backing_info {
	uint64_t	size;		/* bytes */
	unsigned int	logical_block;	/* bytes, usually 512 */
	unsigned int	physical_block;	/* bytes */
	bool		is_blockdev;
};

struct backing_ops {
	/* Short name for logs ("raw"). */
	const char	*name;
	/*
	 * Take ownership of fd (opened read-only or read-write per readonly)
	 * and describe the store in *info.  Returns a context or NULL (errno).
	 */
	void		*(*open)(int fd, bool readonly, struct backing_info *info);
	/* Read exactly len bytes at off into buf.  Returns 0 or -1 (errno; EIO on a short read). */
	int		 (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	/* Write exactly len bytes at off.  Returns 0 or -1. */
	int		 (*write)(void *ctx, const void *buf, size_t len, uint64_t off);
	/* Make completed writes durable (FLUSH_DISKCACHE).  Returns 0 or -1. */
	int		 (*flush)(void *ctx);
	/* Current size in bytes (for resize detection).  Returns 0 or -1. */
	int		 (*size)(void *ctx, uint64_t *bytes);
	/* Close the store and free ctx. */
	void		 (*close)(void *ctx);
};

/* Raw regular files and block devices (backing_raw.c). */
extern const struct backing_ops backing_raw;

#endif
