/*
 * cring.c - see cring.h.
 *
 * The protocol is xen/include/public/io/console.h: free-running u32
 * indices, MASK_XENCONS_IDX(idx, ring) = idx & (sizeof(ring) - 1).  The
 * barriers are the ones xenconsoled (tools/console/daemon/io.c) and
 * Linux's hvc_xen use: read barrier between reading the producer index
 * and the data, full barrier between reading the data and publishing the
 * consumer index, write barrier between writing data and publishing the
 * producer index.
 *
 * Everything in the page is guest-writable, including the indices we
 * "own", so every index is read exactly once per call through a volatile
 * access into a local, and only the locals are used afterwards.
 */
#include <sys/types.h>

#include <string.h>

#include "cring.h"

/* io/console.h leaves the barriers to the includer (as io/ring.h does). */
#ifndef xen_mb
#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#define OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE		sizeof(((struct xencons_interface *)0)->in)

static inline XENCONS_RING_IDX
idx_read(const XENCONS_RING_IDX *p)
{
	return *(const volatile XENCONS_RING_IDX *)p;
}

static inline void
idx_write(XENCONS_RING_IDX *p, XENCONS_RING_IDX v)
{
	*(volatile XENCONS_RING_IDX *)p = v;
}

ssize_t
cring_out_avail(const struct xencons_interface *intf)
{
	XENCONS_RING_IDX cons, prod;

	cons = idx_read(&intf->out_cons);
	prod = idx_read(&intf->out_prod);
	if ((XENCONS_RING_IDX)(prod - cons) > OUT_SIZE)
		return -1;
	return (ssize_t)(XENCONS_RING_IDX)(prod - cons);
}

ssize_t
cring_out_take(struct xencons_interface *intf, void *dst, size_t max,
    uint32_t bad[2])
{
	XENCONS_RING_IDX cons, prod, avail, off, chunk;
	unsigned char *d = dst;
	size_t n, done = 0;

	cons = idx_read(&intf->out_cons);
	prod = idx_read(&intf->out_prod);
	xen_rmb();	/* the data up to prod, not older bytes */
	avail = prod - cons;
	/* xenconsoled io.c: "ring is screwed" - never serve it. */
	if (avail > OUT_SIZE) {
		if (bad != NULL) {
			bad[0] = prod;
			bad[1] = cons;
		}
		return -1;
	}
	n = avail < max ? avail : max;
	while (done < n) {
		off = MASK_XENCONS_IDX(cons, intf->out);
		chunk = (XENCONS_RING_IDX)(OUT_SIZE - off);
		if (chunk > n - done)
			chunk = (XENCONS_RING_IDX)(n - done);
		memcpy(d + done, intf->out + off, chunk);
		done += chunk;
		cons += chunk;
	}
	if (done > 0) {
		xen_mb();	/* finish reading before the guest may reuse */
		idx_write(&intf->out_cons, cons);
	}
	return (ssize_t)done;
}

ssize_t
cring_in_space(const struct xencons_interface *intf)
{
	XENCONS_RING_IDX cons, prod;

	cons = idx_read(&intf->in_cons);
	prod = idx_read(&intf->in_prod);
	if ((XENCONS_RING_IDX)(prod - cons) > IN_SIZE)
		return -1;
	return (ssize_t)(IN_SIZE - (XENCONS_RING_IDX)(prod - cons));
}

void
cring_in_idx(const struct xencons_interface *intf, uint32_t idx[2])
{
	idx[0] = idx_read(&intf->in_prod);
	idx[1] = idx_read(&intf->in_cons);
}

ssize_t
cring_in_put(struct xencons_interface *intf, const void *src, size_t len)
{
	XENCONS_RING_IDX cons, prod, filled, off, chunk;
	const unsigned char *s = src;
	size_t n, done = 0;

	cons = idx_read(&intf->in_cons);
	prod = idx_read(&intf->in_prod);
	/* The guest's reads of the slots it freed precede our writes. */
	xen_mb();
	filled = prod - cons;
	if (filled > IN_SIZE)
		return -1;
	n = IN_SIZE - filled;
	if (n > len)
		n = len;
	while (done < n) {
		off = MASK_XENCONS_IDX(prod, intf->in);
		chunk = (XENCONS_RING_IDX)(IN_SIZE - off);
		if (chunk > n - done)
			chunk = (XENCONS_RING_IDX)(n - done);
		memcpy(intf->in + off, s + done, chunk);
		done += chunk;
		prod += chunk;
	}
	if (done > 0) {
		xen_wmb();	/* the bytes before the index */
		idx_write(&intf->in_prod, prod);
	}
	return (ssize_t)done;
}
