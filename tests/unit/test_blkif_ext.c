/*
 * test_blkif_ext.c - blk_validate() and blk_validate_indirect() on DISCARD
 * and INDIRECT requests, and every operation on a read-only disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "blkif_test.h"

/* ---- read-only disks, every operation ---- */

static void
test_readonly_all_ops(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	/* Everything that writes, whatever else the disk offers. */
	req_init(&req, BLKIF_OP_WRITE, 1, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 0, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 1, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 1, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_DISCARD, 0, 0);
	req.nr_sectors = 8;
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_INDIRECT, 16, 0);
	req.indirect_op = BLKIF_OP_WRITE;
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);
	/* Reads, direct and indirect, are fine. */
	req_init(&req, BLKIF_OP_READ, 11, 0);
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_OKAY);
	assert_plain(&out, BLK_READ);
	req_init(&req, BLKIF_OP_INDIRECT, 16, 0);
	req.indirect_op = BLKIF_OP_READ;
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_READ);
	/* The same requests pass on the same disk read/write. */
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 1, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	req_init(&req, BLKIF_OP_DISCARD, 0, 0);
	req.nr_sectors = 8;
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
}

/* ---- discard ---- */

static void
discard_init(struct blk_wire *req, uint64_t sector, uint64_t n, uint8_t flag)
{
	req_init(req, BLKIF_OP_DISCARD, 0, sector);
	req->nr_sectors = n;
	req->discard_flag = flag;
}

static void
test_discard(void **state)
{
	struct blk_limits lim = full_disk, huge = full_disk;
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	discard_init(&req, 2048, 4096, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_DISCARD);
	assert_int_equal(out.kind, BLK_DISCARD);
	assert_true(out.sector == 2048);
	assert_true(out.nr_sectors == 4096);
	assert_false(out.secure);
	assert_false(out.preflush);
	assert_false(out.postflush);
	assert_false(out.drain);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(out.nipages, 0);

	/* Not offered. */
	lim.discard = false;
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
	lim.readonly = true;
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
	lim.discard_secure = false;
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
	/* Read-only. */
	assert_int_equal(validate(&req, &full_ro_disk, &out), BLKIF_RSP_ERROR);

	/* Secure erase only if discard-secure was advertised; else ignored. */
	lim = full_disk;
	lim.discard_secure = false;
	discard_init(&req, 0, 8, BLKIF_DISCARD_SECURE);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
	assert_false(out.secure);
	discard_init(&req, 0, 8, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
	assert_false(out.secure);
	discard_init(&req, 0, 8, BLKIF_DISCARD_SECURE);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.secure);
	assert_int_equal(out.kind, BLK_DISCARD);
	discard_init(&req, 0, 8, 0xff);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.secure);
	/* Other flag bits mean nothing (io/blkif.h defines one). */
	discard_init(&req, 0, 8, 0xfe);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
	assert_false(out.secure);

	/* The range. */
	discard_init(&req, DISK_SECTORS - 8, 8, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	discard_init(&req, 0, DISK_SECTORS, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	discard_init(&req, DISK_SECTORS - 8, 9, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	discard_init(&req, 0, DISK_SECTORS + 1, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	discard_init(&req, DISK_SECTORS, 1, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	discard_init(&req, 1, UINT64_MAX, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	/* Wraps: only the wrap check can catch it on a 2^64-sector disk. */
	huge.sectors = UINT64_MAX;
	discard_init(&req, UINT64_MAX - 3, 8, 0);
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_ERROR);
	discard_init(&req, 2, UINT64_MAX - 1, 0);	/* ends at 0 */
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_ERROR);
	discard_init(&req, UINT64_MAX - 8, 8, 0);
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_OKAY);
	/* Nothing to discard is not an error. */
	discard_init(&req, 0, 0, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.nr_sectors == 0);
	discard_init(&req, DISK_SECTORS - 1, 0, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	discard_init(&req, DISK_SECTORS, 0, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	/* Segments mean nothing to a discard. */
	discard_init(&req, 0, 8, 0);
	req.seg[0].last_sect = 200;
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.nseg, 0);
}

/* ---- indirect requests ---- */

static void
indirect_init(struct blk_wire *req, uint8_t iop, uint16_t nseg,
    uint64_t sector)
{
	unsigned int i;

	req_init(req, BLKIF_OP_INDIRECT, nseg, sector);
	req->indirect_op = iop;
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		req->indirect_grefs[i] = 9000 + i;
}

/* Full-page segments, grefs 7000 + i. */
static void
segs_init(struct blkif_request_segment *segs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		segs[i].gref = 7000 + i;
		segs[i].first_sect = 0;
		segs[i].last_sect = 7;
	}
}

/* Both steps; the status of the first that fails. */
static int
validate2(const struct blk_wire *req, const struct blk_limits *lim,
    const struct blkif_request_segment *segs, struct blk_req *out)
{
	const char *why = NULL;
	int rc;

	rc = validate(req, lim, out);
	if (rc != BLKIF_RSP_OKAY)
		return rc;
	assert_true(out->nipages > 0);
	rc = blk_validate_indirect(out, segs, lim, &why);
	if (rc != BLKIF_RSP_OKAY) {
		assert_non_null(why);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(out->nipages, 0);
	assert_true(out->id == req->id);
	assert_int_equal(out->op, req->indirect_op);
	return rc;
}

static void
test_indirect_pages_macro(void **state)
{
	(void)state;
	/* io/blkif.h: ceil(segments / (PAGE_SIZE / sizeof(segment))). */
	assert_int_equal(BLK_SEGS_PER_IPAGE, 512);
	assert_int_equal(BLK_IPAGES(1), 1);
	assert_int_equal(BLK_IPAGES(511), 1);
	assert_int_equal(BLK_IPAGES(512), 1);
	assert_int_equal(BLK_IPAGES(513), 2);
	assert_int_equal(BLK_IPAGES(4096), 8);
	assert_int_equal(BLK_IPAGES(4097), 9);
	/* What we accept fits the request's indirect_grefs. */
	assert_true(BLK_IPAGES(BLK_MAX_SEGS) <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
}

static void
test_indirect_not_offered(void **state)
{
	struct blk_limits lim = full_disk;
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	lim.max_indirect = 0;
	indirect_init(&req, BLKIF_OP_READ, 16, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
	indirect_init(&req, BLKIF_OP_WRITE, 1, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_EOPNOTSUPP);
	/* Not offered wins over malformed. */
	indirect_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_EOPNOTSUPP);
}

static void
test_indirect_op(void **state)
{
	static const uint8_t bad[] = {
		BLKIF_OP_WRITE_BARRIER, BLKIF_OP_FLUSH_DISKCACHE,
		BLKIF_OP_RESERVED_1, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT, 7,
		200, 255,
	};
	struct blk_wire req;
	struct blk_req out;
	size_t i;

	(void)state;
	/* Linux dispatch_rw_block_io(): only reads and writes are indirect. */
	for (i = 0; i < sizeof(bad); i++) {
		indirect_init(&req, bad[i], 16, 0);
		assert_int_equal(validate(&req, &full_disk, &out),
		    BLKIF_RSP_ERROR);
	}
	indirect_init(&req, BLKIF_OP_READ, 16, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_READ);
	assert_false(out.preflush || out.postflush || out.drain || out.secure);
	assert_int_equal(out.op, BLKIF_OP_READ);
	indirect_init(&req, BLKIF_OP_WRITE, 16, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_WRITE);
	/* An indirect write needs no flush feature, and flushes nothing. */
	{
		struct blk_limits lim = full_disk;

		lim.flush = false;
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
		assert_false(out.preflush);
		assert_false(out.postflush);
		assert_false(out.drain);
	}
}

static void
test_indirect_nr_segments(void **state)
{
	static const unsigned int maxes[] = { 1, 11, 32, 255, BLK_MAX_SEGS };
	struct blk_limits lim = full_disk;
	struct blk_wire req;
	struct blk_req out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		lim.max_indirect = maxes[i];
		indirect_init(&req, BLKIF_OP_READ, 0, 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
		indirect_init(&req, BLKIF_OP_WRITE, 0, 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
		indirect_init(&req, BLKIF_OP_READ, 1, 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
		indirect_init(&req, BLKIF_OP_READ, (uint16_t)maxes[i], 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
		assert_int_equal(out.nseg, maxes[i]);
		indirect_init(&req, BLKIF_OP_READ, (uint16_t)(maxes[i] + 1), 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
		indirect_init(&req, BLKIF_OP_WRITE, 65535, 0);
		assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
	}
	/*
	 * A limit above what a struct blk_req holds (BLK_MAX_SEGS) must not
	 * let more through: out->seg and out->igref are that big.
	 */
	lim.max_indirect = 65535;
	indirect_init(&req, BLKIF_OP_READ, BLK_MAX_SEGS, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_OKAY);
	indirect_init(&req, BLKIF_OP_READ, BLK_MAX_SEGS + 1, 0);
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
	indirect_init(&req, BLKIF_OP_READ, 4096, 0);	/* 8 pages */
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
	indirect_init(&req, BLKIF_OP_READ, 65535, 0);	/* 128 pages */
	assert_int_equal(validate(&req, &lim, &out), BLKIF_RSP_ERROR);
}

static void
test_indirect_header(void **state)
{
	static const uint16_t ns[] = { 1, 2, 11, 12, 100, 255, BLK_MAX_SEGS };
	struct blk_wire req;
	struct blk_req out;
	size_t i;
	unsigned int k;

	(void)state;
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		indirect_init(&req, BLKIF_OP_WRITE, ns[i], 4096);
		/* The direct segments of the wire mean nothing here. */
		req.seg[0].first_sect = 9;
		req.seg[0].last_sect = 200;
		assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
		assert_int_equal(out.kind, BLK_WRITE);
		assert_int_equal(out.nseg, ns[i]);
		assert_int_equal(out.nipages, (ns[i] + 511) / 512);
		for (k = 0; k < out.nipages; k++)
			assert_int_equal(out.igref[k], 9000 + k);
		assert_true(out.sector == 4096);
		/* The range is checked in the second step. */
		indirect_init(&req, BLKIF_OP_READ, ns[i], UINT64_MAX);
		assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
		assert_int_equal(out.nipages, 1);
	}
}

static void
test_indirect_segments(void **state)
{
	struct blkif_request_segment segs[BLK_MAX_SEGS];
	struct blk_limits huge = full_disk;
	struct blk_wire req;
	struct blk_req out;
	uint64_t total;
	unsigned int i, n, w;

	(void)state;
	/* Good: every segment copied, the total counted. */
	n = BLK_MAX_SEGS;
	segs_init(segs, n);
	total = 0;
	for (i = 0; i < n; i++) {
		segs[i].first_sect = (uint8_t)(i % 8);
		segs[i].last_sect = (uint8_t)(i % 8 + (i / 8) % (8 - i % 8));
		total += segs[i].last_sect - segs[i].first_sect + 1u;
	}
	indirect_init(&req, BLKIF_OP_WRITE, (uint16_t)n, 1000);
	assert_int_equal(validate2(&req, &full_disk, segs, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_WRITE);
	assert_int_equal(out.nseg, n);
	assert_true(out.sector == 1000);
	assert_true(out.nr_sectors == total);
	for (i = 0; i < n; i++) {
		assert_int_equal(out.seg[i].gref, 7000 + i);
		assert_int_equal(out.seg[i].offset, segs[i].first_sect * 512u);
		assert_int_equal(out.seg[i].len,
		    (segs[i].last_sect - segs[i].first_sect + 1u) * 512u);
	}

	/* A bad segment anywhere: first, middle, last. */
	for (w = 0; w < 3; w++) {
		unsigned int at = w == 0 ? 0 : w == 1 ? 77 : 99;

		segs_init(segs, 100);
		segs[at].last_sect = 8;
		indirect_init(&req, BLKIF_OP_READ, 100, 0);
		assert_int_equal(validate2(&req, &full_disk, segs, &out),
		    BLKIF_RSP_ERROR);
		segs_init(segs, 100);
		segs[at].first_sect = 4;
		segs[at].last_sect = 3;
		assert_int_equal(validate2(&req, &full_disk, segs, &out),
		    BLKIF_RSP_ERROR);
		segs_init(segs, 100);
		segs[at].first_sect = 255;
		segs[at].last_sect = 255;
		assert_int_equal(validate2(&req, &full_disk, segs, &out),
		    BLKIF_RSP_ERROR);
	}
	/* Past nr_segments nothing is looked at. */
	segs_init(segs, BLK_MAX_SEGS);
	segs[10].last_sect = 200;
	indirect_init(&req, BLKIF_OP_READ, 10, 0);
	assert_int_equal(validate2(&req, &full_disk, segs, &out), BLKIF_RSP_OKAY);
	assert_true(out.nr_sectors == 80);

	/* The range: 100 pages = 800 sectors. */
	segs_init(segs, 100);
	indirect_init(&req, BLKIF_OP_READ, 100, DISK_SECTORS - 800);
	assert_int_equal(validate2(&req, &full_disk, segs, &out), BLKIF_RSP_OKAY);
	assert_true(out.sector + out.nr_sectors == DISK_SECTORS);
	indirect_init(&req, BLKIF_OP_WRITE, 100, DISK_SECTORS - 799);
	assert_int_equal(validate2(&req, &full_disk, segs, &out), BLKIF_RSP_ERROR);
	indirect_init(&req, BLKIF_OP_READ, 1, DISK_SECTORS);
	assert_int_equal(validate2(&req, &full_disk, segs, &out), BLKIF_RSP_ERROR);
	/* Wrap. */
	huge.sectors = UINT64_MAX;
	indirect_init(&req, BLKIF_OP_READ, 100, UINT64_MAX - 799);
	assert_int_equal(validate2(&req, &huge, segs, &out), BLKIF_RSP_ERROR);
	indirect_init(&req, BLKIF_OP_READ, 100, UINT64_MAX - 100);
	assert_int_equal(validate2(&req, &huge, segs, &out), BLKIF_RSP_ERROR);
	indirect_init(&req, BLKIF_OP_READ, 100, UINT64_MAX - 800);
	assert_int_equal(validate2(&req, &huge, segs, &out), BLKIF_RSP_OKAY);

	/* The second step re-checks the count it is handed. */
	indirect_init(&req, BLKIF_OP_READ, 100, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_OKAY);
	out.nseg = BLK_MAX_SEGS + 1;
	{
		const char *why = NULL;

		assert_int_equal(blk_validate_indirect(&out, segs, &full_disk,
		    &why), BLKIF_RSP_ERROR);
		assert_non_null(why);
		out.nseg = 0;
		assert_int_equal(blk_validate_indirect(&out, segs, &full_disk,
		    &why), BLKIF_RSP_ERROR);
		huge = full_disk;
		huge.max_indirect = 100;
		out.nseg = 101;
		assert_int_equal(blk_validate_indirect(&out, segs, &huge,
		    &why), BLKIF_RSP_ERROR);
		out.nseg = 100;
		assert_int_equal(blk_validate_indirect(&out, segs, &huge,
		    &why), BLKIF_RSP_OKAY);
		/* out->seg holds BLK_MAX_SEGS, whatever the limit says. */
		huge.max_indirect = 65535;
		out.nseg = BLK_MAX_SEGS + 1;
		assert_int_equal(blk_validate_indirect(&out, segs, &huge,
		    &why), BLKIF_RSP_ERROR);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readonly_all_ops),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_indirect_pages_macro),
		cmocka_unit_test(test_indirect_not_offered),
		cmocka_unit_test(test_indirect_op),
		cmocka_unit_test(test_indirect_nr_segments),
		cmocka_unit_test(test_indirect_header),
		cmocka_unit_test(test_indirect_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
