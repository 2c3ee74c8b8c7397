/*
 * blkquiesce.h - the record a blkbackd worker leaves in its backend
 * directory when the daemon stops cleanly (docs/ARCHITECTURE.md "Stop and
 * start"), so that the next daemon's worker can re-attach to the live
 * rings without the guest reconnecting.
 *
 * Key XB_QUIESCED_KEY (quiesce.h) in backend/vbd/<domid>/<devid>, one
 * line:
 *
 *   1 <abi> <nq> <q0> <q1> ...		(exactly nq queue fields)
 *   <q> = <event-channel>:<rsp_prod>:<ref0>[,<ref1>...]
 *
 * abi is enum blk_abi as a number; refs are the queue's ring-ref* in page
 * order (1, 2, 4, 8 or 16 of them); rsp_prod is the shared ring's response
 * producer when the worker left with nothing in flight (req_cons equal).
 * Anyone with write access to the backend directory could have written
 * it (a compromised worker, through the proxy): it is parsed like guest
 * input and only trusted if the frontend's keys and ring still agree.
 */
#ifndef BLKQUIESCE_H
#define BLKQUIESCE_H

#include <stddef.h>
#include <stdint.h>

#include "blkbackd.h"
#include "blkring.h"
#include "quiesce.h"
#include "ring.h"

/*
 * 16 queues of 16 refs, every number 10 digits: 3180 bytes; with the path
 * inside a xenstore write's 4096 (XENSTORE_PAYLOAD_MAX).
 */
#define BLKQ_MAX_LEN		3400u

struct blkq_queue {
	uint32_t	evtchn;
	uint32_t	rsp_prod;
	uint32_t	npages;
	uint32_t	refs[XB_RING_MAX_PAGES];
};

struct blkq_rec {
	enum blk_abi		abi;
	unsigned int		nq;
	struct blkq_queue	q[BLK_MAX_QUEUES];
};

/*
 * Format rec into buf (len bytes).  Returns the length, or -1 with errno
 * EINVAL (rec out of bounds) or ENOSPC.
 */
int	blkq_format(const struct blkq_rec *, char *buf, size_t len);

/*
 * Parse s strictly: version, bounds (abi known, 1 <= nq <= max_queues,
 * npages a power of two up to XB_RING_MAX_PAGES, every number a plain
 * decimal uint32), exactly nq queues, single spaces, nothing after.
 * Returns 0, or -1 with *why naming the first problem (static string).
 */
int	blkq_parse(const char *s, unsigned int max_queues, struct blkq_rec *,
	    const char **why);

/*
 * Does the frontend (read through rd, quiesce.h) still describe the rings
 * of rec: its protocol, multi-queue-num-queues (absent: 1), and per queue
 * (keys at the top for one queue, under queue-<i>/ otherwise, as Linux)
 * ring-page-order, ring-ref* and event-channel?  Returns 1 (matches), 0 (does not: *why
 * says what differs).
 */
int	blkq_match(const struct blkq_rec *, xbq_read_fn *, void *arg,
	    const char **why);

#endif
