/*
 * test_blkquiesce.c - the clean-stop record (blkquiesce.h): round trip,
 * strict refusals of what a compromised worker could write, and the match
 * against the frontend's keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blkquiesce.h"

static struct blkq_rec
rec2(void)
{
	struct blkq_rec r;

	memset(&r, 0, sizeof(r));
	r.abi = BLK_ABI_X86_64;
	r.nq = 2;
	r.q[0].evtchn = 7;
	r.q[0].rsp_prod = 4294967295u;
	r.q[0].npages = 2;
	r.q[0].refs[0] = 8;
	r.q[0].refs[1] = 9;
	r.q[1].evtchn = 10;
	r.q[1].rsp_prod = 123;
	r.q[1].npages = 2;
	r.q[1].refs[0] = 11;
	r.q[1].refs[1] = 12;
	return r;
}

static void
test_round_trip(void **state)
{
	struct blkq_rec r = rec2(), back;
	char buf[BLKQ_MAX_LEN + 1];
	const char *why = "";
	unsigned int i;

	(void)state;
	assert_int_not_equal(blkq_format(&r, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "1 2 2 7:4294967295:8,9 10:123:11,12");
	assert_int_equal(blkq_parse(buf, 16, &back, &why), 0);
	assert_memory_equal(&r, &back, sizeof(r));

	/* The largest record fits the limit. */
	memset(&r, 0, sizeof(r));
	r.abi = BLK_ABI_X86_32;
	r.nq = BLK_MAX_QUEUES;
	for (i = 0; i < r.nq; i++) {
		r.q[i].evtchn = r.q[i].rsp_prod = UINT32_MAX;
		r.q[i].npages = XB_RING_MAX_PAGES;
		memset(r.q[i].refs, 0xff, sizeof(r.q[i].refs));
	}
	assert_int_not_equal(blkq_format(&r, buf, sizeof(buf)), -1);
	assert_true(strlen(buf) <= BLKQ_MAX_LEN);
	assert_int_equal(blkq_parse(buf, BLK_MAX_QUEUES, &back, &why), 0);
	assert_memory_equal(&r, &back, sizeof(r));
	assert_int_equal(blkq_format(&r, buf, 40), -1);
	r.q[3].npages = 3;
	assert_int_equal(blkq_format(&r, buf, sizeof(buf)), -1);
}

static void
test_refusals(void **state)
{
	static const char *bad[] = {
		"", "1", "1 2", "1 2 1", "2 2 1 7:0:8", "1 3 1 7:0:8",
		"1 0 1 7:0:8", "1 2 0", "1 2 17 7:0:8", "1 2 3 7:0:8 7:0:9",
		"1 2 1 7:0:8 ", " 1 2 1 7:0:8", "1  2 1 7:0:8",
		"1 2 1 7:0:", "1 2 1 7::8", "1 2 1 :0:8", "1 2 1 7:0:8,",
		"1 2 1 7:0:,8", "1 2 1 7:0:8,9,10", "1 2 1 -7:0:8",
		"1 2 1 7:0:4294967296", "1 2 1 7:0:8x", "1 2 1 7:0:0x8",
		"1 2 1 7:+0:8", "1 2 1 7:0:8\n", "1 2 1 7:0:8:9",
		"1 2 2 7:0:8", "1 2 1 7:0:8 9:0:10",
		"1 2 1 7:0:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
		"01 2 1 7:0:8", "1 2 1 00000000000000000007:0:8",
	};
	struct blkq_rec r;
	const char *why;
	char big[BLKQ_MAX_LEN + 64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (blkq_parse(bad[i], 16, &r, &why) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(blkq_parse(NULL, 16, &r, &why), -1);
	/* More queues than this daemon offers (-q). */
	assert_int_equal(blkq_parse("1 2 2 7:0:8 9:0:10", 1, &r, &why), -1);
	assert_int_equal(blkq_parse("1 2 2 7:0:8 9:0:10", 2, &r, &why), 0);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(blkq_parse(big, 16, &r, &why), -1);
	assert_int_equal(blkq_parse("1 1 1 0:0:0", 16, &r, &why), 0);
}

/* A frontend directory as key=value pairs. */
struct fe {
	const char	*kv[32][2];
};

static char *
fe_read(void *arg, const char *key)
{
	struct fe *f = arg;
	unsigned int i;

	for (i = 0; i < 32 && f->kv[i][0] != NULL; i++)
		if (strcmp(f->kv[i][0], key) == 0)
			return strdup(f->kv[i][1]);
	return NULL;
}

static void
test_match(void **state)
{
	struct blkq_rec r = rec2(), one;
	struct fe f = { {
		{ "protocol", "x86_64-abi" },
		{ "multi-queue-num-queues", "2" },
		{ "ring-page-order", "1" },
		{ "queue-0/ring-ref0", "8" }, { "queue-0/ring-ref1", "9" },
		{ "queue-0/event-channel", "7" },
		{ "queue-1/ring-ref0", "11" }, { "queue-1/ring-ref1", "12" },
		{ "queue-1/event-channel", "10" },
	} };
	struct fe f1 = { {
		{ "ring-ref", "8" }, { "event-channel", "5" },
	} };
	const char *why;

	(void)state;
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 1);
	f.kv[5][1] = "70";
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "event channel differs");
	f.kv[5][1] = "7";
	f.kv[7][1] = "13";
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "ring ref differs");
	f.kv[7][1] = "12";
	f.kv[2][1] = "2";
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 0);
	f.kv[2][1] = "1";
	f.kv[1][1] = "1";
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "number of queues differs");
	f.kv[1][1] = "2";
	f.kv[0][1] = "x86_32-abi";
	assert_int_equal(blkq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "protocol differs");

	/* One queue, one page, no protocol key: x86_32, keys at the top. */
	memset(&one, 0, sizeof(one));
	one.abi = BLK_ABI_X86_32;
	one.nq = 1;
	one.q[0].evtchn = 5;
	one.q[0].npages = 1;
	one.q[0].refs[0] = 8;
	assert_int_equal(blkq_match(&one, fe_read, &f1, &why), 1);
	f1.kv[1][1] = "5x";
	assert_int_equal(blkq_match(&one, fe_read, &f1, &why), 0);
	f1.kv[1][1] = "5";
	f1.kv[2][0] = "multi-queue-num-queues";
	f1.kv[2][1] = "2";
	assert_int_equal(blkq_match(&one, fe_read, &f1, &why), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
