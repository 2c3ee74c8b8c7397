/*
 * test_backing_raw.c - backing_raw (backing.h) on an O_DIRECT file, driven
 * by a real ev_base.
 *
 * What is checked: a completion that arrives after submission (an O_DIRECT
 * request finishes by task_work, after io_uring_submit() returned) wakes
 * the event loop by itself, with no later kick().  Until e6f5eec the
 * eventfd was registered with IORING_REGISTER_EVENTFD_ASYNC, which Linux
 * signals only for completions posted by io-wq threads: such a read was
 * answered only when the next request was kicked.  Also: written data
 * reads back, and close() waits for what is in flight.
 *
 * The path needs a file system that takes O_TMPFILE and O_DIRECT (the test tries
 * /var/tmp, then the current directory); without one the test fails and
 * says so: it is never skipped.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
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

#define FILE_SIZE	(1u << 20)
#define BLK		4096u
#define WAIT_MS		3000u

struct fixture {
	struct ev_base	*base;
	void		*ctx;
	struct backing_info info;
	unsigned int	 done;
	bool		 timed_out;
};

static struct fixture *fx;

static void
on_done(struct backing_io *io)
{
	(void)io;
	fx->done++;
	ev_break(fx->base);
}

static void
on_timeout(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	fx->timed_out = true;
	ev_break(fx->base);
}

static uint8_t
pat(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 9) + 1);
}

/*
 * An unnamed file (O_TMPFILE) of FILE_SIZE pattern bytes, opened O_DIRECT,
 * in the first directory whose file system takes both; -1 if none does.
 */
static int
make_file(void)
{
	static const char *dirs[] = { "/var/tmp", "." };
	uint8_t *buf;
	size_t i, d;
	int fd = -1;

	if (posix_memalign((void **)&buf, BLK, FILE_SIZE) != 0)
		return -1;
	for (i = 0; i < FILE_SIZE; i++)
		buf[i] = pat(i);
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		if ((fd = open(dirs[d], O_TMPFILE | O_RDWR | O_DIRECT,
		    0600)) == -1)
			continue;
		if (pwrite(fd, buf, FILE_SIZE, 0) == (ssize_t)FILE_SIZE &&
		    fsync(fd) == 0)
			break;
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

static int
setup(void **state)
{
	struct backing_params p;
	char why[256];

	(void)state;
	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	memset(&p, 0, sizeof(p));
	if ((p.fd = make_file()) == -1)
		fail_msg("no file system here takes O_TMPFILE and O_DIRECT "
		    "(tried /var/tmp and .): the completion path under test "
		    "needs one");
	assert_non_null(fx->base = ev_base_new());
	p.arg = "";
	p.max_io = 64u << 10;
	p.queue_depth = 32;
	fx->ctx = backing_raw.open(&p, fx->base, on_done, &fx->info, why,
	    sizeof(why));
	if (fx->ctx == NULL)
		fail_msg("backing_raw open: %s", why);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (fx->ctx != NULL)
		backing_raw.close(fx->ctx);
	if (fx->base != NULL)
		ev_base_free(fx->base);
	free(fx);
	return 0;
}

/* Submit io, kick once, then let only the event loop deliver it. */
static void
run_one(struct backing_io *io)
{
	struct ev *t;

	fx->done = 0;
	fx->timed_out = false;
	assert_int_equal(backing_raw.submit(fx->ctx, io), 0);
	backing_raw.kick(fx->ctx);
	if (fx->done == 0) {
		assert_non_null(t = ev_timer(fx->base, on_timeout, NULL));
		assert_int_equal(ev_timer_arm(t, WAIT_MS), 0);
		assert_int_equal(ev_dispatch(fx->base), 0);
		ev_free(t);
	}
	if (fx->done != 1)
		fail_msg("%s at %llu: no completion within %u ms of the kick "
		    "(the event loop was never woken)", io->op == BACKING_READ ?
		    "read" : "write", (unsigned long long)io->off, WAIT_MS);
	assert_false(fx->timed_out);
	assert_int_equal(io->error, 0);
}

static void
test_direct_completion_wakes_loop(void **state)
{
	struct backing_io io;
	struct iovec iov;
	uint8_t *buf;
	size_t i;
	unsigned int k;

	(void)state;
	assert_true(fx->info.direct);
	assert_int_equal(posix_memalign((void **)&buf, BLK, BLK), 0);
	/* several reads, each the last (and only) one in flight */
	for (k = 0; k < 8; k++) {
		memset(buf, 0, BLK);
		iov.iov_base = buf;
		iov.iov_len = BLK;
		memset(&io, 0, sizeof(io));
		io.op = BACKING_READ;
		io.off = (uint64_t)k * 37 * BLK % FILE_SIZE;
		io.len = BLK;
		io.iov = &iov;
		io.iovcnt = 1;
		run_one(&io);
		for (i = 0; i < BLK; i++)
			if (buf[i] != pat(io.off + i))
				fail_msg("read at %llu: byte %zu is %u, want %u",
				    (unsigned long long)io.off, i, buf[i],
				    pat(io.off + i));
	}
	free(buf);
}

static void
test_direct_write_reads_back(void **state)
{
	struct backing_io io;
	struct iovec iov;
	uint8_t *buf;
	size_t i;

	(void)state;
	assert_int_equal(posix_memalign((void **)&buf, BLK, BLK), 0);
	for (i = 0; i < BLK; i++)
		buf[i] = (uint8_t)(0xa5 ^ i);
	iov.iov_base = buf;
	iov.iov_len = BLK;
	memset(&io, 0, sizeof(io));
	io.op = BACKING_WRITE;
	io.off = 5 * BLK;
	io.len = BLK;
	io.iov = &iov;
	io.iovcnt = 1;
	run_one(&io);
	memset(buf, 0, BLK);
	io.op = BACKING_READ;
	run_one(&io);
	for (i = 0; i < BLK; i++)
		if (buf[i] != (uint8_t)(0xa5 ^ i))
			fail_msg("byte %zu of the written block reads %u", i,
			    buf[i]);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_direct_completion_wakes_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_direct_write_reads_back, setup, teardown),
	};

	log_init("test_backing_raw", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
