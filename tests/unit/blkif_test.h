/*
 * blkif_test.h - disks and helpers shared by the blk_validate() tests
 * (test_blkif.c, test_blkif_ext.c, test_blkif_random.c).  Include after
 * <cmocka.h>.
 */
#ifndef BLKIF_TEST_H
#define BLKIF_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "blkif.h"

#define DISK_SECTORS	(1ULL << 20)	/* 512 MiB */

/* Read/write, flush offered; no discard, no indirect descriptors. */
static const struct blk_limits __attribute__((unused)) rw_disk = {
	.sectors = DISK_SECTORS, .flush = true,
};
static const struct blk_limits __attribute__((unused)) ro_disk = {
	.sectors = DISK_SECTORS, .readonly = true, .flush = true,
};
static const struct blk_limits __attribute__((unused)) noflush_disk = {
	.sectors = DISK_SECTORS,
};
/* Everything offered. */
static const struct blk_limits __attribute__((unused)) full_disk = {
	.sectors = DISK_SECTORS, .flush = true, .discard = true,
	.discard_secure = true, .max_indirect = BLK_MAX_SEGS,
};
static const struct blk_limits __attribute__((unused)) full_ro_disk = {
	.sectors = DISK_SECTORS, .readonly = true, .flush = true,
	.discard = true, .discard_secure = true, .max_indirect = BLK_MAX_SEGS,
};

static inline void
req_init(struct blk_wire *req, uint8_t op, uint16_t nseg, uint64_t sector)
{
	unsigned int i;

	memset(req, 0, sizeof(*req));
	req->operation = op;
	req->nr_segments = nseg;
	req->handle = 51712;
	req->id = 0x1122334455667788ULL;
	req->sector_number = sector;
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		req->seg[i].gref = 1000 + i;
		req->seg[i].first_sect = 0;
		req->seg[i].last_sect = 7;
	}
}

/*
 * The operation a response must carry: as sent, but for INDIRECT the inner
 * one (Linux blkfront fails the disk on "response has wrong operation").
 */
static inline uint8_t
rsp_op(const struct blk_wire *req)
{
	return req->operation == BLKIF_OP_INDIRECT ? req->indirect_op :
	    req->operation;
}

/*
 * Run blk_validate; on failure, check that why was set.  id and op are
 * echoed whatever the outcome.
 */
static inline int
validate(const struct blk_wire *req, const struct blk_limits *lim,
    struct blk_req *out)
{
	const char *why = NULL;
	int rc;

	memset(out, 0xa5, sizeof(*out));
	rc = blk_validate(req, lim, out, &why);
	if (rc != BLKIF_RSP_OKAY) {
		assert_non_null(why);
		assert_true(why[0] != '\0');
	}
	assert_true(out->id == req->id);
	assert_int_equal(out->op, rsp_op(req));
	return rc;
}

/* A plain data request: no flush, no drain, nothing indirect. */
static inline void
assert_plain(const struct blk_req *out, enum blk_kind kind)
{
	assert_int_equal(out->kind, kind);
	assert_false(out->preflush);
	assert_false(out->postflush);
	assert_false(out->drain);
	assert_false(out->secure);
	assert_int_equal(out->nipages, 0);
}

#endif
