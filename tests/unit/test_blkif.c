/*
 * test_blkif.c - blk_validate(): the blkif request rules, case by case and
 * as properties over many random requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "blkif.h"

#define DISK_SECTORS	(1ULL << 20)	/* 512 MiB */

static const struct blk_limits rw_disk = { DISK_SECTORS, false, true };
static const struct blk_limits ro_disk = { DISK_SECTORS, true, true };
static const struct blk_limits noflush_disk = { DISK_SECTORS, false, false };

static void
req_init(struct blkif_request *req, uint8_t op, uint8_t nseg, uint64_t sector)
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

/* Run blk_validate; on failure, check that why was set. */
static int
validate(const struct blkif_request *req, const struct blk_limits *lim,
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
	return rc;
}

/* ---- good requests ---- */

static void
test_read_one_segment(void **state)
{
	struct blkif_request req;
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
	assert_false(out.writes);
	assert_false(out.flush);
	assert_int_equal(out.seg[0].gref, 77);
	assert_int_equal(out.seg[0].offset, 2 * 512);
	assert_int_equal(out.seg[0].len, 4 * 512);
}

static void
test_write_one_segment(void **state)
{
	struct blkif_request req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE, 1, 0);
	req.seg[0].first_sect = 7;
	req.seg[0].last_sect = 7;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_WRITE);
	assert_true(out.writes);
	assert_false(out.flush);
	assert_true(out.sector == 0);
	assert_true(out.nr_sectors == 1);
	assert_int_equal(out.seg[0].gref, 1000);
	assert_int_equal(out.seg[0].offset, 3584);
	assert_int_equal(out.seg[0].len, 512);
}

static void
check_eleven(uint8_t op)
{
	struct blkif_request req;
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
	assert_int_equal(out.writes, op == BLKIF_OP_WRITE);
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
	struct blkif_request req;
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
}

/* ---- segment bounds ---- */

static void
check_bad_seg(unsigned int which, uint8_t first, uint8_t last)
{
	struct blkif_request req;
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
		struct blkif_request req;
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
	struct blkif_request req;
	struct blk_req out;
	struct blk_limits huge = { UINT64_MAX, false, true };

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
		struct blk_limits empty = { 0, false, true };

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
	struct blkif_request req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE, 1, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_WRITE, 11, 100);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_ERROR);
	req_init(&req, BLKIF_OP_READ, 1, 0);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_OKAY);
	assert_false(out.writes);
	req_init(&req, BLKIF_OP_READ, 11, DISK_SECTORS - 88);
	assert_int_equal(validate(&req, &ro_disk, &out), BLKIF_RSP_OKAY);
}

/* ---- flush and barrier ---- */

static void
test_flush_empty(void **state)
{
	struct blkif_request req;
	struct blk_req out;

	(void)state;
	/* sector_number is not meaningful (may be uninitialised). */
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0xdeadbeefdeadbeefULL);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_FLUSH_DISKCACHE);
	assert_true(out.flush);
	assert_false(out.writes);
	assert_int_equal(out.nseg, 0);
	assert_true(out.nr_sectors == 0);
	assert_true(out.id == 0x1122334455667788ULL);
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, UINT64_MAX);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 0, UINT64_MAX - 1);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.flush);
	assert_false(out.writes);
}

static void
test_flush_readonly(void **state)
{
	struct blkif_request req;
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
	struct blkif_request req;
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
	struct blkif_request req;
	struct blk_req out;

	(void)state;
	req_init(&req, BLKIF_OP_WRITE_BARRIER, 2, 800);
	req.seg[1].first_sect = 1;
	req.seg[1].last_sect = 2;
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_int_equal(out.op, BLKIF_OP_WRITE_BARRIER);
	assert_true(out.flush);
	assert_true(out.writes);
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
	/* A flush with data writes too. */
	req_init(&req, BLKIF_OP_FLUSH_DISKCACHE, 1, 8);
	assert_int_equal(validate(&req, &rw_disk, &out), BLKIF_RSP_OKAY);
	assert_true(out.writes);
	assert_true(out.flush);
	assert_true(out.nr_sectors == 8);
}

/* ---- unsupported operations ---- */

static void
test_unsupported_ops(void **state)
{
	static const uint8_t ops[] = {
		BLKIF_OP_RESERVED_1, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
		7, 200, 255,
	};
	struct blkif_request req;
	struct blk_req out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* Otherwise well-formed. */
		req_init(&req, ops[i], 1, 0);
		assert_int_equal(validate(&req, &rw_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
		assert_int_equal(out.op, ops[i]);
		assert_true(out.id == 0x1122334455667788ULL);
		req_init(&req, ops[i], 0, 0);
		assert_int_equal(validate(&req, &ro_disk, &out),
		    BLKIF_RSP_EOPNOTSUPP);
	}
}

/* ---- id echoed on every outcome ---- */

static void
test_id_echoed(void **state)
{
	static const uint64_t ids[] = { 0, 1, 0x8000000000000000ULL, UINT64_MAX };
	struct blkif_request req;
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

/* ---- randomized properties ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	/* xorshift64*: fixed seed, same sequence on every run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t
pick(const uint64_t *v, size_t n)
{
	return v[rng() % n];
}

static void
random_request(struct blkif_request *req, struct blk_limits *lim)
{
	static const uint64_t sizes[] = {
		0, 1, 7, 8, 9, 88, 2048, DISK_SECTORS, 1ULL << 40,
		UINT64_MAX - 1, UINT64_MAX,
	};
	unsigned int i;
	uint64_t r;
	bool bad_segs;

	memset(req, 0, sizeof(*req));
	lim->sectors = pick(sizes, sizeof(sizes) / sizeof(sizes[0]));
	lim->readonly = rng() % 4 == 0;
	lim->flush = rng() % 4 != 0;

	r = rng() % 16;
	if (r < 12)
		req->operation = (uint8_t)(r % 4);	/* the four supported */
	else
		req->operation = (uint8_t)rng();
	r = rng() % 16;
	if (r < 13)
		req->nr_segments = (uint8_t)(rng() % 13);	/* 0..12 */
	else
		req->nr_segments = (uint8_t)rng();
	req->id = rng();
	req->handle = (uint16_t)rng();

	switch (rng() % 6) {
	case 0:		/* anywhere */
		req->sector_number = rng();
		break;
	case 1:		/* near the end of the disk */
		req->sector_number = lim->sectors - rng() % 100;
		break;
	case 2:		/* near the end of the sector space */
		req->sector_number = UINT64_MAX - rng() % 100;
		break;
	default:	/* small */
		req->sector_number = rng() % 4096;
		break;
	}
	/* Mostly well-formed segments, so that many requests pass. */
	bad_segs = rng() % 4 == 0;
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		req->seg[i].gref = (grant_ref_t)rng();
		if (bad_segs && rng() % 8 == 0) {
			if (rng() % 2) {
				req->seg[i].first_sect = (uint8_t)rng();
				req->seg[i].last_sect = (uint8_t)rng();
			} else {
				req->seg[i].first_sect = (uint8_t)(rng() % 9);
				req->seg[i].last_sect = (uint8_t)(rng() % 9);
			}
		} else {
			req->seg[i].first_sect = (uint8_t)(rng() % 8);
			req->seg[i].last_sect = (uint8_t)(req->seg[i].first_sect +
			    rng() % (8u - req->seg[i].first_sect));
		}
	}
}

/* The rules of blkif.h, written independently of blkif.c. */
static int
oracle(const struct blkif_request *req, const struct blk_limits *lim)
{
	unsigned int op = req->operation, n = req->nr_segments, i;
	bool is_flush = op == BLKIF_OP_FLUSH_DISKCACHE ||
	    op == BLKIF_OP_WRITE_BARRIER;
	uint64_t total = 0;

	if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE && !is_flush)
		return BLKIF_RSP_EOPNOTSUPP;
	if (is_flush && !lim->flush)
		return BLKIF_RSP_EOPNOTSUPP;
	if (n > 11 || (n == 0 && !is_flush))
		return BLKIF_RSP_ERROR;
	if (lim->readonly && op != BLKIF_OP_READ)
		return BLKIF_RSP_ERROR;
	for (i = 0; i < n; i++) {
		if (req->seg[i].last_sect > 7 ||
		    req->seg[i].first_sect > req->seg[i].last_sect)
			return BLKIF_RSP_ERROR;
		total += req->seg[i].last_sect - req->seg[i].first_sect + 1u;
	}
	if (n == 0)
		return BLKIF_RSP_OKAY;
	if (req->sector_number > UINT64_MAX - total ||
	    req->sector_number + total > lim->sectors)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

static void
check_invariants(const struct blkif_request *req, const struct blk_limits *lim,
    const struct blk_req *out, unsigned long iter)
{
	unsigned int op = req->operation, i;
	bool is_flush = op == BLKIF_OP_FLUSH_DISKCACHE ||
	    op == BLKIF_OP_WRITE_BARRIER;
	uint64_t total = 0;

	if (!(op == BLKIF_OP_READ || op == BLKIF_OP_WRITE || is_flush))
		fail_msg("#%lu: op %u accepted", iter, op);
	if (is_flush && !lim->flush)
		fail_msg("#%lu: flush accepted without the feature", iter);
	assert_int_equal(out->op, op);
	assert_true(out->id == req->id);
	assert_int_equal(out->nseg, req->nr_segments);
	assert_true(out->nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
	if (!is_flush)
		assert_true(out->nseg >= 1);
	assert_int_equal(out->flush, is_flush);
	assert_int_equal(out->writes, op == BLKIF_OP_WRITE ||
	    (is_flush && out->nseg > 0));
	if (lim->readonly && (out->writes || out->flush))
		fail_msg("#%lu: write-type op %u on a read-only disk", iter, op);
	for (i = 0; i < out->nseg; i++) {
		const struct blk_seg *s = &out->seg[i];

		assert_int_equal(s->gref, req->seg[i].gref);
		assert_true(s->len > 0);
		assert_int_equal(s->len % 512, 0);
		assert_int_equal(s->offset % 512, 0);
		if ((unsigned int)s->offset + s->len > 4096)
			fail_msg("#%lu: seg %u offset %u len %u crosses the page",
			    iter, i, s->offset, s->len);
		assert_int_equal(s->offset, req->seg[i].first_sect * 512u);
		assert_int_equal(s->len,
		    (req->seg[i].last_sect - req->seg[i].first_sect + 1u) * 512u);
		total += s->len / 512;
	}
	assert_true(out->nr_sectors == total);
	if (out->nseg > 0) {
		assert_true(out->sector == req->sector_number);
		if (out->sector + out->nr_sectors < out->sector)
			fail_msg("#%lu: sector range wraps", iter);
		if (out->sector + out->nr_sectors > lim->sectors)
			fail_msg("#%lu: sectors %llu+%llu beyond %llu", iter,
			    (unsigned long long)out->sector,
			    (unsigned long long)out->nr_sectors,
			    (unsigned long long)lim->sectors);
	} else
		assert_true(out->nr_sectors == 0);
}

#define RANDOM_ITERS	200000UL

static void
test_random_properties(void **state)
{
	unsigned long i, nok = 0, nerr = 0, nops = 0, mismatch = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < RANDOM_ITERS; i++) {
		struct blkif_request req;
		struct blk_limits lim;
		struct blk_req out;
		const char *why = NULL;
		int rc, want;

		random_request(&req, &lim);
		rc = blk_validate(&req, &lim, &out, &why);
		want = oracle(&req, &lim);
		if (rc != want && mismatch++ < 10)
			print_error("#%lu: op %u nseg %u sector %llu disk %llu "
			    "ro %d flush %d: got %d, want %d\n", i,
			    req.operation, req.nr_segments,
			    (unsigned long long)req.sector_number,
			    (unsigned long long)lim.sectors, lim.readonly,
			    lim.flush, rc, want);
		assert_true(out.id == req.id);
		switch (rc) {
		case BLKIF_RSP_OKAY:
			nok++;
			check_invariants(&req, &lim, &out, i);
			break;
		case BLKIF_RSP_ERROR:
			nerr++;
			assert_non_null(why);
			break;
		case BLKIF_RSP_EOPNOTSUPP:
			nops++;
			assert_non_null(why);
			break;
		default:
			fail_msg("#%lu: unexpected result %d", i, rc);
		}
	}
	print_message("%lu requests: %lu okay, %lu error, %lu eopnotsupp\n",
	    RANDOM_ITERS, nok, nerr, nops);
	assert_int_equal(mismatch, 0);
	/* The generator reaches every outcome often enough to mean something. */
	assert_true(nok > RANDOM_ITERS / 20);
	assert_true(nerr > RANDOM_ITERS / 20);
	assert_true(nops > RANDOM_ITERS / 20);
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
		cmocka_unit_test(test_random_properties),
		cmocka_unit_test(test_op_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
