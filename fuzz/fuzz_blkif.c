/*
 * fuzz_blkif.c - blkif request copy and validation (blkring.c, blkif.c,
 * pgrant.c) as blkio.c's blk_serve()/blk_take_one()/blk_indirect() drive
 * them, over a shared ring and granted pages made of the fuzzer's bytes.
 *
 * Input: flags, ring pages, disk size, a second request producer (the
 * guest moves it between two passes, backwards too), the persistent grant
 * table size, how many requests stay in flight before the oldest is
 * answered (the backing store's latency), a split, then the guest's
 * memory: bytes [0, split) fill the
 * ring pages (repeated), the rest fills four "granted" pages that indirect
 * descriptors come from.  The ring and the indirect buffer are allocated
 * at their exact size so ASan sees any access past them.
 */
#include <stdbool.h>

#include "blkif.h"
#include "blkring.h"
#include "pgrant.h"
#include "fuzz.h"

#define F_ABI64		0x01u
#define F_RO		0x02u
#define F_FLUSH		0x04u
#define F_DISCARD	0x08u
#define F_SECURE	0x10u
#define F_SCRIBBLE	0x20u	/* guest rewrites a slot right after our copy */
#define F_INDIRECT(f)	((f) >> 6)

#define NGPAGES		4u
/* A grant ref from here up is "not granted": the copy fails. */
#define GREF_BAD	0xfff00000u

static uint8_t gpages[NGPAGES][XB_PAGE_SIZE];

/* Requests taken and not yet answered, oldest first. */
struct inflight {
	uint64_t	id;
	uint8_t		op;
	int16_t		st;
};
static struct inflight fifo[XB_RING_MAX_PAGES * XB_PAGE_SIZE / 108];
static unsigned int fifo_head, fifo_n;

static void
answer_oldest(struct blk_ring *ring)
{
	struct inflight *f = &fifo[fifo_head];

	FUZZ_CHECK(fifo_n > 0);
	blk_ring_put_rsp(ring, f->id, f->op, f->st);
	fifo_head = (fifo_head + 1) % (sizeof(fifo) / sizeof(fifo[0]));
	fifo_n--;
}
static uint8_t pgpage[XB_PAGE_SIZE];

static void *
fake_map(void *arg, uint32_t gref)
{
	(void)arg;
	/* Some maps fail: the segment then goes by grant copy. */
	return gref % 5 == 4 || gref >= GREF_BAD ? NULL : pgpage;
}

static void
fake_unmap(void *arg, void *addr)
{
	(void)arg;
	FUZZ_CHECK(addr == pgpage);
}

/* blk_indirect(): copy the indirect pages once (here from gpages). */
static int
copy_indirect(const struct blk_req *r, uint8_t *ipages)
{
	unsigned int i, left = r->nseg;

	/* ipages holds BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST pages. */
	FUZZ_CHECK(r->nipages <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
	FUZZ_CHECK(r->nipages == BLK_IPAGES(r->nseg));
	for (i = 0; i < r->nipages; i++) {
		unsigned int n = left < BLK_SEGS_PER_IPAGE ? left :
		    (unsigned int)BLK_SEGS_PER_IPAGE;
		size_t len = n * sizeof(struct blkif_request_segment);

		/* gnt_batch_add's bound. */
		FUZZ_CHECK(len > 0 && len <= XB_PAGE_SIZE);
		if (r->igref[i] >= GREF_BAD)
			return -1;
		memcpy(ipages + (size_t)i * XB_PAGE_SIZE,
		    gpages[r->igref[i] % NGPAGES], len);
		left -= n;
	}
	return 0;
}

/* What blk_validate() promises about a request it accepted. */
static void
check_ok(const struct blk_wire *w, const struct blk_req *r,
    const struct blk_limits *lim)
{
	uint64_t sum = 0;
	unsigned int i;

	FUZZ_CHECK(r->id == w->id);
	FUZZ_CHECK(r->nipages == 0);
	FUZZ_CHECK(!lim->readonly || r->kind == BLK_READ);
	if (r->kind == BLK_DISCARD) {
		FUZZ_CHECK(w->operation == BLKIF_OP_DISCARD && lim->discard);
		FUZZ_CHECK(!r->secure || lim->discard_secure);
		FUZZ_CHECK(r->nseg == 0);
		if (r->nr_sectors > 0) {
			FUZZ_CHECK(r->sector + r->nr_sectors > r->sector);
			FUZZ_CHECK(r->sector + r->nr_sectors <= lim->sectors);
		}
		return;
	}
	FUZZ_CHECK(r->kind == BLK_READ || r->kind == BLK_WRITE ||
	    r->kind == BLK_FLUSH);
	FUZZ_CHECK(r->nseg <= BLK_MAX_SEGS);
	if (w->operation == BLKIF_OP_INDIRECT) {
		FUZZ_CHECK(r->op == w->indirect_op);
		FUZZ_CHECK(r->nseg >= 1 && r->nseg <= lim->max_indirect);
		FUZZ_CHECK(r->kind == BLK_READ || r->kind == BLK_WRITE);
	} else {
		FUZZ_CHECK(r->op == w->operation);
		FUZZ_CHECK(r->nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
		for (i = 0; i < r->nseg; i++)
			FUZZ_CHECK(r->seg[i].gref == w->seg[i].gref);
	}
	if (r->kind == BLK_FLUSH)
		FUZZ_CHECK(r->nseg == 0 && lim->flush);
	else
		FUZZ_CHECK(r->nseg >= 1);
	if ((r->preflush || r->postflush || r->drain))
		FUZZ_CHECK(lim->flush);
	for (i = 0; i < r->nseg; i++) {
		const struct blk_seg *s = &r->seg[i];

		/* The grant copy / mapped page access stays in its page. */
		FUZZ_CHECK(s->len > 0);
		FUZZ_CHECK(s->len % 512 == 0 && s->offset % 512 == 0);
		FUZZ_CHECK((uint32_t)s->offset + s->len <= XB_PAGE_SIZE);
		sum += s->len / 512;
	}
	FUZZ_CHECK(sum == r->nr_sectors);
	if (r->nseg > 0) {
		FUZZ_CHECK(r->sector + r->nr_sectors >= r->sector);
		FUZZ_CHECK(r->sector + r->nr_sectors <= lim->sectors);
	}
}

/* Persistent grants: the guest picks the refs, the table must hold. */
static void
use_pgrants(struct pgrant_table *pt, const struct blk_req *r, uint64_t now)
{
	struct pgrant *p[BLK_MAX_SEGS];
	unsigned int i;

	for (i = 0; i < r->nseg; i++) {
		p[i] = pgrant_get(pt, r->seg[i].gref, now);
		if (p[i] != NULL)
			FUZZ_CHECK(p[i]->gref == r->seg[i].gref &&
			    p[i]->addr == pgpage && p[i]->busy > 0);
	}
	FUZZ_CHECK(pgrant_count(pt) <= pt->max);
	for (i = 0; i < r->nseg; i++)
		if (p[i] != NULL)
			pgrant_put(pt, p[i]);
	if (now % 8 == 0)
		pgrant_purge(pt, now - 4);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size }, gin;
	struct blk_limits lim;
	struct pgrant_table pt;
	struct blk_ring ring;
	struct blk_wire w;
	struct blk_req *r;
	uint8_t *sring, *ipages, snap[112];
	unsigned int npages, pass, lag, loops;
	enum blk_abi abi;
	uint32_t prod2;
	uint16_t split;
	uint64_t now = 0;
	uint8_t f;

	f = fuzz_u8(&in);
	npages = (fuzz_u8(&in) & (XB_RING_MAX_PAGES - 1)) + 1;
	memset(&lim, 0, sizeof(lim));
	lim.sectors = fuzz_u64(&in);
	lim.readonly = f & F_RO;
	lim.flush = f & F_FLUSH;
	/* The worker offers discard only on a writable disk. */
	lim.discard = (f & F_DISCARD) && !lim.readonly;
	lim.discard_secure = lim.discard && (f & F_SECURE);
	/* The worker says BLK_MAX_SEGS; 1024 checks the clamp on out->seg. */
	lim.max_indirect = (unsigned int[]){ 0, BLK_MAX_SEGS, 32, 1024 }
	    [F_INDIRECT(f)];
	abi = f & F_ABI64 ? BLK_ABI_X86_64 : BLK_ABI_X86_32;
	prod2 = fuzz_u32(&in);
	if (pgrant_init(&pt, fuzz_u8(&in) & 7, fake_map, fake_unmap, NULL) == -1)
		return 0;
	lag = fuzz_u8(&in);
	fifo_head = fifo_n = 0;
	split = fuzz_u16(&in);
	if (split > in.n)
		split = (uint16_t)in.n;
	gin.p = in.p + split;
	gin.n = in.n - split;
	in.n = split;

	sring = malloc((size_t)npages * XB_PAGE_SIZE);
	ipages = malloc(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * XB_PAGE_SIZE);
	r = malloc(sizeof(*r));
	FUZZ_CHECK(sring != NULL && ipages != NULL && r != NULL);
	fuzz_fill(&in, sring, (size_t)npages * XB_PAGE_SIZE);
	fuzz_fill(&gin, gpages, sizeof(gpages));

	if (blk_ring_attach(&ring, sring, abi, npages) == -1)
		goto out;
	FUZZ_CHECK(ring.nr_ents >= 1 &&
	    (ring.nr_ents & (ring.nr_ents - 1)) == 0);
	FUZZ_CHECK(64 + ring.nr_ents * ring.slot <= npages * XB_PAGE_SIZE);

	/*
	 * blk_serve(); a request is answered once more than lag are in
	 * flight, the rest when the guest has moved its producer.
	 */
	for (pass = 0; pass < 2; pass++) {
		loops = 0;
		do {
			RING_IDX prod = blk_ring_req_prod(&ring);

			/* A guest must not keep us in this loop. */
			FUZZ_CHECK(++loops <= 2);
			if (blk_ring_prod_bad(&ring, prod))
				goto out;	/* blk_halt() */
			while (blk_ring_can_take(&ring, prod)) {
				size_t so = 64 + (size_t)(ring.req_cons &
				    (ring.nr_ents - 1)) * ring.slot;
				const char *why = NULL;
				struct inflight *fl;
				int st;

				/*
				 * Only slots the guest published, and never
				 * more in flight than slots to answer them
				 * (RING_REQUEST_CONS_OVERFLOW).
				 */
				FUZZ_CHECK((RING_IDX)(prod - ring.req_cons) >= 1 &&
				    (RING_IDX)(prod - ring.req_cons) <= ring.nr_ents);
				FUZZ_CHECK(ring.req_cons - ring.rsp_prod_pvt <
				    ring.nr_ents);
				FUZZ_CHECK(fifo_n == ring.req_cons -
				    ring.rsp_prod_pvt);
				memcpy(snap, sring + so, ring.slot);
				blk_ring_take(&ring, &w);
				if (f & F_SCRIBBLE)
					memset(sring + so, 0xa5, ring.slot);
				/* The copy is of what the slot held when taken. */
				FUZZ_CHECK(w.operation == snap[0]);
				FUZZ_CHECK(w.id == get64(snap +
				    (abi == BLK_ABI_X86_64 ? 8 : 4)));

				st = blk_validate(&w, &lim, r, &why);
				if (st == BLKIF_RSP_OKAY && r->nipages > 0) {
					if (copy_indirect(r, ipages) == -1) {
						why = "indirect page not granted";
						st = BLKIF_RSP_ERROR;
					} else
						st = blk_validate_indirect(r,
						    (const void *)ipages, &lim,
						    &why);
				}
				if (st == BLKIF_RSP_OKAY) {
					check_ok(&w, r, &lim);
					use_pgrants(&pt, r, ++now);
				} else {
					FUZZ_CHECK(st == BLKIF_RSP_ERROR ||
					    st == BLKIF_RSP_EOPNOTSUPP);
					FUZZ_CHECK(why != NULL && why[0] != '\0');
				}
				fl = &fifo[(fifo_head + fifo_n++) %
				    (sizeof(fifo) / sizeof(fifo[0]))];
				fl->id = w.id;
				fl->op = r->op;
				fl->st = (int16_t)st;
				if (fifo_n > lag)
					answer_oldest(&ring);
			}
			(void)blk_ring_push(&ring);
		} while (blk_ring_final_check(&ring));
		/* The guest publishes more, or moves its producer anywhere. */
		memcpy(sring, &prod2, sizeof(prod2));
	}
	while (fifo_n > 0)
		answer_oldest(&ring);
	(void)blk_ring_push(&ring);
out:
	pgrant_free(&pt);
	free(r);
	free(ipages);
	free(sring);
	return 0;
}
