/*
 * blkring_test.h - fake shared blkif rings for test_blkring.c and
 * test_blkring_front.c: the x86_32 request layout (Linux
 * drivers/block/xen-blkback/common.h) with its offsets pinned, and helpers
 * that write a request in either layout and say what blk_ring_take() must
 * make of it.  Include after <cmocka.h>.
 */
#ifndef BLKRING_TEST_H
#define BLKRING_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkring.h"

#define PAGE		4096u
#define HDR		64u		/* io/ring.h shared header */
#define SLOT32		108u
#define SLOT64		112u
#define NSEG		BLKIF_MAX_SEGMENTS_PER_REQUEST
#define NIGREF		BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST

/* Shared header fields (io/ring.h DEFINE_RING_TYPES). */
#define REQ_PROD	0u
#define REQ_EVENT	4u
#define RSP_PROD	8u
#define RSP_EVENT	12u

/* ---- the x86_32 layout (Linux xen-blkback/common.h) ---------------------- */

struct x32_request_rw {
	uint8_t		nr_segments;
	uint16_t	handle;
	uint64_t	id;
	uint64_t	sector_number;
	struct blkif_request_segment seg[NSEG];
} __attribute__((__packed__));

struct x32_request_discard {
	uint8_t		flag;
	uint16_t	_pad1;
	uint64_t	id;
	uint64_t	sector_number;
	uint64_t	nr_sectors;
} __attribute__((__packed__));

struct x32_request_other {
	uint8_t		_pad1;
	uint16_t	_pad2;
	uint64_t	id;
} __attribute__((__packed__));

struct x32_request_indirect {
	uint8_t		indirect_op;
	uint16_t	nr_segments;
	uint64_t	id;
	uint64_t	sector_number;
	uint16_t	handle;
	uint16_t	_pad1;
	uint32_t	indirect_grefs[NIGREF];
	uint64_t	_pad2;
} __attribute__((__packed__));

struct x32_request {
	uint8_t		operation;
	union {
		struct x32_request_rw		rw;
		struct x32_request_discard	discard;
		struct x32_request_other	other;
		struct x32_request_indirect	indirect;
	} u;
} __attribute__((__packed__));

/*
 * Linux's blkif_x86_32_response is not packed; with i386 alignment it is
 * id 0, operation 8, status 10, 12 bytes.  Spelled out for this host.
 */
struct x32_response {
	uint64_t	id;
	uint8_t		operation;
	uint8_t		_pad;
	int16_t		status;
} __attribute__((__packed__));

DEFINE_RING_TYPES(x32blk, struct x32_request, struct x32_response);

#define OFF32(m)	offsetof(struct x32_request, m)
_Static_assert(sizeof(struct x32_request) == 108, "x86_32 request size");
_Static_assert(OFF32(u.rw.nr_segments) == 1, "x86_32 rw nr_segments");
_Static_assert(OFF32(u.rw.handle) == 2, "x86_32 rw handle");
_Static_assert(OFF32(u.rw.id) == 4, "x86_32 rw id");
_Static_assert(OFF32(u.rw.sector_number) == 12, "x86_32 rw sector");
_Static_assert(OFF32(u.rw.seg) == 20, "x86_32 rw seg");
_Static_assert(OFF32(u.other.id) == 4, "x86_32 other id");
_Static_assert(OFF32(u.indirect.indirect_op) == 1, "x86_32 indirect_op");
_Static_assert(OFF32(u.indirect.nr_segments) == 2, "x86_32 indirect nseg");
_Static_assert(OFF32(u.indirect.id) == 4, "x86_32 indirect id");
_Static_assert(OFF32(u.indirect.sector_number) == 12, "x86_32 indirect sector");
_Static_assert(OFF32(u.indirect.handle) == 20, "x86_32 indirect handle");
_Static_assert(OFF32(u.indirect.indirect_grefs) == 24, "x86_32 indirect grefs");
_Static_assert(OFF32(u.discard.flag) == 1, "x86_32 discard flag");
_Static_assert(OFF32(u.discard.id) == 4, "x86_32 discard id");
_Static_assert(OFF32(u.discard.sector_number) == 12, "x86_32 discard sector");
_Static_assert(OFF32(u.discard.nr_sectors) == 20, "x86_32 discard nr_sectors");
_Static_assert(sizeof(struct x32_response) == 12, "x86_32 response size");
_Static_assert(offsetof(struct x32_response, operation) == 8, "x86_32 rsp op");
_Static_assert(offsetof(struct x32_response, status) == 10, "x86_32 rsp status");
_Static_assert(sizeof(union x32blk_sring_entry) == SLOT32, "x86_32 slot");
_Static_assert(offsetof(struct x32blk_sring, ring) == HDR, "x86_32 header");
/* And the native (x86_64) ring of io/blkif.h. */
_Static_assert(sizeof(union blkif_sring_entry) == SLOT64, "x86_64 slot");
_Static_assert(offsetof(struct blkif_sring, ring) == HDR, "x86_64 header");
_Static_assert(offsetof(struct blkif_response, operation) == 8, "rsp op");
_Static_assert(offsetof(struct blkif_response, status) == 10, "rsp status");

/* ---- helpers -------------------------------------------------------------- */

#include "xorshift.h"

static inline void
fill_random(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rng();
}

static inline size_t
slot_size(enum blk_abi abi)
{
	return abi == BLK_ABI_X86_32 ? SLOT32 : SLOT64;
}

/* A page-aligned ring area of npages pages, every byte set to fill. */
static inline uint8_t *
area_new(unsigned int npages, int fill)
{
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, PAGE, (size_t)npages * PAGE), 0);
	memset(p, fill, (size_t)npages * PAGE);
	return p;
}

static inline uint32_t
hget(const uint8_t *m, size_t off)
{
	uint32_t v;

	memcpy(&v, m + off, sizeof(v));
	return v;
}

static inline void
hset(uint8_t *m, size_t off, uint32_t v)
{
	memcpy(m + off, &v, sizeof(v));
}

/* Header of a ring whose both producers stand at base. */
static inline void
hdr_init(uint8_t *m, RING_IDX base)
{
	hset(m, REQ_PROD, base);
	hset(m, RSP_PROD, base);
	hset(m, REQ_EVENT, base + 1);
	hset(m, RSP_EVENT, base + 1);
}

static inline uint8_t *
slot_at(uint8_t *m, enum blk_abi abi, unsigned int nents, RING_IDX i)
{
	return m + HDR + (size_t)(i & (nents - 1)) * slot_size(abi);
}

/* Everything a frontend may put in a slot, for any operation. */
struct req_desc {
	uint8_t		op;
	uint8_t		nseg;		/* rw and others: u8 nr_segments */
	uint8_t		indirect_op;
	uint8_t		flag;		/* discard */
	uint16_t	inseg;		/* indirect: u16 nr_segments */
	uint16_t	handle;
	uint64_t	id;
	uint64_t	sector;
	uint64_t	nr_sectors;	/* discard */
	struct blkif_request_segment seg[NSEG];
	uint32_t	igref[NIGREF];
};

/* Recognisable values in every field; nothing repeats across fields. */
static inline void
desc_fixed(struct req_desc *d, uint8_t op)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->op = op;
	d->nseg = NSEG;
	d->indirect_op = BLKIF_OP_WRITE;
	d->flag = BLKIF_DISCARD_SECURE;
	d->inseg = 0x1234;
	d->handle = 0xc1c2;
	d->id = 0x1122334455667700ULL | op;
	d->sector = 0xa1a2a3a4a5a6a7a8ULL;
	d->nr_sectors = 0xb1b2b3b4b5b6b7b8ULL;
	for (i = 0; i < NSEG; i++) {
		d->seg[i].gref = 0xd0000000u + 0x10101u * i;
		d->seg[i].first_sect = (uint8_t)(0x10 + i);
		d->seg[i].last_sect = (uint8_t)(0x20 + i);
	}
	for (i = 0; i < NIGREF; i++)
		d->igref[i] = 0xe0000000u + 0x01010101u * i;
}

static const uint8_t some_ops[] = {
	BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER,
	BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
	BLKIF_OP_RESERVED_1, 7, 200, 255,
};
#define NOPS	(sizeof(some_ops) / sizeof(some_ops[0]))

static inline void
desc_random(struct req_desc *d)
{
	fill_random(d, sizeof(*d));
	d->op = rng() % 4 ? some_ops[rng() % NOPS] : (uint8_t)rng();
	if (rng() % 2)
		d->nseg = (uint8_t)(rng() % (NSEG + 2));
}

/*
 * Write d into the slot at p the way a frontend of that ABI does, through
 * the header structures.  Bytes no field covers keep what was there.
 */
static inline void
encode(enum blk_abi abi, uint8_t *p, const struct req_desc *d)
{
	unsigned int i;

	if (abi == BLK_ABI_X86_64) {
		if (d->op == BLKIF_OP_DISCARD) {
			struct blkif_request_discard r;

			memcpy(&r, p, sizeof(r));
			r.operation = d->op;
			r.flag = d->flag;
			r.handle = d->handle;
			r.id = d->id;
			r.sector_number = d->sector;
			r.nr_sectors = d->nr_sectors;
			memcpy(p, &r, sizeof(r));
		} else if (d->op == BLKIF_OP_INDIRECT) {
			struct blkif_request_indirect r;

			memcpy(&r, p, sizeof(r));
			r.operation = d->op;
			r.indirect_op = d->indirect_op;
			r.nr_segments = d->inseg;
			r.id = d->id;
			r.sector_number = d->sector;
			r.handle = d->handle;
			for (i = 0; i < NIGREF; i++)
				r.indirect_grefs[i] = d->igref[i];
			memcpy(p, &r, sizeof(r));
		} else {
			struct blkif_request r;

			memcpy(&r, p, sizeof(r));
			r.operation = d->op;
			r.nr_segments = d->nseg;
			r.handle = d->handle;
			r.id = d->id;
			r.sector_number = d->sector;
			for (i = 0; i < NSEG; i++)
				r.seg[i] = d->seg[i];
			memcpy(p, &r, sizeof(r));
		}
		return;
	}

	{
		struct x32_request r;

		memcpy(&r, p, sizeof(r));
		r.operation = d->op;
		if (d->op == BLKIF_OP_DISCARD) {
			r.u.discard.flag = d->flag;
			r.u.discard.id = d->id;
			r.u.discard.sector_number = d->sector;
			r.u.discard.nr_sectors = d->nr_sectors;
		} else if (d->op == BLKIF_OP_INDIRECT) {
			r.u.indirect.indirect_op = d->indirect_op;
			r.u.indirect.nr_segments = d->inseg;
			r.u.indirect.id = d->id;
			r.u.indirect.sector_number = d->sector;
			r.u.indirect.handle = d->handle;
			for (i = 0; i < NIGREF; i++)
				r.u.indirect.indirect_grefs[i] = d->igref[i];
		} else {
			r.u.rw.nr_segments = d->nseg;
			r.u.rw.handle = d->handle;
			r.u.rw.id = d->id;
			r.u.rw.sector_number = d->sector;
			for (i = 0; i < NSEG; i++)
				r.u.rw.seg[i] = d->seg[i];
		}
		memcpy(p, &r, sizeof(r));
	}
}

/* What blkring.h says blk_ring_take() makes of d. */
static inline void
expect_of(const struct req_desc *d, struct blk_wire *w)
{
	unsigned int i, n;

	memset(w, 0, sizeof(*w));
	w->operation = d->op;
	w->id = d->id;
	w->sector_number = d->sector;
	switch (d->op) {
	case BLKIF_OP_DISCARD:
		w->discard_flag = d->flag;
		w->nr_sectors = d->nr_sectors;
		break;
	case BLKIF_OP_INDIRECT:
		w->indirect_op = d->indirect_op;
		w->nr_segments = d->inseg;
		w->handle = d->handle;
		for (i = 0; i < NIGREF; i++)
			w->indirect_grefs[i] = d->igref[i];
		break;
	default:
		w->nr_segments = d->nseg;
		w->handle = d->handle;
		n = d->nseg < NSEG ? d->nseg : NSEG;
		for (i = 0; i < n; i++)
			w->seg[i] = d->seg[i];
		break;
	}
}

static inline void
assert_wire(const struct blk_wire *got, const struct blk_wire *want)
{
	unsigned int i;

	assert_int_equal(got->operation, want->operation);
	assert_int_equal(got->indirect_op, want->indirect_op);
	assert_int_equal(got->discard_flag, want->discard_flag);
	assert_int_equal(got->nr_segments, want->nr_segments);
	assert_int_equal(got->handle, want->handle);
	assert_true(got->id == want->id);
	assert_true(got->sector_number == want->sector_number);
	assert_true(got->nr_sectors == want->nr_sectors);
	for (i = 0; i < NSEG; i++) {
		assert_int_equal(got->seg[i].gref, want->seg[i].gref);
		assert_int_equal(got->seg[i].first_sect, want->seg[i].first_sect);
		assert_int_equal(got->seg[i].last_sect, want->seg[i].last_sect);
	}
	for (i = 0; i < NIGREF; i++)
		assert_int_equal(got->indirect_grefs[i], want->indirect_grefs[i]);
}

#endif
