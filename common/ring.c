/*
 * ring.c - see ring.h.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ring.h"
#include "xenbus.h"

unsigned int
ring_nr_ents(size_t slot_size, unsigned int npages)
{
	size_t n;
	unsigned int p = 1;

	/* struct *_sring header is 64 bytes (io/ring.h DEFINE_RING_TYPES). */
	if (slot_size == 0 || npages == 0)
		return 0;
	n = ((size_t)npages * XB_PAGE_SIZE - 64) / slot_size;
	if (n == 0)
		return 0;
	while ((size_t)p * 2 <= n)
		p *= 2;
	return p;
}

bool
ring_req_prod_overflow(RING_IDX req_prod, RING_IDX rsp_prod_pvt,
    unsigned int nr_ents)
{
	return (RING_IDX)(req_prod - rsp_prod_pvt) > nr_ents;
}

bool
ring_attach_ok(RING_IDX req_prod, RING_IDX rsp_prod, unsigned int nr_ents)
{
	return (RING_IDX)(req_prod - rsp_prod) <= nr_ents;
}

int
ring_read_refs(struct xb_dev *dev, const char *order_dir, const char *dir,
    unsigned int max_order, uint32_t *refs, const char **bad)
{
	static char badkey[32];
	struct xsc *xsc = xb_dev_xsc(dev);
	char path[256];
	uint64_t order = 0, v;
	unsigned int i, n;
	int has_order;

	snprintf(path, sizeof(path), "%s/ring-page-order", order_dir);
	has_order = xsc_read_uint(xsc, XBT_NULL, path, max_order, &order);
	if (has_order == -1 && errno != ENOENT) {
		*bad = "ring-page-order";
		return -1;
	}
	if (has_order == -1) {
		snprintf(path, sizeof(path), "%s/ring-ref", dir);
		if (xsc_read_uint(xsc, XBT_NULL, path, UINT32_MAX, &v) == -1) {
			*bad = "ring-ref";
			return -1;
		}
		refs[0] = (uint32_t)v;
		return 1;
	}
	n = 1u << order;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/ring-ref%u", dir, i);
		if (xsc_read_uint(xsc, XBT_NULL, path, UINT32_MAX, &v) == -1) {
			snprintf(badkey, sizeof(badkey), "ring-ref%u", i);
			*bad = badkey;
			return -1;
		}
		refs[i] = (uint32_t)v;
	}
	return (int)n;
}

bool
ring_refs_repeat(const uint32_t *refs, unsigned int n, unsigned int *first,
    unsigned int *dup)
{
	unsigned int i, j;

	/* At most 16 queues of 16 pages: quadratic is fine. */
	for (j = 1; j < n; j++)
		for (i = 0; i < j; i++)
			if (refs[i] == refs[j]) {
				*first = i;
				*dup = j;
				return true;
			}
	return false;
}

void *
ring_map(xengnttab_handle *xgt, unsigned int domid, const uint32_t *refs,
    unsigned int npages)
{
	uint32_t r[XB_RING_MAX_PAGES];

	if (npages == 0 || npages > XB_RING_MAX_PAGES) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(r, refs, npages * sizeof(r[0]));
	return xengnttab_map_domain_grant_refs(xgt, npages, domid, r,
	    PROT_READ | PROT_WRITE);
}

int
ring_unmap(xengnttab_handle *xgt, void *addr, unsigned int npages)
{
	if (addr == NULL)
		return 0;
	return xengnttab_unmap(xgt, addr, npages);
}

int
ring_evtchn_bind(xenevtchn_handle *xce, unsigned int domid,
    uint32_t remote_port)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_bind_interdomain(xce, domid, remote_port);
	return p < 0 ? -1 : (int)p;
}

void
ring_evtchn_unbind(xenevtchn_handle *xce, int local_port)
{
	if (local_port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)local_port);
}
