/*
 * cring.h - the console ring (xen/include/public/io/console.h): the one
 * place guest-shared memory is read.  Pure logic, unit-tested with hostile
 * indices.
 *
 * Layout: char in[1024] (to the guest), char out[2048] (from the guest),
 * then the free-running u32 indices in_cons, in_prod, out_cons, out_prod
 * masked with MASK_XENCONS_IDX.  We own out_cons and in_prod; the guest
 * owns out_prod and in_cons.  Each index the guest owns is read once per
 * call; a producer more than the ring size ahead of the consumer is a
 * broken ring (xenconsoled io.c "ring is screwed"), reported, never served.
 */
#ifndef CONS_CRING_H
#define CONS_CRING_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

/*
 * Copy up to max bytes the guest produced on out[] into dst and advance
 * out_cons past them (read barrier after reading out_prod, full barrier
 * before writing out_cons, as io/console.h's users do).  Returns the count
 * (0 when empty), or -1 if out_prod - out_cons > sizeof(out); then *bad
 * (if not NULL) gets the two indices for the one log line.
 */
ssize_t	cring_out_take(struct xencons_interface *, void *dst, size_t max,
	    uint32_t bad[2]);

/*
 * Bytes the guest has produced but we have not consumed, or -1 if the
 * indices are broken.  Does not move anything.
 */
ssize_t	cring_out_avail(const struct xencons_interface *);

/*
 * Copy up to len bytes of input into in[] (the guest's keyboard) and
 * advance in_prod (write barrier before).  Returns the count (0 when the
 * ring is full), or -1 if in_prod - in_cons > sizeof(in).
 */
ssize_t	cring_in_put(struct xencons_interface *, const void *src, size_t len);

/* Free space in in[], or -1 if the indices are broken. */
ssize_t	cring_in_space(const struct xencons_interface *);

/* in_prod and in_cons, each read once, for the log line of a broken ring. */
void	cring_in_idx(const struct xencons_interface *, uint32_t idx[2]);

#endif
