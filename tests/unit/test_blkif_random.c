/*
 * test_blkif_random.c - blk_validate() and blk_validate_indirect() as
 * properties over many random requests and disks, checked against an
 * oracle written from blkif.h alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x9e3779b97f4a7c15ULL
#include "xorshift.h"

#include "blkif_test.h"

/* ---- randomized properties ---- */


static uint64_t
pick(const uint64_t *v, size_t n)
{
	return v[rng() % n];
}

/* A segment, mostly well-formed when bad is false. */
static void
random_seg(struct blkif_request_segment *s, bool bad)
{
	s->gref = (grant_ref_t)rng();
	if (bad && rng() % 8 == 0) {
		if (rng() % 2) {
			s->first_sect = (uint8_t)rng();
			s->last_sect = (uint8_t)rng();
		} else {
			s->first_sect = (uint8_t)(rng() % 9);
			s->last_sect = (uint8_t)(rng() % 9);
		}
	} else {
		s->first_sect = (uint8_t)(rng() % 8);
		s->last_sect = (uint8_t)(s->first_sect +
		    rng() % (8u - s->first_sect));
	}
}

static uint64_t
random_sector(const struct blk_limits *lim)
{
	switch (rng() % 6) {
	case 0:		/* anywhere */
		return rng();
	case 1:		/* near the end of the disk */
		return lim->sectors - rng() % 100;
	case 2:		/* near the end of the sector space */
		return UINT64_MAX - rng() % 100;
	default:	/* small */
		return rng() % 4096;
	}
}

static void
random_request(struct blk_wire *req, struct blk_limits *lim,
    struct blkif_request_segment *isegs)
{
	static const uint64_t sizes[] = {
		0, 1, 7, 8, 9, 88, 2048, DISK_SECTORS, 1ULL << 40,
		UINT64_MAX - 1, UINT64_MAX,
	};
	static const uint64_t maxes[] = {
		0, 0, 1, 11, 32, 255, BLK_MAX_SEGS, BLK_MAX_SEGS + 1, 4096, 65535,
	};
	static const uint64_t nsects[] = {
		0, 1, 8, 2048, DISK_SECTORS, UINT64_MAX - 1, UINT64_MAX,
	};
	static const uint8_t ops[] = {
		BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER,
		BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
	};
	unsigned int i;
	uint64_t r;
	bool bad_segs;

	memset(req, 0, sizeof(*req));
	lim->sectors = pick(sizes, sizeof(sizes) / sizeof(sizes[0]));
	lim->readonly = rng() % 4 == 0;
	lim->flush = rng() % 4 != 0;
	lim->discard = rng() % 3 != 0;
	lim->discard_secure = rng() % 2 == 0;
	lim->max_indirect = (unsigned int)pick(maxes,
	    sizeof(maxes) / sizeof(maxes[0]));

	r = rng() % 16;
	if (r < 12)
		req->operation = ops[r % 6];
	else
		req->operation = (uint8_t)rng();
	r = rng() % 16;
	if (req->operation == BLKIF_OP_INDIRECT) {
		if (r < 13)
			req->nr_segments = (uint16_t)(rng() %
			    (lim->max_indirect + 3));
		else
			req->nr_segments = (uint16_t)rng();
		req->indirect_op = rng() % 8 ? (uint8_t)(rng() % 2) :
		    (uint8_t)rng();
	} else if (r < 13)
		req->nr_segments = (uint16_t)(rng() % 13);	/* 0..12 */
	else if (r < 15)
		req->nr_segments = (uint8_t)rng();
	else
		req->nr_segments = (uint16_t)rng();
	req->id = rng();
	req->handle = (uint16_t)rng();
	req->sector_number = random_sector(lim);
	req->discard_flag = (uint8_t)(rng() % 4 ? rng() % 2 : rng());
	req->nr_sectors = rng() % 2 ? rng() % 5000 :
	    pick(nsects, sizeof(nsects) / sizeof(nsects[0]));
	if (rng() % 4 == 0)
		req->nr_sectors = lim->sectors - req->sector_number +
		    rng() % 3 - 1;
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		req->indirect_grefs[i] = (uint32_t)rng();
	/* Mostly well-formed segments, so that many requests pass. */
	bad_segs = rng() % 4 == 0;
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		random_seg(&req->seg[i], bad_segs);
	bad_segs = rng() % 4 == 0;
	for (i = 0; i < BLK_MAX_SEGS; i++)
		random_seg(&isegs[i], bad_segs && rng() % 8 == 0);
}

/* Segment rules and range, for n segments starting at sector. */
static int
oracle_segs(const struct blkif_request_segment *segs, unsigned int n,
    uint64_t sector, const struct blk_limits *lim)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (segs[i].last_sect > 7 ||
		    segs[i].first_sect > segs[i].last_sect)
			return BLKIF_RSP_ERROR;
		total += segs[i].last_sect - segs[i].first_sect + 1u;
	}
	if (n == 0)
		return BLKIF_RSP_OKAY;
	if (sector > UINT64_MAX - total || sector + total > lim->sectors)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/*
 * The rules of blkif.h, written independently of blkif.c: the status of
 * both steps for an INDIRECT request (isegs are its descriptors).
 */
static int
oracle(const struct blk_wire *req, const struct blk_limits *lim,
    const struct blkif_request_segment *isegs)
{
	unsigned int op = req->operation, n = req->nr_segments;
	bool is_flush = op == BLKIF_OP_FLUSH_DISKCACHE ||
	    op == BLKIF_OP_WRITE_BARRIER;

	if (op == BLKIF_OP_DISCARD) {
		if (!lim->discard)
			return BLKIF_RSP_EOPNOTSUPP;
		if (lim->readonly)
			return BLKIF_RSP_ERROR;
		if (req->nr_sectors == 0)
			return BLKIF_RSP_OKAY;
		if (req->sector_number > UINT64_MAX - req->nr_sectors ||
		    req->sector_number + req->nr_sectors > lim->sectors)
			return BLKIF_RSP_ERROR;
		return BLKIF_RSP_OKAY;
	}
	if (op == BLKIF_OP_INDIRECT) {
		if (lim->max_indirect == 0)
			return BLKIF_RSP_EOPNOTSUPP;
		if (req->indirect_op != BLKIF_OP_READ &&
		    req->indirect_op != BLKIF_OP_WRITE)
			return BLKIF_RSP_ERROR;
		if (n == 0 || n > lim->max_indirect || n > BLK_MAX_SEGS)
			return BLKIF_RSP_ERROR;
		if (lim->readonly && req->indirect_op != BLKIF_OP_READ)
			return BLKIF_RSP_ERROR;
		return oracle_segs(isegs, n, req->sector_number, lim);
	}
	if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE && !is_flush)
		return BLKIF_RSP_EOPNOTSUPP;
	if (is_flush && !lim->flush)
		return BLKIF_RSP_EOPNOTSUPP;
	if (n > 11 || (n == 0 && !is_flush))
		return BLKIF_RSP_ERROR;
	if (lim->readonly && op != BLKIF_OP_READ)
		return BLKIF_RSP_ERROR;
	return oracle_segs(req->seg, n, req->sector_number, lim);
}

static void
check_invariants(const struct blk_wire *req, const struct blk_limits *lim,
    const struct blkif_request_segment *isegs, const struct blk_req *out,
    unsigned long iter)
{
	unsigned int op = req->operation, i;
	bool is_flush = op == BLKIF_OP_FLUSH_DISKCACHE ||
	    op == BLKIF_OP_WRITE_BARRIER;
	bool indirect = op == BLKIF_OP_INDIRECT;
	const struct blkif_request_segment *segs = indirect ? isegs : req->seg;
	uint64_t total = 0;

	assert_int_equal(out->op, rsp_op(req));
	assert_true(out->id == req->id);
	assert_int_equal(out->nipages, 0);
	if (lim->readonly && out->kind != BLK_READ)
		fail_msg("#%lu: op %u kind %d on a read-only disk", iter, op,
		    out->kind);

	if (op == BLKIF_OP_DISCARD) {
		if (!lim->discard)
			fail_msg("#%lu: discard accepted without the feature",
			    iter);
		assert_int_equal(out->kind, BLK_DISCARD);
		assert_int_equal(out->secure,
		    (req->discard_flag & BLKIF_DISCARD_SECURE) != 0 &&
		    lim->discard_secure);
		if (out->secure && !lim->discard_secure)
			fail_msg("#%lu: secure discard not offered", iter);
		assert_false(out->preflush || out->postflush || out->drain);
		assert_int_equal(out->nseg, 0);
		assert_true(out->sector == req->sector_number);
		assert_true(out->nr_sectors == req->nr_sectors);
		if (out->nr_sectors > 0 &&
		    (out->sector + out->nr_sectors < out->sector ||
		    out->sector + out->nr_sectors > lim->sectors))
			fail_msg("#%lu: discard %llu+%llu beyond %llu", iter,
			    (unsigned long long)out->sector,
			    (unsigned long long)out->nr_sectors,
			    (unsigned long long)lim->sectors);
		return;
	}

	assert_false(out->secure);
	if (indirect) {
		if (lim->max_indirect == 0)
			fail_msg("#%lu: indirect accepted without the feature",
			    iter);
		assert_int_equal(out->kind, req->indirect_op == BLKIF_OP_WRITE ?
		    BLK_WRITE : BLK_READ);
		assert_true(req->indirect_op == BLKIF_OP_READ ||
		    req->indirect_op == BLKIF_OP_WRITE);
		assert_false(out->preflush || out->postflush || out->drain);
		assert_true(out->nseg >= 1);
		assert_true(out->nseg <= lim->max_indirect);
		assert_true(out->nseg <= BLK_MAX_SEGS);
	} else {
		if (!(op == BLKIF_OP_READ || op == BLKIF_OP_WRITE || is_flush))
			fail_msg("#%lu: op %u accepted", iter, op);
		if (is_flush && !lim->flush)
			fail_msg("#%lu: flush accepted without the feature",
			    iter);
		assert_true(out->nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
		if (!is_flush)
			assert_true(out->nseg >= 1);
		switch (op) {
		case BLKIF_OP_READ:
			assert_int_equal(out->kind, BLK_READ);
			break;
		case BLKIF_OP_WRITE:
			assert_int_equal(out->kind, BLK_WRITE);
			break;
		default:
			assert_int_equal(out->kind, out->nseg > 0 ? BLK_WRITE :
			    BLK_FLUSH);
			break;
		}
		/* Data after a flush; a barrier also drains and is durable. */
		assert_int_equal(out->preflush, is_flush && out->nseg > 0);
		assert_int_equal(out->postflush,
		    op == BLKIF_OP_WRITE_BARRIER && out->nseg > 0);
		assert_int_equal(out->drain, op == BLKIF_OP_WRITE_BARRIER);
	}
	assert_int_equal(out->nseg, req->nr_segments);
	for (i = 0; i < out->nseg; i++) {
		const struct blk_seg *s = &out->seg[i];

		assert_int_equal(s->gref, segs[i].gref);
		assert_true(s->len > 0);
		assert_int_equal(s->len % 512, 0);
		assert_int_equal(s->offset % 512, 0);
		if ((unsigned int)s->offset + s->len > 4096)
			fail_msg("#%lu: seg %u offset %u len %u crosses the page",
			    iter, i, s->offset, s->len);
		assert_int_equal(s->offset, segs[i].first_sect * 512u);
		assert_int_equal(s->len,
		    (segs[i].last_sect - segs[i].first_sect + 1u) * 512u);
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

#define RANDOM_ITERS	300000UL

static void
test_random_properties(void **state)
{
	static struct blkif_request_segment isegs[BLK_MAX_SEGS];
	unsigned long i, nok = 0, nerr = 0, nops = 0, mismatch = 0;
	unsigned long nind = 0, ndisc = 0, nflush = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < RANDOM_ITERS; i++) {
		struct blk_wire req;
		struct blk_limits lim;
		struct blk_req out;
		const char *why = NULL;
		int rc, want;

		random_request(&req, &lim, isegs);
		memset(&out, 0xa5, sizeof(out));
		rc = blk_validate(&req, &lim, &out, &why);
		assert_true(out.id == req.id);
		assert_int_equal(out.op, rsp_op(&req));
		if (rc == BLKIF_RSP_OKAY && req.operation == BLKIF_OP_INDIRECT) {
			assert_int_equal(out.nipages,
			    (req.nr_segments + 511) / 512);
			assert_true(out.nipages <=
			    BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
			assert_memory_equal(out.igref, req.indirect_grefs,
			    out.nipages * sizeof(out.igref[0]));
			rc = blk_validate_indirect(&out, isegs, &lim, &why);
			assert_true(out.id == req.id);
			assert_int_equal(out.op, req.indirect_op);
		} else if (rc == BLKIF_RSP_OKAY)
			assert_int_equal(out.nipages, 0);
		want = oracle(&req, &lim, isegs);
		if (rc != want && mismatch++ < 10)
			print_error("#%lu: op %u/%u nseg %u sector %llu "
			    "nr_sectors %llu flag %u disk %llu ro %d flush %d "
			    "discard %d/%d max_indirect %u: got %d, want %d\n",
			    i, req.operation, req.indirect_op, req.nr_segments,
			    (unsigned long long)req.sector_number,
			    (unsigned long long)req.nr_sectors,
			    req.discard_flag, (unsigned long long)lim.sectors,
			    lim.readonly, lim.flush, lim.discard,
			    lim.discard_secure, lim.max_indirect, rc, want);
		switch (rc) {
		case BLKIF_RSP_OKAY:
			nok++;
			nind += req.operation == BLKIF_OP_INDIRECT;
			ndisc += req.operation == BLKIF_OP_DISCARD;
			nflush += req.operation == BLKIF_OP_FLUSH_DISKCACHE ||
			    req.operation == BLKIF_OP_WRITE_BARRIER;
			check_invariants(&req, &lim, isegs, &out, i);
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
	print_message("%lu requests: %lu okay (%lu indirect, %lu discard, "
	    "%lu flush/barrier), %lu error, %lu eopnotsupp\n", RANDOM_ITERS,
	    nok, nind, ndisc, nflush, nerr, nops);
	assert_int_equal(mismatch, 0);
	/* The generator reaches every outcome often enough to mean something. */
	assert_true(nok > RANDOM_ITERS / 20);
	assert_true(nerr > RANDOM_ITERS / 20);
	assert_true(nops > RANDOM_ITERS / 20);
	assert_true(nind > RANDOM_ITERS / 200);
	assert_true(ndisc > RANDOM_ITERS / 200);
	assert_true(nflush > RANDOM_ITERS / 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
