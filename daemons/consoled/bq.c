/*
 * bq.c - see bq.h.
 *
 * A plain circular buffer: head is the oldest byte, len bytes follow it
 * (wrapping at cap).  Drops are accounted in pending_drop until a marker
 * for them is queued, so a reader sees exactly one marker per gap, at the
 * place of the gap (consoled.md 5.1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bq.h"

int
bq_init(struct bq *q, size_t cap, int overwrite)
{
	memset(q, 0, sizeof(*q));
	/* Room for a marker plus data, whatever the drop count. */
	if (cap < 2 * BQ_MARKER_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* The buffer comes with the first byte: idle consoles cost no pages. */
	q->cap = cap;
	q->overwrite = overwrite != 0;
	return 0;
}

void
bq_free(struct bq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

size_t
bq_len(const struct bq *q)
{
	return q->len;
}

size_t
bq_space(const struct bq *q)
{
	return q->cap - q->len;
}

size_t
bq_marker(char *dst, uint64_t n)
{
	int r;

	r = snprintf(dst, BQ_MARKER_MAX, "\r\n[consoled: %" PRIu64
	    " bytes dropped]\r\n", n);
	/* At most 50 bytes for UINT64_MAX, so never truncated. */
	return r < 0 ? 0 : (size_t)r;
}

/* Allocate the buffer on first use.  Returns 0 or -1. */
static int
ready(struct bq *q)
{
	if (q->buf == NULL && (q->buf = malloc(q->cap)) == NULL)
		return -1;
	return 0;
}

/* Append n bytes (n <= space) at the tail, wrapping as needed. */
static void
put(struct bq *q, const unsigned char *src, size_t n)
{
	size_t tail, first;

	tail = (q->head + q->len) % q->cap;
	first = q->cap - tail;
	if (first > n)
		first = n;
	memcpy(q->buf + tail, src, first);
	memcpy(q->buf, src + first, n - first);
	q->len += n;
}

void
bq_consume(struct bq *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->len -= n;
	q->head = q->len == 0 ? 0 : (q->head + n) % q->cap;
}

/* Queue the marker for pending_drop if it and extra more bytes fit. */
static int
queue_marker(struct bq *q, size_t extra)
{
	char m[BQ_MARKER_MAX];
	size_t mlen;

	if (q->overwrite || q->pending_drop == 0 || ready(q) == -1)
		return 0;
	mlen = bq_marker(m, q->pending_drop);
	if (bq_space(q) < mlen + extra)
		return 0;
	put(q, (const unsigned char *)m, mlen);
	q->pending_drop = 0;
	q->markers++;
	return 1;
}

static void
drop(struct bq *q, size_t n)
{
	q->pending_drop += n;
	q->dropped += n;
}

size_t
bq_push(struct bq *q, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	if (len == 0)
		return 0;
	if (ready(q) == -1) {
		/* No memory: a gap with a marker later, never a crash. */
		if (!q->overwrite)
			drop(q, len);
		return 0;
	}
	if (q->overwrite) {
		/* Scrollback: keep the newest cap bytes. */
		if (len >= q->cap) {
			q->head = 0;
			q->len = 0;
			put(q, p + len - q->cap, q->cap);
			return len;
		}
		if (len > bq_space(q))
			bq_consume(q, len - bq_space(q));
		put(q, p, len);
		return len;
	}
	if (q->pending_drop > 0 && !queue_marker(q, 1)) {
		/* The gap goes on: no marker without data after it. */
		drop(q, len);
		return 0;
	}
	n = bq_space(q);
	if (n > len)
		n = len;
	put(q, p, n);
	if (n < len)
		drop(q, len - n);
	return n;
}

void
bq_note_drop(struct bq *q, uint64_t n)
{
	if (q->overwrite || n == 0)
		return;
	q->pending_drop += n;
	q->dropped += n;
}

int
bq_flush_marker(struct bq *q)
{
	return queue_marker(q, 0);
}

int
bq_peek(const struct bq *q, struct iovec iov[2])
{
	size_t first;

	if (q->len == 0)
		return 0;
	first = q->cap - q->head;
	if (first >= q->len) {
		iov[0].iov_base = q->buf + q->head;
		iov[0].iov_len = q->len;
		return 1;
	}
	iov[0].iov_base = q->buf + q->head;
	iov[0].iov_len = first;
	iov[1].iov_base = q->buf;
	iov[1].iov_len = q->len - first;
	return 2;
}

size_t
bq_tail(const struct bq *q, void *dst, size_t n)
{
	unsigned char *d = dst;
	size_t start, first;

	if (n > q->len)
		n = q->len;
	if (n == 0)
		return 0;
	start = (q->head + q->len - n) % q->cap;
	first = q->cap - start;
	if (first > n)
		first = n;
	memcpy(d, q->buf + start, first);
	memcpy(d + first, q->buf, n - first);
	return n;
}
