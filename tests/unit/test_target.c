/*
 * test_target.c - target.h: parsing a vbd's "params" (files, NBD URIs,
 * QEMU's legacy nbd: form), the worker's store argument, and opening files
 * and sockets for real.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "target.h"

static struct target t;
static char err[512];

static void
no_control_bytes(const char *s)
{
	for (; *s != '\0'; s++)
		assert_true((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f);
}

static void
ok(const char *params)
{
	err[0] = '\0';
	if (target_parse(params, &t, err, sizeof(err)) != 0)
		fail_msg("target_parse(\"%s\") failed: %s", params, err);
}

static void
ok_nbd_unix(const char *params, const char *sock, const char *export)
{
	ok(params);
	assert_int_equal(t.kind, TARGET_NBD);
	assert_true(t.nbd_unix);
	assert_string_equal(t.path, sock);
	assert_string_equal(t.export_name, export);
}

static void
ok_nbd_tcp(const char *params, const char *host, const char *port,
    const char *export)
{
	ok(params);
	assert_int_equal(t.kind, TARGET_NBD);
	assert_false(t.nbd_unix);
	assert_string_equal(t.host, host);
	assert_string_equal(t.port, port);
	assert_string_equal(t.export_name, export);
}

/* Expect failure with errno e and a message containing what (and params). */
static void
bad(const char *params, int e, const char *what)
{
	err[0] = '\0';
	errno = 0;
	if (target_parse(params, &t, err, sizeof(err)) != -1)
		fail_msg("target_parse(\"%s\") accepted it", params);
	assert_int_equal(errno, e);
	if (strstr(err, what) == NULL)
		fail_msg("target_parse(\"%s\"): message \"%s\" does not say "
		    "\"%s\"", params, err, what);
	assert_true(strncmp(err, "target \"", 8) == 0);
	no_control_bytes(err);
}

/* ---- accepted ---- */

static void
test_file(void **state)
{
	(void)state;
	ok("/var/lib/xen/images/d1.img");
	assert_int_equal(t.kind, TARGET_FILE);
	assert_string_equal(t.path, "/var/lib/xen/images/d1.img");
	ok("/dev/vg0/guest-disk");
	assert_string_equal(t.path, "/dev/vg0/guest-disk");
	/* Paths are not URIs: nothing is decoded, spaces are fine. */
	ok("/srv/my disk%20.img");
	assert_string_equal(t.path, "/srv/my disk%20.img");
}

static void
test_nbd_unix(void **state)
{
	(void)state;
	ok_nbd_unix("nbd+unix:///exp?socket=/run/qemu-nbd.sock",
	    "/run/qemu-nbd.sock", "exp");
	/* Empty export name, with and without the '/'. */
	ok_nbd_unix("nbd+unix:///?socket=/run/s.sock", "/run/s.sock", "");
	ok_nbd_unix("nbd+unix://?socket=/run/s.sock", "/run/s.sock", "");
	/* Schemes are case-insensitive (RFC 3986 3.1). */
	ok_nbd_unix("NBD+Unix:///e?socket=/s", "/s", "e");
	/* An export name may start with '/' (uri.md: nbd://h//disk). */
	ok_nbd_unix("nbd+unix:////abs?socket=/s", "/s", "/abs");
}

static void
test_nbd_percent_decoding(void **state)
{
	(void)state;
	ok_nbd_unix("nbd+unix:///my%20disk?socket=/run/a%20b.sock",
	    "/run/a b.sock", "my disk");
	ok_nbd_unix("nbd+unix:///a%2fb%2Fc%25?socket=/s", "/s", "a/b/c%");
	/* UTF-8 export names are fine once encoded. */
	ok_nbd_tcp("nbd://h/caf%C3%A9", "h", "10809", "caf\xc3\xa9");
	/* '?' is a query character, so an encoded one stays in the name. */
	ok_nbd_tcp("nbd://h/what%3F", "h", "10809", "what?");
}

static void
test_nbd_tcp(void **state)
{
	(void)state;
	ok_nbd_tcp("nbd://example.com/disk", "example.com", "10809", "disk");
	ok_nbd_tcp("nbd://127.0.0.1:1234/", "127.0.0.1", "1234", "");
	ok_nbd_tcp("nbd://nbd-server", "nbd-server", "10809", "");
	ok_nbd_tcp("nbd://h//disk", "h", "10809", "/disk");
	/* Leading zeros and an empty port (RFC 3986 3.2.3). */
	ok_nbd_tcp("nbd://h:010809/x", "h", "10809", "x");
	ok_nbd_tcp("nbd://h:/x", "h", "10809", "x");
	ok_nbd_tcp("nbd://h:65535", "h", "65535", "");
}

static void
test_nbd_ipv6(void **state)
{
	(void)state;
	ok_nbd_tcp("nbd://[::1]:10810/x", "::1", "10810", "x");
	ok_nbd_tcp("nbd://[::1]/x", "::1", "10809", "x");
	ok_nbd_tcp("nbd://[fe80::1:2]", "fe80::1:2", "10809", "");
	ok_nbd_tcp("nbd://[::ffff:192.0.2.1]:1/e", "::ffff:192.0.2.1", "1", "e");
}

static void
test_nbd_legacy(void **state)
{
	(void)state;
	ok_nbd_unix("nbd:unix:/run/s.sock", "/run/s.sock", "");
	ok_nbd_unix("nbd:unix:/run/s.sock:exportname=foo", "/run/s.sock",
	    "foo");
	ok_nbd_unix("nbd:unix:/run/s.sock:exportname=", "/run/s.sock", "");
	/* The legacy form is not decoded. */
	ok_nbd_tcp("nbd:localhost:10810:exportname=a%20b", "localhost",
	    "10810", "a%20b");
	ok_nbd_tcp("nbd:[::1]:10809", "::1", "10809", "");
	ok_nbd_tcp("nbd:server", "server", "10809", "");
}

/* ---- refused ---- */

static void
test_reject_garbage(void **state)
{
	(void)state;
	bad("", EINVAL, "empty");
	bad(NULL, EINVAL, "empty");
	bad("disk.img", EINVAL, "not an absolute path or an NBD URI");
	bad("iscsi://h/x", EINVAL, "not an absolute path or an NBD URI");
	bad("phy:/dev/sda", EINVAL, "not an absolute path or an NBD URI");
	bad("nbd+vsock://1:10809/x", ENOTSUP, "vsock NBD URIs are not "
	    "supported");
	bad("nbd:", EINVAL, "no host");
	bad("nbd:/run/s.sock", EINVAL, "host name \"/run/s.sock\" contains '/'");
}

static void
test_reject_tls(void **state)
{
	(void)state;
	bad("nbds://h/x", ENOTSUP, "TLS NBD URIs are not supported");
	bad("NBDS+UNIX:///x?socket=/s", ENOTSUP,
	    "TLS NBD URIs are not supported");
	bad("nbd://h/x?tls-type=x509", ENOTSUP,
	    "TLS is not supported (query parameter \"tls-type\")");
	bad("nbd://alice@h/x", EINVAL, "user info (USER@) is not supported");
}

static void
test_reject_socket(void **state)
{
	char p[400];

	(void)state;
	bad("nbd+unix:///x?socket=run/s.sock", EINVAL,
	    "socket path \"run/s.sock\" is not absolute");
	bad("nbd:unix:s.sock", EINVAL, "socket path \"s.sock\" is not absolute");
	bad("nbd+unix:///x", EINVAL, "nbd+unix URI without ?socket=PATH");
	bad("nbd+unix:///x?socket=", EINVAL, "the socket path is empty");
	bad("nbd+unix://host/x?socket=/s", EINVAL, "nbd+unix URIs take no host");
	bad("nbd://h/x?socket=/s", EINVAL, "socket= is only valid in "
	    "nbd+unix:// URIs");
	bad("nbd+unix:///x?socket=/a&socket=/b", EINVAL, "socket= given twice");
	bad("nbd+unix:///?socket=%00/abstract", EINVAL,
	    "abstract sockets are not supported");
	/* sun_path holds 107 bytes and a NUL. */
	snprintf(p, sizeof(p), "nbd+unix:///?socket=/%0*d", 107, 0);
	bad(p, ENAMETOOLONG, "at most 107");
	snprintf(p, sizeof(p), "nbd+unix:///?socket=/%0*d", 106, 0);
	ok(p);
	assert_int_equal(strlen(t.path), 107);
}

static void
test_reject_query(void **state)
{
	(void)state;
	bad("nbd+unix:///x?socket=/s&foo=1", EINVAL,
	    "unknown query parameter \"foo\"");
	bad("nbd+unix:///x?socket=/s&", EINVAL, "empty query parameter");
	bad("nbd+unix:///x?socket", EINVAL, "query parameter \"socket\" has no "
	    "value");
	bad("nbd://h/x#frag", EINVAL, "URI fragments (#...) are not allowed");
}

static void
test_reject_encoding(void **state)
{
	(void)state;
	bad("nbd://h/x%zz", EINVAL, "bad percent-encoding in the export name");
	bad("nbd://h/x%4", EINVAL, "bad percent-encoding in the export name");
	bad("nbd://h/x%", EINVAL, "bad percent-encoding in the export name");
	bad("nbd://h/x%00y", EINVAL, "the export name contains %00 (NUL)");
	bad("nbd://h/x%0a", EINVAL, "the export name contains the control byte "
	    "%0A");
	bad("nbd+unix:///x?socket=/a%zz", EINVAL,
	    "bad percent-encoding in the socket path");
	bad("nbd://h/a b", EINVAL, "' ' after \"://\" at offset 3 is not "
	    "allowed in a URI; percent-encode it (%20)");
	bad("nbd://h/\"x\"", EINVAL, "'\"' after");
	bad("nbd://h/caf\xc3\xa9", EINVAL, "byte 0xc3 after \"://\" at offset 5");
}

static void
test_reject_control_bytes(void **state)
{
	(void)state;
	bad("/tmp/a\nb", EINVAL, "control byte 0x0a at offset 6");
	/* The message shows params escaped, never the raw byte. */
	bad("/tmp/\x1b[31mred", EINVAL, "target \"/tmp/\\x1b[31mred\"");
	bad("nbd://h/x\x7f", EINVAL, "control byte 0x7f at offset 9");
}

static void
test_reject_host_port(void **state)
{
	char p[400];

	(void)state;
	bad("nbd:///x", EINVAL, "no host");
	bad("nbd://h:0/x", EINVAL, "port \"0\" is not a number from 1 to 65535");
	bad("nbd://h:65536/x", EINVAL, "port \"65536\" is not a number");
	bad("nbd://h:12a/x", EINVAL, "port \"12a\" is not a number");
	bad("nbd://h:99999999999999999999/x", EINVAL, "is not a number");
	bad("nbd://[::1/x", EINVAL, "\"[\" without \"]\"");
	bad("nbd://[::1]x/y", EINVAL, "junk after \"]\": \"x\"");
	bad("nbd://[zz::1]/", EINVAL, "IPv6 address \"zz::1\" contains 'z'");
	bad("nbd://[1.2.3.4]/", EINVAL, "\"[1.2.3.4]\" is not an IPv6 address");
	bad("nbd://[]/", EINVAL, "empty host name");
	bad("nbd://ho%41st/", EINVAL, "host name \"ho%41st\" contains '%'");
	bad("nbd://h!/", EINVAL, "contains '!'");
	snprintf(p, sizeof(p), "nbd://%0*d/x", 300, 0);
	bad(p, ENAMETOOLONG, "the host name is longer than 255 bytes");
}

static void
test_reject_long(void **state)
{
	static char p[3 * TARGET_EXPORT_MAX + PATH_MAX + 256];

	(void)state;
	/* An export name one byte over the NBD limit... */
	snprintf(p, sizeof(p), "nbd://h/%0*d", TARGET_EXPORT_MAX + 1, 0);
	bad(p, ENAMETOOLONG, "the export name is longer than 4096 bytes");
	/* ...and exactly at it. */
	snprintf(p, sizeof(p), "nbd://h/%0*d", TARGET_EXPORT_MAX, 0);
	ok(p);
	assert_int_equal(strlen(t.export_name), TARGET_EXPORT_MAX);
	snprintf(p, sizeof(p), "nbd:unix:/s:exportname=%0*d",
	    TARGET_EXPORT_MAX + 1, 0);
	bad(p, ENAMETOOLONG, "the export name is longer than 4096 bytes");
	snprintf(p, sizeof(p), "/%0*d", PATH_MAX, 0);
	bad(p, ENAMETOOLONG, "the path is longer than");
	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	bad(p, ENAMETOOLONG, "longer than");
}

/* ---- what the worker is told, and log text ---- */

static void
test_store_arg(void **state)
{
	static char p[700];
	char buf[512];

	(void)state;
	ok("/dev/sdb");
	assert_int_equal(target_store_arg(&t, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "raw");
	ok("nbd+unix:///my%20exp?socket=/s");
	assert_int_equal(target_store_arg(&t, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "nbd:my exp");
	ok("nbd://h");
	assert_int_equal(target_store_arg(&t, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "nbd:");
	/* The PROC_FD message holds 512 bytes: "nbd:" + 507 fits, 508 not. */
	snprintf(p, sizeof(p), "nbd://h/%0*d", 507, 0);
	ok(p);
	assert_int_equal(target_store_arg(&t, buf, sizeof(buf)), 511);
	snprintf(p, sizeof(p), "nbd://h/%0*d", 508, 0);
	ok(p);
	errno = 0;
	assert_int_equal(target_store_arg(&t, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_describe(void **state)
{
	char buf[512];

	(void)state;
	ok("/dev/sdb");
	assert_string_equal(target_describe(&t, buf, sizeof(buf)),
	    "file /dev/sdb");
	ok("nbd+unix:///e%C3%A9?socket=/run/s.sock");
	assert_string_equal(target_describe(&t, buf, sizeof(buf)),
	    "nbd unix:/run/s.sock export \"e\\xc3\\xa9\"");
	ok("nbd://[::1]:99/x");
	assert_string_equal(target_describe(&t, buf, sizeof(buf)),
	    "nbd [::1]:99 export \"x\"");
	ok("nbd://h/");
	assert_string_equal(target_describe(&t, buf, sizeof(buf)),
	    "nbd h:10809 export \"\"");
}

/* ---- opening for real ---- */

static char tmpdir[64];

static int
setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_target.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
assert_blocking_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	assert_true(fl != -1 && fdfl != -1);
	assert_false(fl & O_NONBLOCK);
	assert_true(fdfl & FD_CLOEXEC);
}

static void
test_open_file(void **state)
{
	char p[256];
	int fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/disk.img", tmpdir);
	fd = open(p, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);

	ok(p);
	fd = target_open(&t, true, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_blocking_cloexec(fd);
	close(fd);
	fd = target_open(&t, false, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);

	/* A directory, a FIFO (must not block), something missing. */
	ok(tmpdir);
	assert_int_equal(target_open(&t, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a regular file or a block device"));
	snprintf(p, sizeof(p), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(p, 0600), 0);
	ok(p);
	assert_int_equal(target_open(&t, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a regular file or a block device"));
	snprintf(p, sizeof(p), "%s/missing", tmpdir);
	ok(p);
	errno = 0;
	assert_int_equal(target_open(&t, true, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "cannot open"));
	assert_non_null(strstr(err, "(read-write)"));
}

static void
test_open_nbd_unix(void **state)
{
	struct sockaddr_un sun;
	char p[256];
	int l, fd, a;

	(void)state;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s.sock", tmpdir);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l, 4), 0);

	snprintf(p, sizeof(p), "nbd+unix:///e?socket=%s", sun.sun_path);
	ok(p);
	fd = target_open(&t, true, err, sizeof(err));
	if (fd == -1)
		fail_msg("target_open: %s", err);
	assert_blocking_cloexec(fd);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(a, p, 1), 1);
	close(a);
	close(fd);
	close(l);

	/* Nobody listening any more. */
	errno = 0;
	assert_int_equal(target_open(&t, true, err, sizeof(err)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(strstr(err, "cannot connect to the NBD server at unix "
	    "socket"));
	snprintf(p, sizeof(p), "nbd:unix:%s/none.sock", tmpdir);
	ok(p);
	errno = 0;
	assert_int_equal(target_open(&t, true, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_open_nbd_tcp(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char p[128];
	int l, fd, a;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &sl), 0);

	snprintf(p, sizeof(p), "nbd://127.0.0.1:%u/x", ntohs(sin.sin_port));
	ok(p);
	fd = target_open(&t, true, err, sizeof(err));
	if (fd == -1)
		fail_msg("target_open: %s", err);
	assert_blocking_cloexec(fd);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	close(a);
	close(fd);
	close(l);

	errno = 0;
	assert_int_equal(target_open(&t, true, err, sizeof(err)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(strstr(err, "cannot connect to the NBD server at "
	    "127.0.0.1:"));
}

#define TMP_TEST(f)	cmocka_unit_test_setup_teardown(f, setup_tmp, teardown_tmp)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_nbd_unix),
		cmocka_unit_test(test_nbd_percent_decoding),
		cmocka_unit_test(test_nbd_tcp),
		cmocka_unit_test(test_nbd_ipv6),
		cmocka_unit_test(test_nbd_legacy),
		cmocka_unit_test(test_reject_garbage),
		cmocka_unit_test(test_reject_tls),
		cmocka_unit_test(test_reject_socket),
		cmocka_unit_test(test_reject_query),
		cmocka_unit_test(test_reject_encoding),
		cmocka_unit_test(test_reject_control_bytes),
		cmocka_unit_test(test_reject_host_port),
		cmocka_unit_test(test_reject_long),
		cmocka_unit_test(test_store_arg),
		cmocka_unit_test(test_describe),
		TMP_TEST(test_open_file),
		TMP_TEST(test_open_nbd_unix),
		TMP_TEST(test_open_nbd_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
