/*
 * bq.h - bounded byte queues for console output (pure logic, no I/O).
 *
 * Every consumer of a console's output that can be slower than the guest
 * (the pty, each attached client) gets one bq of a fixed capacity chosen at
 * init.  A full queue never blocks the producer: bytes that do not fit are
 * counted as dropped, and before the next bytes that do fit the queue
 * carries a visible marker "\r\n[consoled: N bytes dropped]\r\n" at the
 * place of the gap (consoled.md section 5.1: no silent gaps, no stalls).
 *
 * The scrollback (the last few KiB replayed to a client that attaches) is
 * a bq in overwrite mode: it keeps the newest bytes and never drops.
 */
#ifndef CONS_BQ_H
#define CONS_BQ_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

/* Longest marker text ("\r\n[consoled: 18446744073709551615 bytes dropped]\r\n"). */
#define BQ_MARKER_MAX	64

struct bq {
	unsigned char	*buf;
	size_t		 cap;		/* capacity in bytes */
	size_t		 head;		/* offset of the oldest byte */
	size_t		 len;		/* bytes queued */
	uint64_t	 pending_drop;	/* dropped since the last marker was queued */
	uint64_t	 dropped;	/* total bytes ever dropped */
	uint64_t	 markers;	/* total markers queued */
	int		 overwrite;	/* scrollback mode */
};

/*
 * Set up a queue of cap bytes (cap >= 2 * BQ_MARKER_MAX); the buffer is
 * allocated by the first push (an idle console holds none; if that
 * allocation fails the bytes count as dropped).  In overwrite
 * mode a push that does not fit discards the oldest bytes instead, and no
 * marker is ever queued.  Returns 0, or -1 (errno EINVAL).
 */
int	bq_init(struct bq *, size_t cap, int overwrite);

/* Free the buffer; the struct may be bq_init()ed again.  NULL-safe buffer. */
void	bq_free(struct bq *);

/*
 * Queue len bytes.  Normal mode: if bytes were dropped since the last
 * marker, first queue the marker (only when the marker and at least one
 * byte of data fit; otherwise the data is dropped too and counted), then
 * as much of data as fits; the rest is dropped and counted.  Returns the
 * number of data bytes queued (markers not included).
 */
size_t	bq_push(struct bq *, const void *data, size_t len);

/*
 * Queue a marker for drops the caller counted itself (e.g. bytes it never
 * offered).  Adds n to the pending count (and to dropped); the marker is
 * queued by the next bq_push() or bq_flush_marker().  No-op in overwrite
 * mode.
 */
void	bq_note_drop(struct bq *, uint64_t n);

/* Queue the pending marker now if it fits (no data needed).  Returns 1 if queued. */
int	bq_flush_marker(struct bq *);

/*
 * Describe the queued bytes, oldest first, as at most two iovecs (the
 * buffer wraps).  Returns the number of iovecs filled (0 when empty).
 */
int	bq_peek(const struct bq *, struct iovec iov[2]);

/* Remove n (<= len) bytes from the front. */
void	bq_consume(struct bq *, size_t n);

/* Copy the newest min(n, len) bytes, in order, into dst; returns the count. */
size_t	bq_tail(const struct bq *, void *dst, size_t n);

/* Bytes queued / free. */
size_t	bq_len(const struct bq *);
size_t	bq_space(const struct bq *);

/* Format the marker for n dropped bytes into dst (>= BQ_MARKER_MAX); returns its length. */
size_t	bq_marker(char *dst, uint64_t n);

#endif
