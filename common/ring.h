/*
 * ring.h - shared rings (io/ring.h): mapping 1..16 granted pages, producer
 * index checks, and the event channel bound to a ring.
 *
 * The index checks are pure functions so they can be unit-tested; they are
 * the checks Linux's backends apply (RING_REQUEST_PROD_OVERFLOW, and the
 * req_prod - rsp_prod <= size test of xen_blkif_map() before attaching to a
 * live ring).
 */
#ifndef XB_RING_H
#define XB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* io/ring.h wants the barriers from us for current interface versions. */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#ifndef xen_mb
#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define XB_PAGE_SIZE		4096u
/* Linux XENBUS_MAX_RING_GRANT_ORDER: at most 16 pages per ring. */
#define XB_RING_MAX_ORDER	4u
#define XB_RING_MAX_PAGES	(1u << XB_RING_MAX_ORDER)

struct xb_dev;

/*
 * Number of entries of a ring of npages pages whose slots are slot_size
 * bytes: __CONST_RING_SIZE() of io/ring.h for a run-time size (64-byte
 * header, rounded down to a power of two).
 */
unsigned int	ring_nr_ents(size_t slot_size, unsigned int npages);

/*
 * Is req_prod impossible?  A frontend can have at most nr_ents requests
 * that have not been answered (RING_REQUEST_PROD_OVERFLOW).  Unsigned
 * arithmetic, so wrap-around is handled.
 */
bool		ring_req_prod_overflow(RING_IDX req_prod, RING_IDX rsp_prod_pvt,
		    unsigned int nr_ents);

/*
 * May we attach to a live ring whose shared indexes are req_prod/rsp_prod?
 * (Linux xen_blkif_map(): req_prod - rsp_prod must not exceed the size.)
 */
bool		ring_attach_ok(RING_IDX req_prod, RING_IDX rsp_prod,
		    unsigned int nr_ents);

/*
 * Read the ring references a frontend published under dir (the frontend
 * path, or its queue-N/ subdirectory), using the blkif/netif conventions:
 * "ring-page-order" absent means one page in "ring-ref", otherwise
 * 2^order pages in "ring-ref0".."ring-refN-1".  The order is read from
 * order_dir (frontend top level, where Linux writes it).  max_order bounds
 * it.  Returns the number of pages, or -1 with errno (ENOENT missing key,
 * EINVAL/ERANGE bad value) and *bad set to the offending key.
 */
int		ring_read_refs(struct xb_dev *, const char *order_dir,
		    const char *dir, unsigned int max_order, uint32_t *refs,
		    const char **bad);

/*
 * Does a grant reference repeat in refs[0..n-1]?  For the rings of one
 * device (every page of every queue): returns true with *first < *dup the
 * lowest dup whose ref equals an earlier one, false if all are distinct.
 */
bool		ring_refs_repeat(const uint32_t *refs, unsigned int n,
		    unsigned int *first, unsigned int *dup);

/*
 * Map npages granted pages of domid (refs[]) read/write and contiguously.
 * Returns the address, or NULL with errno.
 */
void		*ring_map(xengnttab_handle *, unsigned int domid,
		    const uint32_t *refs, unsigned int npages);

/* Unmap what ring_map() returned (NULL accepted).  Returns 0 or -1. */
int		 ring_unmap(xengnttab_handle *, void *, unsigned int npages);

/*
 * Bind to the frontend's event channel remote_port in domain domid.
 * Returns the local port, or -1 with errno.
 */
int		 ring_evtchn_bind(xenevtchn_handle *, unsigned int domid,
		    uint32_t remote_port);

/* Unbind a local port (negative accepted and ignored). */
void		 ring_evtchn_unbind(xenevtchn_handle *, int local_port);

#endif
