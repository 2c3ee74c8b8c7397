/*
 * blkring.h - the back end of one blkif ring, for any of the three request
 * layouts a frontend may name in its "protocol" key.
 *
 * io/ring.h's macros are typed by the slot structure, so one ring type per
 * ABI and a union, as Linux blkback does, would triple every access.  The
 * ring protocol itself does not depend on the slot size: a 64-byte header
 * (req_prod, req_event, rsp_prod, rsp_event) and a power-of-two array of
 * slots.  So this file implements the io/ring.h back-ring operations once,
 * over a slot size, and converts each request, as it is copied out of the
 * shared page, into one ABI-independent struct blk_wire.
 *
 * The copy is the only read of a slot (XSA-155): everything after it looks
 * at the private struct blk_wire.  Pure code over a memory area, unit-tested
 * without Xen.
 */
#ifndef BLKRING_H
#define BLKRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"		/* barriers before io/ring.h */
#include <xen/io/blkif.h>

/* Request layouts ("protocol" key, io/protocols.h). */
enum blk_abi {
	BLK_ABI_X86_32 = 1,	/* "x86_32-abi"; also an absent or empty key (Linux, QEMU) */
	BLK_ABI_X86_64,		/* "x86_64-abi" and "native" on this host */
};

/*
 * One request as the frontend wrote it, whatever its layout.  Fields that
 * the operation does not use are zero.  Nothing is validated yet.
 */
struct blk_wire {
	uint8_t		operation;	/* BLKIF_OP_* */
	uint8_t		indirect_op;	/* INDIRECT: the real operation */
	uint8_t		discard_flag;	/* DISCARD: BLKIF_DISCARD_SECURE */
	uint16_t	nr_segments;	/* READ/WRITE/...: 0..255; INDIRECT: 0..65535 */
	uint16_t	handle;
	uint64_t	id;		/* echoed in the response */
	uint64_t	sector_number;
	uint64_t	nr_sectors;	/* DISCARD */
	/* READ/WRITE/FLUSH/BARRIER: min(nr_segments, 11) copied */
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	/* INDIRECT: all BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST copied */
	uint32_t	indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/* A back ring over a mapped shared page run. */
struct blk_ring {
	void		*sring;		/* the shared pages */
	enum blk_abi	 abi;
	size_t		 slot;		/* bytes per slot for abi */
	unsigned int	 nr_ents;	/* power of two */
	RING_IDX	 req_cons;	/* next request to copy */
	RING_IDX	 rsp_prod_pvt;	/* next response slot */
};

/*
 * Parse a frontend "protocol" value (NULL: absent).  Returns 0 and sets
 * *abi, or -1 for a name we do not know.
 */
int		blk_abi_parse(const char *proto, enum blk_abi *abi);

/* Printable name of an ABI. */
const char	*blk_abi_name(enum blk_abi);

/* Slot size in bytes of an ABI (the larger of its request and response). */
size_t		blk_abi_slot(enum blk_abi);

/*
 * Attach to a live ring of npages pages (BACK_RING_ATTACH: continue from
 * the shared rsp_prod).  Returns 0, or -1 if npages is not 1..16
 * (XB_RING_MAX_PAGES) or the shared indexes are impossible (more requests
 * outstanding than slots).
 */
int		blk_ring_attach(struct blk_ring *, void *sring, enum blk_abi,
		    unsigned int npages);

/*
 * The shared response producer as the frontend sees it, read once (guest
 * memory: a resume compares it with the journal, never trusts it).
 */
RING_IDX	blk_ring_rsp_prod(const struct blk_ring *);

/* The shared request producer, read once, with the read barrier after it. */
RING_IDX	blk_ring_req_prod(const struct blk_ring *);

/*
 * Is prod impossible: more than a ring ahead of our responses
 * (RING_REQUEST_PROD_OVERFLOW), or moved back behind requests we already
 * took?  If so the ring cannot be served any more.
 */
bool		blk_ring_prod_bad(const struct blk_ring *, RING_IDX prod);

/*
 * Copy the request at req_cons into *w and advance req_cons.  The caller
 * has checked req_cons != prod and that a response slot is free
 * (blk_ring_can_take()).
 */
void		blk_ring_take(struct blk_ring *, struct blk_wire *w);

/* Is there a request at req_cons below prod that we may take? */
bool		blk_ring_can_take(const struct blk_ring *, RING_IDX prod);

/*
 * Write a response field by field into the next response slot (so no
 * padding of ours reaches the guest, XSA-216).  Not yet visible.
 */
void		blk_ring_put_rsp(struct blk_ring *, uint64_t id, uint8_t op,
		    int16_t status);

/*
 * Publish the responses written so far (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY).
 * Returns true if the frontend asked to be notified.
 */
bool		blk_ring_push(struct blk_ring *);

/*
 * RING_FINAL_CHECK_FOR_REQUESTS: re-arm req_event and look again.  Returns
 * true if requests arrived meanwhile.
 */
bool		blk_ring_final_check(struct blk_ring *);

#endif
