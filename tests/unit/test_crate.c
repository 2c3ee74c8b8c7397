/*
 * test_crate.c - the drain limit (crate.h): unlimited, throttling after the
 * burst, refill, the clock going backwards, huge time jumps (no overflow:
 * xen d0495ec8c1 froze consoles), crate_wait_ms() always in [1, 1000],
 * debt, and the long-run rate of a simulated drain loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0xbb67ae8584caa73bULL
#include "xorshift.h"

#include "crate.h"

#define SEC	1000000000ULL
#define MS	1000000ULL

static void
test_unlimited(void **state)
{
	struct crate c;
	int i;

	(void)state;
	crate_init(&c, 0, 0, 123);
	for (i = 0; i < 1000; i++) {
		assert_true(crate_allow(&c, 123));
		crate_charge(&c, UINT64_MAX);
	}
	assert_true(crate_allow(&c, 0));
	assert_true(c.throttled == 0);
	assert_int_equal(crate_wait_ms(&c, 123), 1);
}

static void
test_default_burst(void **state)
{
	struct crate c;

	(void)state;
	crate_init(&c, 8 << 20, 0, 0);
	assert_true(c.burst == 1 << 20 && c.tokens == c.burst);
	crate_init(&c, 1000, 0, 0);
	assert_true(c.burst == 8192 && c.tokens == 8192);	/* at least 8 KiB */
	crate_init(&c, 1000, 500, 0);
	assert_true(c.burst == 500 && c.tokens == 500);
	crate_init(&c, UINT64_MAX, 0, 0);
	assert_true(c.burst == UINT64_MAX / 8);
}

static void
test_throttles_after_burst(void **state)
{
	struct crate c;
	uint64_t t = 5 * SEC;
	int drains = 0;

	(void)state;
	crate_init(&c, 100000, 20000, t);
	/* 20000 tokens; each drain of 2048 bytes costs 2304. */
	while (crate_allow(&c, t)) {
		crate_charge(&c, 2048);
		drains++;
		assert_true(drains < 100);
	}
	/* ceil(20000 / 2304) = 9 drains before the bucket is empty. */
	assert_int_equal(drains, 9);
	assert_true(c.tokens == 0 && c.throttled == 1);
	assert_false(crate_allow(&c, t));
	assert_true(c.throttled == 2);
}

static void
test_event_cost(void **state)
{
	struct crate c;

	(void)state;
	crate_init(&c, 1000, 10000, 0);
	crate_charge(&c, 0);
	assert_true(c.tokens == 10000 - CRATE_EVENT_COST);
	crate_charge(&c, 1000);
	assert_true(c.tokens == 10000 - 2 * CRATE_EVENT_COST - 1000);
	/* An event storm with no data empties the bucket too. */
	while (crate_allow(&c, 0))
		crate_charge(&c, 0);
	assert_true(c.tokens == 0);
	/* Floors at 0, no wrap; the debt is capped at the burst. */
	crate_charge(&c, UINT64_MAX);
	assert_true(c.tokens == 0 && c.debt == 10000);
	crate_init(&c, 1000, 10000, 0);
	crate_charge(&c, UINT64_MAX - 10);
	assert_true(c.tokens == 0 && c.debt == 10000);
	/* ... so it is repaid in burst/rate = 10 s, then 1280 more. */
	assert_false(crate_allow(&c, 10 * SEC - MS));
	assert_int_equal(crate_wait_ms(&c, 10 * SEC - MS), 1000);
	assert_false(crate_allow(&c, 10 * SEC));
	assert_int_equal(crate_wait_ms(&c, 10 * SEC + 500 * MS), 780);
	assert_true(crate_allow(&c, 10 * SEC + MS));
	assert_true(c.debt == 0 && c.tokens == 1);
}

static void
test_refill(void **state)
{
	struct crate c;
	uint64_t t = 1000;

	(void)state;
	crate_init(&c, 1000, 5000, t);	/* 1 token per ms */
	crate_charge(&c, 5000 - CRATE_EVENT_COST);
	assert_true(c.tokens == 0 && c.debt == 0);
	assert_false(crate_allow(&c, t));
	crate_refill(&c, t + 10 * MS);
	assert_true(c.tokens == 10);
	/* Fractions carry: 1000 calls 0.5 ms apart earn 500 tokens. */
	crate_charge(&c, 10 - CRATE_EVENT_COST + 300);
	assert_true(c.tokens == 0 && c.debt == 300);
	t += 10 * MS;
	for (int i = 0; i < 1000; i++) {
		t += MS / 2;
		crate_refill(&c, t);
	}
	/* ... after the 300 of debt. */
	assert_true(c.tokens == 200 && c.debt == 0);
	/* ... and 1000 calls 1 ns apart do not stall it either. */
	for (int i = 0; i < 1000000; i++) {
		t += 1;
		crate_refill(&c, t);
	}
	assert_true(c.tokens == 201);
	/* Capped at the burst. */
	crate_refill(&c, t + 100 * SEC);
	assert_true(c.tokens == 5000);
}

static void
test_clock_backwards(void **state)
{
	struct crate c;
	uint64_t t = 50 * SEC;

	(void)state;
	crate_init(&c, 1000, 5000, t);
	crate_charge(&c, 5000 - CRATE_EVENT_COST);
	/* Backwards earns nothing ... */
	crate_refill(&c, t - 10 * SEC);
	assert_true(c.tokens == 0);
	assert_false(crate_allow(&c, 0));
	assert_true(c.tokens == 0);
	/* ... and does not freeze the bucket until the clock catches up. */
	assert_true(crate_allow(&c, 2 * MS));
	assert_true(c.tokens == 2);
	assert_true(crate_wait_ms(&c, 2 * MS) >= 1);
	/* wait_ms with a "now" before last_ns is still in range. */
	assert_true(crate_wait_ms(&c, 0) >= 1 && crate_wait_ms(&c, 0) <= 1000);
}

static void
test_huge_jumps(void **state)
{
	struct crate c;

	(void)state;
	/* Largest rate and largest step: the product needs 128 bits. */
	crate_init(&c, UINT64_MAX, 1 << 20, 0);
	crate_charge(&c, 1 << 20);
	crate_refill(&c, UINT64_MAX);
	assert_true(c.tokens == 1 << 20 && c.last_ns == UINT64_MAX);
	crate_init(&c, UINT64_MAX, UINT64_MAX, 0);
	crate_charge(&c, UINT64_MAX);
	crate_refill(&c, UINT64_MAX);
	assert_true(c.tokens == UINT64_MAX);
	/* A step that wraps 32 bits of ms or of ns (xen d0495ec8c1). */
	crate_init(&c, 1000, 5000, 0);
	crate_charge(&c, 5000);
	crate_refill(&c, 4294967296ULL * MS + 3 * MS);
	assert_true(c.tokens == 5000 && c.debt == 0);
	crate_init(&c, 1000, 5000, UINT64_MAX - 10 * MS);
	crate_charge(&c, 5000 - CRATE_EVENT_COST);
	crate_refill(&c, UINT64_MAX);
	assert_true(c.tokens == 10);
	assert_true(crate_allow(&c, UINT64_MAX));
}

static void
check_wait(const struct crate *c, uint64_t now)
{
	unsigned int w = crate_wait_ms(c, now);

	assert_true(w >= 1 && w <= 1000);
}

static void
test_wait_ms_range(void **state)
{
	static const uint64_t rates[] = { 1, 2, 999, 1000, 1280, 4096,
	    1 << 20, 8 << 20, 1ULL << 40, UINT64_MAX / 2, UINT64_MAX };
	struct crate c;
	unsigned int i, k;
	uint64_t t, burst;

	(void)state;
	/* rate 1: 1280 tokens take 1280 s, capped to 1000 ms. */
	crate_init(&c, 1, 0, 0);
	crate_charge(&c, UINT64_MAX);
	assert_int_equal(crate_wait_ms(&c, 0), 1000);
	/* rate UINT64_MAX: 1280 tokens come in under 1 ns. */
	crate_init(&c, UINT64_MAX, 0, 0);
	crate_charge(&c, c.burst - CRATE_EVENT_COST);
	assert_true(c.tokens == 0 && c.debt == 0);
	assert_int_equal(crate_wait_ms(&c, 0), 1);
	/* ... and a full bucket of debt (2^61 B) in just over 125 ms. */
	crate_charge(&c, UINT64_MAX);
	assert_int_equal(crate_wait_ms(&c, 0), 126);
	/* 1280 tokens at 1280 B/s: exactly 1000 ms; at 12800 B/s: 100 ms. */
	crate_init(&c, 1280, 0, 0);
	crate_charge(&c, c.burst - CRATE_EVENT_COST);
	assert_int_equal(crate_wait_ms(&c, 0), 1000);
	crate_init(&c, 12800, 0, 0);
	crate_charge(&c, c.burst - CRATE_EVENT_COST);
	assert_int_equal(crate_wait_ms(&c, 0), 100);
	/* Half-way there: half the wait. */
	assert_int_equal(crate_wait_ms(&c, 50 * MS), 50);
	assert_int_equal(crate_wait_ms(&c, 100 * MS), 1);
	/* Full bucket: 1. */
	crate_init(&c, 1000, 0, 0);
	assert_int_equal(crate_wait_ms(&c, 0), 1);
	/* A bucket smaller than what it waits for: waits until full. */
	crate_init(&c, 1000, 100, 0);
	crate_charge(&c, 100);
	assert_true(c.tokens == 0 && c.debt == 100);
	assert_int_equal(crate_wait_ms(&c, 0), 200);
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		for (k = 0; k < 2000; k++) {
			burst = rng() % 3 == 0 ? 0 : rng() >> (rng() % 64);
			t = rng() >> (rng() % 64);
			crate_init(&c, rates[i], burst, t);
			crate_charge(&c, rng() >> (rng() % 64));
			check_wait(&c, t);
			check_wait(&c, t + (rng() >> (rng() % 64)));
			check_wait(&c, t - (rng() >> (rng() % 64)));
			check_wait(&c, UINT64_MAX);
			check_wait(&c, 0);
		}
}

static void
test_long_run_rate(void **state)
{
	struct crate c;
	uint64_t t = 1000 * SEC, t0, moved = 0;
	uint64_t rate = 1 << 20;	/* 1 MiB/s */
	unsigned int w;

	(void)state;
	/* A guest that always has a full ring: drain, or sleep wait_ms. */
	crate_init(&c, rate, 0, t);
	t0 = t;
	while (t - t0 < 60 * SEC) {
		if (crate_allow(&c, t)) {
			crate_charge(&c, 2048);
			moved += 2048;
			t += 10000;	/* 10 us per drain */
		} else {
			w = crate_wait_ms(&c, t);
			assert_true(w >= 1 && w <= 1000);
			t += w * MS;
		}
	}
	/* Every drain paid in full (debt): cost ~ rate, burst on top. */
	assert_true(moved / 2048 * (2048 + CRATE_EVENT_COST) <=
	    60 * rate + c.burst + 2048 + CRATE_EVENT_COST);
	assert_true(moved / 2048 * (2048 + CRATE_EVENT_COST) >=
	    60 * rate * 97 / 100);
	assert_true(c.throttled > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_default_burst),
		cmocka_unit_test(test_throttles_after_burst),
		cmocka_unit_test(test_event_cost),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_huge_jumps),
		cmocka_unit_test(test_wait_ms_range),
		cmocka_unit_test(test_long_run_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
