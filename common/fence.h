/*
 * fence.h - the stale-I/O fence of a crash-only restart (design
 * docs/design/isolation-restart.md 3.5): before a dead worker's successor
 * redoes its journaled requests, every request the dead worker's io_uring
 * took must have completed.  do_exit() cancels only tracked requests
 * (io_uring_files_cancel(), include/linux/io_uring.h); block I/O already
 * issued completes later, so a write of the dead worker could otherwise
 * land after the successor rewrote the same sectors and the guest reused
 * them.
 *
 * The parent holds a dup of the worker's ring fd (the worker sends it as
 * PROC_FD "uring" with its struct io_uring_params after the name's NUL).
 * The fence maps the ring's indexes and waits until the CQ tail (CQEs
 * posted, free-running) reaches the SQ head (SQEs the kernel consumed):
 * one CQE per SQE holds because we use neither IOSQE_CQE_SKIP_SUCCESS nor
 * multishot requests (io_uring_enter(2)); a cancelled one posts -ECANCELED.
 */
#ifndef XB_FENCE_H
#define XB_FENCE_H

#include <stddef.h>

/* Bytes of the ring parameters after "uring\0" (struct io_uring_params). */
#define FENCE_PARAMS_MAX	128

struct fence;

/*
 * Take over ringfd (closed by fence_free(), or here on failure) and map
 * its indexes.  params/len: struct io_uring_params as io_uring_setup(2)
 * filled it in.  Returns NULL on failure (errno; EINVAL if ringfd is not
 * an io_uring or params are not a struct io_uring_params).
 */
struct fence	*fence_new(int ringfd, const void *params, size_t len);

/*
 * Consume what was posted, flush an overflow, and compare.  Returns 1 when
 * every consumed SQE has its CQE, 0 while some are outstanding, -1 on error.
 */
int		 fence_poll(struct fence *);

/* Unmap, close the ring fd, free.  NULL is accepted. */
void		 fence_free(struct fence *);

#endif
