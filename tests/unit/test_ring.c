/*
 * test_ring.c - ring geometry and producer-index checks of ring.h, compared
 * against the io/ring.h macros on real blkif rings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"
#include <xen/io/blkif.h>

#define BLK_SLOT	sizeof(union blkif_sring_entry)

/* Largest power of two <= n (0 for 0), computed independently. */
static unsigned int
pow2_floor(size_t n)
{
	unsigned int bit;

	if (n == 0)
		return 0;
	for (bit = 31; bit > 0; bit--)
		if (n & ((size_t)1 << bit))
			return 1u << bit;
	return 1;
}

static void
test_blkif_slot_size(void **state)
{
	(void)state;
#if defined(__x86_64__)
	/* x86_64 ABI (blkif_x86_64_request is the same layout). */
	assert_int_equal(BLK_SLOT, 112);
#endif
	/* The shared ring header that ring_nr_ents() assumes. */
	assert_int_equal(offsetof(blkif_sring_t, ring), 64);
}

static void
test_nr_ents_blkif(void **state)
{
	(void)state;
#if defined(__x86_64__)
	/* (4096 - 64) / 112 = 36 -> 32 */
	assert_int_equal(ring_nr_ents(112, 1), 32);
	/* (8192 - 64) / 112 = 72 -> 64 */
	assert_int_equal(ring_nr_ents(112, 2), 64);
	/* (16384 - 64) / 112 = 145 -> 128 */
	assert_int_equal(ring_nr_ents(112, 4), 128);
	/* (32768 - 64) / 112 = 292 -> 256 */
	assert_int_equal(ring_nr_ents(112, 8), 256);
	/* (65536 - 64) / 112 = 584 -> 512 */
	assert_int_equal(ring_nr_ents(112, 16), 512);
#endif
	assert_int_equal(ring_nr_ents(BLK_SLOT, 1), 32);
	assert_int_equal(ring_nr_ents(BLK_SLOT, XB_RING_MAX_PAGES), 512);
}

static void
test_nr_ents_generic(void **state)
{
	unsigned int np;
	size_t slot;

	(void)state;
	/* Degenerate sizes. */
	assert_int_equal(ring_nr_ents(0, 1), 0);
	assert_int_equal(ring_nr_ents(112, 0), 0);
	assert_int_equal(ring_nr_ents(0, 0), 0);
	/* Exactly one slot fits after the header, one byte more does not. */
	assert_int_equal(ring_nr_ents(4096 - 64, 1), 1);
	assert_int_equal(ring_nr_ents(4096 - 64 + 1, 1), 0);
	assert_int_equal(ring_nr_ents(5000, 1), 0);
	assert_int_equal(ring_nr_ents(5000, 2), 1);
	/* Already a power of two: (4096 - 64) / 1 = 4032 -> 2048. */
	assert_int_equal(ring_nr_ents(1, 1), 2048);
	/* Exactly 2^k slots fit. */
	assert_int_equal(ring_nr_ents(63, 1), 64);	/* 4032/63 = 64 exactly */
	/* netif sizes: tx 12 bytes -> 256, rx 8 bytes -> 256 per page. */
	assert_int_equal(ring_nr_ents(12, 1), 256);
	assert_int_equal(ring_nr_ents(8, 1), 256);

	/* Always a power of two, never more slots than fit. */
	for (slot = 1; slot <= 8192; slot += 7)
		for (np = 1; np <= XB_RING_MAX_PAGES; np++) {
			unsigned int n = ring_nr_ents(slot, np);
			size_t room = (size_t)np * 4096 - 64;

			assert_int_equal(n, pow2_floor(room / slot));
			if (n != 0) {
				assert_int_equal(n & (n - 1), 0);
				assert_true((size_t)n * slot <= room);
				assert_true((size_t)n * 2 * slot > room);
			}
		}
}

/* ring_nr_ents() agrees with __RING_SIZE() on a real, initialised ring. */
static void
test_nr_ents_matches_ring_h(void **state)
{
	static const unsigned int npages[] = { 1, 2, 4, 8, 16 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(npages) / sizeof(npages[0]); i++) {
		size_t sz = (size_t)npages[i] * 4096;
		blkif_sring_t *sring;
		blkif_back_ring_t br;
		unsigned int want;

		sring = aligned_alloc(4096, sz);
		assert_non_null(sring);
		memset(sring, 0, sz);
		SHARED_RING_INIT(sring);
		want = (unsigned int)__RING_SIZE(sring, sz);
		assert_int_equal(ring_nr_ents(BLK_SLOT, npages[i]), want);
		BACK_RING_INIT(&br, sring, sz);
		assert_int_equal(ring_nr_ents(BLK_SLOT, npages[i]), RING_SIZE(&br));
		/* The last slot really is inside the allocation. */
		assert_true((char *)&sring->ring[want] <= (char *)sring + sz);
		free(sring);
	}
}

/* ---- producer index checks ---- */

static void
test_req_prod_overflow(void **state)
{
	(void)state;
	/* Up to nr_ents outstanding requests is fine. */
	assert_false(ring_req_prod_overflow(0, 0, 32));
	assert_false(ring_req_prod_overflow(1, 0, 32));
	assert_false(ring_req_prod_overflow(32, 0, 32));
	assert_true(ring_req_prod_overflow(33, 0, 32));
	assert_false(ring_req_prod_overflow(1000 + 32, 1000, 32));
	assert_true(ring_req_prod_overflow(1000 + 33, 1000, 32));
	/* A frontend that moved req_prod backwards is hostile too. */
	assert_true(ring_req_prod_overflow(999, 1000, 32));
	assert_true(ring_req_prod_overflow(0, 1, 32));
	/* Far ahead. */
	assert_true(ring_req_prod_overflow(0x80000000u, 0, 512));
	assert_false(ring_req_prod_overflow(512, 0, 512));
	assert_true(ring_req_prod_overflow(513, 0, 512));
}

static void
test_req_prod_overflow_wrap(void **state)
{
	const RING_IDX near = UINT32_MAX - 10;

	(void)state;
	/* rsp_prod_pvt just below the wrap, req_prod just after it. */
	assert_false(ring_req_prod_overflow((RING_IDX)(near + 32), near, 32));
	assert_true(ring_req_prod_overflow((RING_IDX)(near + 33), near, 32));
	assert_false(ring_req_prod_overflow(0, UINT32_MAX, 32));	/* 1 ahead */
	assert_false(ring_req_prod_overflow(31, UINT32_MAX, 32));	/* 32 ahead */
	assert_true(ring_req_prod_overflow(32, UINT32_MAX, 32));	/* 33 ahead */
	assert_false(ring_req_prod_overflow(UINT32_MAX, UINT32_MAX, 32));
	/* Behind across the wrap. */
	assert_true(ring_req_prod_overflow(UINT32_MAX, 0, 32));
	assert_true(ring_req_prod_overflow(UINT32_MAX - 5, 2, 32));
}

/* Same answers as io/ring.h's RING_REQUEST_PROD_OVERFLOW on a back ring. */
static void
test_req_prod_overflow_matches_ring_h(void **state)
{
	static const RING_IDX bases[] = {
		0, 1, 1000, 0x7fffffffu, 0x80000000u, UINT32_MAX - 600,
		UINT32_MAX - 32, UINT32_MAX - 1, UINT32_MAX,
	};
	blkif_sring_t *sring;
	blkif_back_ring_t br;
	size_t i;
	long d;

	(void)state;
	sring = aligned_alloc(4096, 4096);
	assert_non_null(sring);
	memset(sring, 0, 4096);
	SHARED_RING_INIT(sring);
	BACK_RING_INIT(&br, sring, 4096);
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		br.rsp_prod_pvt = bases[i];
		for (d = -70; d <= 70; d++) {
			RING_IDX prod = (RING_IDX)(bases[i] + (RING_IDX)d);
			bool want = RING_REQUEST_PROD_OVERFLOW(&br, prod);

			assert_int_equal(ring_req_prod_overflow(prod,
			    br.rsp_prod_pvt, RING_SIZE(&br)), want);
			/* Equivalent by the definition: d outside [0, 32]. */
			assert_int_equal(want, d < 0 || d > 32);
		}
	}
	free(sring);
}

static void
test_attach_ok(void **state)
{
	const RING_IDX near = UINT32_MAX - 3;

	(void)state;
	/* Fresh ring, idle ring, ring with outstanding requests. */
	assert_true(ring_attach_ok(0, 0, 32));
	assert_true(ring_attach_ok(77, 77, 32));
	assert_true(ring_attach_ok(10, 5, 32));
	assert_true(ring_attach_ok(32, 0, 32));
	assert_false(ring_attach_ok(33, 0, 32));
	/* Responses ahead of requests is impossible. */
	assert_false(ring_attach_ok(5, 10, 32));
	assert_false(ring_attach_ok(0, 1, 32));
	/* Across the wrap. */
	assert_true(ring_attach_ok((RING_IDX)(near + 32), near, 32));
	assert_false(ring_attach_ok((RING_IDX)(near + 33), near, 32));
	assert_true(ring_attach_ok(2, UINT32_MAX, 32));
	assert_false(ring_attach_ok(UINT32_MAX, 2, 32));
	/* Larger rings. */
	assert_true(ring_attach_ok(512, 0, 512));
	assert_false(ring_attach_ok(513, 0, 512));
	assert_false(ring_attach_ok(0x80000000u, 0, 512));
	/* Matches the other check: attach ok == no overflow. */
	{
		long d;

		for (d = -40; d <= 40; d++) {
			RING_IDX req = (RING_IDX)(near + (RING_IDX)d);

			assert_int_equal(ring_attach_ok(req, near, 32),
			    !ring_req_prod_overflow(req, near, 32));
		}
	}
}

/* Ring refs of one device must be distinct (worker.c refuses repeats). */
static void
test_refs_repeat(void **state)
{
	const uint32_t four[] = { 8, 9, 10, 11 };
	const uint32_t same[] = { 8, 8, 8, 8 };
	const uint32_t late[] = { 8, 9, 10, 8 };
	const uint32_t two[] = { 5, 6, 7, 6, 5 };
	uint32_t big[256];
	unsigned int a = 99, b = 99, i;

	(void)state;
	assert_false(ring_refs_repeat(four, 0, &a, &b));
	assert_false(ring_refs_repeat(four, 1, &a, &b));
	assert_false(ring_refs_repeat(four, 4, &a, &b));
	assert_int_equal(a, 99);
	assert_true(ring_refs_repeat(same, 4, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_true(ring_refs_repeat(late, 4, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 3);
	assert_false(ring_refs_repeat(late, 3, &a, &b));
	/* The lowest repeating index is named, with its first occurrence. */
	assert_true(ring_refs_repeat(two, 5, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	/* 16 queues of 16 pages: the last page of the last queue repeats. */
	for (i = 0; i < 256; i++)
		big[i] = 1000 + i;
	assert_false(ring_refs_repeat(big, 256, &a, &b));
	big[255] = big[16];
	assert_true(ring_refs_repeat(big, 256, &a, &b));
	assert_int_equal(a, 16);
	assert_int_equal(b, 255);
	/* 0 and UINT32_MAX are refs like others. */
	big[0] = 0;
	big[1] = 0;
	assert_true(ring_refs_repeat(big, 2, &a, &b));
	assert_int_equal(b, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blkif_slot_size),
		cmocka_unit_test(test_nr_ents_blkif),
		cmocka_unit_test(test_nr_ents_generic),
		cmocka_unit_test(test_nr_ents_matches_ring_h),
		cmocka_unit_test(test_req_prod_overflow),
		cmocka_unit_test(test_req_prod_overflow_wrap),
		cmocka_unit_test(test_req_prod_overflow_matches_ring_h),
		cmocka_unit_test(test_attach_ok),
		cmocka_unit_test(test_refs_repeat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
