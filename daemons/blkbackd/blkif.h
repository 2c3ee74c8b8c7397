/*
 * blkif.h - the blkif request rules (io/blkif.h), as pure functions.
 *
 * The worker copies each request out of the shared ring exactly once
 * (blkring.c, XSA-155) and hands the private copy to blk_validate(), which
 * checks every field before anything acts on it.  An indirect request is
 * validated in two steps: its header first, then, once the worker has
 * copied the indirect pages (again exactly once), the segments they hold.
 * No I/O here: the rules are unit-tested and fuzzed on their own.
 */
#ifndef BLKIF_H
#define BLKIF_H

#include <stdbool.h>
#include <stdint.h>

#include "blkring.h"

/* Sector unit of the protocol, whatever sector-size says (Xen 221f2748). */
#define BLK_SECTOR_SHIFT	9
#define BLK_SECTORS_PER_PAGE	(XB_PAGE_SIZE >> BLK_SECTOR_SHIFT)
/*
 * Most segments of one indirect request we accept and advertise in
 * feature-max-indirect-segments (Linux MAX_INDIRECT_SEGMENTS).
 */
#define BLK_MAX_SEGS		256u
/* Segment descriptors per indirect page (io/blkif.h). */
#define BLK_SEGS_PER_IPAGE	(XB_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Indirect pages of a request of n segments. */
#define BLK_IPAGES(n)		(((n) + BLK_SEGS_PER_IPAGE - 1) / BLK_SEGS_PER_IPAGE)

/* One validated segment: bytes [offset, offset + len) of granted page gref. */
struct blk_seg {
	uint32_t	gref;
	uint16_t	offset;		/* first_sect * 512 */
	uint16_t	len;		/* (last_sect - first_sect + 1) * 512 */
};

enum blk_kind {
	BLK_READ = 1,
	BLK_WRITE,
	BLK_FLUSH,		/* no data */
	BLK_DISCARD,
};

/* A request that passed blk_validate(). */
struct blk_req {
	uint64_t	id;
	uint8_t		op;		/* echoed in the response: BLKIF_OP_* as sent,
					   for INDIRECT its indirect_op */
	enum blk_kind	kind;
	bool		preflush;	/* flush the disk cache before the data */
	bool		postflush;	/* ... and after it (barrier: durable on completion) */
	bool		drain;		/* barrier: earlier requests complete first */
	bool		secure;		/* discard: secure erase */
	unsigned int	nseg;
	unsigned int	nipages;	/* indirect pages still to copy and check */
	uint32_t	igref[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint64_t	sector;		/* first 512-byte sector on the disk */
	uint64_t	nr_sectors;	/* 512-byte sectors moved or discarded */
	struct blk_seg	seg[BLK_MAX_SEGS];
};

/* What the device offers, for validation. */
struct blk_limits {
	uint64_t	sectors;	/* disk size in 512-byte sectors */
	bool		readonly;
	bool		flush;		/* feature-flush-cache / feature-barrier advertised */
	bool		discard;	/* feature-discard advertised */
	bool		discard_secure;	/* discard-secure advertised */
	unsigned int	max_indirect;	/* feature-max-indirect-segments (0: none) */
};

/*
 * Validate the private copy w.  Returns BLKIF_RSP_OKAY and fills *out, or
 * BLKIF_RSP_ERROR (malformed request) or BLKIF_RSP_EOPNOTSUPP (operation
 * not offered) with *why set to a short static reason.  Rules, from
 * io/blkif.h and Linux dispatch_rw_block_io()/xen_vbd_translate()
 * (docs/ARCHITECTURE.md, "blkif rules"):
 *  - op is READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER, DISCARD or
 *    INDIRECT (others: EOPNOTSUPP), and offered;
 *  - 1 <= nr_segments <= 11 for READ/WRITE, 0..11 for flush/barrier;
 *    INDIRECT: indirect_op READ or WRITE, 1 <= nr_segments <= max_indirect
 *    and <= BLK_MAX_SEGS;
 *  - each segment first_sect <= last_sect <= 7;
 *  - sector + total does not wrap and ends inside the disk (a zero-length
 *    flush ignores sector_number, which may be garbage);
 *  - no write, flush, barrier or discard on a read-only disk;
 *  - DISCARD: the secure flag is ignored unless discard-secure was
 *    advertised (io/blkif.h); a zero-length discard is not range-checked
 *    (Linux).
 * For INDIRECT, out->nipages > 0 and the segments are not yet known: copy
 * out->igref[0 .. nipages-1] and call blk_validate_indirect().
 */
int	blk_validate(const struct blk_wire *w, const struct blk_limits *,
	    struct blk_req *out, const char **why);

/*
 * Second step of an INDIRECT request: segs are the private copies of its
 * indirect pages (out->nseg descriptors).  Fills out->seg and checks the
 * segment and range rules.  Returns a BLKIF_RSP_* status as blk_validate().
 */
int	blk_validate_indirect(struct blk_req *out,
	    const struct blkif_request_segment *segs, const struct blk_limits *,
	    const char **why);

/* Printable name of a BLKIF_OP_* value ("read", "op 77"). */
const char *blk_op_name(unsigned int op, char *buf, unsigned int len);

#endif
