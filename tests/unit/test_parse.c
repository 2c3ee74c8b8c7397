/*
 * test_parse.c - parse.h (strict xenstore number parsers, hex digits) and
 * log_escape().
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

#include <xen/io/xenbus.h>

#include "log.h"
#include "parse.h"

#define SENTINEL	0xdeadbeefcafef00dULL

/* Expect parse_uint(s, max) to fail with err and leave *out alone. */
static void
expect_fail(const char *s, uint64_t max, int err)
{
	uint64_t out = SENTINEL;

	errno = 0;
	assert_int_equal(parse_uint(s, max, &out), -1);
	assert_int_equal(errno, err);
	assert_true(out == SENTINEL);
}

static void
expect_ok(const char *s, uint64_t max, uint64_t want)
{
	uint64_t out = SENTINEL;

	assert_int_equal(parse_uint(s, max, &out), 0);
	assert_true(out == want);
}

/* ---- parse_uint_why: the reason in a log line ---- */

static void
test_parse_uint_why(void **state)
{
	(void)state;
	assert_null(parse_uint_why("0", 0));
	assert_null(parse_uint_why("4294967295", UINT32_MAX));
	assert_string_equal(parse_uint_why(NULL, 9), "absent");
	assert_string_equal(parse_uint_why("", 9), "empty");
	assert_string_equal(parse_uint_why("-1", 9), "negative");
	assert_string_equal(parse_uint_why("-abc", 9), "negative");
	assert_string_equal(parse_uint_why("abc", 9), "not a decimal number");
	assert_string_equal(parse_uint_why("12x", 99), "not a decimal number");
	assert_string_equal(parse_uint_why(" 12", 99), "not a decimal number");
	assert_string_equal(parse_uint_why("0x10", 99), "not a decimal number");
	assert_string_equal(parse_uint_why("+5", 9), "not a decimal number");
	assert_string_equal(parse_uint_why("10", 9),
	    "greater than the maximum");
	assert_string_equal(parse_uint_why("4294967296", UINT32_MAX),
	    "greater than the maximum");
	/* overflowing 64 bits is "too big" too, not garbage */
	assert_string_equal(parse_uint_why("99999999999999999999", UINT64_MAX),
	    "greater than the maximum");
}

/* ---- parse_uint ---- */

static void
test_parse_uint_valid(void **state)
{
	(void)state;
	expect_ok("0", 0, 0);
	expect_ok("1", 1, 1);
	expect_ok("42", 100, 42);
	expect_ok("4294967295", UINT64_MAX, 4294967295ULL);
	expect_ok("4294967296", UINT64_MAX, 4294967296ULL);
	expect_ok("18446744073709551615", UINT64_MAX, UINT64_MAX);
	/* Exactly max is accepted. */
	expect_ok("100", 100, 100);
}

static void
test_parse_uint_leading_zeros(void **state)
{
	(void)state;
	expect_ok("007", 10, 7);
	expect_ok("00", 10, 0);
	expect_ok("0000000000000000000000000000001", 10, 1);
	/* Leading zeros are decimal, not octal. */
	expect_ok("010", 100, 10);
	expect_ok("09", 100, 9);
	/* Many leading zeros before UINT64_MAX do not count as overflow. */
	expect_ok("00018446744073709551615", UINT64_MAX, UINT64_MAX);
}

static void
test_parse_uint_empty_null(void **state)
{
	(void)state;
	expect_fail("", UINT64_MAX, EINVAL);
	expect_fail(NULL, UINT64_MAX, EINVAL);
}

static void
test_parse_uint_sign(void **state)
{
	(void)state;
	expect_fail("-1", UINT64_MAX, EINVAL);
	expect_fail("+1", UINT64_MAX, EINVAL);
	expect_fail("-0", UINT64_MAX, EINVAL);
	expect_fail("+", UINT64_MAX, EINVAL);
	expect_fail("-", UINT64_MAX, EINVAL);
}

static void
test_parse_uint_spaces(void **state)
{
	(void)state;
	expect_fail(" 1", UINT64_MAX, EINVAL);
	expect_fail("1 ", UINT64_MAX, EINVAL);
	expect_fail("1 2", UINT64_MAX, EINVAL);
	expect_fail("\t1", UINT64_MAX, EINVAL);
	expect_fail("1\n", UINT64_MAX, EINVAL);
	expect_fail(" ", UINT64_MAX, EINVAL);
}

static void
test_parse_uint_trailing_junk(void **state)
{
	(void)state;
	expect_fail("12abc", UINT64_MAX, EINVAL);
	expect_fail("1.0", UINT64_MAX, EINVAL);
	expect_fail("1e3", UINT64_MAX, EINVAL);
	expect_fail("5/", UINT64_MAX, EINVAL);
	expect_fail("abc", UINT64_MAX, EINVAL);
	expect_fail("1\x80", UINT64_MAX, EINVAL);
	/* Junk after a value that is also too big: still a parse error. */
	expect_fail("99x", 5, EINVAL);
}

static void
test_parse_uint_hex(void **state)
{
	(void)state;
	expect_fail("0x10", UINT64_MAX, EINVAL);
	expect_fail("0X10", UINT64_MAX, EINVAL);
	expect_fail("ff", UINT64_MAX, EINVAL);
	expect_fail("1a", UINT64_MAX, EINVAL);
}

static void
test_parse_uint_overflow(void **state)
{
	(void)state;
	/* UINT64_MAX + 1 */
	expect_fail("18446744073709551616", UINT64_MAX, ERANGE);
	/* UINT64_MAX with its last digit +4: overflows in the last step. */
	expect_fail("18446744073709551619", UINT64_MAX, ERANGE);
	/* One digit more than UINT64_MAX. */
	expect_fail("184467440737095516150", UINT64_MAX, ERANGE);
	/* Would wrap to a small value with naive arithmetic: 2^64 * 10 + 5. */
	expect_fail("184467440737095516165", UINT64_MAX, ERANGE);
	expect_fail("99999999999999999999999999999999999999", UINT64_MAX, ERANGE);
}

static void
test_parse_uint_above_max(void **state)
{
	(void)state;
	expect_fail("101", 100, ERANGE);
	expect_fail("1", 0, ERANGE);
	expect_fail("4294967296", UINT32_MAX, ERANGE);
	expect_fail("9", XenbusStateReconfigured, ERANGE);
	expect_ok("4294967295", UINT32_MAX, UINT32_MAX);
}

static void
test_parse_uint_out_untouched(void **state)
{
	static const char *bad[] = {
		"", "x", "-1", " 1", "1 ", "0x1", "18446744073709551616", "11",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t out = SENTINEL;

		assert_int_equal(parse_uint(bad[i], 10, &out), -1);
		assert_true(out == SENTINEL);
	}
}

/* ---- parse_xenbus_state ---- */

static void
test_parse_xenbus_state_valid(void **state)
{
	char buf[16];
	unsigned int i;

	(void)state;
	for (i = 0; i <= 8; i++) {
		snprintf(buf, sizeof(buf), "%u", i);
		assert_int_equal(parse_xenbus_state(buf), (int)i);
	}
	assert_int_equal(parse_xenbus_state("4"), XenbusStateConnected);
	assert_int_equal(parse_xenbus_state("6"), XenbusStateClosed);
	assert_int_equal(parse_xenbus_state("8"), XenbusStateReconfigured);
	assert_int_equal(parse_xenbus_state("04"), XenbusStateConnected);
}

static void
test_parse_xenbus_state_invalid(void **state)
{
	static const char *bad[] = {
		"9", "10", "255", "4294967300", "18446744073709551617",
		"", "-1", "+4", " 4", "4 ", "4\n", "Connected", "0x4", "4a",
	};
	size_t i;

	(void)state;
	assert_int_equal(parse_xenbus_state(NULL), XenbusStateUnknown);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_xenbus_state(bad[i]), XenbusStateUnknown);
}

/* ---- parse_domdev ---- */

static void
test_parse_domdev_valid(void **state)
{
	unsigned int d = 99, n = 99;

	(void)state;
	assert_int_equal(parse_domdev("3/51712", &d, &n), 0);
	assert_int_equal(d, 3);
	assert_int_equal(n, 51712);
	assert_int_equal(parse_domdev("0/0", &d, &n), 0);
	assert_int_equal(d, 0);
	assert_int_equal(n, 0);
	/* Largest ordinary domid (DOMID_FIRST_RESERVED - 1) and devid. */
	assert_int_equal(parse_domdev("32751/268435455", &d, &n), 0);
	assert_int_equal(d, 0x7fef);
	assert_int_equal(n, (1u << 28) - 1);
}

static void
test_parse_domdev_invalid(void **state)
{
	static const char *bad[] = {
		"", "3", "/", "3/", "/5", "3//5", "3/5/", "3/5/6", "a/5",
		"3/b", "-3/5", "3/-5", " 3/5", "3/5 ", "3 /5", "0x3/5",
		"32752/5",		/* DOMID_FIRST_RESERVED */
		"32767/5",		/* DOMID_SELF */
		"3/268435456",		/* 2^28 */
		"3/4294967296",
		"18446744073709551616/1",
		"1/000000000000000000000000000005",	/* 32 chars: too long */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned int d = 1234, n = 5678;

		errno = 0;
		assert_int_equal(parse_domdev(bad[i], &d, &n), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(d, 1234);
		assert_int_equal(n, 5678);
	}
	{
		unsigned int d = 1234, n = 5678;

		assert_int_equal(parse_domdev(NULL, &d, &n), -1);
		assert_int_equal(d, 1234);
	}
}

static void
test_parse_domdev_long_input(void **state)
{
	char big[4096];
	unsigned int d = 1, n = 1;

	(void)state;
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '/';
	assert_int_equal(parse_domdev(big, &d, &n), -1);
	assert_int_equal(errno, EINVAL);
	/* 31 characters is the longest that fits the internal buffer. */
	assert_int_equal(parse_domdev("1/00000000000000000000000000005", &d, &n), 0);
	assert_int_equal(d, 1);
	assert_int_equal(n, 5);
}

/* ---- parse_mode_writable ---- */

static void
test_parse_mode_writable(void **state)
{
	(void)state;
	assert_true(parse_mode_writable("w"));
	assert_true(parse_mode_writable("w!"));
	assert_true(parse_mode_writable("rw"));
	assert_true(parse_mode_writable("xwx"));
	assert_false(parse_mode_writable("r"));
	assert_false(parse_mode_writable("ro"));
	assert_false(parse_mode_writable(""));
	assert_false(parse_mode_writable(NULL));
	assert_false(parse_mode_writable("W"));
}

/* ---- parse_hexdigit ---- */

static void
test_parse_hexdigit_valid(void **state)
{
	const char *digits = "0123456789abcdef", *upper = "ABCDEF";
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_int_equal(parse_hexdigit(digits[i]), i);
	for (i = 0; i < 6; i++)
		assert_int_equal(parse_hexdigit(upper[i]), 10 + i);
}

static void
test_parse_hexdigit_invalid(void **state)
{
	int c, n = 0;

	(void)state;
	/* Exactly 22 of the 256 byte values are hex digits. */
	for (c = 0; c < 256; c++)
		if (parse_hexdigit(c) >= 0)
			n++;
	assert_int_equal(n, 22);
	/* The neighbours of each range, and a byte read as a signed char. */
	assert_int_equal(parse_hexdigit('/'), -1);
	assert_int_equal(parse_hexdigit(':'), -1);
	assert_int_equal(parse_hexdigit('`'), -1);
	assert_int_equal(parse_hexdigit('g'), -1);
	assert_int_equal(parse_hexdigit('@'), -1);
	assert_int_equal(parse_hexdigit('G'), -1);
	assert_int_equal(parse_hexdigit('x'), -1);
	assert_int_equal(parse_hexdigit(' '), -1);
	assert_int_equal(parse_hexdigit('\0'), -1);
	assert_int_equal(parse_hexdigit((char)0xe1), -1);
	assert_int_equal(parse_hexdigit(0xe1), -1);
	assert_int_equal(parse_hexdigit(-1), -1);
}

/* ---- log_escape ---- */

static void
test_log_escape_plain(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(log_escape(buf, sizeof(buf), "hello world"), buf);
	assert_string_equal(buf, "hello world");
	log_escape(buf, sizeof(buf), "");
	assert_string_equal(buf, "");
	log_escape(buf, sizeof(buf), " ~!\"#/0-9A-Z[]^_`{|}");
	assert_string_equal(buf, " ~!\"#/0-9A-Z[]^_`{|}");
}

static void
test_log_escape_control(void **state)
{
	char buf[128];

	(void)state;
	log_escape(buf, sizeof(buf), "a\nb");
	assert_string_equal(buf, "a\\x0ab");
	log_escape(buf, sizeof(buf), "\r\t\x01\x1f");
	assert_string_equal(buf, "\\x0d\\x09\\x01\\x1f");
	/* DEL and bytes above 0x7f. */
	log_escape(buf, sizeof(buf), "\x7f\x80\xff");
	assert_string_equal(buf, "\\x7f\\x80\\xff");
	/* A fake log line cannot be injected. */
	log_escape(buf, sizeof(buf), "x\n12:00:00.000 blkbackd[1]: owned");
	assert_null(strchr(buf, '\n'));
	assert_string_equal(buf, "x\\x0a12:00:00.000 blkbackd[1]: owned");
}

static void
test_log_escape_esc_sequence(void **state)
{
	char buf[128];
	size_t i;

	(void)state;
	log_escape(buf, sizeof(buf), "\x1b[2J\x1b]0;title\x07");
	assert_string_equal(buf, "\\x1b[2J\\x1b]0;title\\x07");
	for (i = 0; buf[i] != '\0'; i++)
		assert_true(buf[i] >= 0x20 && buf[i] < 0x7f);
}

static void
test_log_escape_backslash(void **state)
{
	char buf[64];

	(void)state;
	/* A literal backslash is escaped too, so "\x0a" in input is unambiguous. */
	log_escape(buf, sizeof(buf), "a\\b");
	assert_string_equal(buf, "a\\x5cb");
	log_escape(buf, sizeof(buf), "\\x0a");
	assert_string_equal(buf, "\\x5cx0a");
}

/*
 * Truncation: for every buffer size, the output is NUL-terminated, stays
 * inside dstlen, is a prefix of the full escaping cut on a unit boundary
 * (never a partial \xNN escape), and bytes past dstlen are untouched.
 */
static void
check_trunc(const char *src)
{
	char full[512], buf[600];
	bool boundary[512];
	size_t flen, len, dstlen, i;

	log_escape(full, sizeof(full), src);
	flen = strlen(full);
	assert_true(flen < sizeof(full) - 1);
	memset(boundary, 0, sizeof(boundary));
	for (i = 0; i < flen; i += (full[i] == '\\') ? 4 : 1)
		boundary[i] = true;
	assert_int_equal(i, flen);
	boundary[flen] = true;

	for (dstlen = 1; dstlen <= flen + 8; dstlen++) {
		memset(buf, 'Z', sizeof(buf));
		assert_ptr_equal(log_escape(buf, dstlen, src), buf);
		len = strnlen(buf, dstlen);
		assert_true(len < dstlen);		/* NUL inside the buffer */
		assert_int_equal(buf[dstlen], 'Z');	/* nothing written past it */
		assert_memory_equal(buf, full, len);	/* a prefix */
		if (!boundary[len])
			fail_msg("partial escape at dstlen %zu: \"%s\"", dstlen, buf);
		/* Never gives up more than one escape's worth of room. */
		assert_true(len == flen || len + 5 >= dstlen);
	}
}

static void
test_log_escape_truncation(void **state)
{
	char buf[8];

	(void)state;
	check_trunc("abcdef");
	check_trunc("\x01\x02\x03");
	check_trunc("a\x1b[0mb\\c\n");
	check_trunc("\xff" "a" "\xfe" "bb" "\xfd");

	/* dstlen 1: just the NUL. */
	memset(buf, 'Z', sizeof(buf));
	log_escape(buf, 1, "abc");
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Z');

	/* dstlen 0: nothing written at all. */
	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(log_escape(buf, 0, "abc"), buf);
	assert_int_equal(buf[0], 'Z');

	/* Plain text fills the buffer exactly. */
	log_escape(buf, 4, "abcdef");
	assert_string_equal(buf, "abc");

	/* An escape that does not fit is dropped whole. */
	log_escape(buf, 4, "\x01");
	assert_string_equal(buf, "");
	log_escape(buf, 6, "a\x01\x02");
	assert_true(strcmp(buf, "a") == 0 || strcmp(buf, "a\\x01") == 0);
}

/*
 * A buffer of exactly strlen(escaped) + 1 bytes holds the whole escaping,
 * also when it ends with an escape (4 * n + 1 is the documented worst case
 * a caller would allocate).
 */
static void
test_log_escape_exact_fit(void **state)
{
	static const char *srcs[] = {
		"abc", "\x01", "a\x01", "\x01\x02\x03", "path\n", "\\", "\x1b[0m\x7f",
	};
	char full[64], buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		size_t flen;

		log_escape(full, sizeof(full), srcs[i]);
		flen = strlen(full);
		memset(buf, 'Z', sizeof(buf));
		log_escape(buf, flen + 1, srcs[i]);
		if (strcmp(buf, full) != 0)
			fail_msg("src #%zu, dstlen %zu: got \"%s\", want \"%s\"",
			    i, flen + 1, buf, full);
	}
	/* The smallest case: one escaped byte in a 5-byte buffer. */
	log_escape(buf, 5, "\x01");
	assert_string_equal(buf, "\\x01");
}

static void
test_log_escape_nul_terminated(void **state)
{
	char buf[32];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	log_escape(buf, sizeof(buf), "ab");
	assert_int_equal(buf[2], '\0');
	memset(buf, 'Z', sizeof(buf));
	log_escape(buf, sizeof(buf), "");
	assert_int_equal(buf[0], '\0');
	memset(buf, 'Z', sizeof(buf));
	log_escape(buf, sizeof(buf), "0123456789012345678901234567890123456789");
	assert_int_equal(buf[sizeof(buf) - 1], '\0');
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static void
test_parse_size(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_size("0", 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_size("16K", UINT64_MAX, &v), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(parse_size("8m", UINT64_MAX, &v), 0);
	assert_int_equal(v, 8ULL << 20);
	assert_int_equal(parse_size("2G", UINT64_MAX, &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("123", UINT64_MAX, &v), 0);
	assert_int_equal(v, 123);
	v = 7;
	/* Bad forms leave *out alone. */
	assert_int_equal(parse_size("", 100, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_size("K", 100, &v), -1);
	assert_int_equal(parse_size("1KB", UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("-1", UINT64_MAX, &v), -1);
	assert_int_equal(parse_size(" 1", UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("1T", UINT64_MAX, &v), -1);
	assert_int_equal(parse_size(NULL, 100, &v), -1);
	assert_int_equal(v, 7);
	/* Bounds and overflow. */
	assert_int_equal(parse_size("2K", 2047, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_size("2K", 2048, &v), 0);
	assert_int_equal(parse_size("17179869184G", UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_uint_why),
		cmocka_unit_test(test_parse_uint_valid),
		cmocka_unit_test(test_parse_uint_leading_zeros),
		cmocka_unit_test(test_parse_uint_empty_null),
		cmocka_unit_test(test_parse_uint_sign),
		cmocka_unit_test(test_parse_uint_spaces),
		cmocka_unit_test(test_parse_uint_trailing_junk),
		cmocka_unit_test(test_parse_uint_hex),
		cmocka_unit_test(test_parse_uint_overflow),
		cmocka_unit_test(test_parse_uint_above_max),
		cmocka_unit_test(test_parse_uint_out_untouched),
		cmocka_unit_test(test_parse_xenbus_state_valid),
		cmocka_unit_test(test_parse_xenbus_state_invalid),
		cmocka_unit_test(test_parse_domdev_valid),
		cmocka_unit_test(test_parse_domdev_invalid),
		cmocka_unit_test(test_parse_domdev_long_input),
		cmocka_unit_test(test_parse_mode_writable),
		cmocka_unit_test(test_parse_hexdigit_valid),
		cmocka_unit_test(test_parse_hexdigit_invalid),
		cmocka_unit_test(test_log_escape_plain),
		cmocka_unit_test(test_log_escape_control),
		cmocka_unit_test(test_log_escape_esc_sequence),
		cmocka_unit_test(test_log_escape_backslash),
		cmocka_unit_test(test_log_escape_truncation),
		cmocka_unit_test(test_log_escape_exact_fit),
		cmocka_unit_test(test_log_escape_nul_terminated),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
