/*
 * blkjournal.c - blkbackd's restart journal.  See blkjournal.h.  Pure: no
 * I/O; unit-tested in tests/unit/test_blkjournal.c and fuzzed by
 * fuzz_journal.
 */
#include <stddef.h>
#include <string.h>

#include "blkbackd.h"
#include "blkjournal.h"
#include "blkring.h"

void	(*blkj_test_step)(void);

/*
 * A store the next one must not overtake (the journal outlives us); the
 * unit test "crashes" after each one.
 */
#define REL(p, v)	do {						\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE);			\
	if (blkj_test_step != NULL)					\
		blkj_test_step();					\
} while (0)
#define ACQ(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)

size_t
blkj_size(unsigned int maxq)
{
	return sizeof(struct blkj) + (size_t)maxq * sizeof(struct blkj_queue);
}

int
blkj_check(const struct blkj *j, size_t mapped, unsigned int domid,
    unsigned int devid, const char **why)
{
	unsigned int i, maxq, nq, np;

	if (journal_check(&j->h, mapped, sizeof(*j), JOURNAL_BLK, domid, devid,
	    why) == -1)
		return -1;
	maxq = j->maxq;
	if (maxq == 0 || maxq > BLK_MAX_QUEUES || blkj_size(maxq) > mapped) {
		*why = "queue room out of bounds";
		return -1;
	}
	if (!(journal_flags(&j->h) & JOURNAL_CONNECTED))
		return 0;
	nq = j->nq;
	if (nq == 0 || nq > maxq) {
		*why = "queue count out of bounds";
		return -1;
	}
	if (j->abi != BLK_ABI_X86_32 && j->abi != BLK_ABI_X86_64) {
		*why = "unknown ABI";
		return -1;
	}
	np = j->q[0].npages;
	for (i = 0; i < nq; i++) {
		const struct blkj_queue *q = &j->q[i];

		if (q->npages != np || np == 0 || np > XB_RING_MAX_PAGES ||
		    q->nents != ring_nr_ents(blk_abi_slot(j->abi), np) ||
		    q->nents > BLKJ_MAX_ENTS) {
			*why = "ring size out of bounds";
			return -1;
		}
	}
	return 0;
}

void
blkj_take(struct blkj_queue *jq, unsigned int i, uint32_t req_idx,
    const struct blk_req *r, int16_t status)
{
	struct blkj_ent *e = &jq->ent[i];

	e->req_idx = req_idx;
	e->status = status;
	e->rsp_idx = 0;
	/* Only what is used: the segments of a 4 KiB request, not 256. */
	memcpy(&e->r, r, offsetof(struct blk_req, seg));
	memcpy(e->r.seg, r->seg, (r->nseg <= BLK_MAX_SEGS ? r->nseg :
	    BLK_MAX_SEGS) * sizeof(r->seg[0]));
	REL(&e->state, (uint32_t)BLKJ_TAKEN);
	REL(&jq->req_cons, req_idx + 1);
}

void
blkj_rsp_begin(struct blkj_queue *jq, unsigned int i, uint32_t rsp_idx,
    int16_t status)
{
	struct blkj_ent *e = &jq->ent[i];

	e->status = status;
	e->rsp_idx = rsp_idx;
	REL(&e->state, (uint32_t)BLKJ_RESPONDING);
}

void
blkj_rsp_end(struct blkj_queue *jq, unsigned int i, uint32_t rsp_idx)
{
	REL(&jq->rsp, rsp_idx + 1);
	REL(&jq->ent[i].state, (uint32_t)BLKJ_FREE);
}

/* A bool stored by another process: 0 or 1, read as a byte (no UB). */
static bool
bool_ok(const bool *b)
{
	uint8_t v;

	memcpy(&v, b, 1);
	return v <= 1;
}

bool
blkj_req_ok(const struct blk_req *r, const struct blk_limits *lim)
{
	uint64_t bytes = 0;
	unsigned int i;

	if (!bool_ok(&r->preflush) || !bool_ok(&r->postflush) ||
	    !bool_ok(&r->drain) || !bool_ok(&r->secure))
		return false;
	if (r->nipages != 0 || r->nseg > BLK_MAX_SEGS)
		return false;
	switch (r->kind) {
	case BLK_FLUSH:
		return r->nseg == 0 && lim->flush;
	case BLK_DISCARD:
		/* blk_io_start() zeroes nseg; the journal has it as taken. */
		return lim->discard && !lim->readonly &&
		    r->nr_sectors <= lim->sectors &&
		    r->sector <= lim->sectors - r->nr_sectors &&
		    (!r->secure || lim->discard_secure);
	case BLK_WRITE:
		if (lim->readonly)
			return false;
		/* FALLTHROUGH */
	case BLK_READ:
		if (r->nseg == 0)
			return false;
		for (i = 0; i < r->nseg; i++) {
			const struct blk_seg *s = &r->seg[i];

			if (s->len == 0 || s->len % 512 != 0 ||
			    s->offset % 512 != 0 ||
			    (unsigned int)s->offset + s->len > XB_PAGE_SIZE)
				return false;
			bytes += s->len;
		}
		if ((r->preflush || r->postflush || r->drain) && !lim->flush)
			return false;
		return bytes == r->nr_sectors << BLK_SECTOR_SHIFT &&
		    r->nr_sectors <= lim->sectors &&
		    r->sector <= lim->sectors - r->nr_sectors;
	default:
		return false;
	}
}

int
blkj_plan(const struct blkj_queue *jq, unsigned int nents,
    uint32_t sring_rsp_prod, const struct blk_limits *lim,
    struct blkj_plan *p, const char **why)
{
	uint32_t rsp = ACQ(&jq->rsp), cons = ACQ(&jq->req_cons);
	uint32_t age[BLKJ_MAX_ENTS];
	unsigned int i, k, ntaken = 0;
	bool extra = false;

	memset(p, 0, sizeof(*p));
	p->again = p->published_ent = -1;
	if (nents == 0 || nents > BLKJ_MAX_ENTS) {
		*why = "ring size out of bounds";
		return -1;
	}
	if (cons - rsp > nents) {
		*why = "more requests outstanding than slots";
		return -1;
	}
	/* The RESPONDING entry first: it decides where responses resume. */
	for (i = 0; i < nents; i++) {
		const struct blkj_ent *e = &jq->ent[i];
		uint32_t st = ACQ(&e->state);

		if (st == BLKJ_FREE || st == BLKJ_TAKEN)
			continue;
		if (st != BLKJ_RESPONDING || p->again != -1 ||
		    p->published_ent != -1) {
			*why = "bad entry state, or two responding";
			return -1;
		}
		if (e->rsp_idx + 1 == rsp) {
			/* Died between jq.rsp and FREE: done. */
			p->published_ent = (int)i;
		} else if (e->rsp_idx != rsp) {
			*why = "responding entry not at the response index";
			return -1;
		} else if (sring_rsp_prod == rsp + 1) {
			/* Published, not journaled: never write it again. */
			rsp++;
			p->published = true;
			p->published_ent = (int)i;
		} else
			p->again = (int)i;
		if (e->status > 0 || e->status < BLKIF_RSP_EOPNOTSUPP) {
			*why = "bad response status";
			return -1;
		}
	}
	for (i = 0; i < nents; i++) {
		const struct blkj_ent *e = &jq->ent[i];
		uint32_t d;

		if (ACQ(&e->state) != BLKJ_TAKEN)
			continue;
		if (e->req_idx == cons && !extra) {
			/* Died between the entry and jq.req_cons: taken. */
			extra = true;
			d = 0;
		} else if ((d = cons - e->req_idx) == 0 || d > 0x7fffffffu) {
			*why = "request index out of range";
			return -1;
		}
		if (e->status > 0 || e->status < BLKIF_RSP_EOPNOTSUPP ||
		    (e->status == BLKIF_RSP_OKAY && !blkj_req_ok(&e->r, lim))) {
			*why = "journaled request fails validation";
			return -1;
		}
		for (k = 0; k < ntaken; k++)
			if (age[k] == d) {
				*why = "two entries for one request";
				return -1;
			}
		/* Oldest first: insertion by distance from cons. */
		for (k = ntaken; k > 0 && age[k - 1] < d; k--) {
			age[k] = age[k - 1];
			p->redo[k] = p->redo[k - 1];
		}
		age[k] = d;
		p->redo[k] = (uint16_t)i;
		ntaken++;
	}
	if (extra)
		cons++;
	/* Every outstanding request has exactly one entry. */
	if (ntaken + (p->again != -1) != cons - rsp) {
		*why = "entries do not match the indexes";
		return -1;
	}
	p->nredo = ntaken;
	p->rsp_prod_pvt = rsp;
	p->req_cons = cons;
	return 0;
}

unsigned int
blkj_unfenced_writes(const struct blkj_queue *jq, const struct blkj_plan *p)
{
	unsigned int k, n = 0;

	for (k = 0; k < p->nredo && k < BLKJ_MAX_ENTS; k++) {
		const struct blkj_ent *e = &jq->ent[p->redo[k]];

		if (e->status == BLKIF_RSP_OKAY &&
		    (e->r.kind == BLK_WRITE || e->r.kind == BLK_DISCARD))
			n++;
	}
	return n;
}
