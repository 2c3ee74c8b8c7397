/*
 * test_blkring.c - the blkif back ring of blkring.h over fake shared rings
 * in ordinary memory: request decoding in both layouts, the exact bytes of a
 * response, index arithmetic and wrap-around, notification, the final
 * check.  test_blkring_front.c drives it with a frontend made of io/ring.h's
 * own macros.
 *
 * x86_64 requests are written with Xen's io/blkif.h structures; x86_32
 * requests with a copy of Linux's packed blkif_x86_32_* structures
 * (blkring_test.h).
 */
#include <sys/mman.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blkring_test.h"
#include <xen/io/protocols.h>

/* ---- ABI names, slot sizes, ring sizes ------------------------------------ */

static void
test_abi_parse(void **state)
{
	enum blk_abi abi;

	(void)state;
	abi = 0;
	assert_int_equal(blk_abi_parse(NULL, &abi), 0);
	assert_int_equal(abi, BLK_ABI_X86_32);	/* absent: Linux/QEMU default */
	abi = 0;
	assert_int_equal(blk_abi_parse("x86_32-abi", &abi), 0);
	assert_int_equal(abi, BLK_ABI_X86_32);
	abi = 0;
	assert_int_equal(blk_abi_parse("x86_64-abi", &abi), 0);
	assert_int_equal(abi, BLK_ABI_X86_64);
	abi = 0;
	assert_int_equal(blk_abi_parse(XEN_IO_PROTO_ABI_NATIVE, &abi), 0);
	assert_int_equal(abi, BLK_ABI_X86_64);
	/*
	 * Unknown names, including near misses, are refused (Linux: "unknown
	 * fe protocol").  No frontend writes the word "native": the native
	 * name is XEN_IO_PROTO_ABI_NATIVE, checked above.
	 */
	abi = BLK_ABI_X86_64;
	/* Empty is absent to Linux ("%63s" scan fails): x86_32. */
	assert_int_equal(blk_abi_parse("", &abi), 0);
	assert_int_equal(abi, BLK_ABI_X86_32);
	abi = BLK_ABI_X86_64;
	assert_int_equal(blk_abi_parse("native", &abi), -1);
	assert_int_equal(blk_abi_parse("arm-abi", &abi), -1);
	assert_int_equal(blk_abi_parse("x86_32-abi ", &abi), -1);
	assert_int_equal(blk_abi_parse("x86_32", &abi), -1);
	assert_int_equal(blk_abi_parse("X86_64-ABI", &abi), -1);
	assert_int_equal(blk_abi_parse("x86_64-abi\n", &abi), -1);
	assert_int_equal(blk_abi_parse("garbage", &abi), -1);
	assert_int_equal(abi, BLK_ABI_X86_64);	/* untouched on failure */

	assert_string_equal(blk_abi_name(BLK_ABI_X86_32), "x86_32-abi");
	assert_string_equal(blk_abi_name(BLK_ABI_X86_64), "x86_64-abi");
	assert_int_equal(blk_abi_slot(BLK_ABI_X86_32), SLOT32);
	assert_int_equal(blk_abi_slot(BLK_ABI_X86_64), SLOT64);
}

/* Largest power of two <= n, computed independently of ring.c. */
static unsigned int
rd32(size_t n)
{
	unsigned int p = 1;

	if (n == 0)
		return 0;
	while (n >>= 1)
		p <<= 1;
	return p;
}

static void
test_ring_sizes(void **state)
{
	static const struct { unsigned int npages, n32, n64; } tab[] = {
		/* (npages * 4096 - 64) / slot, rounded down to 2^k */
		{ 1, 32, 32 },		/* 4032/108 = 37, 4032/112 = 36 */
		{ 2, 64, 64 },		/* 75, 72 */
		{ 3, 64, 64 },		/* 113, 109 */
		{ 4, 128, 128 },	/* 151, 145 */
		{ 8, 256, 256 },	/* 302, 292 */
		{ 16, 512, 512 },	/* 606, 584 */
	};
	struct blk_ring r;
	uint8_t *m;
	unsigned int i, np;

	(void)state;
	m = area_new(16, 0);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32,
		    tab[i].npages), 0);
		assert_int_equal(r.nr_ents, tab[i].n32);
		assert_int_equal(r.slot, SLOT32);
		assert_ptr_equal(r.sring, m);
		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64,
		    tab[i].npages), 0);
		assert_int_equal(r.nr_ents, tab[i].n64);
		assert_int_equal(r.slot, SLOT64);
	}
	for (np = 1; np <= 16; np++) {
		size_t sz = (size_t)np * PAGE;

		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, np), 0);
		assert_int_equal(r.nr_ents, rd32((sz - HDR) / SLOT32));
		assert_int_equal(r.nr_ents, __CONST_RING_SIZE(x32blk, sz));
		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, np), 0);
		assert_int_equal(r.nr_ents, rd32((sz - HDR) / SLOT64));
		assert_int_equal(r.nr_ents, __CONST_RING_SIZE(blkif, sz));
	}
	/*
	 * No pages, no ring (the slot mask would be all ones); more than
	 * XB_RING_MAX_PAGES is no ring a frontend may grant (ring.h).
	 */
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, 0), -1);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, 0), -1);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, 17), -1);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, 1000), -1);
	free(m);
}

/* ---- decoding requests ---------------------------------------------------- */

/*
 * Put d in slot idx of a garbage-filled ring, take it, and compare with
 * what blkring.h promises.  The shared area must not change.
 */
static void
take_one(enum blk_abi abi, RING_IDX idx, const struct req_desc *d)
{
	uint8_t *m = area_new(1, 0), *snap = malloc(PAGE);
	struct blk_ring r;
	struct blk_wire w, want;

	assert_non_null(snap);
	fill_random(m, PAGE);
	hdr_init(m, idx);
	assert_int_equal(blk_ring_attach(&r, m, abi, 1), 0);
	assert_int_equal(r.nr_ents, 32);
	encode(abi, slot_at(m, abi, 32, idx), d);
	hset(m, REQ_PROD, idx + 1);
	assert_int_equal(blk_ring_req_prod(&r), idx + 1);
	assert_false(blk_ring_prod_bad(&r, idx + 1));
	assert_true(blk_ring_can_take(&r, idx + 1));
	memcpy(snap, m, PAGE);
	memset(&w, 0xee, sizeof(w));
	blk_ring_take(&r, &w);
	assert_int_equal(r.req_cons, idx + 1);
	assert_int_equal(r.rsp_prod_pvt, idx);
	assert_false(blk_ring_can_take(&r, idx + 1));
	expect_of(d, &want);
	assert_wire(&w, &want);
	/* A backend never writes a request slot or the header when taking. */
	assert_memory_equal(m, snap, PAGE);
	free(snap);
	free(m);
}

static void
check_ops_fixed(enum blk_abi abi)
{
	static const RING_IDX idxs[] = { 0, 1, 17, 31, 32, 1000, UINT32_MAX };
	struct req_desc d;
	size_t i, j;

	rng_state = 0x0123456789abcdefULL;
	for (i = 0; i < NOPS; i++)
		for (j = 0; j < sizeof(idxs) / sizeof(idxs[0]); j++) {
			desc_fixed(&d, some_ops[i]);
			take_one(abi, idxs[j], &d);
		}
}

static void
test_take_ops_x86_32(void **state)
{
	(void)state;
	check_ops_fixed(BLK_ABI_X86_32);
}

static void
test_take_ops_x86_64(void **state)
{
	(void)state;
	check_ops_fixed(BLK_ABI_X86_64);
}

/* Spot checks by hand, in case desc/encode/expect share a mistake. */
static void
test_take_by_hand(void **state)
{
	uint8_t *m = area_new(1, 0x5a);
	struct blk_ring r;
	struct blk_wire w;
	uint8_t *s;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	(void)state;
	/* x86_32 READ at slot 2: 64 + 2 * 108 = 280. */
	hdr_init(m, 2);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, 1), 0);
	s = m + 280;
	s[0] = BLKIF_OP_READ;
	s[1] = 2;
	v16 = 0x0304; memcpy(s + 2, &v16, 2);
	v64 = 0x0102030405060708ULL; memcpy(s + 4, &v64, 8);
	v64 = 0x1112131415161718ULL; memcpy(s + 12, &v64, 8);
	v32 = 0x21222324; memcpy(s + 20, &v32, 4);
	s[24] = 1; s[25] = 6;
	v32 = 0x31323334; memcpy(s + 28, &v32, 4);
	s[32] = 0; s[33] = 7;
	hset(m, REQ_PROD, 3);
	blk_ring_take(&r, &w);
	assert_int_equal(w.operation, BLKIF_OP_READ);
	assert_int_equal(w.nr_segments, 2);
	assert_int_equal(w.handle, 0x0304);
	assert_true(w.id == 0x0102030405060708ULL);
	assert_true(w.sector_number == 0x1112131415161718ULL);
	assert_int_equal(w.seg[0].gref, 0x21222324);
	assert_int_equal(w.seg[0].first_sect, 1);
	assert_int_equal(w.seg[0].last_sect, 6);
	assert_int_equal(w.seg[1].gref, 0x31323334);
	assert_int_equal(w.seg[1].last_sect, 7);
	assert_int_equal(w.seg[2].gref, 0);	/* beyond nr_segments: zero */

	/* x86_64 DISCARD at slot 3: 64 + 3 * 112 = 400. */
	memset(m, 0x5a, PAGE);
	hdr_init(m, 3);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, 1), 0);
	s = m + 400;
	s[0] = BLKIF_OP_DISCARD;
	s[1] = 1;
	v64 = 0x0102030405060708ULL; memcpy(s + 8, &v64, 8);
	v64 = 0x1112131415161718ULL; memcpy(s + 16, &v64, 8);
	v64 = 0x2122232425262728ULL; memcpy(s + 24, &v64, 8);
	hset(m, REQ_PROD, 4);
	blk_ring_take(&r, &w);
	assert_int_equal(w.operation, BLKIF_OP_DISCARD);
	assert_int_equal(w.discard_flag, 1);
	assert_true(w.id == 0x0102030405060708ULL);
	assert_true(w.sector_number == 0x1112131415161718ULL);
	assert_true(w.nr_sectors == 0x2122232425262728ULL);
	assert_int_equal(w.nr_segments, 0);
	assert_int_equal(w.handle, 0);

	/* x86_32 INDIRECT at slot 31: 64 + 31 * 108 = 3412. */
	memset(m, 0x5a, PAGE);
	hdr_init(m, 31);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, 1), 0);
	s = m + 3412;
	s[0] = BLKIF_OP_INDIRECT;
	s[1] = BLKIF_OP_WRITE;
	v16 = 300; memcpy(s + 2, &v16, 2);
	v64 = 77; memcpy(s + 4, &v64, 8);
	v64 = 88; memcpy(s + 12, &v64, 8);
	v16 = 51712; memcpy(s + 20, &v16, 2);
	v32 = 0xabcdef01; memcpy(s + 24, &v32, 4);
	v32 = 0x12345678; memcpy(s + 24 + 7 * 4, &v32, 4);
	hset(m, REQ_PROD, 32);
	blk_ring_take(&r, &w);
	assert_int_equal(w.operation, BLKIF_OP_INDIRECT);
	assert_int_equal(w.indirect_op, BLKIF_OP_WRITE);
	assert_int_equal(w.nr_segments, 300);
	assert_true(w.id == 77);
	assert_true(w.sector_number == 88);
	assert_int_equal(w.handle, 51712);
	assert_int_equal(w.indirect_grefs[0], 0xabcdef01);
	assert_int_equal(w.indirect_grefs[1], 0x5a5a5a5a);
	assert_int_equal(w.indirect_grefs[7], 0x12345678);
	assert_int_equal(w.seg[0].gref, 0);
	free(m);
}

/* nr_segments above 11: the count as sent, only 11 segments copied. */
static void
test_take_segment_cap(void **state)
{
	static const uint8_t counts[] = { 0, 1, 10, 11, 12, 100, 255 };
	enum blk_abi abi;
	struct req_desc d;
	size_t i;

	(void)state;
	rng_state = 0xfeedfacecafebeefULL;
	for (abi = BLK_ABI_X86_32; abi <= BLK_ABI_X86_64; abi++)
		for (i = 0; i < sizeof(counts); i++) {
			desc_fixed(&d, BLKIF_OP_WRITE);
			d.nseg = counts[i];
			take_one(abi, 5, &d);
			desc_fixed(&d, BLKIF_OP_FLUSH_DISKCACHE);
			d.nseg = counts[i];
			take_one(abi, 31, &d);
		}
}

/*
 * Many random requests through one ring, consecutive slots so that the
 * ring and the 32-bit index wrap, neighbours all different.
 */
static void
check_take_random(enum blk_abi abi, unsigned int npages)
{
	uint8_t *m = area_new(npages, 0);
	struct blk_ring r;
	struct blk_wire w, want;
	struct req_desc *d;
	RING_IDX base = UINT32_MAX - 700, idx;
	unsigned int n, k, round;

	fill_random(m, (size_t)npages * PAGE);
	hdr_init(m, base);
	assert_int_equal(blk_ring_attach(&r, m, abi, npages), 0);
	n = r.nr_ents;
	d = calloc(n, sizeof(*d));
	assert_non_null(d);
	idx = base;
	for (round = 0; round < 3000 / n + 3; round++) {
		unsigned int batch = 1 + (unsigned int)(rng() % n);

		for (k = 0; k < batch; k++) {
			desc_random(&d[k]);
			encode(abi, slot_at(m, abi, n, idx + k), &d[k]);
		}
		hset(m, REQ_PROD, idx + batch);
		for (k = 0; k < batch; k++) {
			RING_IDX prod = blk_ring_req_prod(&r);

			assert_false(blk_ring_prod_bad(&r, prod));
			assert_true(blk_ring_can_take(&r, prod));
			blk_ring_take(&r, &w);
			expect_of(&d[k], &want);
			assert_wire(&w, &want);
		}
		assert_false(blk_ring_can_take(&r, idx + batch));
		for (k = 0; k < batch; k++)
			blk_ring_put_rsp(&r, d[k].id, d[k].op, 0);
		blk_ring_push(&r);
		idx += batch;
		assert_int_equal(r.req_cons, idx);
		assert_int_equal(hget(m, RSP_PROD), idx);
	}
	/* The 32-bit index wrapped. */
	assert_true(idx < base);
	free(d);
	free(m);
}

static void
test_take_random(void **state)
{
	static const unsigned int np[] = { 1, 2, 16 };
	size_t i;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < sizeof(np) / sizeof(np[0]); i++) {
		check_take_random(BLK_ABI_X86_32, np[i]);
		check_take_random(BLK_ABI_X86_64, np[i]);
	}
}

/* The caller's copy is private: later guest writes do not reach it. */
static void
test_double_fetch(void **state)
{
	enum blk_abi abi;

	(void)state;
	rng_state = 42;
	for (abi = BLK_ABI_X86_32; abi <= BLK_ABI_X86_64; abi++) {
		uint8_t *m = area_new(1, 0);
		struct blk_ring r;
		struct blk_wire w, w2, want;
		struct req_desc d;
		size_t i;

		for (i = 0; i < NOPS; i++) {
			memset(m, 0, PAGE);
			hdr_init(m, 7);
			assert_int_equal(blk_ring_attach(&r, m, abi, 1), 0);
			desc_fixed(&d, some_ops[i]);
			d.nseg = 3;
			d.inseg = 3;
			encode(abi, slot_at(m, abi, 32, 7), &d);
			hset(m, REQ_PROD, 8);
			blk_ring_take(&r, &w);
			memcpy(&w2, &w, sizeof(w));
			/* The guest rewrites the slot and the header at once. */
			fill_random(slot_at(m, abi, 32, 7), slot_size(abi));
			m[HDR + 7 * slot_size(abi) + 1] = 255;	/* nr_segments */
			hset(m, REQ_PROD, 1000);
			expect_of(&d, &want);
			assert_wire(&w, &want);
			assert_memory_equal(&w, &w2, sizeof(w));
			assert_int_equal(r.req_cons, 8);
		}
		free(m);
	}
}

/* ---- attach, producer checks, response slots ------------------------------ */

static void
test_attach_live(void **state)
{
	static const RING_IDX bases[] = { 0, 1000, UINT32_MAX - 3, UINT32_MAX };
	enum blk_abi abi;
	size_t b;

	(void)state;
	for (abi = BLK_ABI_X86_32; abi <= BLK_ABI_X86_64; abi++)
		for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			static const unsigned int outs[] = { 0, 1, 5, 31, 32 };
			uint8_t *m = area_new(1, 0), snap[HDR];
			RING_IDX rsp = bases[b];
			struct blk_ring r;
			struct blk_wire w;
			size_t o;

			for (o = 0; o < sizeof(outs) / sizeof(outs[0]); o++) {
				unsigned int k;

				/*
				 * A previous backend took outs[o] requests and
				 * answered none: we take them again.
				 */
				hset(m, RSP_PROD, rsp);
				hset(m, REQ_PROD, rsp + outs[o]);
				hset(m, REQ_EVENT, 0xdeadbeef);
				hset(m, RSP_EVENT, 0xfeedface);
				for (k = 0; k < outs[o]; k++) {
					struct req_desc d;

					desc_fixed(&d, BLKIF_OP_READ);
					d.id = rsp + k;
					encode(abi, slot_at(m, abi, 32, rsp + k), &d);
				}
				memcpy(snap, m, HDR);
				memset(&r, 0x77, sizeof(r));
				assert_int_equal(blk_ring_attach(&r, m, abi, 1), 0);
				assert_memory_equal(m, snap, HDR);
				assert_int_equal(r.abi, abi);
				assert_int_equal(r.req_cons, rsp);
				assert_int_equal(r.rsp_prod_pvt, rsp);
				for (k = 0; k < outs[o]; k++) {
					assert_true(blk_ring_can_take(&r,
					    blk_ring_req_prod(&r)));
					blk_ring_take(&r, &w);
					assert_true(w.id == (RING_IDX)(rsp + k));
				}
				assert_false(blk_ring_can_take(&r,
				    blk_ring_req_prod(&r)));
			}
			/* More outstanding than slots, or req_prod behind. */
			hset(m, RSP_PROD, rsp);
			hset(m, REQ_PROD, rsp + 33);
			assert_int_equal(blk_ring_attach(&r, m, abi, 1), -1);
			hset(m, REQ_PROD, rsp - 1);
			assert_int_equal(blk_ring_attach(&r, m, abi, 1), -1);
			hset(m, REQ_PROD, rsp + 0x80000000u);
			assert_int_equal(blk_ring_attach(&r, m, abi, 1), -1);
			/* The size is that of the ring attached. */
			hset(m, REQ_PROD, rsp + 33);
			free(m);
			m = area_new(2, 0);
			hset(m, RSP_PROD, rsp);
			hset(m, REQ_PROD, rsp + 64);
			assert_int_equal(blk_ring_attach(&r, m, abi, 2), 0);
			hset(m, REQ_PROD, rsp + 65);
			assert_int_equal(blk_ring_attach(&r, m, abi, 2), -1);
			free(m);
		}
}

static void
test_prod_bad(void **state)
{
	static const RING_IDX bases[] = { 0, 12345, UINT32_MAX - 10 };
	struct blk_ring r;
	struct blk_wire w;
	size_t b;
	unsigned int k;

	(void)state;
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		RING_IDX base = bases[b];
		uint8_t *m = area_new(1, 0);

		hdr_init(m, base);
		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, 1), 0);
		assert_false(blk_ring_prod_bad(&r, base));
		assert_false(blk_ring_prod_bad(&r, base + 1));
		assert_false(blk_ring_prod_bad(&r, base + 32));
		assert_true(blk_ring_prod_bad(&r, base + 33));
		assert_true(blk_ring_prod_bad(&r, base - 1));
		assert_true(blk_ring_prod_bad(&r, base + 0x80000000u));
		/* Measured from the responses produced, not from req_cons. */
		hset(m, REQ_PROD, base + 5);
		for (k = 0; k < 5; k++)
			blk_ring_take(&r, &w);
		assert_false(blk_ring_prod_bad(&r, base + 32));
		assert_true(blk_ring_prod_bad(&r, base + 33));
		for (k = 0; k < 5; k++)
			blk_ring_put_rsp(&r, k, BLKIF_OP_READ, 0);
		/* Unpublished responses count: the slots are ours again. */
		assert_false(blk_ring_prod_bad(&r, base + 37));
		assert_true(blk_ring_prod_bad(&r, base + 38));
		/* A frontend may not move req_prod back past our responses. */
		assert_true(blk_ring_prod_bad(&r, base + 4));
		/*
		 * Nor behind requests taken and not yet answered: 3 more
		 * taken (req_cons base + 8), prod back to base + 6.
		 */
		hset(m, REQ_PROD, base + 8);
		for (k = 0; k < 3; k++)
			blk_ring_take(&r, &w);
		assert_false(blk_ring_prod_bad(&r, base + 8));
		assert_false(blk_ring_prod_bad(&r, base + 9));
		assert_true(blk_ring_prod_bad(&r, base + 7));
		assert_true(blk_ring_prod_bad(&r, base + 6));
		assert_true(blk_ring_prod_bad(&r, base + 5));
		assert_false(blk_ring_can_take(&r, base + 8));
		free(m);
	}
}

static void
test_can_take_limit(void **state)
{
	enum blk_abi abi;
	struct blk_wire w;

	(void)state;
	for (abi = BLK_ABI_X86_32; abi <= BLK_ABI_X86_64; abi++) {
		RING_IDX base = UINT32_MAX - 15;
		uint8_t *m = area_new(1, 0);
		struct blk_ring r;
		unsigned int k;

		hdr_init(m, base);
		assert_int_equal(blk_ring_attach(&r, m, abi, 1), 0);
		assert_false(blk_ring_can_take(&r, base));
		for (k = 0; k < 32; k++) {
			assert_true(blk_ring_can_take(&r, base + 32));
			blk_ring_take(&r, &w);
		}
		assert_false(blk_ring_can_take(&r, base + 32));
		/*
		 * Even if the frontend claims more (an impossible prod the
		 * caller should have refused), no request is taken without a
		 * response slot to answer it in.
		 */
		assert_false(blk_ring_can_take(&r, base + 33));
		assert_false(blk_ring_can_take(&r, base + 1000));
		blk_ring_put_rsp(&r, 1, BLKIF_OP_READ, 0);
		assert_true(blk_ring_can_take(&r, base + 33));
		blk_ring_take(&r, &w);
		assert_false(blk_ring_can_take(&r, base + 34));
		blk_ring_put_rsp(&r, 2, BLKIF_OP_READ, 0);
		blk_ring_put_rsp(&r, 3, BLKIF_OP_READ, 0);
		assert_true(blk_ring_can_take(&r, base + 35));
		assert_false(blk_ring_can_take(&r, base + 33));	/* == req_cons */
		free(m);
	}
}

/* ---- responses ------------------------------------------------------------ */

static void
test_put_rsp_bytes(void **state)
{
	static const RING_IDX idxs[] = { 0, 1, 30, 31, 32, 33, UINT32_MAX };
	static const int16_t sts[] = { BLKIF_RSP_OKAY, BLKIF_RSP_ERROR,
	    BLKIF_RSP_EOPNOTSUPP, 0x7fff, -0x8000 };
	enum blk_abi abi;
	size_t i, j;

	(void)state;
	for (abi = BLK_ABI_X86_32; abi <= BLK_ABI_X86_64; abi++)
		for (i = 0; i < sizeof(idxs) / sizeof(idxs[0]); i++) {
			uint8_t *m = area_new(1, 0xaa), *want = area_new(1, 0);
			uint64_t id = 0x0102030405060708ULL + i;
			int16_t st = sts[i % (sizeof(sts) / sizeof(sts[0]))];
			struct blk_ring r;
			uint8_t *s;

			hdr_init(m, idxs[i]);
			assert_int_equal(blk_ring_attach(&r, m, abi, 1), 0);
			memcpy(want, m, PAGE);
			blk_ring_put_rsp(&r, id, (uint8_t)(0x50 + i), st);
			assert_int_equal(r.rsp_prod_pvt, idxs[i] + 1);
			s = slot_at(want, abi, 32, idxs[i]);
			memcpy(s, &id, 8);
			s[8] = (uint8_t)(0x50 + i);
			memcpy(s + 10, &st, 2);
			/*
			 * Exactly those 11 bytes: byte 9 and the rest of the
			 * slot keep 0xaa, and rsp_prod is not published.
			 */
			for (j = 0; j < PAGE; j++)
				if (m[j] != want[j])
					fail_msg("abi %d idx %u: byte %zu is "
					    "%#x, want %#x", abi, idxs[i], j,
					    m[j], want[j]);
			assert_int_equal(hget(m, RSP_PROD), idxs[i]);

			/* The frontend's view through io/ring.h. */
			if (abi == BLK_ABI_X86_64) {
				blkif_front_ring_t f;
				blkif_response_t *rsp;

				FRONT_RING_ATTACH(&f, (blkif_sring_t *)m,
				    idxs[i], PAGE);
				rsp = RING_GET_RESPONSE(&f, idxs[i]);
				assert_true(rsp->id == id);
				assert_int_equal(rsp->operation, 0x50 + i);
				assert_int_equal(rsp->status, st);
			} else {
				x32blk_front_ring_t f;
				struct x32_response *rsp;

				FRONT_RING_ATTACH(&f, (x32blk_sring_t *)m,
				    idxs[i], PAGE);
				rsp = RING_GET_RESPONSE(&f, idxs[i]);
				assert_true(rsp->id == id);
				assert_int_equal(rsp->operation, 0x50 + i);
				assert_int_equal(rsp->status, st);
			}
			free(want);
			free(m);
		}
}

/*
 * Take n and answer n from old, set rsp_event, push: did we notify?  The
 * shared rsp_prod must be old + n afterwards and rsp_event untouched.
 */
static bool
push_case(RING_IDX old, unsigned int n, RING_IDX event)
{
	uint8_t *m = area_new(1, 0);
	struct blk_ring r;
	struct blk_wire w;
	unsigned int k;
	bool notify;

	hdr_init(m, old);
	assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_64, 1), 0);
	hset(m, REQ_PROD, old + n);
	for (k = 0; k < n; k++) {
		blk_ring_take(&r, &w);
		blk_ring_put_rsp(&r, k, BLKIF_OP_READ, 0);
	}
	hset(m, RSP_EVENT, event);
	notify = blk_ring_push(&r);
	assert_int_equal(hget(m, RSP_PROD), old + n);
	assert_int_equal(hget(m, RSP_EVENT), event);
	/* Nothing new: never a notification, whatever rsp_event says. */
	assert_false(blk_ring_push(&r));
	hset(m, RSP_EVENT, old + n);
	assert_false(blk_ring_push(&r));
	hset(m, RSP_EVENT, old + n + 1);
	assert_false(blk_ring_push(&r));
	free(m);
	return notify;
}

static void
test_push_notify(void **state)
{
	RING_IDX old;
	unsigned int i;

	(void)state;
	/* One response: rsp_event just past the old producer asks for it. */
	assert_true(push_case(0, 1, 1));
	assert_false(push_case(0, 1, 0));	/* already past */
	assert_false(push_case(0, 1, 2));	/* not reached yet */
	/* Several: any rsp_event in (old, new]. */
	assert_true(push_case(10, 5, 11));
	assert_true(push_case(10, 5, 13));
	assert_true(push_case(10, 5, 15));
	assert_false(push_case(10, 5, 10));
	assert_false(push_case(10, 5, 16));
	assert_false(push_case(10, 5, 1000));		/* far ahead */
	assert_false(push_case(10, 5, 5));		/* behind */
	assert_false(push_case(10, 5, 10 + 0x80000000u));
	/* Across the 32-bit wrap. */
	old = UINT32_MAX - 1;
	assert_true(push_case(old, 4, UINT32_MAX));
	assert_true(push_case(old, 4, 0));
	assert_true(push_case(old, 4, 2));
	assert_false(push_case(old, 4, 3));
	assert_false(push_case(old, 4, old));
	assert_false(push_case(old, 4, old - 100));
	/* No responses: nothing to tell. */
	assert_false(push_case(10, 0, 10));
	assert_false(push_case(10, 0, 11));
	/* Random: notify iff rsp_event lies in (old, old + n]. */
	rng_state = 7;
	for (i = 0; i < 2000; i++) {
		unsigned int n = (unsigned int)(rng() % 33);
		RING_IDX ev;
		bool want;

		old = (RING_IDX)rng();
		if (rng() % 8 == 0)
			old = UINT32_MAX - (RING_IDX)(rng() % 40);
		ev = old + (RING_IDX)(rng() % 40) - 4;
		want = n > 0 && (RING_IDX)(ev - old) >= 1 &&
		    (RING_IDX)(ev - old) <= n;
		if (push_case(old, n, ev) != want)
			fail_msg("old %u n %u rsp_event %u: want %d", old, n,
			    ev, want);
	}
}

/* ---- final check ---------------------------------------------------------- */

static void
test_final_check(void **state)
{
	static const RING_IDX bases[] = { 0, 77, UINT32_MAX - 1, UINT32_MAX };
	struct blk_ring r;
	struct blk_wire w;
	size_t b;

	(void)state;
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		RING_IDX base = bases[b];
		uint8_t *m = area_new(1, 0);

		hdr_init(m, base);
		hset(m, REQ_EVENT, 0x12345678);
		assert_int_equal(blk_ring_attach(&r, m, BLK_ABI_X86_32, 1), 0);
		/* Idle: re-arm for the next request, nothing more to do. */
		assert_false(blk_ring_final_check(&r));
		assert_int_equal(hget(m, REQ_EVENT), base + 1);
		/* Work pending: say so, leave req_event alone. */
		hset(m, REQ_EVENT, 0x12345678);
		hset(m, REQ_PROD, base + 3);
		assert_true(blk_ring_final_check(&r));
		assert_int_equal(hget(m, REQ_EVENT), 0x12345678);
		blk_ring_take(&r, &w);
		assert_true(blk_ring_final_check(&r));
		blk_ring_take(&r, &w);
		blk_ring_take(&r, &w);
		assert_false(blk_ring_final_check(&r));
		assert_int_equal(hget(m, REQ_EVENT), base + 4);
		/* The responses are not its business. */
		assert_int_equal(hget(m, RSP_PROD), base);
		free(m);
	}
}

/*
 * A request that arrives between the re-arm of req_event and the last look
 * must be reported, or it waits for a notification that never comes.  The
 * ring page is read-only: the write of req_event faults, and the handler,
 * playing the frontend, produces a request before letting it go on.
 */
static uint8_t *late_mem;
static volatile sig_atomic_t late_faults;

static void
late_segv(int sig, siginfo_t *si, void *uc)
{
	uint32_t prod;

	(void)uc;
	if ((uint8_t *)si->si_addr < late_mem ||
	    (uint8_t *)si->si_addr >= late_mem + PAGE) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	mprotect(late_mem, PAGE, PROT_READ | PROT_WRITE);
	late_faults++;
	memcpy(&prod, late_mem + REQ_PROD, 4);
	/* Only a frontend that had seen req_event re-armed would notify. */
	prod++;
	memcpy(late_mem + REQ_PROD, &prod, 4);
}

static void
test_final_check_late(void **state)
{
	static const RING_IDX bases[] = { 5, UINT32_MAX };
	struct sigaction sa, old;
	struct blk_ring r;
	size_t b;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = late_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		late_mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(late_mem != MAP_FAILED);
		hdr_init(late_mem, bases[b]);
		assert_int_equal(blk_ring_attach(&r, late_mem, BLK_ABI_X86_64,
		    1), 0);
		late_faults = 0;
		assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
		assert_int_equal(mprotect(late_mem, PAGE, PROT_READ), 0);
		assert_true(blk_ring_final_check(&r));
		assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
		assert_int_equal(late_faults, 1);
		assert_int_equal(hget(late_mem, REQ_EVENT), bases[b] + 1);
		assert_int_equal(hget(late_mem, REQ_PROD), bases[b] + 1);
		assert_true(blk_ring_can_take(&r, blk_ring_req_prod(&r)));
		munmap(late_mem, PAGE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_parse),
		cmocka_unit_test(test_ring_sizes),
		cmocka_unit_test(test_take_ops_x86_32),
		cmocka_unit_test(test_take_ops_x86_64),
		cmocka_unit_test(test_take_by_hand),
		cmocka_unit_test(test_take_segment_cap),
		cmocka_unit_test(test_take_random),
		cmocka_unit_test(test_double_fetch),
		cmocka_unit_test(test_attach_live),
		cmocka_unit_test(test_prod_bad),
		cmocka_unit_test(test_can_take_limit),
		cmocka_unit_test(test_put_rsp_bytes),
		cmocka_unit_test(test_push_notify),
		cmocka_unit_test(test_final_check),
		cmocka_unit_test(test_final_check_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
