/*
 * test_loglimit.c - the per-device lifecycle log limiter (log.h,
 * struct log_limit): token bucket, the warning that always gets through,
 * summary timing and text, and the routing of log_*() lines through a
 * scope.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

#define T0	1000000		/* any start time: the clock is the caller's */

static struct log_limit
lim_std(void)
{
	struct log_limit l;

	log_limit_init(&l, "vbd d5/51712", LOG_LIMIT_BURST,
	    LOG_LIMIT_INTERVAL_MS, LOG_LIMIT_SUMMARY_MS);
	return l;
}

/* burst lines at once, then nothing until a token comes back */
static void
test_burst(void **state)
{
	struct log_limit l = lim_std();
	unsigned int i;

	(void)state;
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(log_limit_pass(&l, T0, NULL));
	assert_false(log_limit_pass(&l, T0, NULL));
	assert_false(log_limit_pass(&l, T0 + 999, NULL));
	assert_int_equal(l.dropped, 2);
	assert_true(log_limit_pass(&l, T0 + 1000, NULL));
	assert_false(log_limit_pass(&l, T0 + 1001, NULL));
	/* 2.5 intervals later: two tokens, the half is kept for the third */
	assert_true(log_limit_pass(&l, T0 + 3500, NULL));
	assert_true(log_limit_pass(&l, T0 + 3500, NULL));
	assert_false(log_limit_pass(&l, T0 + 3500, NULL));
	assert_true(log_limit_pass(&l, T0 + 4000, NULL));
}

/* a quiet device gets its whole burst back, and no more */
static void
test_refill_capped(void **state)
{
	struct log_limit l = lim_std();
	unsigned int i, n = 0;

	(void)state;
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(log_limit_pass(&l, T0, NULL));
	/* an hour of silence banks burst tokens, not 3600 */
	for (i = 0; i < 100; i++)
		n += log_limit_pass(&l, T0 + 3600 * 1000, NULL);
	assert_int_equal(n, LOG_LIMIT_BURST);
	/* a full bucket banks no time either */
	l = lim_std();
	assert_true(log_limit_pass(&l, T0, NULL));
	for (i = 0, n = 0; i < 100; i++)
		n += log_limit_pass(&l, T0 + 10 * 1000, NULL);
	assert_int_equal(n, LOG_LIMIT_BURST);
	/* a clock that goes back costs tokens, it does not mint them */
	for (i = 0, n = 0; i < 10; i++)
		n += log_limit_pass(&l, T0, NULL);
	assert_int_equal(n, 0);
}

/* interval 0: no limit at all */
static void
test_unlimited(void **state)
{
	struct log_limit l;
	unsigned int i;

	(void)state;
	log_limit_init(&l, "vif d1/0", 1, 0, 1000);
	for (i = 0; i < 10000; i++)
		assert_true(log_limit_pass(&l, T0, i % 2 ? "bad" : NULL));
	assert_int_equal(log_limit_due(&l, T0 + 5000), -1);
}

/*
 * Once suppressing, the first warning still gets through (it names why
 * the device was closed); later ones are counted and the last one's text
 * is in the summary.  After the summary the next first warning passes.
 */
static void
test_warning_first_kept(void **state)
{
	struct log_limit l = lim_std();
	char buf[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(log_limit_pass(&l, T0, NULL));
	assert_false(log_limit_pass(&l, T0 + 1, NULL));
	assert_true(log_limit_pass(&l, T0 + 2, "frontend ring-ref \"abc\": "
	    "not a decimal number"));
	assert_false(log_limit_pass(&l, T0 + 3, "frontend ring-ref \"x\": "
	    "not a decimal number"));
	assert_false(log_limit_pass(&l, T0 + 4, "frontend port \"7up\": "
	    "not a decimal number"));
	assert_false(log_limit_pass(&l, T0 + 5, NULL));
	assert_int_equal(l.dropped, 4);
	assert_int_equal(l.dropped_warn, 2);
	assert_true(log_limit_summary(&l, T0 + 500, buf, sizeof(buf)));
	assert_string_equal(buf, "4 lifecycle lines suppressed in the last 1 s "
	    "(frontend cycling); 2 of them warnings, the last: frontend port "
	    "\"7up\": not a decimal number");
	/* counted afresh */
	assert_int_equal(l.dropped, 0);
	assert_int_equal(l.dropped_warn, 0);
	assert_false(log_limit_summary(&l, T0 + 600, buf, sizeof(buf)));
	assert_true(log_limit_pass(&l, T0 + 600, "again"));
	assert_false(log_limit_pass(&l, T0 + 601, "and again"));
}

/* a summary is due summary_ms after the first suppressed line */
static void
test_due(void **state)
{
	struct log_limit l = lim_std();
	char buf[512];
	unsigned int i;

	(void)state;
	assert_int_equal(log_limit_due(&l, T0), -1);
	assert_false(log_limit_summary(&l, T0, buf, sizeof(buf)));
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		log_limit_pass(&l, T0, NULL);
	assert_int_equal(log_limit_due(&l, T0), -1);
	assert_false(log_limit_pass(&l, T0 + 200, NULL));
	assert_int_equal(log_limit_due(&l, T0 + 200), LOG_LIMIT_SUMMARY_MS);
	assert_int_equal(log_limit_due(&l, T0 + 5200), 5000);
	assert_false(log_limit_pass(&l, T0 + 300, NULL));
	assert_int_equal(log_limit_due(&l, T0 + 300), 9900);	/* no reset */
	assert_int_equal(log_limit_due(&l, T0 + 10199), 1);
	assert_int_equal(log_limit_due(&l, T0 + 10200), 0);
	assert_int_equal(log_limit_due(&l, T0 + 99999), 0);
	assert_true(log_limit_summary(&l, T0 + 10200, buf, sizeof(buf)));
	assert_string_equal(buf, "2 lifecycle lines suppressed in the last "
	    "10 s (frontend cycling)");
	assert_int_equal(log_limit_due(&l, T0 + 10200), -1);
	/* one line: singular; a summary at once says 1 s, not 0 */
	l = lim_std();
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		log_limit_pass(&l, T0, NULL);
	assert_false(log_limit_pass(&l, T0, NULL));
	assert_true(log_limit_summary(&l, T0, buf, sizeof(buf)));
	assert_string_equal(buf, "1 lifecycle line suppressed in the last "
	    "1 s (frontend cycling)");
	/* a short buffer is cut, never overrun */
	assert_false(log_limit_pass(&l, T0, NULL));
	assert_true(log_limit_pass(&l, T0, "x"));	/* the first warning */
	assert_true(log_limit_summary(&l, T0, buf, 8));
	assert_int_equal(strlen(buf), 7);
}

/*
 * A frontend cycling connect/close every 20 ms for ms, about six backend
 * lines a cycle.  Counts what gets through and the summaries logged, one
 * each time one is due before a line (as log.c does).  The total offered.
 */
static unsigned int
flood(struct log_limit *l, uint64_t ms, unsigned int *passed,
    unsigned int *summaries)
{
	char buf[512];
	unsigned int total = 0, line;
	uint64_t t;

	*passed = *summaries = 0;
	for (t = T0; t < T0 + ms; t += 20) {
		for (line = 0; line < 6; line++) {
			if (log_limit_due(l, t) == 0 &&
			    log_limit_summary(l, t, buf, sizeof(buf)))
				(*summaries)++;
			*passed += log_limit_pass(l, t, NULL);
			total++;
		}
	}
	return total;
}

/*
 * The hostile scenario's numbers: 6 s of cycling (1800 lines) lets
 * through the burst and one a second; the summary comes from the timer.
 */
static void
test_flood(void **state)
{
	struct log_limit l = lim_std();
	char buf[512];
	unsigned int passed, summaries;

	(void)state;
	assert_int_equal(flood(&l, 6000, &passed, &summaries), 1800);
	assert_int_equal(summaries, 0);
	assert_in_range(passed, LOG_LIMIT_BURST + 5, LOG_LIMIT_BURST + 6);
	/* the timer's summary, 10 s after the first suppressed line */
	assert_int_equal(log_limit_due(&l, T0 + 6000), 10000 - 6000 + 20 * 3);
	assert_true(log_limit_summary(&l, T0 + 10060, buf, sizeof(buf)));
	assert_int_equal(l.dropped, 0);
	assert_true(strstr(buf, "lifecycle lines suppressed in the last 10 s "
	    "(frontend cycling)") != NULL);
	assert_int_equal(atoi(buf), 1800 - (int)passed);

	/* a minute of it: at most burst + 60 lines + 6 summaries */
	l = lim_std();
	flood(&l, 60000, &passed, &summaries);
	assert_true(passed <= LOG_LIMIT_BURST + 60);
	assert_in_range(summaries, 5, 6);
}

/* log_*() lines inside a scope are counted; outside, never */
static void
test_scope(void **state)
{
	struct log_limit a, b, *prev;
	unsigned int i;

	(void)state;
	/* an interval of an hour: no token comes back during the test */
	log_limit_init(&a, "vbd d1/51712", 3, 3600 * 1000, 3600 * 1000);
	log_limit_init(&b, "vif d1/0", 100, 3600 * 1000, 3600 * 1000);
	log_init("test_loglimit", 1, 1);
	prev = log_limit_scope(&a);
	assert_null(prev);
	for (i = 0; i < 10; i++)
		log_info("state Connected -> Closing (frontend closing)");
	assert_int_equal(a.dropped, 7);
	log_devinfo("vbd", 1, 51712, "state Closing -> Closed");
	log_debug("a debug line");
	assert_int_equal(a.dropped, 9);
	/* the first warning passes, the second is counted as one */
	log_warnx("frontend ring-ref \"abc\": not a decimal number");
	log_devwarnx("vbd", 1, 51712, "second warning");
	assert_int_equal(a.dropped, 10);
	assert_int_equal(a.dropped_warn, 1);
	assert_string_equal(a.last_warn, "second warning");
	/* scopes nest */
	prev = log_limit_scope(&b);
	assert_ptr_equal(prev, &a);
	log_info("in b");
	assert_int_equal(b.tokens, 99);
	assert_ptr_equal(log_limit_scope(prev), &b);
	assert_ptr_equal(log_limit_scope(NULL), &a);
	for (i = 0; i < 10; i++)
		log_info("no scope");
	assert_int_equal(a.dropped, 10);
	assert_int_equal(b.tokens, 99);
	/* the flush logs the summary and counts afresh */
	log_limit_flush(&a);
	assert_int_equal(a.dropped, 0);
	assert_int_equal(log_limit_due(&a, log_now_ms()), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_refill_capped),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_warning_first_kept),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
