/*
 * test_blkjournal.c - blkbackd's restart journal (blkjournal.h) and the
 * common sealed memfd (journal.h).
 *
 * The crash test runs a random take/respond sequence over a model ring
 * (32 slots, 300 requests, some refused) with the journal calls the
 * worker makes, in the worker's order.  After every journal store and
 * every ring store (blkj_test_step) it "crashes": it copies the journal
 * as it stands, plans the recovery from the copy, carries the plan out in
 * the model and checks that every request gets exactly one response:
 * published before the crash, written again, done again, or taken again
 * from the ring.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "blkjournal.h"
#include "journal.h"
#include "xorshift.h"

#define NENTS	32u
#define NREQ	300u

static const struct blk_limits lim = {
	.sectors = 1 << 20, .flush = true, .discard = true,
	.max_indirect = 256,
};

/* The model: the worker's indexes and what the frontend saw. */
static struct blkj_queue *jq, *snap;
static uint32_t req_cons, rsp_pvt, shared_rsp;
static uint64_t published[NREQ * 2];	/* id of response i */
static bool busy[NENTS];
static unsigned int nsteps;

static void
make_req(struct blk_req *r, uint32_t k)
{
	memset(r, 0, sizeof(*r));
	r->id = k;
	r->op = BLKIF_OP_READ;
	r->kind = k % 5 == 0 ? BLK_WRITE : BLK_READ;
	r->nseg = 1 + k % 3;
	r->sector = k * 8;
	r->nr_sectors = r->nseg * 8;
	for (unsigned int i = 0; i < r->nseg; i++) {
		r->seg[i].gref = 100 + k;
		r->seg[i].len = 4096;
	}
	if (k % 11 == 0)
		r->kind = BLK_FLUSH, r->nseg = 0, r->nr_sectors = 0;
}

/* Crash here: recover from a copy of the journal and check. */
static void
crash_check(void)
{
	static unsigned char answered[NREQ];
	struct blkj_plan p;
	const char *why = "";
	uint32_t i, k;

	nsteps++;
	memcpy(snap, jq, sizeof(*jq));
	if (blkj_plan(snap, NENTS, shared_rsp, &lim, &p, &why) != 0)
		fail_msg("step %u: plan failed: %s", nsteps, why);
	assert_int_equal(p.rsp_prod_pvt, shared_rsp);
	memset(answered, 0, sizeof(answered));
	for (i = 0; i < shared_rsp; i++)
		answered[published[i]]++;
	if (p.again >= 0)
		answered[snap->ent[p.again].r.id]++;
	for (i = 0; i < p.nredo; i++) {
		const struct blkj_ent *e = &snap->ent[p.redo[i]];

		/* Oldest first. */
		if (i > 0)
			assert_true((int32_t)(e->req_idx -
			    snap->ent[p.redo[i - 1]].req_idx) > 0);
		assert_int_equal(e->r.id, e->req_idx);
		answered[e->r.id]++;
	}
	for (k = p.req_cons; k < NREQ; k++)
		answered[k]++;		/* still on the ring: taken again */
	for (k = 0; k < NREQ; k++)
		if (answered[k] != 1)
			fail_msg("step %u: request %u answered %u times (plan: "
			    "cons %u rsp %u again %d redo %u)", nsteps, k,
			    answered[k], p.req_cons, p.rsp_prod_pvt, p.again,
			    p.nredo);
}

static void
model_take(void)
{
	struct blk_req r;
	unsigned int i;

	for (i = 0; busy[i]; i++)
		;
	make_req(&r, req_cons);
	req_cons++;		/* the worker's private index (blk_ring_take) */
	blkj_take(jq, i, req_cons - 1, &r, req_cons % 7 == 3 ?
	    BLKIF_RSP_ERROR : BLKIF_RSP_OKAY);
	busy[i] = true;
}

static void
model_respond(unsigned int i)
{
	uint32_t at = rsp_pvt;

	blkj_rsp_begin(jq, i, at, jq->ent[i].status);
	published[at] = jq->ent[i].r.id;	/* the slot written */
	crash_check();
	rsp_pvt++;
	shared_rsp = rsp_pvt;			/* RING_PUSH_RESPONSES */
	crash_check();
	blkj_rsp_end(jq, i, at);
	busy[i] = false;
}

static void
test_crash_everywhere(void **state)
{
	unsigned int nbusy, i, pick;

	(void)state;
	jq = calloc(1, sizeof(*jq));
	snap = calloc(1, sizeof(*snap));
	assert_non_null(jq);
	assert_non_null(snap);
	req_cons = rsp_pvt = shared_rsp = 0;
	nsteps = 0;
	blkj_test_step = crash_check;
	crash_check();
	while (rsp_pvt < NREQ) {
		nbusy = req_cons - rsp_pvt;
		if (req_cons < NREQ && nbusy < NENTS &&
		    (nbusy == 0 || rng() % 3 != 0)) {
			model_take();
			continue;
		}
		/* Answer a random one: completions come in any order. */
		pick = (unsigned int)(rng() % nbusy);
		for (i = 0; i < NENTS; i++)
			if (busy[i] && pick-- == 0)
				break;
		model_respond(i);
	}
	blkj_test_step = NULL;
	assert_true(nsteps > 4 * NREQ);
	free(jq);
	free(snap);
}

/* ---- validation: a journal is input like any other ---------------------- */

static struct blkj_queue *
fresh(void)
{
	struct blkj_queue *q = calloc(1, sizeof(*q));
	struct blk_req r;

	assert_non_null(q);
	/* Two taken (0, 1), one answered (0): 1 outstanding. */
	make_req(&r, 1);
	blkj_take(q, 0, 0, &r, 0);
	blkj_take(q, 1, 1, &r, 0);
	q->ent[1].r.id = 1;
	blkj_rsp_begin(q, 0, 0, 0);
	blkj_rsp_end(q, 0, 0);
	return q;
}

static void
test_bad_journals(void **state)
{
	struct blkj_queue *q;
	struct blkj_plan p;
	const char *why;

	(void)state;
	q = fresh();
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), 0);
	assert_int_equal(p.nredo, 1);
	assert_int_equal(p.req_cons, 2);

	q->req_cons = 1000;			/* more outstanding than slots */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[5] = q->ent[1];			/* two entries, one request */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].state = 7;			/* unknown state */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].r.sector = lim.sectors;	/* past the end */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].r.nseg = 300;			/* more segments than there are */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].r.seg[0].offset = 4096 - 512;	/* crosses the page */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].status = 5;			/* not a BLKIF_RSP_* */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	q->ent[1].state = BLKJ_FREE;		/* count does not match */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	blkj_rsp_begin(q, 1, 3, 0);		/* responding at a wrong index */
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), -1);
	free(q);

	q = fresh();
	assert_int_equal(blkj_plan(q, BLKJ_MAX_ENTS + 1, 1, &lim, &p, &why),
	    -1);
	free(q);

	/* A guest scribbling on rsp_prod costs only itself: plan still valid. */
	q = fresh();
	blkj_rsp_begin(q, 1, 1, 0);
	assert_int_equal(blkj_plan(q, NENTS, 0xdeadbeef, &lim, &p, &why), 0);
	assert_int_equal(p.again, 1);
	free(q);
}

/* ---- the sealed memfd and the header ------------------------------------ */

static void
test_journal_memfd(void **state)
{
	struct journal_hdr *h;
	struct blkj *j;
	const char *why = "";
	size_t size;
	int fd;

	(void)state;
	fd = journal_create(blkj_size(4), JOURNAL_BLK, 3, 51712);
	assert_true(fd >= 0);
	/* Sealed: it can neither shrink nor grow nor be unsealed. */
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), -1);
	h = journal_map(fd, &size);
	assert_non_null(h);
	assert_true(size >= blkj_size(4));
	j = (struct blkj *)h;
	j->maxq = 4;
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), 0);
	assert_int_equal(blkj_check(j, size, 4, 51712, &why), -1);
	assert_int_equal(blkj_check(j, size - 4096, 3, 51712, &why), -1);
	j->maxq = 1000;
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), -1);
	j->maxq = 4;
	journal_set(h, JOURNAL_CONNECTED);
	j->nq = 0;				/* connected, no queue */
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), -1);
	j->nq = 1;
	j->abi = BLK_ABI_X86_64;
	j->q[0].npages = 1;
	j->q[0].nents = ring_nr_ents(blk_abi_slot(BLK_ABI_X86_64), 1);
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), 0);
	j->q[0].nents = 1000;
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), -1);
	j->q[0].nents = 32;
	h->magic ^= 1;
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), -1);
	h->magic ^= 1;
	h->flags |= 0x100;
	assert_int_equal(blkj_check(j, size, 3, 51712, &why), -1);
	journal_unmap(h, size);
	close(fd);

	/* An unsealed memfd is refused. */
	fd = memfd_create("x", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	assert_null(journal_map(fd, &size));
	close(fd);
}

/*
 * NBD cannot fence a dead worker's writes (blkj_unfenced_writes()): the
 * writes and discards a plan would run count, reads, flushes, refusals
 * and the response written again do not.
 */
static void
test_unfenced_writes(void **state)
{
	struct blkj_queue *q = calloc(1, sizeof(*q));
	struct blkj_plan p;
	struct blk_req r;
	const char *why;

	(void)state;
	assert_non_null(q);
	make_req(&r, 1);			/* read */
	blkj_take(q, 0, 0, &r, 0);
	make_req(&r, 11);			/* flush */
	blkj_take(q, 1, 1, &r, 0);
	assert_int_equal(blkj_plan(q, NENTS, 0, &lim, &p, &why), 0);
	assert_int_equal(p.nredo, 2);
	assert_int_equal(blkj_unfenced_writes(q, &p), 0);

	make_req(&r, 5);			/* write */
	blkj_take(q, 2, 2, &r, 0);
	make_req(&r, 10);			/* write, refused: only answered */
	blkj_take(q, 3, 3, &r, BLKIF_RSP_ERROR);
	memset(&r, 0, sizeof(r));		/* discard */
	r.id = 4;
	r.op = BLKIF_OP_DISCARD;
	r.kind = BLK_DISCARD;
	r.sector = 64;
	r.nr_sectors = 8;
	blkj_take(q, 4, 4, &r, 0);
	make_req(&r, 15);			/* write, preflush */
	r.preflush = true;
	blkj_take(q, 5, 5, &r, 0);
	assert_int_equal(blkj_plan(q, NENTS, 0, &lim, &p, &why), 0);
	assert_int_equal(p.nredo, 6);
	assert_int_equal(blkj_unfenced_writes(q, &p), 3);

	/* The write answered: gone.  A write being answered: not redone. */
	blkj_rsp_begin(q, 2, 0, 0);
	blkj_rsp_end(q, 2, 0);
	blkj_rsp_begin(q, 5, 1, 0);
	assert_int_equal(blkj_plan(q, NENTS, 1, &lim, &p, &why), 0);
	assert_int_equal(p.again, 5);
	assert_int_equal(p.nredo, 4);
	assert_int_equal(blkj_unfenced_writes(q, &p), 1);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_everywhere),
		cmocka_unit_test(test_bad_journals),
		cmocka_unit_test(test_journal_memfd),
		cmocka_unit_test(test_unfenced_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
