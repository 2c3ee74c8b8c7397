/*
 * test_netquiesce.c - netbackd's clean-stop record (netquiesce.h): round
 * trip, strict refusals of what a compromised worker could write, and the
 * match against the frontend's keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netquiesce.h"

static struct netq_rec
rec2(void)
{
	static const uint8_t m0[NB_ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00,
	    0xfb };
	static const uint8_t m1[NB_ETH_ALEN] = { 0x33, 0x33, 0xff, 0xab, 0xcd,
	    0xef };
	struct netq_rec r;

	memset(&r, 0, sizeof(r));
	r.nq = 2;
	r.q[0] = (struct netq_queue){ 8, 9, 7, 7, 4294967295u, 0 };
	r.q[1] = (struct netq_queue){ 10, 11, 12, 13, 5, 6 };
	r.mcast.n = 2;
	memcpy(r.mcast.addr[0], m0, NB_ETH_ALEN);
	memcpy(r.mcast.addr[1], m1, NB_ETH_ALEN);
	return r;
}

static void
test_round_trip(void **state)
{
	struct netq_rec r = rec2(), back;
	char buf[NETQ_MAX_LEN + 1];
	const char *why = "";
	unsigned int i;

	(void)state;
	assert_int_not_equal(netq_format(&r, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "1 2 2 8:9:7:7:4294967295:0 "
	    "10:11:12:13:5:6 01:00:5e:00:00:fb 33:33:ff:ab:cd:ef");
	assert_int_equal(netq_parse(buf, 16, &back, &why), 0);
	assert_memory_equal(&r, &back, sizeof(r));

	/* One queue, no multicast list. */
	memset(&r, 0, sizeof(r));
	r.nq = 1;
	r.q[0] = (struct netq_queue){ 0, 1, 3, 3, 256, 512 };
	assert_int_not_equal(netq_format(&r, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "1 1 0 0:1:3:3:256:512");
	assert_int_equal(netq_parse(buf, 1, &back, &why), 0);
	assert_memory_equal(&r, &back, sizeof(r));

	/* The largest record fits the limit. */
	memset(&r, 0, sizeof(r));
	r.nq = NET_MAX_QUEUES;
	for (i = 0; i < r.nq; i++)
		memset(&r.q[i], 0xff, sizeof(r.q[i]));
	r.mcast.n = NB_MCAST_MAX;
	for (i = 0; i < r.mcast.n; i++) {
		memset(r.mcast.addr[i], 0xff, NB_ETH_ALEN);
		r.mcast.addr[i][5] = (uint8_t)i;
	}
	assert_int_not_equal(netq_format(&r, buf, sizeof(buf)), -1);
	assert_true(strlen(buf) <= NETQ_MAX_LEN);
	assert_int_equal(netq_parse(buf, NET_MAX_QUEUES, &back, &why), 0);
	assert_memory_equal(&r, &back, sizeof(r));
	assert_int_equal(netq_format(&r, buf, 40), -1);
	r.q[3].evtchn_rx = 0;
	assert_int_equal(netq_format(&r, buf, sizeof(buf)), -1);
	r.q[3].evtchn_rx = 1;
	r.nq = 0;
	assert_int_equal(netq_format(&r, buf, sizeof(buf)), -1);
	r.nq = 1;
	r.mcast.n = NB_MCAST_MAX + 1;
	assert_int_equal(netq_format(&r, buf, sizeof(buf)), -1);
}

static void
test_refusals(void **state)
{
	static const char *bad[] = {
		"", "1", "1 1", "1 1 0", "2 1 0 8:9:7:7:0:0",
		"1 0 0 8:9:7:7:0:0", "1 17 0 8:9:7:7:0:0",
		"1 2 0 8:9:7:7:0:0", "1 1 0 8:9:7:7:0:0 10:11:12:13:5:6",
		"1 1 0 8:9:7:7:0:0 ", " 1 1 0 8:9:7:7:0:0",
		"1  1 0 8:9:7:7:0:0", "1 1  0 8:9:7:7:0:0",
		"1 1 0  8:9:7:7:0:0", "1 1 0 8:9:7:7:0", "1 1 0 8:9:7:7:0:",
		"1 1 0 8:9:7:7::0", "1 1 0 :9:7:7:0:0", "1 1 0 8:9:7:7:0:0:1",
		"1 1 0 8:9:0:7:0:0", "1 1 0 8:9:7:0:0:0",
		"1 1 0 8:9:7:7:0:4294967296", "1 1 0 -8:9:7:7:0:0",
		"1 1 0 +8:9:7:7:0:0", "1 1 0 0x8:9:7:7:0:0",
		"1 1 0 08:9:7:7:0:0", "1 1 0 8:9:7:7:0:0\n",
		"1 1 0 8 9:7:7:0:0", "01 1 0 8:9:7:7:0:0",
		"1 1 1 8:9:7:7:0:0", "1 1 65 8:9:7:7:0:0",
		"1 1 1 8:9:7:7:0:0 01:00:5e:00:00:FB",
		"1 1 1 8:9:7:7:0:0 01:00:5e:00:00",
		"1 1 1 8:9:7:7:0:0 01:00:5e:00:00:fb:",
		"1 1 1 8:9:7:7:0:0 01-00-5e-00-00-fb",
		"1 1 1 8:9:7:7:0:0 1:00:5e:00:00:fb",
		"1 1 1 8:9:7:7:0:0 01:00:5e:00:00:fbb",
		"1 1 1 8:9:7:7:0:0 01:00:5e:00:00:fb 01:00:5e:00:00:fc",
		"1 1 2 8:9:7:7:0:0 01:00:5e:00:00:fb 01:00:5e:00:00:fb",
		"1 1 0 8:9:7:7:0:0 01:00:5e:00:00:fb",
		"1 1 0 00000000000000000008:9:7:7:0:0",
	};
	struct netq_rec r;
	const char *why;
	char big[NETQ_MAX_LEN + 64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (netq_parse(bad[i], 16, &r, &why) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(netq_parse(NULL, 16, &r, &why), -1);
	/* More queues than this daemon offers (-q). */
	assert_int_equal(netq_parse("1 2 0 8:9:7:7:0:0 10:11:12:13:5:6", 1, &r,
	    &why), -1);
	assert_string_equal(why, "bad number of queues");
	assert_int_equal(netq_parse("1 2 0 8:9:7:7:0:0 10:11:12:13:5:6", 2, &r,
	    &why), 0);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(netq_parse(big, 16, &r, &why), -1);
	assert_int_equal(netq_parse("1 1 0 0:0:1:1:0:0", 16, &r, &why), 0);
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
	struct netq_rec r = rec2(), one;
	struct fe f = { {
		{ "multi-queue-num-queues", "2" },
		{ "queue-0/tx-ring-ref", "8" }, { "queue-0/rx-ring-ref", "9" },
		{ "queue-0/event-channel", "7" },
		{ "queue-1/tx-ring-ref", "10" }, { "queue-1/rx-ring-ref", "11" },
		{ "queue-1/event-channel-tx", "12" },
		{ "queue-1/event-channel-rx", "13" },
		{ "request-rx-copy", "1" },
	} };
	struct fe f1 = { {
		{ "tx-ring-ref", "0" }, { "rx-ring-ref", "1" },
		{ "event-channel", "3" },
	} };
	const char *why;

	(void)state;
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 1);
	f.kv[3][1] = "70";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "event channel differs");
	f.kv[3][1] = "7";
	f.kv[5][1] = "12";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "rx ring ref differs");
	f.kv[5][1] = "11";
	f.kv[4][1] = "1O";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "tx ring ref differs");
	f.kv[4][1] = "10";
	f.kv[7][1] = "12";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "event channel differs");
	f.kv[7][1] = "13";
	f.kv[0][1] = "1";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "number of queues differs");
	f.kv[0][0] = "other";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	f.kv[0][0] = "multi-queue-num-queues";
	f.kv[0][1] = "2";
	/* The shared channel of queue 0 became split. */
	f.kv[9][0] = "queue-0/event-channel-tx";
	f.kv[9][1] = "7";
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 0);
	assert_string_equal(why, "event channels now split");
	f.kv[9][0] = NULL;
	assert_int_equal(netq_match(&r, fe_read, &f, &why), 1);

	/* One queue: keys at the top, multi-queue-num-queues absent or 1. */
	memset(&one, 0, sizeof(one));
	one.nq = 1;
	one.q[0] = (struct netq_queue){ 0, 1, 3, 3, 256, 512 };
	assert_int_equal(netq_match(&one, fe_read, &f1, &why), 1);
	f1.kv[3][0] = "multi-queue-num-queues";
	f1.kv[3][1] = "1";
	assert_int_equal(netq_match(&one, fe_read, &f1, &why), 1);
	f1.kv[3][1] = "2";
	assert_int_equal(netq_match(&one, fe_read, &f1, &why), 0);
	f1.kv[3][1] = "1";
	f1.kv[2][1] = "3x";
	assert_int_equal(netq_match(&one, fe_read, &f1, &why), 0);
	f1.kv[2][1] = "3";
	f1.kv[0][0] = "queue-0/tx-ring-ref";
	assert_int_equal(netq_match(&one, fe_read, &f1, &why), 0);
	assert_string_equal(why, "tx ring ref differs");
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
