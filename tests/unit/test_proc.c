/*
 * test_proc.c - the parent/worker channel (proc_send/proc_recv over a
 * SOCK_SEQPACKET socketpair, with fd passing), proc_spawn() and
 * proc_status_str().
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
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

#include "proc.h"

/* The wire header proc.c uses: two host-endian uint32 (type, len). */
struct wire_hdr {
	uint32_t	type;
	uint32_t	len;
};

static int sv[2] = { -1, -1 };

static int
setup_pair(void **state)
{
	(void)state;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	/* The receiving end is non-blocking, like the parent's channel. */
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
teardown_pair(void **state)
{
	(void)state;
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	sv[0] = sv[1] = -1;
	return 0;
}

/* Number of open fds in this process. */
static int
count_fds(void)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own fd */
}

/* Send one raw datagram (bypassing proc_send), optionally with fds. */
static void
raw_send(int s, const void *buf, size_t len, const int *fds, int nfds)
{
	struct iovec iov;
	struct msghdr mh;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;

	assert_true(nfds >= 0 && nfds <= 4);
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(s, &mh, 0), (ssize_t)len);
}

/* Expect proc_recv to reject the next datagram with EPROTO. */
static void
expect_eproto(int s)
{
	struct proc_msg m;

	int rc;

	memset(&m, 0, sizeof(m));
	errno = 0;
	rc = proc_recv(s, &m);
	if (rc != -1 || errno != EPROTO)
		fail_msg("malformed datagram: proc_recv returned %d (errno %d), "
		    "type %u len %u; want -1 EPROTO", rc, rc == -1 ? errno : 0,
		    m.type, m.len);
	assert_int_equal(m.fd, -1);
}

/* The channel still works after whatever the test did. */
static void
expect_channel_ok(void)
{
	struct proc_msg m;

	assert_int_equal(proc_send(sv[0], PROC_READY, "ok", 2, -1), 0);
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.type, PROC_READY);
	assert_int_equal(m.len, 2);
	assert_string_equal(m.data, "ok");
}

/* ---- proc_send / proc_recv ---- */

static void
test_msg_with_data(void **state)
{
	struct proc_msg m;
	const char *reason = "cannot open /dev/vg0/disk: No such file";

	(void)state;
	assert_int_equal(proc_send(sv[0], PROC_ERROR, reason, strlen(reason), -1), 0);
	memset(&m, 'X', sizeof(m));
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.type, PROC_ERROR);
	assert_int_equal(m.len, strlen(reason));
	assert_memory_equal(m.data, reason, strlen(reason));
	assert_int_equal(m.data[m.len], '\0');
	assert_string_equal(m.data, reason);
	assert_int_equal(m.fd, -1);

	/* Binary data with NULs comes through as is. */
	{
		const char bin[6] = { 1, 0, 2, 0, (char)0xff, 3 };

		assert_int_equal(proc_send(sv[0], 77, bin, sizeof(bin), -1), 0);
		assert_int_equal(proc_recv(sv[1], &m), 1);
		assert_int_equal(m.type, 77);
		assert_int_equal(m.len, sizeof(bin));
		assert_memory_equal(m.data, bin, sizeof(bin));
	}
}

static void
test_msg_empty(void **state)
{
	struct proc_msg m;

	(void)state;
	assert_int_equal(proc_send(sv[0], PROC_READY, NULL, 0, -1), 0);
	memset(&m, 'X', sizeof(m));
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.type, PROC_READY);
	assert_int_equal(m.len, 0);
	assert_int_equal(m.data[0], '\0');
	assert_int_equal(m.fd, -1);

	/* Several messages keep their boundaries and order. */
	assert_int_equal(proc_send(sv[0], PROC_SHUTDOWN, NULL, 0, -1), 0);
	assert_int_equal(proc_send(sv[0], PROC_ERROR, "e", 1, -1), 0);
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.type, PROC_SHUTDOWN);
	assert_int_equal(m.len, 0);
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.type, PROC_ERROR);
	assert_string_equal(m.data, "e");
}

static void
test_msg_with_fd(void **state)
{
	struct proc_msg m;
	int p[2], before;
	char buf[16];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(proc_send(sv[0], PROC_FD, "backing", 7, p[1]), 0);
	close(p[1]);		/* only the received copy remains */
	before = count_fds();
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(count_fds(), before + 1);
	assert_int_equal(m.type, PROC_FD);
	assert_string_equal(m.data, "backing");
	assert_true(m.fd >= 0);
	/* Received close-on-exec: it must not leak into workers. */
	assert_true(fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	/* It is the pipe's write end. */
	assert_int_equal(write(m.fd, "through", 7), 7);
	close(m.fd);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(read(p[0], buf, sizeof(buf)), 7);
	assert_string_equal(buf, "through");
	/* That was the last write end: EOF now. */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	/* An fd with an empty message. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(proc_send(sv[0], PROC_FD, NULL, 0, p[0]), 0);
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.len, 0);
	assert_true(m.fd >= 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(read(m.fd, buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	close(m.fd);
	close(p[0]);
	close(p[1]);
}

static void
test_send_oversized(void **state)
{
	static char big[PROC_MSG_MAX + 100];
	struct proc_msg m;

	(void)state;
	memset(big, 'a', sizeof(big));
	errno = 0;
	assert_int_equal(proc_send(sv[0], PROC_ERROR, big, PROC_MSG_MAX + 1, -1), -1);
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_int_equal(proc_send(sv[0], PROC_ERROR, big, sizeof(big), -1), -1);
	assert_int_equal(errno, EMSGSIZE);
	/* Nothing was sent. */
	errno = 0;
	assert_int_equal(proc_recv(sv[1], &m), -1);
	assert_int_equal(errno, EAGAIN);
}

/*
 * proc_send() accepts len == PROC_MSG_MAX, so the receiver must get all of
 * it back unchanged.
 */
static void
test_msg_max_size(void **state)
{
	static char data[PROC_MSG_MAX];
	struct proc_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('A' + i % 26);
	assert_int_equal(proc_send(sv[0], PROC_ERROR, data, PROC_MSG_MAX, -1), 0);
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(m.len, PROC_MSG_MAX);
	if (memcmp(m.data, data, PROC_MSG_MAX) != 0) {
		for (i = 0; i < PROC_MSG_MAX; i++)
			if (m.data[i] != data[i])
				break;
		fail_msg("a %d-byte message comes back changed at byte %zu: "
		    "0x%02x, sent 0x%02x", PROC_MSG_MAX, i,
		    (unsigned char)m.data[i], (unsigned char)data[i]);
	}
}

static void
test_recv_eof(void **state)
{
	struct proc_msg m;

	(void)state;
	/* A queued message is still delivered, then EOF. */
	assert_int_equal(proc_send(sv[0], PROC_READY, NULL, 0, -1), 0);
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(proc_recv(sv[1], &m), 1);
	assert_int_equal(proc_recv(sv[1], &m), 0);
	assert_int_equal(proc_recv(sv[1], &m), 0);
	/* Sending to a gone peer fails (and does not raise SIGPIPE). */
	assert_int_equal(proc_send(sv[1], PROC_READY, NULL, 0, -1), -1);
	assert_int_equal(errno, EPIPE);
}

static void
test_recv_nothing_nonblocking(void **state)
{
	struct proc_msg m;

	(void)state;
	errno = 0;
	assert_int_equal(proc_recv(sv[1], &m), -1);
	assert_int_equal(errno, EAGAIN);
}

static void
test_recv_malformed(void **state)
{
	static char buf[PROC_MSG_MAX + 200];
	struct wire_hdr h;

	(void)state;
	memset(buf, 'q', sizeof(buf));

	/* Shorter than the header. */
	raw_send(sv[0], "abcd", 4, NULL, 0);
	expect_eproto(sv[1]);
	raw_send(sv[0], "a", 1, NULL, 0);
	expect_eproto(sv[1]);

	/* Header says 10 bytes, 3 follow. */
	h.type = PROC_ERROR;
	h.len = 10;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + 3, NULL, 0);
	expect_eproto(sv[1]);

	/* Header says 3 bytes, 10 follow. */
	h.len = 3;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + 10, NULL, 0);
	expect_eproto(sv[1]);

	/* Header says 0 bytes, 1 follows. */
	h.len = 0;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + 1, NULL, 0);
	expect_eproto(sv[1]);

	/* Length above the maximum, with as many bytes. */
	h.len = PROC_MSG_MAX + 88;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + PROC_MSG_MAX + 88, NULL, 0);
	expect_eproto(sv[1]);

	/* Huge length. */
	h.len = UINT32_MAX;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + 8, NULL, 0);
	expect_eproto(sv[1]);

	expect_channel_ok();
}

/*
 * A datagram longer than any valid message whose header claims the
 * maximum length: recvmsg() truncates it to exactly header + PROC_MSG_MAX
 * bytes, which must not make it look valid.
 */
static void
test_recv_truncated_datagram(void **state)
{
	static char buf[PROC_MSG_MAX + 200];
	struct wire_hdr h;

	(void)state;
	memset(buf, 'q', sizeof(buf));
	h.type = PROC_ERROR;
	h.len = PROC_MSG_MAX;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + PROC_MSG_MAX + 100, NULL, 0);
	expect_eproto(sv[1]);
	expect_channel_ok();
}

/* A malformed message that carries an fd: the fd is closed, not leaked. */
static void
test_recv_malformed_with_fd(void **state)
{
	struct wire_hdr h;
	char buf[64];
	int p[2], before;

	(void)state;
	assert_int_equal(pipe(p), 0);
	h.type = PROC_FD;
	h.len = 20;
	memcpy(buf, &h, sizeof(h));
	raw_send(sv[0], buf, sizeof(h) + 2, &p[1], 1);
	close(p[1]);
	before = count_fds();
	expect_eproto(sv[1]);
	assert_int_equal(count_fds(), before);
	/* The received copy was closed: the pipe has no writer left. */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	expect_channel_ok();
}

/*
 * A peer (a compromised worker) sends two fds in one message: the receiver
 * must not end up with fds it does not know about.
 */
static void
test_recv_two_fds_no_leak(void **state)
{
	struct proc_msg m;
	struct wire_hdr h;
	char buf[64];
	int p[2], q[2], fds[2], before, rc, extra;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	h.type = PROC_FD;
	h.len = 0;
	memcpy(buf, &h, sizeof(h));
	fds[0] = p[1];
	fds[1] = q[1];
	raw_send(sv[0], buf, sizeof(h), fds, 2);
	close(p[1]);
	close(q[1]);
	before = count_fds();
	memset(&m, 0, sizeof(m));
	rc = proc_recv(sv[1], &m);
	assert_true(rc == 1 || rc == -1);
	/* At most the fd handed back in m.fd may be new. */
	extra = count_fds() - before;
	if (m.fd >= 0)
		close(m.fd);
	if (extra > (m.fd >= 0 ? 1 : 0))
		fail_msg("proc_recv returned %d with fd %d but %d new fds are "
		    "open", rc, m.fd, extra);
	close(p[0]);
	close(q[0]);
}

/* ---- proc_spawn ---- */

static pid_t
spawn_sh(const char *script, int *chan)
{
	char *argv[] = { "sh", "-c", (char *)(uintptr_t)script, "sh", NULL };

	return proc_spawn("/bin/sh", argv, chan);
}

static int
wait_child(pid_t pid)
{
	int status;
	pid_t r;

	do {
		r = waitpid(pid, &status, 0);
	} while (r == -1 && errno == EINTR);
	assert_int_equal(r, pid);
	return status;
}

static void
assert_exited(int status, int code)
{
	char buf[128];

	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		fail_msg("child %s, want exited %d",
		    proc_status_str(status, buf, sizeof(buf)), code);
}

/*
 * The worker sees its channel as fd 3 (a socket), keeps 0-2, and nothing
 * else: the parent's other fds (not close-on-exec on purpose) are closed.
 */
static void
test_spawn_fds(void **state)
{
	/* Exit codes say which check failed; stderr lists the fds. */
	static const char script[] =
	    "[ -S /proc/$$/fd/3 ] || exit 10\n"
	    "for n in 0 1 2; do [ -L /proc/$$/fd/$n ] || exit 11; done\n"
	    "n=4\n"
	    "while [ $n -lt 1100 ]; do\n"
	    "  if [ -L /proc/$$/fd/$n ]; then ls -l /proc/$$/fd >&2; exit 12; fi\n"
	    "  n=$((n + 1))\n"
	    "done\n"
	    "exit 0\n";
	int chan = -1, fl, nul, extra[3] = { 7, 64, 1000 };
	struct proc_msg m;
	pid_t pid;
	size_t i;

	(void)state;
	nul = open("/dev/null", O_RDONLY);
	assert_true(nul >= 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(dup2(nul, extra[i]), extra[i]);
	pid = spawn_sh(script, &chan);
	for (i = 0; i < 3; i++)
		close(extra[i]);
	close(nul);
	assert_true(pid > 0);
	assert_true(chan >= 0);
	/* The parent's end: non-blocking and close-on-exec. */
	fl = fcntl(chan, F_GETFL);
	assert_true(fl != -1 && (fl & O_NONBLOCK));
	assert_true(fcntl(chan, F_GETFD) & FD_CLOEXEC);
	assert_exited(wait_child(pid), 0);
	/* The parent kept no copy of the child's end: EOF once it exited. */
	assert_int_equal(proc_recv(chan, &m), 0);
	close(chan);
}

/* Messages flow both ways between parent and a real worker process. */
static void
test_spawn_channel(void **state)
{
	/*
	 * Read one datagram from fd 3 (the parent's SHUTDOWN + "bye!!" is
	 * 8 + 5 bytes), then answer READY + "hi" (type 1, len 2; host order).
	 */
	static const char script[] =
	    "n=$(dd bs=1024 count=1 <&3 2>/dev/null | wc -c)\n"
	    "[ \"$n\" -eq 13 ] || exit 20\n"
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	    "printf '\\001\\000\\000\\000\\002\\000\\000\\000hi' >&3 || exit 21\n"
#else
	    "printf '\\000\\000\\000\\001\\000\\000\\000\\002hi' >&3 || exit 21\n"
#endif
	    "exit 0\n";
	struct proc_msg m;
	int chan = -1;
	pid_t pid;

	(void)state;
	pid = spawn_sh(script, &chan);
	assert_true(pid > 0);
	assert_int_equal(proc_send(chan, PROC_SHUTDOWN, "bye!!", 5, -1), 0);
	assert_exited(wait_child(pid), 0);
	assert_int_equal(proc_recv(chan, &m), 1);
	assert_int_equal(m.type, PROC_READY);
	assert_int_equal(m.len, 2);
	assert_string_equal(m.data, "hi");
	assert_int_equal(proc_recv(chan, &m), 0);
	close(chan);
}

static void
test_spawn_exec_fails(void **state)
{
	char *argv[] = { "nonexistent", NULL };
	int chan = -1;
	pid_t pid;

	(void)state;
	pid = proc_spawn("/nonexistent/worker", argv, &chan);
	assert_true(pid > 0);
	assert_exited(wait_child(pid), 127);
	close(chan);
}

/* ---- proc_status_str ---- */

static void
test_status_exit0(void **state)
{
	char buf[128];
	int chan = -1;
	pid_t pid;

	(void)state;
	pid = spawn_sh("exit 0", &chan);
	assert_true(pid > 0);
	assert_ptr_equal(proc_status_str(wait_child(pid), buf, sizeof(buf)), buf);
	assert_string_equal(buf, "exited 0");
	close(chan);
}

static void
test_status_exit3(void **state)
{
	char buf[128];
	int chan = -1;
	pid_t pid;

	(void)state;
	pid = spawn_sh("exit 3", &chan);
	assert_true(pid > 0);
	proc_status_str(wait_child(pid), buf, sizeof(buf));
	assert_string_equal(buf, "exited 3");
	close(chan);
}

static void
test_status_sigkill(void **state)
{
	char buf[128], want[128];
	int chan = -1, status;
	pid_t pid;

	(void)state;
	pid = spawn_sh("kill -9 $$", &chan);
	assert_true(pid > 0);
	status = wait_child(pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	proc_status_str(status, buf, sizeof(buf));
	snprintf(want, sizeof(want), "killed by signal %d (%s)", SIGKILL,
	    strsignal(SIGKILL));
	assert_string_equal(buf, want);
	assert_non_null(strstr(buf, "signal 9"));
	close(chan);
}

/* Statuses that are hard to produce for real, and small buffers. */
static void
test_status_synthetic(void **state)
{
	char buf[128], want[128];

	(void)state;
	proc_status_str(255 << 8, buf, sizeof(buf));
	assert_string_equal(buf, "exited 255");
	/* SIGSEGV with a core dump (0x80 flag). */
	proc_status_str(SIGSEGV | 0x80, buf, sizeof(buf));
	snprintf(want, sizeof(want), "killed by signal %d (%s), core dumped",
	    SIGSEGV, strsignal(SIGSEGV));
	assert_string_equal(buf, want);
	/* Stopped (WIFSTOPPED): neither exited nor signalled. */
	proc_status_str((SIGSTOP << 8) | 0x7f, buf, sizeof(buf));
	assert_string_equal(buf, "wait status 0x137f");
	/* Truncated into a small buffer, still terminated. */
	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(proc_status_str(3 << 8, buf, 5), buf);
	assert_string_equal(buf, "exit");
	assert_int_equal(buf[5], 'Z');
}

#define PAIR_TEST(f)	cmocka_unit_test_setup_teardown(f, setup_pair, teardown_pair)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PAIR_TEST(test_msg_with_data),
		PAIR_TEST(test_msg_empty),
		PAIR_TEST(test_msg_with_fd),
		PAIR_TEST(test_send_oversized),
		PAIR_TEST(test_msg_max_size),
		PAIR_TEST(test_recv_eof),
		PAIR_TEST(test_recv_nothing_nonblocking),
		PAIR_TEST(test_recv_malformed),
		PAIR_TEST(test_recv_truncated_datagram),
		PAIR_TEST(test_recv_malformed_with_fd),
		PAIR_TEST(test_recv_two_fds_no_leak),
		cmocka_unit_test(test_spawn_fds),
		cmocka_unit_test(test_spawn_channel),
		cmocka_unit_test(test_spawn_exec_fails),
		cmocka_unit_test(test_status_exit0),
		cmocka_unit_test(test_status_exit3),
		cmocka_unit_test(test_status_sigkill),
		cmocka_unit_test(test_status_synthetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
