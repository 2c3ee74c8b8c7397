/*
 * test_ctlfmt.c - the control socket's text (common/ctlfmt.c): the request
 * parser, JSON and Prometheus escaping, the worker stats-reply validator
 * against hostile replies, and the Prometheus formatter's grouping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctlfmt.h"

static const struct ctl_key keys[] = {
	{ "protocol", CTL_INFO, NULL, "ABI." },
	{ "queues", CTL_GAUGE, NULL, "Queues." },
	{ "ring_slots", CTL_GAUGE, "queue", "Slots." },
	{ "requests", CTL_COUNTER, NULL, "Requests." },
	{ "drops", CTL_COUNTER, "reason", "Drops\\by \"reason\"\nnext." },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static int
req(const char *s, struct ctl_req *r)
{
	const char *why = NULL;
	int rc = ctl_req_parse(s, strlen(s), r, &why);

	if (rc == -1)
		assert_non_null(why);
	return rc;
}

static void
test_request(void **state)
{
	struct ctl_req r;

	(void)state;
	assert_int_equal(req("status", &r), 0);
	assert_int_equal(r.kind, CTL_REQ_STATUS);
	assert_false(r.has_domid);
	assert_int_equal(req("status\r", &r), 0);
	assert_int_equal(req("metrics", &r), 0);
	assert_int_equal(r.kind, CTL_REQ_METRICS);
	assert_int_equal(req("status 12", &r), 0);
	assert_true(r.has_domid);
	assert_int_equal(r.domid, 12);
	assert_int_equal(req("status 0", &r), 0);
	assert_int_equal(r.domid, 0);
	assert_int_equal(req("status 32751", &r), 0);	/* 0x7fef */
	assert_int_equal(req("status 32752", &r), -1);
	assert_int_equal(req("status 999999", &r), -1);
	assert_int_equal(req("status -1", &r), -1);
	assert_int_equal(req("status 1x", &r), -1);
	assert_int_equal(req("status ", &r), -1);
	assert_int_equal(req("status  1", &r), -1);
	assert_int_equal(req("status 1 2", &r), -1);
	assert_int_equal(req("Status", &r), -1);
	assert_int_equal(req("metrics ", &r), -1);
	assert_int_equal(req("", &r), -1);
	assert_int_equal(req("shutdown", &r), -1);
	/* NUL inside the line. */
	assert_int_equal(ctl_req_parse("status\0x", 8, &r,
	    &(const char *){ NULL }), -1);
	{
		char big[CTL_REQ_MAX + 10];

		memset(big, 'a', sizeof(big));
		assert_int_equal(ctl_req_parse(big, sizeof(big), &r,
		    &(const char *){ NULL }), -1);
	}
}

static void
test_json_escape(void **state)
{
	struct cbuf b;

	(void)state;
	cbuf_init(&b, 1024);
	cbuf_json_str(&b, "a\"b\\c\nd\x01\x1b[31m\xff/");
	assert_false(b.err);
	assert_string_equal(b.p,
	    "\"a\\\"b\\\\c\\nd\\u0001\\u001b[31m\\u00ff/\"");
	cbuf_free(&b);
	cbuf_init(&b, 64);
	cbuf_json_str(&b, "");
	assert_string_equal(b.p, "\"\"");
	cbuf_free(&b);
	/* Bounded: the buffer refuses to grow past max and says so. */
	cbuf_init(&b, 8);
	cbuf_json_str(&b, "0123456789");
	assert_true(b.err);
	cbuf_free(&b);
}

static void
test_prom_label(void **state)
{
	struct cbuf b;

	(void)state;
	cbuf_init(&b, 1024);
	cbuf_prom_label(&b, "x\"}\\\n\x7f");
	assert_string_equal(b.p, "x\\\"}\\\\\\n?");
	cbuf_free(&b);
}

static int
parse(const char *s, struct ctl_stats *st)
{
	char why[128] = "";
	int rc = ctl_stats_parse(s, strlen(s), keys, NKEYS, st, why,
	    sizeof(why));

	if (rc == -1)
		assert_true(why[0] != '\0');
	/* The reason never quotes the reply. */
	if (rc == -1 && strlen(s) > 0)
		assert_null(strstr(why, "\""));
	return rc;
}

static void
test_stats_good(void **state)
{
	static struct ctl_stats st;

	(void)state;
	assert_int_equal(parse("", &st), 0);
	assert_int_equal(st.n, 0);
	assert_int_equal(parse("protocol=x86_64-abi queues=2 ring_slots.0=32 "
	    "ring_slots.1=64 requests=18446744073709551615 drops.runt=3 "
	    "newer_key=7 newer_lbl.x=on", &st), 0);
	assert_int_equal(st.n, 6);
	assert_int_equal(st.unknown, 2);
	assert_string_equal(st.kv[0].s, "x86_64-abi");
	assert_int_equal(st.kv[3].v, 64);
	assert_string_equal(st.kv[3].label, "1");
	assert_true(st.kv[4].v == UINT64_MAX);
	assert_string_equal(st.kv[5].label, "runt");
}

static void
test_stats_hostile(void **state)
{
	static struct ctl_stats st;
	static const char *const bad[] = {
		"queues",			/* no '=' */
		"queues=",			/* empty number */
		"queues=-1",
		"queues=1e3",
		"queues=0x10",
		"queues= 1",
		"requests=18446744073709551616",	/* 2^64 */
		"requests=000000000000000000001",	/* 21 digits */
		"queues=1 queues=2",		/* repeated */
		"drops.a=1 drops.a=2",
		"drops=1",			/* label missing */
		"queues.0=1",			/* label not expected */
		"drops.=1",
		"drops.A=1",			/* label charset */
		"drops.a\"b=1",
		"Queues=1",			/* name charset */
		"qu\"eues=1",
		"=1",
		".x=1",
		"queues=1  requests=2",		/* empty token */
		" queues=1",
		"queues=1 ",
		"protocol=a\"b",		/* info charset */
		"protocol=a\\u0022",
		"protocol=a{b}",
		"protocol=0123456789012345678901234567890123456789",
		"unknown=\"}",			/* unknown, but not a word */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
		"drops.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
	};
	char big[CTL_STATS_MAX + 100], *p;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &st) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	/* NUL inside the reply. */
	assert_int_equal(ctl_stats_parse("queues=1\0x", 10, keys, NKEYS, &st,
	    big, 128), -1);
	/* Too long. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, &st), -1);
	/* More values than CTL_KV_MAX. */
	p = big;
	for (i = 0; i < CTL_KV_MAX + 1; i++)
		p += sprintf(p, "%sdrops.r%u=1", i > 0 ? " " : "", i);
	assert_true(strlen(big) <= CTL_STATS_MAX);
	assert_int_equal(parse(big, &st), -1);
	/* Random bytes never crash it, whatever they are. */
	srand(7);
	for (i = 0; i < 20000; i++) {
		unsigned int n = (unsigned int)rand() % 64, k;

		for (k = 0; k < n; k++)
			big[k] = "aq=.0 \"\\\x01\xff"[rand() % 11];
		(void)ctl_stats_parse(big, n, keys, NKEYS, &st, big + 100, 64);
	}
}

static void
test_kvw(void **state)
{
	static struct ctl_kvw w;
	static struct ctl_stats st;
	char why[128];
	unsigned int i;

	(void)state;
	ctl_kvw_init(&w);
	ctl_kvw_str(&w, "protocol", NULL, "x86 \"64\"");
	ctl_kvw_u64(&w, "drops", "runt", 5);
	assert_string_equal(w.buf, "protocol=x86__64_ drops.runt=5");
	assert_int_equal(ctl_stats_parse(w.buf, w.len, keys, NKEYS, &st, why,
	    sizeof(why)), 0);
	/* Full: tokens are dropped whole, what is there still parses. */
	for (i = 0; i < 1000; i++)
		ctl_kvw_u64(&w, "requests", NULL, 123456789);
	assert_true(w.full);
	assert_true(w.len <= CTL_STATS_MAX);
	assert_true(w.buf[w.len - 1] != ' ');
}

static void
test_stats_json(void **state)
{
	static struct ctl_stats st;
	struct cbuf b;

	(void)state;
	assert_int_equal(parse("drops.runt=3 protocol=x ring_slots.0=32 "
	    "requests=9 drops.big=1", &st), 0);
	cbuf_init(&b, 4096);
	ctl_stats_json(&b, &st, keys, NKEYS);
	assert_false(b.err);
	assert_string_equal(b.p, "\"info\":{\"protocol\":\"x\"},\"gauges\":"
	    "{\"ring_slots\":{\"0\":32}},\"counters\":{\"drops\":{\"runt\":3,"
	    "\"big\":1},\"requests\":9}");
	cbuf_free(&b);
}

static void
test_prom(void **state)
{
	static struct ctl_stats a, c;
	struct ctl_prom_dev devs[3];
	struct cbuf b;

	(void)state;
	assert_int_equal(parse("requests=5 drops.runt=1 protocol=x", &a), 0);
	assert_int_equal(parse("drops.runt=2 requests=7", &c), 0);
	devs[0] = (struct ctl_prom_dev){ 1, 51712, &a };
	devs[1] = (struct ctl_prom_dev){ 2, 0, NULL };	/* not answering */
	devs[2] = (struct ctl_prom_dev){ 3, 51728, &c };
	cbuf_init(&b, 1 << 16);
	ctl_prom_stats(&b, "blk\"d", keys, NKEYS, devs, 3);
	assert_false(b.err);
	assert_string_equal(b.p,
	    "# HELP xb_requests_total Requests.\n"
	    "# TYPE xb_requests_total counter\n"
	    "xb_requests_total{daemon=\"blk\\\"d\",domid=\"1\",devid=\"51712\"} 5\n"
	    "xb_requests_total{daemon=\"blk\\\"d\",domid=\"3\",devid=\"51728\"} 7\n"
	    "# HELP xb_drops_total Drops\\\\by \"reason\"\\nnext.\n"
	    "# TYPE xb_drops_total counter\n"
	    "xb_drops_total{daemon=\"blk\\\"d\",domid=\"1\",devid=\"51712\","
	    "reason=\"runt\"} 1\n"
	    "xb_drops_total{daemon=\"blk\\\"d\",domid=\"3\",devid=\"51728\","
	    "reason=\"runt\"} 2\n");
	cbuf_free(&b);
	/* A gauge has no _total. */
	cbuf_init(&b, 4096);
	ctl_prom_head(&b, "queues", CTL_GAUGE, "Q.");
	ctl_prom_sample(&b, "queues", CTL_GAUGE, "d", 0, 1, NULL, NULL, 2);
	assert_string_equal(b.p, "# HELP xb_queues Q.\n# TYPE xb_queues gauge\n"
	    "xb_queues{daemon=\"d\",domid=\"0\",devid=\"1\"} 2\n");
	cbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_prom_label),
		cmocka_unit_test(test_stats_good),
		cmocka_unit_test(test_stats_hostile),
		cmocka_unit_test(test_kvw),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_prom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
