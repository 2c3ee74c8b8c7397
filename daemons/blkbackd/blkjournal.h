/*
 * blkjournal.h - blkbackd's restart journal (docs/design/isolation-restart.md
 * 3.3, 3.4; docs/ARCHITECTURE.md "Restart protocol"): what a successor
 * worker needs to take over live rings so that every request gets exactly
 * one response.  It follows the common header (journal.h) in a memfd the
 * parent keeps.
 *
 * A ring slot is overwritten by its response, so a request cannot be read
 * from the ring again: the journal keeps the validated struct blk_req of
 * every request taken and not yet answered, in the entry of its io slot.
 * Write order per request (one writer; a SIGKILL may fall between any two
 * stores, and stores made are in the page cache, so only compiler order
 * matters):
 *   take:    entry {r, req_idx, status} -> state TAKEN (release) ->
 *            jq.req_cons = req_idx + 1 (release)
 *   respond: entry {status, rsp_idx} -> state RESPONDING (release) ->
 *            response written into slot rsp_idx -> sring->rsp_prod ->
 *            jq.rsp = rsp_idx + 1 (release) -> state FREE
 * Responses are pushed one at a time, so at most one entry is RESPONDING.
 *
 * Recovery (blkj_plan()) is pure: it checks the journal like guest input
 * and says what the successor must do; the worker does it (blkio.c).
 */
#ifndef BLKJOURNAL_H
#define BLKJOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "blkif.h"
#include "journal.h"
#include "ring.h"

/* Slots of the largest ring: x86_32 slots (108 bytes) in 16 pages. */
#define BLKJ_MAX_ENTS	512u

enum blkj_state {
	BLKJ_FREE = 0,
	BLKJ_TAKEN,
	BLKJ_RESPONDING,
};

struct blkj_ent {
	uint32_t	state;		/* enum blkj_state, atomic */
	uint32_t	req_idx;	/* ring index the request was taken at */
	uint32_t	rsp_idx;	/* RESPONDING: its response slot */
	int16_t		status;		/* BLKIF_RSP_*: 0 = run it */
	uint16_t	pad;
	struct blk_req	r;		/* as validated (id, op for the response) */
};

struct blkj_queue {
	uint32_t	req_cons;	/* requests taken (atomic) */
	uint32_t	rsp;		/* responses published (atomic) */
	uint32_t	npages;		/* the connection record: */
	uint32_t	evtchn;		/*   frontend's event-channel */
	uint32_t	port;		/*   our bound port */
	uint32_t	nents;		/*   slots */
	uint32_t	refs[XB_RING_MAX_PAGES];
	struct blkj_ent	ent[BLKJ_MAX_ENTS];
};

struct blkj {
	struct journal_hdr h;
	uint32_t	abi;		/* enum blk_abi */
	uint32_t	nq;		/* queues connected */
	uint32_t	maxq;		/* queues this journal has room for */
	uint32_t	persistent;
	struct blkj_queue q[];
};

/* Bytes of a journal for maxq queues. */
size_t		blkj_size(unsigned int maxq);

/*
 * Check a mapped journal: the common header, maxq, and if CONNECTED the
 * connection record (abi, 1 <= nq <= maxq, npages 1..16, nents the ring's
 * slots).  Returns 0 or -1 with *why.
 */
int		blkj_check(const struct blkj *, size_t mapped, unsigned int domid,
		    unsigned int devid, const char **why);

/* Take: entry i holds r (status 0) or a refusal; then req_cons moves. */
void		blkj_take(struct blkj_queue *, unsigned int i, uint32_t req_idx,
		    const struct blk_req *, int16_t status);
/* Respond, before the slot is written. */
void		blkj_rsp_begin(struct blkj_queue *, unsigned int i,
		    uint32_t rsp_idx, int16_t status);
/* Respond, after sring->rsp_prod = rsp_idx + 1 was published. */
void		blkj_rsp_end(struct blkj_queue *, unsigned int i,
		    uint32_t rsp_idx);

/* What a successor does with one queue (blkj_plan()). */
struct blkj_plan {
	uint32_t	rsp_prod_pvt;	/* next response slot */
	uint32_t	req_cons;	/* next request to take from the ring */
	int		again;		/* entry to answer again at rsp_prod_pvt, -1 */
	bool		published;	/* a RESPONDING entry was published: freed */
	int		published_ent;	/* ... which one (-1) */
	unsigned int	nredo;		/* entries to run or answer, oldest first */
	uint16_t	redo[BLKJ_MAX_ENTS];
};

/*
 * Plan the recovery of queue jq (nents slots) given the shared rsp_prod
 * the frontend sees now (guest memory: only compared, never trusted) and
 * the device's limits (every request is validated again).  Reads the
 * journal once; writes nothing.  Returns 0, or -1 with *why (the journal
 * is not to be used).
 */
int		blkj_plan(const struct blkj_queue *jq, unsigned int nents,
		    uint32_t sring_rsp_prod, const struct blk_limits *,
		    struct blkj_plan *, const char **why);

/*
 * Of the requests plan p redoes on queue jq, how many change the disk (a
 * write, with or without flushes, or a discard) and were taken to be run
 * (status 0; a refusal is only answered).  A backing store that cannot
 * fence a dead worker's I/O (NBD: backing.h) must not redo these: the
 * server may still run the old connection's copy after the new one.
 * Reads and flushes are safe to redo.  Pure.
 */
unsigned int	blkj_unfenced_writes(const struct blkj_queue *jq,
		    const struct blkj_plan *p);

/* Is r a request blk_validate() could have produced under lim? */
bool		blkj_req_ok(const struct blk_req *, const struct blk_limits *);

/*
 * Tests only: called after every journal store, so a unit test can check
 * recovery at each point a SIGKILL could fall (NULL in the daemon).
 */
extern void	(*blkj_test_step)(void);

#endif
