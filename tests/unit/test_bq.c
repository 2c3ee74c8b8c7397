/*
 * test_bq.c - the bounded byte queue (bq.h): drop markers at the place of
 * the gap, marker only with data after it, wrap-around, overwrite mode for
 * the scrollback, bq_tail, and a random run against a linear model.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x6a09e667f3bcc909ULL
#include "xorshift.h"

#include "bq.h"

/* The queue's bytes, oldest first, via bq_peek(); returns the count. */
static size_t
contents(const struct bq *q, unsigned char *dst)
{
	struct iovec iov[2];
	size_t n = 0;
	int i, cnt;

	cnt = bq_peek(q, iov);
	assert_true(cnt >= 0 && cnt <= 2);
	for (i = 0; i < cnt; i++) {
		assert_true(iov[i].iov_len > 0);
		memcpy(dst + n, iov[i].iov_base, iov[i].iov_len);
		n += iov[i].iov_len;
	}
	assert_int_equal(n, bq_len(q));
	return n;
}

static void
test_init(void **state)
{
	struct bq q;

	(void)state;
	errno = 0;
	assert_int_equal(bq_init(&q, 2 * BQ_MARKER_MAX - 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bq_init(&q, 2 * BQ_MARKER_MAX, 0), 0);
	assert_int_equal(bq_len(&q), 0);
	assert_int_equal(bq_space(&q), 2 * BQ_MARKER_MAX);
	bq_free(&q);
	bq_free(&q);	/* freed struct: still safe */
}

static void
test_marker_text(void **state)
{
	char m[BQ_MARKER_MAX];
	size_t n;

	(void)state;
	n = bq_marker(m, 5);
	assert_int_equal(n, strlen("\r\n[consoled: 5 bytes dropped]\r\n"));
	assert_memory_equal(m, "\r\n[consoled: 5 bytes dropped]\r\n", n);
	n = bq_marker(m, UINT64_MAX);
	assert_true(n < BQ_MARKER_MAX);
	assert_memory_equal(m,
	    "\r\n[consoled: 18446744073709551615 bytes dropped]\r\n", n);
}

static void
test_overflow_one_marker(void **state)
{
	unsigned char a[256], b[100], c[50], d[10], got[256], want[256];
	char m[BQ_MARKER_MAX];
	size_t mlen, n;
	struct bq q;

	(void)state;
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	memset(d, 'd', sizeof(d));
	assert_int_equal(bq_init(&q, 256, 0), 0);
	assert_int_equal(bq_push(&q, a, 200), 200);
	/* 56 fit, 44 dropped. */
	assert_int_equal(bq_push(&q, b, 100), 56);
	assert_int_equal(bq_space(&q), 0);
	assert_true(q.dropped == 44 && q.pending_drop == 44);
	/* Full: everything dropped, still no marker. */
	assert_int_equal(bq_push(&q, c, 50), 0);
	assert_true(q.dropped == 94 && q.markers == 0);
	bq_consume(&q, 200);
	/* One marker for the whole gap, then the data. */
	assert_int_equal(bq_push(&q, d, 10), 10);
	assert_true(q.markers == 1 && q.pending_drop == 0 && q.dropped == 94);
	mlen = bq_marker(m, 94);
	n = contents(&q, got);
	memset(want, 'b', 56);
	memcpy(want + 56, m, mlen);
	memset(want + 56 + mlen, 'd', 10);
	assert_int_equal(n, 56 + mlen + 10);
	assert_memory_equal(got, want, n);
	/* No second marker without a second gap. */
	assert_int_equal(bq_push(&q, d, 10), 10);
	assert_true(q.markers == 1);
	bq_free(&q);
}

static void
test_marker_needs_a_data_byte(void **state)
{
	unsigned char fill[256], x[5] = "xxxxx", got[256];
	char m[BQ_MARKER_MAX];
	size_t mlen, n;
	struct bq q;

	(void)state;
	memset(fill, 'f', sizeof(fill));
	/* Counts stay one digit, so every marker here has the same length. */
	mlen = bq_marker(m, 1);
	assert_int_equal(bq_init(&q, 256, 0), 0);
	assert_int_equal(bq_push(&q, fill, 256), 256);
	assert_int_equal(bq_push(&q, x, 1), 0);	/* 1 dropped */
	/* Exactly the marker's size free: no room for a data byte after it. */
	bq_consume(&q, mlen);
	assert_int_equal(bq_space(&q), mlen);
	assert_int_equal(bq_push(&q, x, 1), 0);
	assert_true(q.pending_drop == 2 && q.dropped == 2 && q.markers == 0);
	assert_int_equal(bq_len(&q), 256 - mlen);
	/* One more byte free: the marker (for 2) and one data byte. */
	bq_consume(&q, 1);
	assert_int_equal(bq_push(&q, x, 5), 1);
	assert_true(q.markers == 1 && q.dropped == 6 && q.pending_drop == 4);
	n = contents(&q, got);
	assert_int_equal(n, 256);	/* full again */
	assert_int_equal(bq_marker(m, 2), mlen);
	assert_memory_equal(got + n - mlen - 1, m, mlen);
	assert_int_equal(got[n - 1], 'x');
	assert_int_equal(got[n - mlen - 2], 'f');
	bq_free(&q);
}

static void
test_note_drop_and_flush(void **state)
{
	unsigned char got[256];
	char m[BQ_MARKER_MAX];
	size_t mlen;
	struct bq q;

	(void)state;
	assert_int_equal(bq_init(&q, 128, 0), 0);
	assert_int_equal(bq_flush_marker(&q), 0);	/* nothing pending */
	bq_note_drop(&q, 1000);
	assert_true(q.pending_drop == 1000 && q.dropped == 1000);
	assert_int_equal(bq_len(&q), 0);
	assert_int_equal(bq_flush_marker(&q), 1);
	mlen = bq_marker(m, 1000);
	assert_int_equal(contents(&q, got), mlen);
	assert_memory_equal(got, m, mlen);
	assert_true(q.pending_drop == 0 && q.markers == 1);
	assert_int_equal(bq_flush_marker(&q), 0);
	/* Does not fit: stays pending. */
	memset(got, 'g', 80);
	assert_int_equal(bq_push(&q, got, 80), 80);
	bq_note_drop(&q, 7);
	assert_true(bq_space(&q) < bq_marker(m, 7));
	assert_int_equal(bq_flush_marker(&q), 0);
	assert_true(q.pending_drop == 7 && q.markers == 1);
	bq_free(&q);
}

static void
test_wrap_peek_consume(void **state)
{
	unsigned char data[300], got[200];
	struct iovec iov[2];
	struct bq q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	assert_int_equal(bq_init(&q, 200, 0), 0);
	assert_int_equal(bq_push(&q, data, 150), 150);
	bq_consume(&q, 120);
	/* 30 queued at offset 120; 100 more wrap past the end. */
	assert_int_equal(bq_push(&q, data + 150, 100), 100);
	assert_int_equal(bq_peek(&q, iov), 2);
	assert_int_equal(iov[0].iov_len, 80);
	assert_int_equal(iov[1].iov_len, 50);
	assert_int_equal(contents(&q, got), 130);
	assert_memory_equal(got, data + 120, 130);
	/* Consume across the wrap point. */
	bq_consume(&q, 90);
	assert_int_equal(bq_peek(&q, iov), 1);
	assert_int_equal(iov[0].iov_len, 40);
	assert_memory_equal(iov[0].iov_base, data + 210, 40);
	bq_consume(&q, 40);
	assert_int_equal(bq_peek(&q, iov), 0);
	assert_int_equal(bq_len(&q), 0);
	assert_int_equal(bq_space(&q), 200);
	bq_free(&q);
}

static void
test_tail(void **state)
{
	unsigned char data[300], got[300];
	struct bq q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	assert_int_equal(bq_init(&q, 200, 0), 0);
	assert_int_equal(bq_tail(&q, got, 10), 0);
	assert_int_equal(bq_push(&q, data, 180), 180);
	bq_consume(&q, 170);
	assert_int_equal(bq_push(&q, data + 180, 60), 60);	/* wraps */
	assert_int_equal(bq_len(&q), 70);
	assert_int_equal(bq_tail(&q, got, 25), 25);
	assert_memory_equal(got, data + 240 - 25, 25);
	assert_int_equal(bq_tail(&q, got, 55), 55);		/* across the wrap */
	assert_memory_equal(got, data + 240 - 55, 55);
	assert_int_equal(bq_tail(&q, got, 1000), 70);
	assert_memory_equal(got, data + 170, 70);
	assert_int_equal(bq_len(&q), 70);			/* untouched */
	bq_free(&q);
}

static void
test_overwrite(void **state)
{
	unsigned char data[1000], got[128];
	struct bq q;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i ^ (i >> 8));
	assert_int_equal(bq_init(&q, 128, 1), 0);
	for (off = 0; off < 700; off += 37) {
		assert_int_equal(bq_push(&q, data + off, 37), 37);
		i = off + 37 < 128 ? off + 37 : 128;
		assert_int_equal(bq_len(&q), i);
		assert_int_equal(contents(&q, got), i);
		assert_memory_equal(got, data + off + 37 - i, i);
	}
	/* One push larger than the queue keeps its newest cap bytes. */
	assert_int_equal(bq_push(&q, data, 1000), 1000);
	assert_int_equal(contents(&q, got), 128);
	assert_memory_equal(got, data + 1000 - 128, 128);
	assert_int_equal(bq_tail(&q, got, 10), 10);
	assert_memory_equal(got, data + 990, 10);
	/* Never a marker, never a drop. */
	bq_note_drop(&q, 5);
	assert_int_equal(bq_flush_marker(&q), 0);
	assert_true(q.markers == 0 && q.dropped == 0 && q.pending_drop == 0);
	bq_free(&q);
}

/* ---- random operations against a linear model ---- */

struct model {
	unsigned char	*b;
	size_t		 len, cap;
	uint64_t	 pending, dropped, markers;
	int		 overwrite;
};

static void
model_append(struct model *m, const void *p, size_t n)
{
	assert_true(m->len + n <= m->cap);
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static size_t
model_push(struct model *m, const unsigned char *p, size_t n)
{
	char mk[BQ_MARKER_MAX];
	size_t ml, fit;

	if (n == 0)
		return 0;
	if (m->overwrite) {
		if (n >= m->cap) {
			m->len = 0;
			model_append(m, p + n - m->cap, m->cap);
			return n;
		}
		if (m->len + n > m->cap) {
			fit = m->len + n - m->cap;
			memmove(m->b, m->b + fit, m->len - fit);
			m->len -= fit;
		}
		model_append(m, p, n);
		return n;
	}
	if (m->pending > 0) {
		ml = bq_marker(mk, m->pending);
		if (m->cap - m->len < ml + 1) {
			m->pending += n;
			m->dropped += n;
			return 0;
		}
		model_append(m, mk, ml);
		m->pending = 0;
		m->markers++;
	}
	fit = m->cap - m->len < n ? m->cap - m->len : n;
	model_append(m, p, fit);
	m->pending += n - fit;
	m->dropped += n - fit;
	return fit;
}

static void
check_model(const struct bq *q, const struct model *m, unsigned char *tmp)
{
	assert_int_equal(contents(q, tmp), m->len);
	assert_memory_equal(tmp, m->b, m->len);
	assert_true(q->pending_drop == m->pending);
	assert_true(q->dropped == m->dropped);
	assert_true(q->markers == m->markers);
	assert_int_equal(bq_space(q), m->cap - m->len);
}

static void
random_run(int overwrite)
{
	unsigned char data[1200], tmp[1200], tl[1200];
	char mk[BQ_MARKER_MAX];
	struct model m;
	struct bq q;
	size_t cap, n, ml, r;
	int iter, op, round;

	for (round = 0; round < 20; round++) {
		cap = 2 * BQ_MARKER_MAX + rng() % 900;
		assert_int_equal(bq_init(&q, cap, overwrite), 0);
		memset(&m, 0, sizeof(m));
		m.b = malloc(cap);
		assert_non_null(m.b);
		m.cap = cap;
		m.overwrite = overwrite;
		for (iter = 0; iter < 3000; iter++) {
			op = (int)(rng() % 10);
			if (op < 5) {
				n = rng() % (rng() % 4 == 0 ? 1200 : 64);
				for (r = 0; r < n; r++)
					data[r] = (unsigned char)rng();
				assert_int_equal(bq_push(&q, data, n),
				    model_push(&m, data, n));
			} else if (op < 8) {
				n = m.len == 0 ? 0 : rng() % (m.len + 1);
				bq_consume(&q, n);
				memmove(m.b, m.b + n, m.len - n);
				m.len -= n;
			} else if (op == 8) {
				n = rng() % 100;
				bq_note_drop(&q, n);
				if (!overwrite) {
					m.pending += n;
					m.dropped += n;
				}
				ml = bq_marker(mk, m.pending);
				if (!overwrite && m.pending > 0 &&
				    m.cap - m.len >= ml) {
					model_append(&m, mk, ml);
					m.pending = 0;
					m.markers++;
					assert_int_equal(bq_flush_marker(&q), 1);
				} else
					assert_int_equal(bq_flush_marker(&q), 0);
			} else {
				n = rng() % (cap + 10);
				r = bq_tail(&q, tl, n);
				assert_int_equal(r, n < m.len ? n : m.len);
				assert_memory_equal(tl, m.b + m.len - r, r);
			}
			check_model(&q, &m, tmp);
		}
		bq_free(&q);
		free(m.b);
	}
}

static void
test_random_model(void **state)
{
	(void)state;
	random_run(0);
}

static void
test_random_model_overwrite(void **state)
{
	(void)state;
	random_run(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_marker_text),
		cmocka_unit_test(test_overflow_one_marker),
		cmocka_unit_test(test_marker_needs_a_data_byte),
		cmocka_unit_test(test_note_drop_and_flush),
		cmocka_unit_test(test_wrap_peek_consume),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_overwrite),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_random_model_overwrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
