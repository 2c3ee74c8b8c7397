/*
 * blkring.c - one blkif back ring over any request layout (blkring.h).
 *
 * Layouts: Xen's io/blkif.h defines the native structures; the x86_32
 * layout is the same fields with 4-byte alignment of 64-bit members (the
 * i386 ABI), as Linux drivers/block/xen-blkback/common.h spells out with
 * packed structures.  Responses have the same field offsets in both
 * (id 0, operation 8, status 10); only the slot size differs.
 */
#include <stddef.h>
#include <string.h>

#include "blkring.h"

#include <xen/io/protocols.h>

/* Byte offsets of the fields in one request slot. */
struct blk_layout {
	size_t	slot;		/* max(request, response) */
	/* READ/WRITE/FLUSH/BARRIER and "other" */
	size_t	rw_nseg, rw_handle, rw_id, rw_sector, rw_seg;
	/* DISCARD */
	size_t	d_flag, d_id, d_sector, d_nr;
	/* INDIRECT */
	size_t	i_op, i_nseg, i_id, i_sector, i_handle, i_grefs;
};

/* x86_64: natural alignment, identical to io/blkif.h on this host. */
static const struct blk_layout layout_64 = {
	.slot = 112,
	.rw_nseg = 1, .rw_handle = 2, .rw_id = 8, .rw_sector = 16, .rw_seg = 24,
	.d_flag = 1, .d_id = 8, .d_sector = 16, .d_nr = 24,
	.i_op = 1, .i_nseg = 2, .i_id = 8, .i_sector = 16, .i_handle = 24,
	.i_grefs = 28,
};

/* x86_32: 64-bit fields 4-byte aligned (Linux common.h blkif_x86_32_*). */
static const struct blk_layout layout_32 = {
	.slot = 108,
	.rw_nseg = 1, .rw_handle = 2, .rw_id = 4, .rw_sector = 12, .rw_seg = 20,
	.d_flag = 1, .d_id = 4, .d_sector = 12, .d_nr = 20,
	.i_op = 1, .i_nseg = 2, .i_id = 4, .i_sector = 12, .i_handle = 20,
	.i_grefs = 24,
};

/* The native layout must be the x86_64 one for BLK_ABI_X86_64 to hold. */
_Static_assert(sizeof(struct blkif_request) == 112, "blkif_request size");
_Static_assert(offsetof(struct blkif_request, id) == 8, "blkif_request id");
_Static_assert(offsetof(struct blkif_request, sector_number) == 16, "sector");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "seg");
_Static_assert(offsetof(struct blkif_request_indirect, indirect_grefs) == 28,
    "indirect_grefs");
_Static_assert(offsetof(struct blkif_request_discard, nr_sectors) == 24,
    "nr_sectors");
_Static_assert(sizeof(struct blkif_request_segment) == 8, "segment size");
_Static_assert(offsetof(struct blkif_response, status) == 10, "rsp status");

/* The shared header of every io/ring.h ring: four indexes, padded to 64. */
struct blk_sring_hdr {
	RING_IDX	req_prod, req_event;
	RING_IDX	rsp_prod, rsp_event;
};
#define BLK_SRING_HDR	64u

static const struct blk_layout *
layout(enum blk_abi abi)
{
	return abi == BLK_ABI_X86_32 ? &layout_32 : &layout_64;
}

int
blk_abi_parse(const char *proto, enum blk_abi *abi)
{
	/*
	 * Absent or empty: x86_32 on x86, as Linux (BLKIF_PROTOCOL_DEFAULT;
	 * its "%63s" scan of an empty value fails the same way) and QEMU.
	 */
	if (proto == NULL || proto[0] == '\0' ||
	    strcmp(proto, XEN_IO_PROTO_ABI_X86_32) == 0)
		*abi = BLK_ABI_X86_32;
	else if (strcmp(proto, XEN_IO_PROTO_ABI_X86_64) == 0 ||
	    strcmp(proto, XEN_IO_PROTO_ABI_NATIVE) == 0)
		*abi = BLK_ABI_X86_64;
	else
		return -1;
	return 0;
}

const char *
blk_abi_name(enum blk_abi abi)
{
	return abi == BLK_ABI_X86_32 ? XEN_IO_PROTO_ABI_X86_32 :
	    XEN_IO_PROTO_ABI_X86_64;
}

size_t
blk_abi_slot(enum blk_abi abi)
{
	return layout(abi)->slot;
}

static volatile struct blk_sring_hdr *
hdr(const struct blk_ring *r)
{
	return r->sring;
}

static uint8_t *
slot(const struct blk_ring *r, RING_IDX i)
{
	return (uint8_t *)r->sring + BLK_SRING_HDR +
	    (size_t)(i & (r->nr_ents - 1)) * r->slot;
}

int
blk_ring_attach(struct blk_ring *r, void *sring, enum blk_abi abi,
    unsigned int npages)
{
	RING_IDX req, rsp;

	memset(r, 0, sizeof(*r));
	/* No ring has no slot: nr_ents - 1 would make every index valid. */
	if (npages == 0 || npages > XB_RING_MAX_PAGES)
		return -1;
	r->sring = sring;
	r->abi = abi;
	r->slot = blk_abi_slot(abi);
	r->nr_ents = ring_nr_ents(r->slot, npages);
	req = hdr(r)->req_prod;
	rsp = hdr(r)->rsp_prod;
	xen_rmb();
	if (!ring_attach_ok(req, rsp, r->nr_ents))
		return -1;
	/* BACK_RING_ATTACH: continue where the previous backend stopped. */
	r->rsp_prod_pvt = rsp;
	r->req_cons = rsp;
	return 0;
}

RING_IDX
blk_ring_rsp_prod(const struct blk_ring *r)
{
	RING_IDX prod = hdr(r)->rsp_prod;

	xen_rmb();
	return prod;
}

RING_IDX
blk_ring_req_prod(const struct blk_ring *r)
{
	RING_IDX prod = hdr(r)->req_prod;

	xen_rmb();	/* see the requests up to prod */
	return prod;
}

bool
blk_ring_prod_bad(const struct blk_ring *r, RING_IDX prod)
{
	/*
	 * io/ring.h RING_REQUEST_PROD_OVERFLOW compares with the responses
	 * only.  A producer moved back between them and req_cons passes that
	 * test, yet req_cons != prod would then hold for 2^32 indexes: we
	 * would take stale slots again and again.  So req_cons must lie in
	 * [rsp_prod_pvt, prod] as well.
	 */
	return ring_req_prod_overflow(prod, r->rsp_prod_pvt, r->nr_ents) ||
	    (RING_IDX)(prod - r->req_cons) > (RING_IDX)(prod - r->rsp_prod_pvt);
}

bool
blk_ring_can_take(const struct blk_ring *r, RING_IDX prod)
{
	/* RING_REQUEST_CONS_OVERFLOW: never more taken than slots to answer. */
	return r->req_cons != prod &&
	    r->req_cons - r->rsp_prod_pvt < r->nr_ents;
}

static uint16_t
get16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t
get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t
get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

void
blk_ring_take(struct blk_ring *r, struct blk_wire *w)
{
	const struct blk_layout *l = layout(r->abi);
	uint8_t copy[112];
	unsigned int i, n;

	/* The one read of the shared slot; then only the private copy. */
	memcpy(copy, slot(r, r->req_cons), l->slot);
	__asm__ __volatile__("" ::: "memory");
	r->req_cons++;

	memset(w, 0, sizeof(*w));
	w->operation = copy[0];
	switch (w->operation) {
	case BLKIF_OP_DISCARD:
		w->discard_flag = copy[l->d_flag];
		w->id = get64(copy, l->d_id);
		w->sector_number = get64(copy, l->d_sector);
		w->nr_sectors = get64(copy, l->d_nr);
		break;
	case BLKIF_OP_INDIRECT:
		w->indirect_op = copy[l->i_op];
		w->nr_segments = get16(copy, l->i_nseg);
		w->id = get64(copy, l->i_id);
		w->sector_number = get64(copy, l->i_sector);
		w->handle = get16(copy, l->i_handle);
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			w->indirect_grefs[i] = get32(copy, l->i_grefs + 4 * i);
		break;
	default:
		/* READ, WRITE, FLUSH, BARRIER, and unknown ops (for the id). */
		w->nr_segments = copy[l->rw_nseg];
		w->handle = get16(copy, l->rw_handle);
		w->id = get64(copy, l->rw_id);
		w->sector_number = get64(copy, l->rw_sector);
		n = w->nr_segments < BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		    w->nr_segments : BLKIF_MAX_SEGMENTS_PER_REQUEST;
		for (i = 0; i < n; i++) {
			size_t o = l->rw_seg + 8 * i;

			w->seg[i].gref = get32(copy, o);
			w->seg[i].first_sect = copy[o + 4];
			w->seg[i].last_sect = copy[o + 5];
		}
		break;
	}
}

void
blk_ring_put_rsp(struct blk_ring *r, uint64_t id, uint8_t op, int16_t status)
{
	uint8_t *p = slot(r, r->rsp_prod_pvt);

	/* Field by field: id 0, operation 8, status 10 in both layouts. */
	memcpy(p, &id, sizeof(id));
	p[8] = op;
	memcpy(p + 10, &status, sizeof(status));
	r->rsp_prod_pvt++;
}

bool
blk_ring_push(struct blk_ring *r)
{
	volatile struct blk_sring_hdr *h = hdr(r);
	RING_IDX old = h->rsp_prod, new = r->rsp_prod_pvt;

	xen_wmb();	/* responses visible before the index */
	h->rsp_prod = new;
	xen_mb();	/* index visible before reading rsp_event */
	return (RING_IDX)(new - h->rsp_event) < (RING_IDX)(new - old);
}

bool
blk_ring_final_check(struct blk_ring *r)
{
	volatile struct blk_sring_hdr *h = hdr(r);

	if (h->req_prod != r->req_cons)
		return true;
	h->req_event = r->req_cons + 1;
	xen_mb();
	return h->req_prod != r->req_cons;
}
