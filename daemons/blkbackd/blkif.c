/*
 * blkif.c - see blkif.h.
 */
#include <stdio.h>
#include <string.h>

#include "blkif.h"

#define WHY(s)	do { *why = (s); } while (0)

int
blk_validate(const struct blkif_request *req, const struct blk_limits *lim,
    struct blk_req *out, const char **why)
{
	uint64_t total = 0;
	unsigned int i, nseg;

	memset(out, 0, sizeof(*out));
	out->id = req->id;
	out->op = req->operation;
	nseg = req->nr_segments;

	switch (req->operation) {
	case BLKIF_OP_READ:
		break;
	case BLKIF_OP_WRITE:
		out->writes = true;
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		if (!lim->flush) {
			WHY("flush not offered");
			return BLKIF_RSP_EOPNOTSUPP;
		}
		out->flush = true;
		out->writes = nseg > 0;
		break;
	default:
		WHY("operation not supported");
		return BLKIF_RSP_EOPNOTSUPP;
	}

	if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		WHY("nr_segments above 11");
		return BLKIF_RSP_ERROR;
	}
	if (nseg == 0 && !out->flush) {
		WHY("nr_segments is 0");
		return BLKIF_RSP_ERROR;
	}
	/* A write-type request (flush included) on a read-only disk. */
	if (lim->readonly && (out->writes || out->flush)) {
		WHY("write to a read-only disk");
		return BLKIF_RSP_ERROR;
	}

	for (i = 0; i < nseg; i++) {
		const struct blkif_request_segment *s = &req->seg[i];

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
	out->nseg = (uint8_t)nseg;
	out->nr_sectors = total;

	/* A zero-length flush carries no sector (may be uninitialised). */
	if (nseg == 0)
		return BLKIF_RSP_OKAY;

	out->sector = req->sector_number;
	if (out->sector + total < out->sector) {
		WHY("sector range wraps");
		return BLKIF_RSP_ERROR;
	}
	if (out->sector + total > lim->sectors) {
		WHY("sector range beyond the end of the disk");
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
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
