/*
 * test_quiesce.c - what the clean-stop records share (quiesce.h): the
 * canonical numbers, the header, the queue count, the formatter's bounds
 * and the frontend helpers.  The records themselves: test_blkquiesce.c,
 * test_netquiesce.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quiesce.h"

static void
test_num(void **state)
{
	static const char *bad[] = {
		"", ":", "-1", "+1", "01", "0x1", " 1", "4294967296",
		"0000000000000001", "1a",
	};
	const char *p;
	uint32_t v;
	size_t i;

	(void)state;
	p = "0:4294967295 7";
	assert_int_equal(xbq_num(&p, ":", &v), 0);
	assert_int_equal(v, 0);
	assert_string_equal(p, ":4294967295 7");
	p++;
	assert_int_equal(xbq_num(&p, " ", &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_string_equal(p, " 7");
	p++;
	assert_int_equal(xbq_num(&p, " ", &v), 0);
	assert_int_equal(v, 7);
	assert_string_equal(p, "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		if (xbq_num(&p, ": ", &v) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_ptr_equal(p, bad[i]);
	}
}

static void
test_head(void **state)
{
	const char *p, *why;
	uint32_t n;

	(void)state;
	assert_int_equal(xbq_head("1 2", 8, &p, &why), 0);
	assert_string_equal(p, "2");
	assert_int_equal(xbq_head(NULL, 8, &p, &why), -1);
	assert_string_equal(why, "absent");
	assert_int_equal(xbq_head("1 2 3 4 5", 8, &p, &why), -1);
	assert_string_equal(why, "too long");
	assert_int_equal(xbq_head("2 2", 8, &p, &why), -1);
	assert_string_equal(why, "unknown version");
	assert_int_equal(xbq_head("1", 8, &p, &why), -1);
	assert_int_equal(xbq_head("01 2", 8, &p, &why), -1);
	assert_int_equal(xbq_head("1  2", 8, &p, &why), 0);
	assert_string_equal(p, " 2");

	/* Queue count: bounded by -q and by the daemon's limit. */
	p = "2 x";
	assert_int_equal(xbq_nq(&p, 2, 16, &n, &why), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p, " x");
	p = "2";
	assert_int_equal(xbq_nq(&p, 1, 16, &n, &why), -1);
	assert_string_equal(why, "bad number of queues");
	p = "17";
	assert_int_equal(xbq_nq(&p, 32, 16, &n, &why), -1);
	p = "0";
	assert_int_equal(xbq_nq(&p, 16, 16, &n, &why), -1);

	assert_int_equal(xbq_end("", &why), 0);
	assert_int_equal(xbq_end(" ", &why), -1);
	assert_string_equal(why, "trailing characters");
}

static void
test_put(void **state)
{
	char buf[8];
	struct xbq_out o = { buf, sizeof(buf), 0 };
	struct xbq_out z = { buf, 0, 0 };

	(void)state;
	assert_int_equal(xbq_put(&o, "%u", 123u), 0);
	assert_int_equal(xbq_put(&o, " %s", "abc"), 0);
	assert_string_equal(buf, "123 abc");
	assert_int_equal(o.off, 7);
	/* The NUL must fit too. */
	errno = 0;
	assert_int_equal(xbq_put(&o, "x"), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(xbq_put(&z, "%s", ""), -1);
	assert_int_equal(errno, ENOSPC);
}

/* A frontend directory as key=value pairs. */
struct fe {
	const char	*kv[8][2];
};

static char *
fe_read(void *arg, const char *key)
{
	struct fe *f = arg;
	unsigned int i;

	for (i = 0; i < 8 && f->kv[i][0] != NULL; i++)
		if (strcmp(f->kv[i][0], key) == 0)
			return strdup(f->kv[i][1]);
	return NULL;
}

static void
test_frontend(void **state)
{
	struct fe f = { { { "a", "7" }, { "b", "07" }, { "c", "x" } } };
	struct fe none = { { { NULL, NULL } } };
	const char *why;
	char key[64];

	(void)state;
	assert_true(xbq_key_is(fe_read, &f, "a", 16, 7));
	assert_false(xbq_key_is(fe_read, &f, "a", 6, 7));
	assert_false(xbq_key_is(fe_read, &f, "a", 16, 8));
	assert_false(xbq_key_is(fe_read, &f, "c", 16, 0));
	assert_false(xbq_key_is(fe_read, &f, "d", 16, 0));

	/* multi-queue-num-queues absent means one queue. */
	assert_int_equal(xbq_match_nq(fe_read, &none, 1, 16, &why), 1);
	assert_int_equal(xbq_match_nq(fe_read, &none, 2, 16, &why), 0);
	assert_string_equal(why, "number of queues differs");
	f.kv[3][0] = "multi-queue-num-queues";
	f.kv[3][1] = "4";
	assert_int_equal(xbq_match_nq(fe_read, &f, 4, 16, &why), 1);
	assert_int_equal(xbq_match_nq(fe_read, &f, 1, 16, &why), 0);
	assert_int_equal(xbq_match_nq(fe_read, &f, 4, 3, &why), 0);

	xbq_qkey(key, sizeof(key), 1, 0, "ring-ref");
	assert_string_equal(key, "ring-ref");
	xbq_qkey(key, sizeof(key), 2, 1, "ring-ref");
	assert_string_equal(key, "queue-1/ring-ref");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_frontend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
