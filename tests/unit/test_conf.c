/*
 * test_conf.c - conf.h: the xb-backends.conf(5) parser, its getters and
 * every error it reports (each naming the file, the line and the key).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

static const char *const sections[] = XB_CONF_SECTIONS;

static struct conf *
parse(const char *text, char *err, size_t errlen)
{
	return conf_parse("t.conf", text, strlen(text), sections, err, errlen);
}

/* Expect text to be refused with an error containing want. */
static void
expect_parse_error(const char *text, const char *want)
{
	char err[CONF_ERR_MAX] = "";
	struct conf *c;

	errno = 0;
	c = parse(text, err, sizeof(err));
	if (c != NULL || strstr(err, want) == NULL)
		fail_msg("parsing \"%s\": got \"%s\", expected \"%s\"", text,
		    err, want);
	assert_int_equal(errno, EINVAL);
}

static struct conf *
must_parse(const char *text)
{
	char err[CONF_ERR_MAX] = "";
	struct conf *c;

	if ((c = parse(text, err, sizeof(err))) == NULL)
		fail_msg("parsing \"%s\": %s", text, err);
	return c;
}

static void
expect_conf_error(struct conf *c, const char *want)
{
	if (strstr(conf_error(c), want) == NULL)
		fail_msg("got \"%s\", expected \"%s\"", conf_error(c), want);
}

/* ---- happy paths ---- */

static void
test_typed_getters(void **state)
{
	struct conf *c;
	uint64_t u = 7;
	const char *s = NULL;
	unsigned int idx = 9;
	bool b = false;
	static const char *const what[] = { "none", "guest", "hv", "all", NULL };

	(void)state;
	c = must_parse(
	    "# a comment\n"
	    "\n"
	    "   # an indented comment\n"
	    "[blkbackd]\n"
	    "max-queues 8\n"
	    "\tuser\t_xbblk   # after white space\n"
	    "[consoled]   # a comment after a header\n"
	    "rotate-size 16M\n"
	    "timestamps yes\n"
	    "log hv\n"
	    "log-dir /var/log/xen/con#sole\n"
	    "[netbackd]\n"
	    "max-queues 2");	/* no newline at the end */
	assert_true(conf_found(c));
	assert_string_equal(conf_name(c), "t.conf");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), 1);
	assert_true(u == 8);
	assert_int_equal(conf_uint(c, "netbackd", "max-queues", 1, 16, &u), 1);
	assert_true(u == 2);
	assert_int_equal(conf_string(c, "blkbackd", "user", &s), 1);
	assert_string_equal(s, "_xbblk");
	assert_int_equal(conf_size(c, "consoled", "rotate-size", 0,
	    UINT64_MAX, &u), 1);
	assert_true(u == 16ULL << 20);
	assert_int_equal(conf_bool(c, "consoled", "timestamps", &b), 1);
	assert_true(b);
	assert_int_equal(conf_enum(c, "consoled", "log", what, &idx), 1);
	assert_int_equal(idx, 2);
	/* '#' inside a word is part of it. */
	assert_int_equal(conf_string(c, "consoled", "log-dir", &s), 1);
	assert_string_equal(s, "/var/log/xen/con#sole");
	assert_int_equal(conf_unused(c, "blkbackd"), 0);
	assert_int_equal(conf_unused(c, "consoled"), 0);
	assert_int_equal(conf_unused(c, "netbackd"), 0);
	assert_string_equal(conf_error(c), "");
	conf_free(c);
}

/* An absent key leaves the caller's default alone. */
static void
test_absent_keeps_default(void **state)
{
	struct conf *c;
	uint64_t u = 42;
	const char *s = "dflt";
	bool b = true;
	unsigned int idx = 3;
	static const char *const names[] = { "a", "b", NULL };

	(void)state;
	c = must_parse("[blkbackd]\n");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), 0);
	assert_int_equal(conf_size(c, "blkbackd", "x", 0, 10, &u), 0);
	assert_int_equal(conf_string(c, "blkbackd", "user", &s), 0);
	assert_int_equal(conf_bool(c, "blkbackd", "y", &b), 0);
	assert_int_equal(conf_enum(c, "blkbackd", "z", names, &idx), 0);
	/* A key in another daemon's section is not this one's. */
	conf_free(c);
	c = must_parse("[netbackd]\nmax-queues 3\n");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), 0);
	assert_int_equal(conf_unused(c, "blkbackd"), 0);
	assert_true(u == 42 && strcmp(s, "dflt") == 0 && b && idx == 3);
	conf_free(c);

	c = must_parse("");
	assert_int_equal(conf_unused(c, "consoled"), 0);
	conf_free(c);
}

static void
test_bool_and_enum_values(void **state)
{
	struct conf *c;
	bool b = true;
	unsigned int idx = 0;
	static const char *const names[] = { "none", "guest", "hv", "all", NULL };

	(void)state;
	c = must_parse("[consoled]\nraw no\nlog all\n");
	assert_int_equal(conf_bool(c, "consoled", "raw", &b), 1);
	assert_false(b);
	assert_int_equal(conf_enum(c, "consoled", "log", names, &idx), 1);
	assert_int_equal(idx, 3);
	conf_free(c);
}

static void
test_size_suffixes(void **state)
{
	struct conf *c;
	uint64_t u = 0;

	(void)state;
	c = must_parse("[consoled]\na 4k\nb 2G\nc 0\n");
	assert_int_equal(conf_size(c, "consoled", "a", 0, UINT64_MAX, &u), 1);
	assert_true(u == 4096);
	assert_int_equal(conf_size(c, "consoled", "b", 0, UINT64_MAX, &u), 1);
	assert_true(u == 2ULL << 30);
	assert_int_equal(conf_size(c, "consoled", "c", 0, 10, &u), 1);
	assert_true(u == 0);
	conf_free(c);
}

/* ---- syntax errors: conf_parse refuses the file ---- */

static void
test_unknown_section(void **state)
{
	(void)state;
	expect_parse_error("# x\n[blkbakd]\n", "t.conf:2: unknown section [blkbakd]");
}

static void
test_bad_section_header(void **state)
{
	(void)state;
	expect_parse_error("[blkbackd\n", "t.conf:1: bad section header");
	expect_parse_error("[]\n", "t.conf:1: bad section header");
	expect_parse_error("[blkbackd] x\n", "t.conf:1: bad section header");
	expect_parse_error("[BLKBACKD]\n", "t.conf:1: bad section header");
	expect_parse_error("[blk backd]\n", "t.conf:1: bad section header");
}

static void
test_duplicate_section(void **state)
{
	(void)state;
	expect_parse_error("[consoled]\n[blkbackd]\n[consoled]\n",
	    "t.conf:3: section [consoled] again (first on line 1)");
}

static void
test_duplicate_key(void **state)
{
	struct conf *c;

	(void)state;
	expect_parse_error("[blkbackd]\nmax-queues 4\n\nmax-queues 8\n",
	    "t.conf:4: duplicate key max-queues in [blkbackd] (first on line 2)");
	/* The same key in two sections is two keys. */
	c = must_parse("[blkbackd]\nmax-queues 4\n[netbackd]\nmax-queues 8\n");
	conf_free(c);
}

static void
test_key_outside_section(void **state)
{
	(void)state;
	expect_parse_error("max-queues 4\n[blkbackd]\n",
	    "t.conf:1: max-queues: outside a section");
}

static void
test_bad_key(void **state)
{
	(void)state;
	expect_parse_error("[blkbackd]\nMax-queues 4\n", "t.conf:2: bad key");
	expect_parse_error("[blkbackd]\nmax_queues 4\n", "t.conf:2: bad key");
	expect_parse_error("[blkbackd]\n-q 4\n", "t.conf:2: bad key");
	expect_parse_error("[blkbackd]\nmax-queues=4\n", "t.conf:2: bad key");
}

static void
test_missing_or_extra_value(void **state)
{
	(void)state;
	expect_parse_error("[blkbackd]\nmax-queues\n",
	    "t.conf:2: max-queues: no value");
	expect_parse_error("[blkbackd]\nmax-queues   # four\n",
	    "t.conf:2: max-queues: no value");
	expect_parse_error("[blkbackd]\nuser a b\n",
	    "t.conf:2: user: more than one value");
}

static void
test_overlong_line(void **state)
{
	char *text;
	size_t n = strlen("[blkbackd]\nuser ");
	struct conf *c;

	(void)state;
	/* CONF_LINE_MAX bytes is the longest line taken. */
	text = malloc(n + CONF_LINE_MAX + 3);
	assert_non_null(text);
	memcpy(text, "[blkbackd]\nuser ", n);
	memset(text + n, 'x', CONF_LINE_MAX - 5);
	strcpy(text + n + CONF_LINE_MAX - 5, "\n");
	c = must_parse(text);
	conf_free(c);
	memset(text + n, 'x', CONF_LINE_MAX - 4);
	strcpy(text + n + CONF_LINE_MAX - 4, "\n");
	expect_parse_error(text, "t.conf:2: line too long (more than 1024 bytes)");
	free(text);
}

static void
test_control_characters(void **state)
{
	char err[CONF_ERR_MAX] = "";
	static const char nul[] = "[blkbackd]\nuser a\0b\n";

	(void)state;
	expect_parse_error("[blkbackd]\r\n", "t.conf:1: control character 0x0d");
	expect_parse_error("[blkbackd]\nuser \033[2J\n",
	    "t.conf:2: control character 0x1b");
	assert_null(conf_parse("t.conf", nul, sizeof(nul) - 1, sections, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "t.conf:2: control character 0x00"));
}

/* ---- value errors: the getters ---- */

static void
test_bad_number(void **state)
{
	struct conf *c;
	uint64_t u = 5;

	(void)state;
	c = must_parse("[blkbackd]\nmax-queues four\nq2 -1\nq3 0x10\nq4 1K\n");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), -1);
	expect_conf_error(c, "t.conf:2: max-queues \"four\": not a decimal number");
	assert_int_equal(conf_uint(c, "blkbackd", "q2", 0, 16, &u), -1);
	expect_conf_error(c, "t.conf:3: q2 \"-1\": not a decimal number");
	assert_int_equal(conf_uint(c, "blkbackd", "q3", 0, 16, &u), -1);
	assert_int_equal(conf_uint(c, "blkbackd", "q4", 0, 16, &u), -1);
	assert_true(u == 5);
	conf_free(c);
}

static void
test_out_of_range(void **state)
{
	struct conf *c;
	uint64_t u = 5;

	(void)state;
	c = must_parse("[blkbackd]\nmax-queues 40\nzero 0\n"
	    "big 99999999999999999999999\n");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), -1);
	expect_conf_error(c, "t.conf:2: max-queues \"40\": out of range (1 to 16)");
	assert_int_equal(conf_uint(c, "blkbackd", "zero", 1, 16, &u), -1);
	expect_conf_error(c, "t.conf:3: zero \"0\": out of range (1 to 16)");
	assert_int_equal(conf_uint(c, "blkbackd", "big", 0, UINT64_MAX, &u), -1);
	assert_true(u == 5);
	conf_free(c);
}

static void
test_bad_size(void **state)
{
	struct conf *c;
	uint64_t u = 5;

	(void)state;
	c = must_parse("[consoled]\na 4T\nb 2G\nc 1k\nd 99999999999G\n");
	assert_int_equal(conf_size(c, "consoled", "a", 0, UINT64_MAX, &u), -1);
	expect_conf_error(c, "t.conf:2: a \"4T\": expected a number with an "
	    "optional K, M or G suffix");
	assert_int_equal(conf_size(c, "consoled", "b", 0, 1ULL << 30, &u), -1);
	expect_conf_error(c, "t.conf:3: b \"2G\": out of range (0 to 1073741824)");
	assert_int_equal(conf_size(c, "consoled", "c", 4096, 1ULL << 30, &u), -1);
	expect_conf_error(c, "t.conf:4: c \"1k\": out of range (4096 to");
	assert_int_equal(conf_size(c, "consoled", "d", 0, UINT64_MAX, &u), -1);
	expect_conf_error(c, "t.conf:5: d \"99999999999G\": out of range");
	assert_true(u == 5);
	conf_free(c);
}

static void
test_bad_bool_and_enum(void **state)
{
	struct conf *c;
	bool b = true;
	unsigned int idx = 7;
	static const char *const names[] = { "none", "guest", "hv", "all", NULL };

	(void)state;
	c = must_parse("[consoled]\nraw on\nlog some\n");
	assert_int_equal(conf_bool(c, "consoled", "raw", &b), -1);
	expect_conf_error(c, "t.conf:2: raw \"on\": expected yes or no");
	assert_int_equal(conf_enum(c, "consoled", "log", names, &idx), -1);
	expect_conf_error(c, "t.conf:3: log \"some\": expected none, guest, "
	    "hv or all");
	assert_true(b && idx == 7);
	conf_free(c);
}

static void
test_unknown_key(void **state)
{
	struct conf *c;
	uint64_t u;

	(void)state;
	c = must_parse("[blkbackd]\nmax-queues 4\nmax-queue 8\nfoo 1\n"
	    "[netbackd]\nbar 1\n");
	assert_int_equal(conf_uint(c, "blkbackd", "max-queues", 1, 16, &u), 1);
	assert_int_equal(conf_unused(c, "blkbackd"), -1);
	/* The first one by line. */
	expect_conf_error(c, "t.conf:3: unknown key max-queue in [blkbackd]");
	assert_int_equal(conf_unused(c, "netbackd"), -1);
	expect_conf_error(c, "t.conf:6: unknown key bar in [netbackd]");
	conf_free(c);
}

static void
test_invalid(void **state)
{
	struct conf *c;
	uint64_t u;

	(void)state;
	c = must_parse("[consoled]\nrotate-size 1K\n");
	assert_int_equal(conf_size(c, "consoled", "rotate-size", 0,
	    UINT64_MAX, &u), 1);
	assert_int_equal(conf_invalid(c, "consoled", "rotate-size",
	    "at least %dK (or 0: never)", 4), -1);
	expect_conf_error(c, "t.conf:2: rotate-size \"1K\": at least 4K (or 0: never)");
	assert_int_equal(conf_invalid(c, "consoled", "memory", "too small"), -1);
	expect_conf_error(c, "t.conf: memory: too small");
	conf_free(c);
}

/* ---- files ---- */

static void
test_load_missing(void **state)
{
	char err[CONF_ERR_MAX] = "", path[64];
	struct conf *c;

	(void)state;
	snprintf(path, sizeof(path), "/nonexistent/test_conf.%ld.conf",
	    (long)getpid());
	/* The default path may be absent: defaults. */
	c = conf_load(path, false, sections, err, sizeof(err));
	assert_non_null(c);
	assert_false(conf_found(c));
	assert_int_equal(conf_unused(c, "blkbackd"), 0);
	conf_free(c);
	/* A path the user gave must be there, and the error names it. */
	errno = 0;
	c = conf_load(path, true, sections, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file or directory"));
}

static void
test_load_file(void **state)
{
	char err[CONF_ERR_MAX] = "", path[64];
	struct conf *c;
	uint64_t u = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_conf.%ld.conf", (long)getpid());
	assert_non_null(f = fopen(path, "w"));
	fputs("[netbackd]\nmax-queues 2\n[netbackd]\n", f);
	fclose(f);
	c = conf_load(path, true, sections, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, ":3: section [netbackd] again"));
	assert_true(strncmp(err, path, strlen(path)) == 0);

	assert_non_null(f = fopen(path, "w"));
	fputs("[netbackd]\nmax-queues 2\n", f);
	fclose(f);
	c = conf_load(path, true, sections, err, sizeof(err));
	assert_non_null(c);
	assert_true(conf_found(c));
	assert_int_equal(conf_uint(c, "netbackd", "max-queues", 1, 16, &u), 1);
	assert_true(u == 2);
	conf_free(c);
	unlink(path);

	/* A directory is an error naming it, as is a file too large. */
	assert_null(conf_load("/tmp", false, sections, err, sizeof(err)));
	assert_non_null(strstr(err, "/tmp: "));
}

static void
test_load_too_large(void **state)
{
	char err[CONF_ERR_MAX] = "", path[64];
	struct conf *c;
	size_t i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_conf_big.%ld.conf",
	    (long)getpid());
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i <= CONF_FILE_MAX / 8; i++)
		fputs("#######\n", f);
	fclose(f);
	errno = 0;
	c = conf_load(path, true, sections, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "larger than"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_getters),
		cmocka_unit_test(test_absent_keeps_default),
		cmocka_unit_test(test_bool_and_enum_values),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_bad_section_header),
		cmocka_unit_test(test_duplicate_section),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_key_outside_section),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_missing_or_extra_value),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_bad_bool_and_enum),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
