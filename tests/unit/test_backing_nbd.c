/*
 * test_backing_nbd.c - backing_nbd (backing.h) against a real NBD server:
 * qemu-nbd (Debian package qemu-utils, see tests/deps.sh) serving
 * temporary raw images over unix sockets, driven by a real ev_base.
 *
 * What is checked: data written through multi-entry iovecs reads back
 * (through other iovec splits, and in the image file itself), flush,
 * trim that reads back as zeroes, errors past the end, queue limits,
 * submit()/kick() never calling done(), done() that submits or closes,
 * close() with I/O in flight (waited for, never delivered), a read-only
 * server, a wrong export name, and a server killed mid-run (every I/O
 * completes with an error; nothing hangs).  Without qemu-nbd the tests
 * fail and say so: they are never skipped.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backing.h"
#include "ev.h"
#include "log.h"

#define IMG_SIZE	(8u << 20)
#define MAX_IO		(64u << 10)
#define QD		32u
#define EXPORT		"my export"	/* a space: the name is passed as is */
#define WATCHDOG_MS	15000

/* ---- qemu-nbd ---- */

#define MAX_SERVERS	8
static pid_t servers[MAX_SERVERS];
static char tmpdir[64];

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Create a zeroed raw image of IMG_SIZE bytes; returns its path. */
static const char *
make_image(const char *name)
{
	static char path[MAX_SERVERS][128];
	static unsigned int n;
	char *p = path[n++ % MAX_SERVERS];
	int fd;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	fd = open(p, O_CREAT | O_TRUNC | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, IMG_SIZE), 0);
	close(fd);
	return p;
}

/* The end of what qemu-nbd wrote to stderr (for failure messages). */
static const char *
server_log(char *buf, size_t len)
{
	char path[160];
	ssize_t n;
	off_t end;
	int fd;

	snprintf(path, sizeof(path), "%s/qemu-nbd.log", tmpdir);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return "nothing";
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)len - 1)
		lseek(fd, end - (off_t)len + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * Start qemu-nbd on image, listening on tmpdir/<sock>.  extra is one more
 * option or NULL.  Returns the pid (also remembered for the final kill).
 */
static pid_t
start_server(const char *image, const char *sock, const char *extra)
{
	char sockopt[160];
	pid_t pid;
	int i;

	snprintf(sockopt, sizeof(sockopt), "--socket=%s/%s", tmpdir, sock);
	fflush(NULL);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		const char *argv[12];
		int n = 0;

		argv[n++] = "qemu-nbd";
		argv[n++] = sockopt;
		argv[n++] = "--persistent";
		argv[n++] = "--shared=16";
		argv[n++] = "--format=raw";
		argv[n++] = "--discard=unmap";
		argv[n++] = "--export-name=" EXPORT;
		if (extra != NULL)
			argv[n++] = extra;
		argv[n++] = image;
		argv[n] = NULL;
		/* A test that crashes must not leave servers behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/*
		 * Its complaints (a peer we closed on purpose: "Broken pipe")
		 * go to a log, not into cmocka's result lines, which a
		 * half-line of stderr would break for tests/run-unit.sh.
		 */
		char logpath[160];
		snprintf(logpath, sizeof(logpath), "%s/qemu-nbd.log", tmpdir);
		int lfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (lfd >= 0)
			dup2(lfd, STDERR_FILENO);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == 0) {
			servers[i] = pid;
			break;
		}
	return pid;
}

static void
stop_server(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == pid) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			servers[i] = 0;
		}
}

/*
 * Connect to tmpdir/<sock>, waiting up to 10 s for the server to listen;
 * fails the test (saying why) if the server exits instead.
 */
static int
connect_server(pid_t pid, const char *sock)
{
	struct sockaddr_un sun;
	long long deadline = now_ms() + 10000;
	char msg[300];
	int fd, status;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", tmpdir, sock);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		close(fd);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			stop_server(pid);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				fail_msg("qemu-nbd not found: install qemu-utils "
				    "(tests/deps.sh does)");
			fail_msg("qemu-nbd exited (status 0x%x) before "
			    "listening on %s; it said: %s", status,
			    sun.sun_path, server_log(msg, sizeof(msg)));
		}
		if (now_ms() > deadline)
			fail_msg("qemu-nbd did not listen on %s within 10 s; "
			    "it said: %s", sun.sun_path,
			    server_log(msg, sizeof(msg)));
		usleep(20 * 1000);
	}
}

/* ---- the event loop and completions ---- */

struct tio {
	struct backing_io	io;
	struct iovec		iov[BACKING_MAX_IOV];
	unsigned int		ndone;
	int			error;
};

static struct {
	struct ev_base	*base;
	struct ev	*watchdog;
	void		*store;
	unsigned int	 completed, want;
	bool		 timed_out;
	bool		 in_call;	/* inside submit(), kick() or close() */
	bool		 reentered;	/* done() ran inside one of them */
	/* done() hooks */
	struct tio	*chain;		/* resubmit these in turn */
	unsigned int	 chain_left;
	bool		 close_in_done;
} H;

static void
on_done(struct backing_io *io)
{
	struct tio *t = io->arg;

	if (H.in_call)
		H.reentered = true;
	t->ndone++;
	t->error = io->error;
	H.completed++;
	if (H.chain != NULL && H.chain_left > 0) {
		/* From done(): the worker does this all the time. */
		H.chain_left--;
		H.in_call = true;
		if (backing_nbd.submit(H.store, &H.chain[H.chain_left].io) == 0)
			backing_nbd.kick(H.store);
		H.in_call = false;
	}
	if (H.close_in_done) {
		H.close_in_done = false;
		H.in_call = true;
		backing_nbd.close(H.store);
		H.in_call = false;
		H.store = NULL;
	}
	if (H.completed >= H.want)
		ev_break(H.base);
}

static void
watchdog_cb(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	H.timed_out = true;
	ev_break(H.base);
}

/* Run the loop until want completions in all (since the last reset). */
static void
run_until(unsigned int want)
{
	H.want = want;
	H.timed_out = false;
	if (H.completed < want) {
		assert_int_equal(ev_timer_arm(H.watchdog, WATCHDOG_MS), 0);
		ev_dispatch(H.base);
		ev_disable(H.watchdog);
	}
	if (H.timed_out)
		fail_msg("only %u of %u I/Os completed within %d s", H.completed,
		    want, WATCHDOG_MS / 1000);
	assert_false(H.reentered);
	assert_int_equal(H.completed, want);
}

/* Let the loop run for ms (e.g. to notice a dead server). */
static void
run_for(unsigned int ms)
{
	H.want = UINT32_MAX;
	assert_int_equal(ev_timer_arm(H.watchdog, ms), 0);
	ev_dispatch(H.base);
	ev_disable(H.watchdog);
	assert_false(H.reentered);
}

static int
submit(struct tio *t)
{
	int r;

	H.in_call = true;
	r = backing_nbd.submit(H.store, &t->io);
	H.in_call = false;
	return r;
}

static void
kick(void)
{
	H.in_call = true;
	backing_nbd.kick(H.store);
	H.in_call = false;
}

static void
close_store(void)
{
	H.in_call = true;
	backing_nbd.close(H.store);
	H.in_call = false;
	H.store = NULL;
}

/* Open the store over a fresh connection; NULL on failure (why filled). */
static void *
open_store(pid_t pid, const char *sock, const char *export, bool ro,
    struct backing_info *info, char *why, size_t whylen)
{
	struct backing_params p;

	memset(&p, 0, sizeof(p));
	p.fd = connect_server(pid, sock);
	p.arg = export;
	p.readonly = ro;
	p.max_io = MAX_IO;
	p.queue_depth = QD;
	why[0] = '\0';
	return backing_nbd.open(&p, H.base, on_done, info, why, whylen);
}

static void
must_open(pid_t pid, const char *sock, struct backing_info *info)
{
	char why[512];

	H.store = open_store(pid, sock, EXPORT, false, info, why, sizeof(why));
	if (H.store == NULL)
		fail_msg("backing_nbd.open: %s", why);
}

/*
 * Describe an I/O.  The data is split into iovcnt pieces of uneven (but
 * 512-byte multiple) sizes over the caller's buffer.
 */
static void
tio_init(struct tio *t, enum backing_op op, uint64_t off, uint8_t *buf,
    size_t len, unsigned int iovcnt)
{
	size_t left = len, n;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->io.op = op;
	t->io.off = off;
	t->io.len = len;
	t->io.arg = t;
	t->error = -1;
	if (op != BACKING_READ && op != BACKING_WRITE)
		return;
	assert_true(iovcnt <= 1 || len >= (size_t)iovcnt * 512);
	for (i = 0; i < iovcnt; i++) {
		n = (len / iovcnt / 512) * 512;
		if (i % 2 == 1 && n >= 1024)
			n -= 512;	/* uneven pieces */
		if (i == iovcnt - 1)
			n = left;
		t->iov[i].iov_base = buf;
		t->iov[i].iov_len = n;
		buf += n;
		left -= n;
	}
	t->io.iov = t->iov;
	t->io.iovcnt = iovcnt;
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static int
setup(void **state)
{
	(void)state;
	memset(&H, 0, sizeof(H));
	if ((H.base = ev_base_new()) == NULL ||
	    (H.watchdog = ev_timer(H.base, watchdog_cb, NULL)) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (H.store != NULL)
		backing_nbd.close(H.store);
	ev_free(H.watchdog);
	ev_base_free(H.base);
	memset(&H, 0, sizeof(H));
	return 0;
}

/* The shared server for most tests. */
static pid_t srv;
static const char *srv_image;

static int
group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	log_init("test_backing_nbd", 1, 1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_backing_nbd.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];
	int i;

	(void)state;
	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] != 0)
			stop_server(servers[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
need_server(void)
{
	if (srv == 0) {
		srv_image = make_image("main.img");
		srv = start_server(srv_image, "main.sock", NULL);
	}
}

/* ---- tests ---- */

static void
test_qemu_nbd_present(void **state)
{
	int fd;

	(void)state;
	/* Fails with "qemu-nbd not found" rather than skipping. */
	need_server();
	fd = connect_server(srv, "main.sock");
	close(fd);
}

static void
test_open_info(void **state)
{
	struct backing_info info;
	uint64_t sz = 0;

	(void)state;
	need_server();
	memset(&info, 0xa5, sizeof(info));
	must_open(srv, "main.sock", &info);
	assert_true(info.size == IMG_SIZE);
	assert_int_equal(info.logical_block, 512);
	assert_true(info.physical_block >= 512 && info.physical_block <= 4096);
	assert_int_equal(info.physical_block & (info.physical_block - 1), 0);
	assert_true(info.can_flush);
	assert_true(info.can_discard);
	assert_false(info.discard_secure);
	assert_true(info.discard_granularity >= 512);
	assert_false(info.is_blockdev);
	assert_false(info.direct);
	assert_false(info.can_resize);
	assert_int_equal(backing_nbd.size(H.store, &sz), 0);
	assert_true(sz == IMG_SIZE);
	assert_int_equal(backing_nbd.inflight(H.store), 0);
	assert_string_equal(backing_nbd.name, "nbd");
	close_store();
}

/* Write patterns through many iovec shapes, read back through others. */
static void
test_write_read(void **state)
{
	enum { N = 24 };
	static struct tio w[N], r[N], f;
	static uint8_t wbuf[N][MAX_IO], rbuf[N][MAX_IO], file[MAX_IO];
	static const unsigned int shapes[] = { 1, 2, 3, 16, 96, 7 };
	struct backing_info info;
	unsigned int i;
	int fd;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);
	for (i = 0; i < N; i++) {
		size_t len = MAX_IO - (i % 4) * 4096;

		fill(wbuf[i], len, i + 1);
		tio_init(&w[i], BACKING_WRITE, (uint64_t)i * MAX_IO + 512 * i,
		    wbuf[i], len, shapes[i % 6]);
		assert_int_equal(submit(&w[i]), 0);
	}
	assert_int_equal(backing_nbd.inflight(H.store), N);
	assert_int_equal(H.completed, 0);	/* nothing before the loop runs */
	kick();
	assert_int_equal(H.completed, 0);
	run_until(N);
	for (i = 0; i < N; i++) {
		assert_int_equal(w[i].ndone, 1);
		assert_int_equal(w[i].error, 0);
	}
	assert_int_equal(backing_nbd.inflight(H.store), 0);

	tio_init(&f, BACKING_FLUSH, 0, NULL, 0, 0);
	assert_int_equal(submit(&f), 0);
	kick();
	run_until(N + 1);
	assert_int_equal(f.error, 0);

	for (i = 0; i < N; i++) {
		memset(rbuf[i], 0xee, MAX_IO);
		tio_init(&r[i], BACKING_READ, w[i].io.off, rbuf[i], w[i].io.len,
		    shapes[(i + 3) % 6]);
		assert_int_equal(submit(&r[i]), 0);
	}
	kick();
	run_until(2 * N + 1);
	fd = open(srv_image, O_RDONLY);
	assert_true(fd >= 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(r[i].ndone, 1);
		assert_int_equal(r[i].error, 0);
		assert_memory_equal(rbuf[i], wbuf[i], w[i].io.len);
		/* And it is really in the image, where it should be. */
		assert_int_equal(pread(fd, file, w[i].io.len, (off_t)w[i].io.off),
		    (ssize_t)w[i].io.len);
		assert_memory_equal(file, wbuf[i], w[i].io.len);
	}
	close(fd);
	close_store();
}

static void
test_discard(void **state)
{
	enum { OFF = 1u << 20, LEN = 1u << 20 };
	static uint8_t buf[MAX_IO];
	static struct tio t;
	struct backing_info info;
	unsigned int i, n = 0;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);
	for (i = 0; i < LEN / MAX_IO; i++) {
		fill(buf, MAX_IO, 100 + i);
		tio_init(&t, BACKING_WRITE, OFF + i * MAX_IO, buf, MAX_IO, 1);
		assert_int_equal(submit(&t), 0);
		kick();
		run_until(++n);
		assert_int_equal(t.error, 0);
	}
	tio_init(&t, BACKING_DISCARD, OFF, NULL, LEN, 0);
	assert_int_equal(submit(&t), 0);
	kick();
	run_until(++n);
	assert_int_equal(t.error, 0);
	/* qemu-nbd --discard=unmap on a raw file punches a hole: zeroes. */
	for (i = 0; i < LEN / MAX_IO; i++) {
		memset(buf, 0xee, sizeof(buf));
		tio_init(&t, BACKING_READ, OFF + i * MAX_IO, buf, MAX_IO, 4);
		assert_int_equal(submit(&t), 0);
		kick();
		run_until(++n);
		assert_int_equal(t.error, 0);
		assert_true(all_zero(buf, MAX_IO));
	}
	/* Secure erase is not something NBD offers. */
	tio_init(&t, BACKING_DISCARD, OFF, NULL, 4096, 0);
	t.io.secure = true;
	errno = 0;
	assert_int_equal(submit(&t), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	run_for(50);
	assert_int_equal(t.ndone, 0);
	close_store();
}

static void
test_past_end(void **state)
{
	static uint8_t buf[8192];
	static struct tio a, b, c, d;
	struct backing_info info;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);
	tio_init(&a, BACKING_READ, IMG_SIZE, buf, 4096, 1);
	tio_init(&b, BACKING_READ, IMG_SIZE - 512, buf, 1024, 2);
	tio_init(&c, BACKING_WRITE, IMG_SIZE, buf, 512, 1);
	tio_init(&d, BACKING_READ, IMG_SIZE - 4096, buf, 4096, 1);
	assert_int_equal(submit(&a), 0);
	assert_int_equal(submit(&b), 0);
	assert_int_equal(submit(&c), 0);
	assert_int_equal(submit(&d), 0);
	kick();
	run_until(4);
	assert_int_not_equal(a.error, 0);
	assert_int_not_equal(b.error, 0);
	assert_int_not_equal(c.error, 0);
	assert_int_equal(d.error, 0);	/* the last block is fine */
	assert_int_equal(a.ndone + b.ndone + c.ndone + d.ndone, 4);
	close_store();
}

static void
test_submit_limits(void **state)
{
	static uint8_t buf[QD + 1][4096], big[MAX_IO + 4096];
	static struct tio t[QD + 1], x;
	struct backing_info info;
	unsigned int i;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);

	/* Refused outright: done() is never called for these. */
	tio_init(&x, BACKING_READ, 0, buf[0], 4096, 2);
	x.io.len = 8192;		/* iov sums to 4096 */
	errno = 0;
	assert_int_equal(submit(&x), -1);
	assert_int_equal(errno, EINVAL);
	tio_init(&x, BACKING_READ, 0, buf[0], 4096, 1);
	x.io.iovcnt = 0;
	assert_int_equal(submit(&x), -1);
	tio_init(&x, BACKING_READ, 0, big, MAX_IO + 4096, 2);
	assert_int_equal(submit(&x), -1);	/* bigger than the bounce buffer */
	assert_int_equal(errno, EINVAL);
	/* One iovec entry needs no bounce buffer, so any size goes. */
	tio_init(&x, BACKING_READ, 0, big, MAX_IO + 4096, 1);
	assert_int_equal(submit(&x), 0);
	kick();
	run_until(1);
	assert_int_equal(x.error, 0);

	/* queue_depth at once, not one more. */
	for (i = 0; i < QD; i++) {
		tio_init(&t[i], BACKING_READ, i * 4096, buf[i], 4096, 2);
		assert_int_equal(submit(&t[i]), 0);
	}
	tio_init(&t[QD], BACKING_READ, 0, buf[QD], 4096, 1);
	errno = 0;
	assert_int_equal(submit(&t[QD]), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(backing_nbd.inflight(H.store), QD);
	kick();
	run_until(1 + QD);
	for (i = 0; i < QD; i++)
		assert_int_equal(t[i].error, 0);
	assert_int_equal(t[QD].ndone, 0);

	/* Zero-length I/O completes, from the loop, not from submit(). */
	tio_init(&x, BACKING_READ, 0, buf[0], 0, 1);
	assert_int_equal(submit(&x), 0);
	assert_int_equal(x.ndone, 0);
	run_until(2 + QD);
	assert_int_equal(x.error, 0);
	close_store();
}

/* done() submits the next I/O, and the last done() closes the store. */
static void
test_done_reenters(void **state)
{
	enum { N = 20 };
	static struct tio chain[N], first;
	static uint8_t buf[N + 1][4096];
	struct backing_info info;
	unsigned int i;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);
	for (i = 0; i < N; i++)
		tio_init(&chain[i], BACKING_READ, i * 8192, buf[i], 4096,
		    1 + i % 3);
	tio_init(&first, BACKING_READ, 0, buf[N], 4096, 1);
	H.chain = chain;
	H.chain_left = N;
	assert_int_equal(submit(&first), 0);
	kick();
	run_until(N + 1);
	for (i = 0; i < N; i++) {
		assert_int_equal(chain[i].ndone, 1);
		assert_int_equal(chain[i].error, 0);
	}
	H.chain = NULL;

	/* Close from inside done() with more completions pending. */
	for (i = 0; i < 8; i++) {
		tio_init(&chain[i], BACKING_READ, i * 4096, buf[i], 4096, 1);
		assert_int_equal(submit(&chain[i]), 0);
	}
	H.close_in_done = true;
	kick();
	run_until(N + 2);
	assert_null(H.store);
	/* Nothing after the close was delivered. */
	run_for(100);
	assert_int_equal(H.completed, N + 2);
}

/* close() with I/O in flight: waited for, not delivered, buffers freed after. */
static void
test_close_inflight(void **state)
{
	enum { N = 24 };
	static struct tio t[N];
	uint8_t *bufs[N], *pending, file[4096];
	struct backing_info info;
	static struct tio unsent;
	unsigned int i;
	int fd;

	(void)state;
	need_server();
	must_open(srv, "main.sock", &info);
	for (i = 0; i < N; i++) {
		bufs[i] = malloc(MAX_IO);
		assert_non_null(bufs[i]);
		fill(bufs[i], MAX_IO, 500 + i);
		tio_init(&t[i], i % 2 ? BACKING_READ : BACKING_WRITE,
		    (4u << 20) + (uint64_t)i * MAX_IO, bufs[i], MAX_IO, 1 + i % 5);
		assert_int_equal(submit(&t[i]), 0);
	}
	kick();
	/* Queued but never kicked: dropped by close(). */
	pending = malloc(4096);
	assert_non_null(pending);
	tio_init(&unsent, BACKING_READ, 0, pending, 4096, 1);
	assert_int_equal(submit(&unsent), 0);
	close_store();
	/* Under ASan, a late write into these would be reported. */
	for (i = 0; i < N; i += 2) {
		fd = open(srv_image, O_RDONLY);
		assert_true(fd >= 0);
		/* The writes were waited for: they are in the image. */
		assert_int_equal(pread(fd, file, sizeof(file),
		    (off_t)t[i].io.off + MAX_IO - sizeof(file)),
		    (ssize_t)sizeof(file));
		assert_memory_equal(file, bufs[i] + MAX_IO - sizeof(file),
		    sizeof(file));
		close(fd);
	}
	for (i = 0; i < N; i++)
		free(bufs[i]);
	free(pending);
	run_for(100);
	assert_int_equal(H.completed, 0);
	for (i = 0; i < N; i++)
		assert_int_equal(t[i].ndone, 0);
}

static void
test_readonly_server(void **state)
{
	static uint8_t buf[4096];
	static struct tio t;
	struct backing_info info;
	char why[512];
	pid_t pid;

	(void)state;
	pid = start_server(make_image("ro.img"), "ro.sock", "--read-only");
	errno = 0;
	H.store = open_store(pid, "ro.sock", EXPORT, false, &info, why,
	    sizeof(why));
	assert_null(H.store);
	assert_int_equal(errno, EROFS);
	if (strstr(why, "read-only") == NULL || strstr(why, EXPORT) == NULL)
		fail_msg("unclear reason: %s", why);

	H.store = open_store(pid, "ro.sock", EXPORT, true, &info, why,
	    sizeof(why));
	if (H.store == NULL)
		fail_msg("read-only open: %s", why);
	assert_false(info.can_discard);
	tio_init(&t, BACKING_WRITE, 0, buf, 4096, 1);
	errno = 0;
	assert_int_equal(submit(&t), -1);
	assert_int_equal(errno, EROFS);
	tio_init(&t, BACKING_DISCARD, 0, NULL, 4096, 0);
	assert_int_equal(submit(&t), -1);
	tio_init(&t, BACKING_READ, 0, buf, 4096, 1);
	assert_int_equal(submit(&t), 0);
	kick();
	run_until(1);
	assert_int_equal(t.error, 0);
	close_store();
	stop_server(pid);
}

static void
test_wrong_export(void **state)
{
	struct backing_info info;
	char why[512];
	void *s;

	(void)state;
	need_server();
	errno = 0;
	s = open_store(srv, "main.sock", "no-such-export", false, &info, why,
	    sizeof(why));
	assert_null(s);
	assert_int_not_equal(errno, 0);
	if (strstr(why, "no-such-export") == NULL)
		fail_msg("reason does not name the export: %s", why);

	/* Not a server at all: the peer hangs up during the handshake. */
	{
		struct backing_params p;
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		close(sv[1]);
		memset(&p, 0, sizeof(p));
		p.fd = sv[0];
		p.arg = "";
		p.max_io = MAX_IO;
		p.queue_depth = QD;
		assert_null(backing_nbd.open(&p, H.base, on_done, &info, why,
		    sizeof(why)));
		if (strstr(why, "handshake") == NULL)
			fail_msg("unclear reason: %s", why);
		/* The fd was taken (and closed) even on failure. */
		assert_int_equal(fcntl(sv[0], F_GETFD), -1);
	}
}

/* The server dies mid-run: everything completes with an error. */
static void
test_server_dies(void **state)
{
	enum { N = 16 };
	static struct tio t[N], later[4], w;
	static uint8_t buf[N][MAX_IO], lbuf[4][4096];
	struct backing_info info;
	char why[512];
	unsigned int i, failed = 0;
	long long t0;
	pid_t pid;

	(void)state;
	pid = start_server(make_image("dies.img"), "dies.sock", NULL);
	H.store = open_store(pid, "dies.sock", EXPORT, false, &info, why,
	    sizeof(why));
	if (H.store == NULL)
		fail_msg("open: %s", why);
	tio_init(&w, BACKING_WRITE, 0, buf[0], 4096, 1);
	assert_int_equal(submit(&w), 0);
	kick();
	run_until(1);
	assert_int_equal(w.error, 0);

	for (i = 0; i < N; i++) {
		tio_init(&t[i], i % 2 ? BACKING_READ : BACKING_WRITE,
		    (uint64_t)i * MAX_IO, buf[i], MAX_IO, 1 + i % 3);
		assert_int_equal(submit(&t[i]), 0);
	}
	kick();
	stop_server(pid);
	run_until(1 + N);
	for (i = 0; i < N; i++) {
		assert_int_equal(t[i].ndone, 1);
		if (t[i].error != 0)
			failed++;
	}
	/* Some may have been answered before the kill; not all of them. */
	assert_true(failed > 0);

	/* Later I/O fails too, promptly, and from the loop. */
	for (i = 0; i < 4; i++) {
		tio_init(&later[i], i == 3 ? BACKING_FLUSH : BACKING_READ,
		    i * 4096, lbuf[i], i == 3 ? 0 : 4096, 1 + i % 2);
		assert_int_equal(submit(&later[i]), 0);
	}
	kick();
	assert_int_equal(later[0].ndone, 0);
	run_until(1 + N + 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(later[i].ndone, 1);
		assert_int_not_equal(later[i].error, 0);
	}
	assert_int_equal(backing_nbd.inflight(H.store), 0);
	t0 = now_ms();
	close_store();
	assert_true(now_ms() - t0 < 2000);
}

/* The server dies while the connection is idle: noticed, then I/O fails. */
static void
test_server_dies_idle(void **state)
{
	static struct tio t;
	static uint8_t buf[4096];
	struct backing_info info;
	char why[512];
	pid_t pid;

	(void)state;
	pid = start_server(make_image("idle.img"), "idle.sock", NULL);
	H.store = open_store(pid, "idle.sock", EXPORT, false, &info, why,
	    sizeof(why));
	if (H.store == NULL)
		fail_msg("open: %s", why);
	stop_server(pid);
	run_for(200);		/* EOF on the socket: logged, no spinning */
	tio_init(&t, BACKING_WRITE, 0, buf, 4096, 1);
	assert_int_equal(submit(&t), 0);
	kick();
	run_until(1);
	assert_int_not_equal(t.error, 0);
	close_store();
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qemu_nbd_present),
		T(test_open_info),
		T(test_write_read),
		T(test_discard),
		T(test_past_end),
		T(test_submit_limits),
		T(test_done_reenters),
		T(test_close_inflight),
		T(test_readonly_server),
		T(test_wrong_export),
		T(test_server_dies),
		T(test_server_dies_idle),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
