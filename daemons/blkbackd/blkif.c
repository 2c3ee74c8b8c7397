/*
 * blkif.c - see blkif.h.
 */
#include <stdio.h>
#include <string.h>

#include "blkif.h"

#define WHY(s)	do { *why = (s); } while (0)

/* Segment rules (io/blkif.h: first_sect <= last_sect < 8) and the range. */
static int
check_segs(struct blk_req *out, const struct blkif_request_segment *segs,
    unsigned int nseg, uint64_t sector, const struct blk_limits *lim,
    const char **why)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		const struct blkif_request_segment *s = &segs[i];

		if (s->last_sect >= BLK_SECTORS_PER_PAGE) {
			WHY("last_sect above 7");
			return BLKIF_RSP_ERROR;
		}
		if (s->first_sect > s->last_sect) {
			WHY("first_sect above last_sect");
			return BLKIF_RSP_ERROR;
		}
		out->seg[i].gref = s->gref;
		out->seg[i].offset = (uint16_t)(s->first_sect << BLK_SECTOR_SHIFT);
		out->seg[i].len = (uint16_t)((s->last_sect - s->first_sect + 1)
		    << BLK_SECTOR_SHIFT);
		total += (uint64_t)(s->last_sect - s->first_sect + 1);
	}
	out->nseg = nseg;
	out->nr_sectors = total;
	/* A zero-length flush carries no sector (may be uninitialised). */
	if (nseg == 0)
		return BLKIF_RSP_OKAY;
	out->sector = sector;
	if (sector + total < sector) {
		WHY("sector range wraps");
		return BLKIF_RSP_ERROR;
	}
	if (sector + total > lim->sectors) {
		WHY("sector range beyond the end of the disk");
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

static int
validate_discard(const struct blk_wire *w, const struct blk_limits *lim,
    struct blk_req *out, const char **why)
{
	if (!lim->discard) {
		WHY("discard not offered");
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (lim->readonly) {
		WHY("discard on a read-only disk");
		return BLKIF_RSP_ERROR;
	}
	/* io/blkif.h: the flag "is ignored if discard-secure=0". */
	out->secure = (w->discard_flag & BLKIF_DISCARD_SECURE) &&
	    lim->discard_secure;
	out->sector = w->sector_number;
	out->nr_sectors = w->nr_sectors;
	/* Nothing to discard: Linux skips the range check too. */
	if (out->nr_sectors == 0)
		return BLKIF_RSP_OKAY;
	if (out->sector + out->nr_sectors < out->sector) {
		WHY("discard range wraps");
		return BLKIF_RSP_ERROR;
	}
	if (out->sector + out->nr_sectors > lim->sectors) {
		WHY("discard range beyond the end of the disk");
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

int
blk_validate(const struct blk_wire *w, const struct blk_limits *lim,
    struct blk_req *out, const char **why)
{
	unsigned int nseg = w->nr_segments, i;
	uint8_t op;

	out->id = w->id;
	out->op = w->operation;
	out->preflush = out->postflush = out->drain = out->secure = false;
	out->nseg = out->nipages = 0;
	out->sector = out->nr_sectors = 0;

	op = w->operation;
	if (op == BLKIF_OP_DISCARD) {
		out->kind = BLK_DISCARD;
		return validate_discard(w, lim, out, why);
	}
	if (op == BLKIF_OP_INDIRECT) {
		/*
		 * The response names the inner operation: Linux blkfront
		 * drops the disk on "response has wrong operation".
		 */
		out->op = w->indirect_op;
		if (lim->max_indirect == 0) {
			WHY("indirect descriptors not offered");
			return BLKIF_RSP_EOPNOTSUPP;
		}
		/* Linux: only READ and WRITE may be indirect. */
		if (w->indirect_op != BLKIF_OP_READ &&
		    w->indirect_op != BLKIF_OP_WRITE) {
			WHY("indirect operation is not read or write");
			return BLKIF_RSP_ERROR;
		}
		op = w->indirect_op;
	}

	switch (op) {
	case BLKIF_OP_READ:
		out->kind = BLK_READ;
		break;
	case BLKIF_OP_WRITE:
		out->kind = BLK_WRITE;
		break;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush) {
			WHY("flush not offered");
			return BLKIF_RSP_EOPNOTSUPP;
		}
		out->kind = nseg > 0 ? BLK_WRITE : BLK_FLUSH;
		out->preflush = nseg > 0;
		/* A barrier orders against everything before it and is durable. */
		if (op == BLKIF_OP_WRITE_BARRIER) {
			out->drain = true;
			out->postflush = nseg > 0;
		}
		break;
	default:
		WHY("operation not supported");
		return BLKIF_RSP_EOPNOTSUPP;
	}

	if (w->operation == BLKIF_OP_INDIRECT) {
		/*
		 * BLK_MAX_SEGS too, whatever max_indirect says: out->seg holds
		 * that many, and more than 4096 would need more igref[] than
		 * a request carries (BLK_IPAGES(65535) is 128).
		 */
		if (nseg == 0 || nseg > lim->max_indirect ||
		    nseg > BLK_MAX_SEGS) {
			WHY("indirect nr_segments is 0 or above the maximum");
			return BLKIF_RSP_ERROR;
		}
	} else {
		if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			WHY("nr_segments above 11");
			return BLKIF_RSP_ERROR;
		}
		if (nseg == 0 && out->kind != BLK_FLUSH) {
			WHY("nr_segments is 0");
			return BLKIF_RSP_ERROR;
		}
	}
	/* A write-type request (flush included) on a read-only disk. */
	if (lim->readonly && out->kind != BLK_READ) {
		WHY("write to a read-only disk");
		return BLKIF_RSP_ERROR;
	}

	if (w->operation == BLKIF_OP_INDIRECT) {
		out->nseg = nseg;
		out->nipages = BLK_IPAGES(nseg);
		for (i = 0; i < out->nipages; i++)
			out->igref[i] = w->indirect_grefs[i];
		out->sector = w->sector_number;
		return BLKIF_RSP_OKAY;
	}
	return check_segs(out, w->seg, nseg, w->sector_number, lim, why);
}

int
blk_validate_indirect(struct blk_req *out,
    const struct blkif_request_segment *segs, const struct blk_limits *lim,
    const char **why)
{
	unsigned int nseg = out->nseg;

	out->nipages = 0;
	if (nseg == 0 || nseg > lim->max_indirect || nseg > BLK_MAX_SEGS) {
		WHY("indirect nr_segments is 0 or above the maximum");
		return BLKIF_RSP_ERROR;
	}
	return check_segs(out, segs, nseg, out->sector, lim, why);
}

const char *
blk_op_name(unsigned int op, char *buf, unsigned int len)
{
	switch (op) {
	case BLKIF_OP_READ:		return "read";
	case BLKIF_OP_WRITE:		return "write";
	case BLKIF_OP_WRITE_BARRIER:	return "barrier";
	case BLKIF_OP_FLUSH_DISKCACHE:	return "flush";
	case BLKIF_OP_DISCARD:		return "discard";
	case BLKIF_OP_INDIRECT:		return "indirect";
	default:
		snprintf(buf, len, "op %u", op);
		return buf;
	}
}
