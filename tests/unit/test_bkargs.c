/*
 * test_bkargs.c - bkargs.h: the options blkbackd and netbackd share, and
 * how the configuration file fills in what the command line left unset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bkargs.h"
#include "conf.h"

static char path[64];

static void
write_conf(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_bkargs.%ld.conf",
	    (long)getpid());
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_shared_options(void **state)
{
	struct bk_args a;
	char err[256] = "";

	(void)state;
	bk_init(&a, 4, 16, "_xbblk");
	assert_int_equal(bk_arg(&a, 'd', NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'v', NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'v', NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'n', NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'f', "/x.conf", err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'q', "16", err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'S', "100:200", err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, BK_OPT_CAPS, NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'A', NULL, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'R', NULL, err, sizeof(err)), 1);
	assert_true(a.foreground && a.checkonly && a.print_caps && a.ugid);
	assert_true(a.reattach && a.resume);
	assert_int_equal(a.verbose, 2);
	assert_int_equal(a.max_queues, 16);
	assert_int_equal(a.uid, 100);
	assert_int_equal(a.gid, 200);
	assert_string_equal(a.conf, "/x.conf");
	/* A daemon's own letters and unknown ones are the caller's. */
	assert_int_equal(bk_arg(&a, 'p', "0", err, sizeof(err)), 0);
	assert_int_equal(bk_arg(&a, '?', NULL, err, sizeof(err)), 0);
}

static void
test_bad_arguments(void **state)
{
	struct bk_args a;
	char err[256] = "";

	(void)state;
	bk_init(&a, 4, 16, "_xbnet");
	assert_int_equal(bk_arg(&a, 'q', "0", err, sizeof(err)), -1);
	assert_string_equal(err, "-q 0: expected a number of queues from 1 to 16");
	assert_int_equal(bk_arg(&a, 'q', "17", err, sizeof(err)), -1);
	assert_int_equal(bk_arg(&a, 'q', "4x", err, sizeof(err)), -1);
	assert_int_equal(a.max_queues, 4);
	/* Workers never run as root. */
	assert_int_equal(bk_arg(&a, 'S', "0:0", err, sizeof(err)), -1);
	assert_string_equal(err, "-S 0:0: expected uid:gid");
	assert_false(a.ugid);
}

/* The file fills in; a flag wins; a bad value is refused even when a flag overrides it. */
static void
test_conf_under_flags(void **state)
{
	struct bk_args a;
	struct conf *c;
	char err[256] = "";

	(void)state;
	write_conf("[blkbackd]\nmax-queues 8\nuser nobody\n[netbackd]\nmax-queues 2\n");
	bk_init(&a, 4, 16, "_xbblk");
	a.conf = path;
	assert_non_null(c = bk_conf(&a, "blkbackd", err, sizeof(err)));
	assert_int_equal(a.max_queues, 8);
	assert_string_equal(a.user, "nobody");
	assert_int_equal(conf_unused(c, "blkbackd"), 0);
	conf_free(c);

	bk_init(&a, 4, 16, "_xbblk");
	assert_int_equal(bk_arg(&a, 'f', path, err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'q', "3", err, sizeof(err)), 1);
	assert_int_equal(bk_arg(&a, 'u', "daemon", err, sizeof(err)), 1);
	assert_non_null(c = bk_conf(&a, "blkbackd", err, sizeof(err)));
	assert_int_equal(a.max_queues, 3);
	assert_string_equal(a.user, "daemon");
	/* Overridden keys still count as known. */
	assert_int_equal(conf_unused(c, "blkbackd"), 0);
	conf_free(c);

	write_conf("[netbackd]\nmax-queues 99\n");
	bk_init(&a, 4, 16, "_xbnet");
	a.conf = path;
	assert_int_equal(bk_arg(&a, 'q', "2", err, sizeof(err)), 1);
	assert_null(bk_conf(&a, "netbackd", err, sizeof(err)));
	assert_non_null(strstr(err, ":2: max-queues \"99\": out of range (1 to 16)"));
	unlink(path);
}

static void
test_conf_files(void **state)
{
	struct bk_args a;
	struct conf *c;
	char err[256] = "";

	(void)state;
	/* -f names a file that must exist. */
	bk_init(&a, 4, 16, "_xbblk");
	a.conf = "/nonexistent/xb-backends.conf";
	assert_null(bk_conf(&a, "blkbackd", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/xb-backends.conf: No such file "
	    "or directory");

	/* An unknown key is the caller's to find, after its own keys. */
	write_conf("[netbackd]\nmax-queues 2\nrate 10M\n");
	bk_init(&a, 4, 16, "_xbnet");
	a.conf = path;
	assert_non_null(c = bk_conf(&a, "netbackd", err, sizeof(err)));
	assert_int_equal(conf_unused(c, "netbackd"), -1);
	assert_non_null(strstr(conf_error(c), ":3: unknown key rate in [netbackd]"));
	conf_free(c);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_options),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_conf_under_flags),
		cmocka_unit_test(test_conf_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
