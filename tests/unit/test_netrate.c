/*
 * test_netrate.c - the vif "rate" limit (netrate.h): the libxl string,
 * Linux's credit rules (top-up per window, max(bytes, 128 KiB) burst),
 * and the long-run rate over simulated minutes of traffic.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x2545f4914f6cdd1dULL
#include "xorshift.h"

#include "netrate.h"

/* ---- the xenstore string ---- */

static void
test_parse(void **state)
{
	static const char *const bad[] = { "", ",", "1,", ",1", "1", "1,2,3",
	    " 1,2", "1 ,2", "1, 2", "1,2 ", "-1,2", "+1,2", "1,-2", "0x10,2",
	    "1;2", "1.5,2", "1,2\n", "18446744073709551616,1",
	    "1,18446744073709551616", "99999999999999999999999,1", "a,b" };
	uint64_t b = 7, u = 7;
	unsigned int i;

	(void)state;
	/* libxl_nic.c: "%"PRIu64",%"PRIu32 - xl's 1MB/s@20ms default. */
	assert_int_equal(nb_rate_parse("20000,20000", &b, &u), 0);
	assert_true(b == 20000 && u == 20000);
	assert_int_equal(nb_rate_parse("0,50000", &b, &u), 0);
	assert_true(b == 0 && u == 50000);
	assert_int_equal(nb_rate_parse("007,0", &b, &u), 0);
	assert_true(b == 7 && u == 0);
	assert_int_equal(nb_rate_parse("18446744073709551615,4294967295",
	    &b, &u), 0);
	assert_true(b == UINT64_MAX && u == 4294967295u);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = u = 7;
		errno = 0;
		assert_int_equal(nb_rate_parse(bad[i], &b, &u), -1);
		assert_int_equal(errno, EINVAL);
		assert_true(b == 7 && u == 7);
	}
	errno = 0;
	assert_int_equal(nb_rate_parse(NULL, &b, &u), -1);
	assert_int_equal(errno, EINVAL);
}

/* ---- credit rules ---- */

static void
test_unlimited(void **state)
{
	struct nb_rate r;
	uint64_t w = 99;

	(void)state;
	nb_rate_set(&r, 0, 50000, 1000);
	assert_true(nb_rate_take(&r, 1000, UINT32_MAX, &w));
	assert_true(w == 0);
	assert_true(r.bytes == 0 && r.usec == 0);
	nb_rate_set(&r, 100000, 0, 1000);
	assert_true(r.bytes == 0 && r.usec == 0);
	assert_true(nb_rate_take(&r, 0, UINT32_MAX, &w));
	assert_true(nb_rate_take(&r, 0, UINT32_MAX, NULL));
	assert_true(w == 0);
}

static void
test_starts_full_then_waits(void **state)
{
	struct nb_rate r;
	uint64_t w = 0, t0 = 5000000;

	(void)state;
	nb_rate_set(&r, 10000, 20000, t0);
	assert_true(nb_rate_take(&r, t0, 6000, &w));
	assert_true(nb_rate_take(&r, t0 + 10, 4000, &w));
	assert_true(r.remaining == 0);
	assert_true(nb_rate_take(&r, t0 + 10, 0, &w));
	/* Refused: nothing charged, try again at the window's end. */
	assert_false(nb_rate_take(&r, t0 + 5000, 1, &w));
	assert_true(w == 15000);
	assert_true(r.remaining == 0);
	/* Pending: refused whatever the size until then (Linux timer). */
	assert_false(nb_rate_take(&r, t0 + 19999, 0, &w));
	assert_true(w == 1);
	assert_false(nb_rate_take(&r, t0 + 6000, 1, NULL));
	/* Then one top-up. */
	assert_true(nb_rate_take(&r, t0 + 20000, 10000, &w));
	assert_true(w == 0);
	assert_false(nb_rate_take(&r, t0 + 20000, 1, &w));
	assert_true(w == 20000);
}

static void
test_window_expiry_without_refusal(void **state)
{
	struct nb_rate r;
	uint64_t w;

	(void)state;
	/* Linux looks at the window only when a packet does not fit. */
	nb_rate_set(&r, 10000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 9000, &w));
	assert_true(nb_rate_take(&r, 999, 1000, &w));
	assert_false(nb_rate_take(&r, 999, 1, &w));
	assert_true(w == 1);
	/* Nor when a packet fits, however old the window. */
	nb_rate_set(&r, 10000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 5000, &w));
	assert_true(nb_rate_take(&r, 2000, 1000, &w));
	assert_true(r.remaining == 4000);
	/* The window ends at window_start + usec exactly (time_after_eq). */
	nb_rate_set(&r, 10000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 10000, &w));
	assert_false(nb_rate_take(&r, 999, 1, &w));
	nb_rate_set(&r, 10000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 10000, &w));
	assert_true(nb_rate_take(&r, 1000, 1, &w));
	/* A window long gone gives one top-up, not one per window. */
	nb_rate_set(&r, 10000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 10000, &w));
	assert_true(nb_rate_take(&r, 1000000, 10000, &w));
	assert_true(r.remaining == 0);
	assert_false(nb_rate_take(&r, 1000000, 1, &w));
	/* The new window started at the top-up. */
	assert_true(w == 1000);
}

static void
test_small_credit_waits_a_window(void **state)
{
	struct nb_rate r;
	uint64_t w;

	(void)state;
	/*
	 * 1000 bytes per ms and a 1500-byte frame: a top-up at t that
	 * still leaves too little waits for the next one at t + 1 ms (Linux
	 * would arm its timer in the past and top up twice at once).
	 */
	nb_rate_set(&r, 1000, 1000, 0);
	assert_true(nb_rate_take(&r, 0, 1000, &w));
	assert_false(nb_rate_take(&r, 10000000, 1500, &w));
	assert_true(w == 1000);
	assert_true(r.remaining == 1000);
	assert_true(nb_rate_take(&r, 10001000, 1500, &w));
	assert_true(r.remaining == 500);
}

static void
test_aligned_windows(void **state)
{
	struct nb_rate r;
	uint64_t w, t = 0;

	(void)state;
	/* Retries that come late do not push the schedule back. */
	nb_rate_set(&r, 1000, 1000, 0);
	assert_true(nb_rate_take(&r, t, 1000, &w));
	assert_false(nb_rate_take(&r, 300, 1000, &w));
	assert_true(w == 700);
	t = 1000 + 250;				/* 250 us late */
	assert_true(nb_rate_take(&r, t, 1000, &w));
	assert_false(nb_rate_take(&r, t, 1000, &w));
	assert_true(w == 750);			/* window at 2000, not 2250 */
	assert_true(nb_rate_take(&r, 2000, 1000, &w));
}

static void
test_burst_rule(void **state)
{
	struct nb_rate r;
	uint64_t w, t = 0;
	unsigned int tries = 0;

	(void)state;
	/*
	 * Linux tx_add_credit: credit grows to max(bytes, 128 KiB), so a
	 * 64 KiB GSO frame gets through a 1000-byte window in time (with a
	 * cap of bytes it never would: "the interface can seize up").
	 */
	nb_rate_set(&r, 1000, 1000, 0);
	while (!nb_rate_take(&r, t, 65535, &w)) {
		assert_true(w > 0 && w <= 1000);
		t += w;
		tries++;
		assert_true(tries < 1000);
	}
	assert_int_equal(tries, 65);
	assert_true(r.remaining == 66000 - 65535);

	/* It stops at 128 KiB: a bigger packet never passes. */
	nb_rate_set(&r, 1000, 1000, 0);
	for (t = 0, tries = 0; tries < 500; tries++) {
		assert_false(nb_rate_take(&r, t, NB_RATE_MIN_BURST + 1, &w));
		t += w;
		assert_true(r.remaining <= NB_RATE_MIN_BURST);
	}
	assert_true(r.remaining == NB_RATE_MIN_BURST);
	assert_true(nb_rate_take(&r, t, NB_RATE_MIN_BURST, &w));
	assert_true(r.remaining == 0);

	/* Bytes + 64 KiB above 128 KiB: the cap is bytes + 64 KiB. */
	nb_rate_set(&r, 200000, 1000, 0);
	for (t = 0, tries = 0; tries < 10; tries++) {
		assert_false(nb_rate_take(&r, t, 200000 + NB_RATE_PKT_MAX + 1,
		    &w));
		t += w;
		assert_true(r.remaining <= 200000 + NB_RATE_PKT_MAX);
	}
}

static void
test_no_wrap(void **state)
{
	struct nb_rate r;
	uint64_t w;

	(void)state;
	nb_rate_set(&r, UINT64_MAX, UINT64_MAX, UINT64_MAX - 10);
	assert_true(nb_rate_take(&r, UINT64_MAX - 10, UINT32_MAX, &w));
	assert_true(r.remaining == UINT64_MAX - UINT32_MAX);
	/* Top-up saturates instead of wrapping. */
	r.remaining = 5;
	assert_false(nb_rate_take(&r, UINT64_MAX - 5, 6, &w));
	assert_true(w == 5);
	assert_true(nb_rate_take(&r, UINT64_MAX, 6, &w));
	assert_true(r.remaining == UINT64_MAX - 6);

	/* A live change starts over, full. */
	nb_rate_set(&r, 3000, 100, 77);
	assert_true(r.remaining == 3000 && !r.limited);
	assert_true(r.window_start == 77);
}

/* ---- long run ---- */


/*
 * A sender that always has a packet and retries exactly when told (or a
 * little late, jitter_us): bytes sent per second over secs seconds.
 */
static bool gso_sizes;		/* run(): 40000..65535-byte packets */

static double
run(uint64_t bytes, uint64_t usec, unsigned int secs, bool random_sizes,
    uint64_t jitter_us)
{
	struct nb_rate r;
	uint64_t t = 1000000, end, sent = 0, w;
	uint32_t size = 1514;

	nb_rate_set(&r, bytes, usec, t);
	end = t + (uint64_t)secs * 1000000;
	while (t < end) {
		if (nb_rate_take(&r, t, size, &w)) {
			sent += size;
			if (gso_sizes)
				size = (uint32_t)(40000 + rng() % 25536);
			else if (random_sizes)
				size = rng() % 8 ? (uint32_t)(60 + rng() %
				    1455) : (uint32_t)(1 + rng() % 65535);
		} else {
			assert_true(w > 0);
			t += w + (jitter_us ? rng() % jitter_us : 0);
		}
	}
	return (double)sent / secs;
}

static void
assert_rate_near(double got, double want)
{
	double err = got > want ? got - want : want - got;

	if (err > want / 100)
		fail_msg("rate %.0f B/s, configured %.0f B/s", got, want);
}

static void
test_long_run_rate(void **state)
{
	(void)state;
	/*
	 * GSO frames at 20 Mbit/s in 50 ms windows (125000 bytes, near
	 * 128 KiB): Linux's max(bytes, 128 KiB) cap loses the credit a
	 * waiting frame cannot use (~10-20% short); ours must not.
	 */
	gso_sizes = true;
	assert_rate_near(run(125000, 50000, 120, false, 0), 2.5e6);
	assert_rate_near(run(62500, 50000, 120, false, 0), 1.25e6);
	gso_sizes = false;
	/* xl "rate=1MB/s" (20000 bytes every 20 ms), full-size frames. */
	assert_rate_near(run(20000, 20000, 120, false, 0), 1e6);
	/* 100 Mbit/s in 50 ms windows. */
	assert_rate_near(run(625000, 50000, 60, false, 0), 12.5e6);
	/* Mixed sizes up to 64 KiB GSO frames, windows below a frame. */
	assert_rate_near(run(1000, 1000, 300, true, 0), 1e6);
	assert_rate_near(run(50000, 10000, 120, true, 0), 5e6);
	/* Late retries (up to 20% of a window) lose nothing. */
	assert_rate_near(run(20000, 20000, 120, true, 4000), 1e6);
	/* 1 Gbit/s, 1 ms windows. */
	assert_rate_near(run(125000, 1000, 10, false, 0), 125e6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_starts_full_then_waits),
		cmocka_unit_test(test_window_expiry_without_refusal),
		cmocka_unit_test(test_small_credit_waits_a_window),
		cmocka_unit_test(test_aligned_windows),
		cmocka_unit_test(test_burst_rule),
		cmocka_unit_test(test_no_wrap),
		cmocka_unit_test(test_long_run_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
