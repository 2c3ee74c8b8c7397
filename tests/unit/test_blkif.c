/*
 * test_blkif.c - blk_validate() on READ, WRITE, FLUSH_DISKCACHE and
 * WRITE_BARRIER, rule by rule.  Discard and indirect requests are in
 * test_blkif_ext.c, the randomized properties in test_blkif_random.c.
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

/* ---- good requests ---- */

static void
test_read_one_segment(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_READ, 1, 4096);
	req.seg[0].gref = 77;
	req.seg[0].first_sect = 2;
	req.seg[0].last_sect = 5;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.id == 0x1122334455667788ULL);
	assert_int_equal(out.op, BLKIF_OP_READ);
	assert_int_equal(out.nseg, 1);
	assert_true(out.sector == 4096);
	assert_true(out.nr_sectors == 4);
	assert_plain(&out, BLK_READ);
	assert_int_equal(out.seg[0].gref, 77);
	assert_int_equal(out.seg[0].offset, 2 * 512);
	assert_int_equal(out.seg[0].len, 4 * 512);
}

static void
test_write_one_segment(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE, 1, 0);
	req.seg[0].first_sect = 7;
	req.seg[0].last_sect = 7;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_WRITE);
	assert_plain(&out, BLK_WRITE);
	assert_true(out.sector == 0);
	assert_true(out.nr_sectors == 1);
	assert_int_equal(out.seg[0].gref, 1000);
	assert_int_equal(out.seg[0].offset, 3584);
	assert_int_equal(out.seg[0].len, 512);
}

static void
check_eleven(uint8_t op)
{
	struct blk_wire req;
	struct blk_req out;
	uint64_t total = 0;
	unsigned int i;

	req_init(&req, op, 11, 123456);
	for (i = 0; i < 11; i++) {
		req.seg[i].gref = 5000 + 3 * i;
		req.seg[i].first_sect = (uint8_t)(i % 4);
		req.seg[i].last_sect = (uint8_t)(4 + i % 4);
		total += 4 + i % 4 - i % 4 + 1;
	}
	/* A full page in the last segment. */
	req.seg[10].first_sect = 0;
	req.seg[10].last_sect = 7;
	total = total - 5 + 8;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, op);
	assert_int_equal(out.nseg, 11);
	assert_true(out.sector == 123456);
	assert_true(out.nr_sectors == total);
	assert_plain(&out, op == BLKIF_OP_WRITE ? BLK_WRITE : BLK_READ);
	for (i = 0; i < 10; i++) {
		assert_int_equal(out.seg[i].gref, 5000 + 3 * i);
		assert_int_equal(out.seg[i].offset, (i % 4) * 512);
		assert_int_equal(out.seg[i].len, 5 * 512);
	}
	assert_int_equal(out.seg[10].offset, 0);
	assert_int_equal(out.seg[10].len, 4096);
}

static void
test_read_eleven_segments(void **state)
{
	(void)state;
	check_eleven(BLKIF_OP_READ);
}

static void
test_write_eleven_segments(void **state)
{
	(void)state;
	check_eleven(BLKIF_OP_WRITE);
}

/* ---- segment count ---- */

static void
test_nr_segments_bad(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_READ, 0, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 0, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 12, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 12, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 255, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 12, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 255, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	/* The wire field is 16 bits wide (for INDIRECT); 11 still holds. */
	req_init(&req, BLKIF_OP_READ, 256, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 65535, 0);
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 267, 0);	/* 267 & 0xff = 11 */
	assert_int_equal(validate(&req, &full_disk, &out), BLKIF_RSP_ERROR);
}

/* ---- segment bounds ---- */

static void
check_bad_seg(unsigned int which, uint8_t first, uint8_t last)
{
	struct blk_wire req;
	struct blk_req out;

	req_init(&req, BLKIF_OP_READ, 11, 0);
	req.seg[which].first_sect = first;
	req.seg[which].last_sect = last;
	if (validate(&req, &rw_disk, &out) != BLKIF_RSP_ERROR)
		fail_msg("seg %u first %u last %u accepted", which, first, last);
}

static void
test_segment_bounds(void **state)
{
	unsigned int w;

	(void)state;
	for (w = 0; w < 11; w += 5) {		/* first, middle, last */
		check_bad_seg(w, 5, 4);		/* first > last */
		check_bad_seg(w, 7, 0);
		check_bad_seg(w, 0, 8);		/* beyond the page */
		check_bad_seg(w, 8, 8);
		check_bad_seg(w, 0, 255);
		check_bad_seg(w, 255, 255);
		check_bad_seg(w, 255, 7);
	}
	/* A segment that is out of bounds only past nr_segments is ignored. */
	{
		struct blk_wire req;
		struct blk_req out;

		req_init(&req, BLKIF_OP_READ, 2, 0);
		req.seg[2].first_sect = 9;
		req.seg[2].last_sect = 255;
		assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
		assert_true(out.nr_sectors == 16);
	}
}

/* ---- sector range ---- */

static void
test_sector_range(void **state)
{
	struct blk_wire req;
	struct blk_req out;
	struct blk_limits huge = { .sectors = UINT64_MAX, .flush = true };

	(void)state;
	/* 3 full segments = 24 sectors ending exactly at the disk end. */
	req_init(&req, BLKIF_OP_READ, 3, DISK_SECTORS - 24);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.sector + out.nr_sectors == DISK_SECTORS);
	req_init(&req, BLKIF_OP_WRITE, 3, DISK_SECTORS - 24);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	/* One sector past. */
	req_init(&req, BLKIF_OP_READ, 3, DISK_SECTORS - 23);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 1, DISK_SECTORS);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 1, DISK_SECTORS * 2);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	/* Empty disk. */
	{
		struct blk_limits empty = { .sectors = 0, .flush = true };

		req_init(&req, BLKIF_OP_READ, 1, 0);
		assert_int_equal(validate(&req, &empty, &out), BLKIF_RSP_ERROR);
	}

	/* Wrap: sector + 8 overflows; only the wrap check can catch it. */
	req_init(&req, BLKIF_OP_READ, 1, UINT64_MAX - 3);
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_ERROR);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 11, UINT64_MAX);
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 1, UINT64_MAX - 7);	/* wraps to 0 */
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_ERROR);
	/* Up to the very last sector of a 2^64-sector disk: fine. */
	req_init(&req, BLKIF_OP_READ, 1, UINT64_MAX - 8);
	assert_int_equal(validate(&req, &huge, &out), BLKIF_RSP_OKAY);
	assert_true(out.sector == UINT64_MAX - 8);
}

/* ---- read-only disks ---- */

static void
test_readonly(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE, 1, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 11, 100);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 1, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_OKAY);
	assert_plain(&out, BLK_READ);
	req_init(&req, BLKIF_OP_READ, 11, DISK_SECTORS - 88);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_OKAY);
}

/* ---- flush and barrier ---- */

static void
test_flush_empty(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	/* sector_number is not meaningful (may be uninitialised). */
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0xdeadbeefdeadbeefULL);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_FLUSH_DISKCACHE);
	assert_int_equal(out.kind, BLK_FLUSH);
	assert_false(out.drain);		/* a flush orders nothing */
	assert_false(out.postflush);
	assert_int_equal(out.nseg, 0);
	assert_true(out.nr_sectors == 0);
	assert_true(out.id == 0x1122334455667788ULL);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, UINT64_MAX);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	/* An empty barrier: a flush after everything before it. */
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 0, UINT64_MAX - 1);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_FLUSH);
	assert_true(out.drain);
	assert_false(out.secure);
	assert_int_equal(out.nseg, 0);
	assert_true(out.nr_sectors == 0);
}

static void
test_flush_readonly(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 0, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 2, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
}

static void
test_flush_not_offered(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	assert_int_equal(validate(&req, &noflush_disk, &out), BLKIF_RSP_EOPNOTSUPP);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 0, 0);
	assert_int_equal(validate(&req, &noflush_disk, &out), BLKIF_RSP_EOPNOTSUPP);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 3, 0);
	assert_int_equal(validate(&req, &noflush_disk, &out), BLKIF_RSP_EOPNOTSUPP);
	/* Plain reads and writes do not need it. */
	req_init(&req, BLKIF_OP_WRITE, 3, 0);
	assert_int_equal(validate(&req, &noflush_disk, &out), BLKIF_RSP_OKAY);
}

static void
test_barrier_with_data(void **state)
{
	struct blk_wire req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 2, 800);
	req.seg[1].first_sect = 1;
	req.seg[1].last_sect = 2;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_WRITE_BARRIER);
	/* Drained, flushed before and after: durable when answered. */
	assert_int_equal(out.kind, BLK_WRITE);
	assert_true(out.preflush);
	assert_true(out.postflush);
	assert_true(out.drain);
	assert_int_equal(out.nseg, 2);
	assert_true(out.sector == 800);
	assert_true(out.nr_sectors == 10);
	assert_int_equal(out.seg[1].offset, 512);
	assert_int_equal(out.seg[1].len, 1024);
	/* With data, the sector range is checked. */
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 2, DISK_SECTORS - 15);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 1, UINT64_MAX - 2);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	/* And the segments. */
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 2, 0);
	req.seg[1].last_sect = 8;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
	/* A flush with data writes too, after flushing; no drain. */
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 1, 8);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_WRITE);
	assert_true(out.preflush);
	assert_false(out.postflush);
	assert_false(out.drain);
	assert_true(out.nr_sectors == 8);
	assert_true(out.sector == 8);
	assert_int_equal(out.nseg, 1);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 11, 0);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.kind, BLK_WRITE);
	assert_true(out.preflush);
	assert_false(out.postflush);
	assert_false(out.drain);
	assert_true(out.nr_sectors == 88);
}

/* ---- unsupported operations ---- */

static void
test_unsupported_ops(void **state)
{
	static const uint8_t ops[] = {
		BLKIF_OP_RESERVED_1, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
		7, 200, 255,
	};
	struct blk_wire req;
	struct blk_req out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* Otherwise well-formed. */
		req_init(&req, ops[i], 1, 0);
		assert_int_equal(validate(&req, &rw_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
		assert_int_equal(out.op, rsp_op(&req));
		assert_true(out.id == 0x1122334455667788ULL);
		req_init(&req, ops[i], 0, 0);
		assert_int_equal(validate(&req, &ro_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
		/* Unknown operations, whatever the disk offers. */
		if (ops[i] == BLKIF_OP_DISCARD || ops[i] == BLKIF_OP_INDIRECT)
			continue;
		req_init(&req, ops[i], 1, 0);
		assert_int_equal(validate(&req, &full_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
		assert_int_equal(validate(&req, &full_ro_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
	}
}

/* ---- id echoed on every outcome ---- */

static void
test_id_echoed(void **state)
{
	static const uint64_t ids[] = { 0, 1, 0x8000000000000000ULL, UINT64_MAX };
	struct blk_wire req;
	struct blk_req out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		req_init(&req, BLKIF_OP_READ, 1, 0);		/* okay */
		req.id = ids[i];
		assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
		assert_true(out.id == ids[i]);
		req.nr_segments = 0;				/* error */
		assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_ERROR);
		assert_true(out.id == ids[i]);
		assert_int_equal(out.op, BLKIF_OP_READ);
		req.operation = BLKIF_OP_DISCARD;		/* eopnotsupp */
		assert_int_equal(validate(&req, &rw_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
		assert_true(out.id == ids[i]);
	}
}

static void
test_op_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(blk_op_name(BLKIF_OP_READ, buf, sizeof(buf)), "read");
	assert_string_equal(blk_op_name(BLKIF_OP_WRITE, buf, sizeof(buf)), "write");
	assert_string_equal(blk_op_name(BLKIF_OP_WRITE_BARRIER, buf, sizeof(buf)), "barrier");
	assert_string_equal(blk_op_name(BLKIF_OP_FLUSH_DISKCACHE, buf, sizeof(buf)), "flush");
	assert_string_equal(blk_op_name(BLKIF_OP_DISCARD, buf, sizeof(buf)), "discard");
	assert_string_equal(blk_op_name(BLKIF_OP_INDIRECT, buf, sizeof(buf)), "indirect");
	assert_string_equal(blk_op_name(77, buf, sizeof(buf)), "op 77");
	assert_string_equal(blk_op_name(4, buf, 4), "op ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_one_segment),
		cmocka_unit_test(test_write_one_segment),
		cmocka_unit_test(test_read_eleven_segments),
		cmocka_unit_test(test_write_eleven_segments),
		cmocka_unit_test(test_nr_segments_bad),
		cmocka_unit_test(test_segment_bounds),
		cmocka_unit_test(test_sector_range),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_flush_empty),
		cmocka_unit_test(test_flush_readonly),
		cmocka_unit_test(test_flush_not_offered),
		cmocka_unit_test(test_barrier_with_data),
		cmocka_unit_test(test_unsupported_ops),
		cmocka_unit_test(test_id_echoed),
		cmocka_unit_test(test_op_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
