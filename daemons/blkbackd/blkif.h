/*
 * blkif.h - the blkif request rules (io/blkif.h), as pure functions.
 *
 * The worker copies each request out of the shared ring exactly once
 * (RING_COPY_REQUEST, XSA-155) and hands the private copy to blk_validate(),
 * which checks every field before anything acts on it.  No I/O here: the
 * rules are unit-tested and fuzzed on their own.
 */
#ifndef BLKIF_H
#define BLKIF_H

#include <stdbool.h>
#include <stdint.h>

#include "ring.h"		/* barriers before io/ring.h */
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

/* Sector unit of the protocol, whatever sector-size says (Xen 221f2748). */
#define BLK_SECTOR_SHIFT	9
#define BLK_SECTORS_PER_PAGE	(XB_PAGE_SIZE >> BLK_SECTOR_SHIFT)

/* One validated segment: bytes [offset, offset + len) of granted page gref. */
struct blk_seg {
	uint32_t	gref;
	uint16_t	offset;		/* first_sect * 512 */
	uint16_t	len;		/* (last_sect - first_sect + 1) * 512 */
};

/* A request that passed blk_validate(). */
struct blk_req {
	uint64_t	id;
	uint8_t		op;		/* BLKIF_OP_* as sent (echoed in the response) */
	uint8_t		nseg;
	uint64_t	sector;		/* first 512-byte sector on the disk */
	uint64_t	nr_sectors;	/* total 512-byte sectors moved */
	bool		writes;		/* moves data to the disk */
	bool		flush;		/* flush the disk cache first */
	struct blk_seg	seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* What the device offers, for validation. */
struct blk_limits {
	uint64_t	sectors;	/* disk size in 512-byte sectors */
	bool		readonly;
	bool		flush;		/* feature-flush-cache / feature-barrier advertised */
};

/*
 * Validate the private copy req.  Returns BLKIF_RSP_OKAY and fills *out, or
 * BLKIF_RSP_ERROR (malformed request) or BLKIF_RSP_EOPNOTSUPP (operation
 * not offered) with *why set to a short static reason.  Rules, from
 * io/blkif.h and Linux dispatch_rw_block_io()/xen_vbd_translate():
 *  - op is READ, WRITE, FLUSH_DISKCACHE or WRITE_BARRIER (others: EOPNOTSUPP);
 *  - 1 <= nr_segments <= 11 for READ/WRITE, 0..11 for flush/barrier;
 *  - each segment first_sect <= last_sect <= 7;
 *  - sector + total does not wrap and ends inside the disk (a zero-length
 *    flush ignores sector_number, which may be garbage);
 *  - no write, flush or barrier on a read-only disk.
 */
int	blk_validate(const struct blkif_request *req, const struct blk_limits *,
	    struct blk_req *out, const char **why);

/* Printable name of a BLKIF_OP_* value ("read", "op 77"). */
const char *blk_op_name(unsigned int op, char *buf, unsigned int len);

#endif
