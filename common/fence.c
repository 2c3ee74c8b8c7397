/*
 * fence.c - wait for a dead worker's io_uring to drain.  See fence.h.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/io_uring.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fence.h"

_Static_assert(sizeof(struct io_uring_params) <= FENCE_PARAMS_MAX,
    "io_uring_params size");

struct fence {
	int		 fd;
	void		*sq, *cq;
	size_t		 sq_len, cq_len;
	const uint32_t	*sq_head;	/* SQEs the kernel consumed */
	const uint32_t	*sq_flags;
	uint32_t	*cq_head;
	const uint32_t	*cq_tail;	/* CQEs posted */
};

/*
 * Is fd an io_uring?  The worker sends it and may be compromised: a memfd
 * of its own (the journal) would map, and reading past its end at
 * IORING_OFF_CQ_RING would kill the parent with SIGBUS.
 */
static int
fence_is_uring(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
		return 0;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[io_uring]") == 0;
}

struct fence *
fence_new(int ringfd, const void *params, size_t len)
{
	struct io_uring_params p;
	struct fence *f;

	if (len != sizeof(p) || !fence_is_uring(ringfd)) {
		close(ringfd);
		errno = EINVAL;
		return NULL;
	}
	memcpy(&p, params, sizeof(p));
	/* Only what this code knows: 16-byte CQEs, no SQ polling thread. */
	if ((p.flags & (IORING_SETUP_CQE32 | IORING_SETUP_SQPOLL)) != 0 ||
	    p.sq_off.head >= 4096 || p.cq_off.tail >= 4096 ||
	    p.cq_off.head >= 4096 || p.sq_off.flags >= 4096) {
		close(ringfd);
		errno = EINVAL;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		close(ringfd);
		return NULL;
	}
	f->fd = ringfd;
	/* IORING_OFF_SQ_RING and _CQ_RING both map the rings' header. */
	f->sq_len = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
	f->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	f->sq = mmap(NULL, f->sq_len, PROT_READ, MAP_SHARED, ringfd,
	    IORING_OFF_SQ_RING);
	f->cq = mmap(NULL, f->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    ringfd, IORING_OFF_CQ_RING);
	if (f->sq == MAP_FAILED || f->cq == MAP_FAILED) {
		if (f->sq == MAP_FAILED)
			f->sq = NULL;
		if (f->cq == MAP_FAILED)
			f->cq = NULL;
		fence_free(f);
		return NULL;
	}
	f->sq_head = (const uint32_t *)((char *)f->sq + p.sq_off.head);
	f->sq_flags = (const uint32_t *)((char *)f->sq + p.sq_off.flags);
	f->cq_head = (uint32_t *)((char *)f->cq + p.cq_off.head);
	f->cq_tail = (const uint32_t *)((char *)f->cq + p.cq_off.tail);
	return f;
}

int
fence_poll(struct fence *f)
{
	uint32_t sq = __atomic_load_n(f->sq_head, __ATOMIC_ACQUIRE);
	uint32_t cq = __atomic_load_n(f->cq_tail, __ATOMIC_ACQUIRE);

	/* Consume: a full CQ would hold completions back in the overflow list. */
	__atomic_store_n(f->cq_head, cq, __ATOMIC_RELEASE);
	if (cq == sq)
		return 1;
	if (__atomic_load_n(f->sq_flags, __ATOMIC_ACQUIRE) &
	    IORING_SQ_CQ_OVERFLOW) {
		/* GETEVENTS with nothing to wait for flushes the overflow. */
		if (syscall(__NR_io_uring_enter, f->fd, 0, 0,
		    IORING_ENTER_GETEVENTS, NULL, 0) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

void
fence_free(struct fence *f)
{
	int saved = errno;

	if (f == NULL)
		return;
	if (f->sq != NULL)
		munmap(f->sq, f->sq_len);
	if (f->cq != NULL)
		munmap(f->cq, f->cq_len);
	close(f->fd);
	free(f);
	errno = saved;
}
