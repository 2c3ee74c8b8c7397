/*
 * test_fence.c - the stale-I/O fence (common/fence.h) on real io_urings.
 *
 * What is checked: a ring with nothing in flight is drained at once; a
 * ring whose submitted requests have not all been reaped by their owner
 * (the dead worker's case: CQEs posted, never consumed) counts as drained
 * once every SQE the kernel took has its CQE, and the fence consumes them;
 * an fd that is not an io_uring (a memfd, as a compromised worker could
 * send its journal) or parameters of the wrong size are refused, so the
 * parent never maps what the worker chose.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <liburing.h>

#include "fence.h"

/* A ring of 8 entries, its fd dup'd as the worker hands it to the parent. */
static int
ring_new(struct io_uring *r, struct io_uring_params *p, int *dupfd)
{
	memset(p, 0, sizeof(*p));
	if (io_uring_queue_init_params(8, r, p) < 0)
		return -1;
	*dupfd = dup(r->ring_fd);
	return *dupfd;
}

static void
test_fence_idle_ring(void **state)
{
	struct io_uring_params p;
	struct io_uring r;
	struct fence *f;
	int fd;

	(void)state;
	assert_true(ring_new(&r, &p, &fd) >= 0);
	f = fence_new(fd, &p, sizeof(p));
	assert_non_null(f);
	assert_int_equal(fence_poll(f), 1);
	fence_free(f);
	io_uring_queue_exit(&r);
}

/* Four NOPs submitted, their CQEs never reaped by the ring's owner. */
static void
test_fence_unreaped(void **state)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	struct io_uring r;
	struct fence *f;
	int fd, i;

	(void)state;
	assert_true(ring_new(&r, &p, &fd) >= 0);
	for (i = 0; i < 4; i++) {
		assert_non_null(sqe = io_uring_get_sqe(&r));
		io_uring_prep_nop(sqe);
	}
	assert_int_equal(io_uring_submit(&r), 4);
	f = fence_new(fd, &p, sizeof(p));
	assert_non_null(f);
	assert_int_equal(fence_poll(f), 1);
	/* The fence consumed them: the owner finds the CQ empty. */
	assert_int_equal(io_uring_cq_ready(&r), 0);
	fence_free(f);
	io_uring_queue_exit(&r);
}

/* A memfd with the parameters of a real ring: they alone would map. */
static void
test_fence_refuses_memfd(void **state)
{
	struct io_uring_params p;
	struct io_uring r;
	int fd, rfd;

	(void)state;
	assert_true(ring_new(&r, &p, &rfd) >= 0);
	close(rfd);
	assert_true((fd = memfd_create("not-a-ring", MFD_CLOEXEC)) >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	errno = 0;
	assert_null(fence_new(fd, &p, sizeof(p)));
	assert_int_equal(errno, EINVAL);
	/* fence_new closed it. */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	io_uring_queue_exit(&r);
}

static void
test_fence_refuses_short_params(void **state)
{
	struct io_uring_params p;
	struct io_uring r;
	int fd;

	(void)state;
	assert_true(ring_new(&r, &p, &fd) >= 0);
	errno = 0;
	assert_null(fence_new(fd, &p, sizeof(p) - 1));
	assert_int_equal(errno, EINVAL);
	io_uring_queue_exit(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fence_idle_ring),
		cmocka_unit_test(test_fence_unreaped),
		cmocka_unit_test(test_fence_refuses_memfd),
		cmocka_unit_test(test_fence_refuses_short_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
