/*
 * test_handover.c - the re-exec handover (common/handover.c): what
 * ho_write() writes ho_read() gives back, fds and all; and ho_read()
 * refuses every malformed or lying handover with a reason, since the file
 * comes from another image.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "handover.h"

/* handover.c's ho_parent_start() calls it; not under test here. */
int
sup_adopt(struct sup *s, int fd)
{
	(void)s;
	close(fd);
	return 0;
}

static pid_t kid = -1;
static int p1[2] = { -1, -1 }, p2[2] = { -1, -1 };

static int
setup(void **state)
{
	(void)state;
	if (pipe2(p1, O_CLOEXEC) == -1 || pipe2(p2, O_CLOEXEC) == -1)
		return -1;
	if ((kid = fork()) == -1)
		return -1;
	if (kid == 0) {
		pause();
		_exit(0);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	return 0;
}

/* A handover file holding text, rewound. */
static int
text_fd(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && n < (int)sizeof(buf));
	fd = memfd_create("t", 0);
	assert_true(fd >= 0);
	if (n > 0)
		assert_int_equal(write(fd, buf, (size_t)n), n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void
test_roundtrip(void **state)
{
	struct ho_child ch[2], *got = NULL;
	unsigned int n = 0;
	char err[256];
	int fd;

	(void)state;
	memset(ch, 0, sizeof(ch));
	ch[0].domid = 3;
	ch[0].devid = 51712;
	ch[0].pid = kid;
	ch[0].chan = p1[0];
	ch[0].flags = HO_READY | HO_RESTARTABLE | HO_RESUMED;
	ch[0].unready = 1;
	ch[0].ndeaths = 4;
	ch[0].nring = 3;
	ch[0].deaths[0] = 10;
	ch[0].deaths[1] = 20;
	ch[0].deaths[2] = 18446744073709551615ULL;
	ch[0].argv[0] = "blkbackd: d3/51712";
	ch[0].argv[1] = "-W";
	ch[0].argv[2] = "3/51712";
	ch[0].argv[3] = "";
	ch[0].argv[4] = "100% ~odd\n";
	ch[0].nheld = 3;
	strcpy(ch[0].held[0].name, "journal");
	ch[0].held[0].fd = p1[1];
	strcpy(ch[0].held[1].name, "evtchn x");
	ch[0].held[1].fd = p2[0];
	strcpy(ch[0].held[2].name, "nbd:");	/* reopened: no fd (sup_fd.reopen) */
	ch[0].held[2].fd = -1;
	ch[0].uring_fd = p2[1];
	ch[0].uring_len = 3;
	memcpy(ch[0].uring_params, "\x00\xff\x10", 3);
	ch[1].domid = 4;
	ch[1].devid = 0;
	ch[1].pid = -1;

	fd = ho_write("vbd", ch, 2);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	fcntl(p1[0], F_SETFD, 0);
	assert_int_equal(ho_read(fd, "vbd", &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].domid, 3);
	assert_int_equal(got[0].devid, 51712);
	assert_int_equal(got[0].pid, kid);
	assert_int_equal(got[0].chan, p1[0]);
	assert_int_equal(got[0].flags, HO_READY | HO_RESTARTABLE | HO_RESUMED);
	assert_int_equal(got[0].unready, 1);
	assert_int_equal(got[0].ndeaths, 4);
	assert_int_equal(got[0].nring, 3);
	assert_true(got[0].deaths[2] == 18446744073709551615ULL);
	assert_string_equal(got[0].argv[0], "blkbackd: d3/51712");
	assert_string_equal(got[0].argv[3], "");
	assert_string_equal(got[0].argv[4], "100% ~odd\n");
	assert_null(got[0].argv[5]);
	assert_int_equal(got[0].nheld, 3);
	assert_string_equal(got[0].held[1].name, "evtchn x");
	assert_int_equal(got[0].held[1].fd, p2[0]);
	assert_string_equal(got[0].held[2].name, "nbd:");
	assert_int_equal(got[0].held[2].fd, -1);
	assert_int_equal(got[0].uring_fd, p2[1]);
	assert_int_equal(got[0].uring_len, 3);
	assert_memory_equal(got[0].uring_params, "\x00\xff\x10", 3);
	assert_int_equal(got[1].pid, -1);
	assert_int_equal(got[1].domid, 4);
	/* adopted fds must not leak into a later exec */
	assert_true(fcntl(p1[0], F_GETFD) & FD_CLOEXEC);
	/* ho_read closed the handover */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	ho_free(got, n);
}

/* ho_read() refuses text; err names the reason (a substring of it). */
static void
refused(const char *text, const char *why)
{
	struct ho_child *got = NULL;
	unsigned int n = 0;
	char err[256];
	int fd = text_fd("%s", text);

	assert_int_equal(ho_read(fd, "vbd", &got, &n, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
	assert_null(got);
}

static void
test_refused(void **state)
{
	char t[1024];

	(void)state;
	refused("", "empty or over");
	refused("xb-handover 2 vbd 0\nend\n", "version 2");
	refused("xb-handover 1 vif 0\nend\n", "of vif devices");
	refused("xb-handover 1 vbd 0\n", "ends early");
	refused("xb-handover 1 vbd 0\nend", "newline");
	refused("xb-handover 1 vbd 0\nend\nmore\n", "\"end\"");
	refused("xb-handover 1 vbd 1\nf 3 51712\nf 3 51712\nend\n", "tokens");
	refused("xb-handover 1 vbd 2\nf 3 51712\nf 3 51712\nend\n", "twice");
	refused("xb-handover 1 vbd 1\nf 32752 0\nend\n", "domid");
	refused("xb-handover 1 vbd 1\nf -1 0\nend\n", "negative");
	refused("xb-handover 1 vbd 1\nf 3  0\nend\n", "empty token");
	refused("xb-handover 1 vbd 5000\nend\n", "children");
	refused("junk 1 vbd 0\nend\n", "not a handover");
	/* a pid that is not our child, a closed fd, an fd named twice */
	refused("xb-handover 1 vbd 1\nc 3 0 1 5 1 0 0 0 -1 1 0\na x\nend\n",
	    "not a child");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld 999 1 0 0 0 -1 "
	    "1 0\na x\nend\n", (long)kid);
	refused(t, "not open");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "1 1\na x\nh j %d\nend\n", (long)kid, p1[0], p1[0]);
	refused(t, "named twice");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld 2 1 0 0 0 -1 "
	    "1 0\na x\nend\n", (long)kid);
	refused(t, "not a handed-over fd");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 16 0 0 0 -1 "
	    "1 0\na x\nend\n", (long)kid, p1[0]);
	refused(t, "flags");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "0 0\nend\n", (long)kid, p1[0]);
	refused(t, "without argv");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "1 0\na a b\nend\n", (long)kid, p1[0]);
	refused(t, "more than 2 tokens");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "1 0\na %%00\nend\n", (long)kid, p1[0]);
	refused(t, "bad escape");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "1 0\na x\"y\nend\n", (long)kid, p1[0]);
	refused(t, "not escaped");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 9 -1 "
	    "1 0\na x\nend\n", (long)kid, p1[0]);
	refused(t, "budget ring");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 %d "
	    "1 0\na x\nu 0g\nend\n", (long)kid, p1[0], p1[1]);
	refused(t, "not hex");
	snprintf(t, sizeof(t), "xb-handover 1 vbd 1\nc 3 0 %ld %d 1 0 0 0 -1 "
	    "1 1\na x\nh %s %d\nend\n", (long)kid, p1[0],
	    "0123456789012345678901234567890123", p1[1]);
	refused(t, "fd name longer");
}

static void
test_pidfile_absent(void **state)
{
	char err[256];

	(void)state;
	/* no such daemon: a clear reason, nothing signalled */
	assert_int_equal(ho_signal_running("xb-test-no-such-daemon", 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "xb-test-no-such-daemon"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_pidfile_absent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
