/*
 * test_blkring_front.c - blkring.h's back ring against a frontend made of
 * io/ring.h's own macros (FRONT_RING_ATTACH, RING_GET_REQUEST,
 * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, RING_FINAL_CHECK_FOR_RESPONSES), in
 * both layouts: random interleavings of producing, serving, answering out
 * of order and consuming, across the 32-bit index wrap, with a check for
 * lost wake-ups on either side after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blkring_test.h"

/* ---- a frontend made of io/ring.h macros ------------------------------------ */

/* The frontend side of one ring, in whichever ABI. */
struct front {
	enum blk_abi		abi;
	blkif_front_ring_t	f64;
	x32blk_front_ring_t	f32;
};

#define FR(f, op)	((f)->abi == BLK_ABI_X86_64 ? op(&(f)->f64) : op(&(f)->f32))

static void
front_attach(struct front *f, uint8_t *m, enum blk_abi abi,
    unsigned int npages, RING_IDX base)
{
	f->abi = abi;
	hdr_init(m, base);
	FRONT_RING_ATTACH(&f->f64, (blkif_sring_t *)m, base, npages * PAGE);
	FRONT_RING_ATTACH(&f->f32, (x32blk_sring_t *)m, base, npages * PAGE);
}

static unsigned int
front_free(struct front *f)
{
	return FR(f, RING_FREE_REQUESTS);
}

/* Queue one request (not yet pushed); the slot is garbage underneath. */
static void
front_put(struct front *f, const struct req_desc *d)
{
	unsigned int i;

	if (f->abi == BLK_ABI_X86_64) {
		blkif_request_t *rq = RING_GET_REQUEST(&f->f64,
		    f->f64.req_prod_pvt++);

		fill_random(rq, sizeof(*rq));
		if (d->op == BLKIF_OP_DISCARD) {
			struct blkif_request_discard *dq = (void *)rq;

			dq->operation = d->op;
			dq->flag = d->flag;
			dq->handle = d->handle;
			dq->id = d->id;
			dq->sector_number = d->sector;
			dq->nr_sectors = d->nr_sectors;
		} else if (d->op == BLKIF_OP_INDIRECT) {
			struct blkif_request_indirect *iq = (void *)rq;

			iq->operation = d->op;
			iq->indirect_op = d->indirect_op;
			iq->nr_segments = d->inseg;
			iq->id = d->id;
			iq->sector_number = d->sector;
			iq->handle = d->handle;
			for (i = 0; i < NIGREF; i++)
				iq->indirect_grefs[i] = d->igref[i];
		} else {
			rq->operation = d->op;
			rq->nr_segments = d->nseg;
			rq->handle = d->handle;
			rq->id = d->id;
			rq->sector_number = d->sector;
			for (i = 0; i < NSEG; i++)
				rq->seg[i] = d->seg[i];
		}
	} else {
		struct x32_request *rq = RING_GET_REQUEST(&f->f32,
		    f->f32.req_prod_pvt++);

		fill_random(rq, sizeof(*rq));
		encode(BLK_ABI_X86_32, (uint8_t *)rq, d);
	}
}

static RING_IDX
front_cons(const struct front *f)
{
	return f->abi == BLK_ABI_X86_64 ? f->f64.rsp_cons : f->f32.rsp_cons;
}

static bool
front_push(struct front *f)
{
	bool notify;

	if (f->abi == BLK_ABI_X86_64)
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->f64, notify);
	else
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->f32, notify);
	return notify;
}

/* Next response, if any. */
static bool
front_get(struct front *f, uint64_t *id, uint8_t *op, int16_t *st)
{
	if (f->abi == BLK_ABI_X86_64) {
		blkif_response_t *rsp;

		if (!RING_HAS_UNCONSUMED_RESPONSES(&f->f64))
			return false;
		rsp = RING_GET_RESPONSE(&f->f64, f->f64.rsp_cons++);
		*id = rsp->id;
		*op = rsp->operation;
		*st = rsp->status;
	} else {
		struct x32_response *rsp;

		if (!RING_HAS_UNCONSUMED_RESPONSES(&f->f32))
			return false;
		rsp = RING_GET_RESPONSE(&f->f32, f->f32.rsp_cons++);
		*id = rsp->id;
		*op = rsp->operation;
		*st = rsp->status;
	}
	return true;
}

static bool
front_final_check(struct front *f)
{
	int more;

	if (f->abi == BLK_ABI_X86_64)
		RING_FINAL_CHECK_FOR_RESPONSES(&f->f64, more);
	else
		RING_FINAL_CHECK_FOR_RESPONSES(&f->f32, more);
	return more != 0;
}

#define E2E_OUT		1024u		/* > any ring size: ids in flight */

struct e2e {
	struct front	 f;
	struct blk_ring	 r;
	uint8_t		*m;
	struct req_desc	 sent[E2E_OUT];	/* by id % E2E_OUT */
	bool		 pending[E2E_OUT];	/* sent, no response seen */
	uint64_t	 next_id, next_take;
	uint64_t	 taken[E2E_OUT];	/* ids taken, not answered, oldest first */
	unsigned int	 ntaken;
	uint64_t	 nanswered, nseen;
	bool		 back_awake, front_awake;
};

static int16_t
status_of(uint64_t id)
{
	return (int16_t)((int)(id % 3) - 2);	/* -2, -1, 0 */
}

/* Backend: run like the worker's serve loop, up to budget requests. */
static void
e2e_serve(struct e2e *e, unsigned int budget)
{
	struct blk_wire w, want;

	do {
		RING_IDX prod = blk_ring_req_prod(&e->r);

		assert_false(blk_ring_prod_bad(&e->r, prod));
		while (blk_ring_can_take(&e->r, prod)) {
			if (budget-- == 0)
				return;		/* still awake: more to do */
			blk_ring_take(&e->r, &w);
			assert_true(w.id == e->next_take);
			expect_of(&e->sent[w.id % E2E_OUT], &want);
			assert_wire(&w, &want);
			e->next_take++;
			assert_true(e->ntaken < E2E_OUT);
			e->taken[e->ntaken++] = w.id;
		}
	} while (blk_ring_final_check(&e->r));
	e->back_awake = false;
}

/*
 * Backend: answer n taken requests, then push.  Out of order, as I/O
 * completes, but each among the 8 oldest so that none is left behind
 * longer than E2E_OUT ids.
 */
static void
e2e_answer(struct e2e *e, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n && e->ntaken > 0; k++) {
		unsigned int j = (unsigned int)(rng() %
		    (e->ntaken < 8 ? e->ntaken : 8));
		uint64_t id = e->taken[j];

		memmove(&e->taken[j], &e->taken[j + 1],
		    (--e->ntaken - j) * sizeof(e->taken[0]));
		blk_ring_put_rsp(&e->r, id, e->sent[id % E2E_OUT].op,
		    status_of(id));
		e->nanswered++;
	}
	if (blk_ring_push(&e->r))
		e->front_awake = true;
}

/* Frontend: consume every response, then re-arm. */
static void
e2e_consume(struct e2e *e)
{
	uint64_t id;
	uint8_t op;
	int16_t st;

	do {
		while (front_get(&e->f, &id, &op, &st)) {
			assert_true(id < e->next_id);
			if (!e->pending[id % E2E_OUT])
				fail_msg("response for id %llu twice or never "
				    "sent", (unsigned long long)id);
			e->pending[id % E2E_OUT] = false;
			assert_int_equal(op, e->sent[id % E2E_OUT].op);
			assert_int_equal(st, status_of(id));
			e->nseen++;
		}
	} while (front_final_check(&e->f));
	e->front_awake = false;
}

static void
e2e_produce(struct e2e *e, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n && front_free(&e->f) > 0; k++) {
		struct req_desc *d = &e->sent[e->next_id % E2E_OUT];

		assert_false(e->pending[e->next_id % E2E_OUT]);
		desc_random(d);
		d->id = e->next_id++;
		e->pending[d->id % E2E_OUT] = true;
		front_put(&e->f, d);
	}
	if (front_push(&e->f))
		e->back_awake = true;
}

static void
check_e2e(enum blk_abi abi, unsigned int npages, RING_IDX base,
    unsigned int steps)
{
	struct e2e *e = calloc(1, sizeof(*e));
	unsigned int s, size;

	assert_non_null(e);
	e->m = area_new(npages, 0);
	fill_random(e->m, (size_t)npages * PAGE);
	front_attach(&e->f, e->m, abi, npages, base);
	assert_int_equal(blk_ring_attach(&e->r, e->m, abi, npages), 0);
	size = e->r.nr_ents;
	assert_int_equal(size, FR(&e->f, RING_SIZE));
	e->back_awake = e->front_awake = false;
	for (s = 0; s < steps; s++) {
		switch (rng() % 4) {
		case 0:
			e2e_produce(e, 1 + (unsigned int)(rng() % size));
			break;
		case 1:
			if (e->back_awake)
				e2e_serve(e, (unsigned int)(rng() % (size + 4)));
			break;
		case 2:
			e2e_answer(e, (unsigned int)(rng() % (size + 1)));
			break;
		default:
			if (e->front_awake)
				e2e_consume(e);
			break;
		}
		/* A side asleep has nothing waiting for it: no lost wakeup. */
		if (!e->back_awake && hget(e->m, REQ_PROD) != e->r.req_cons)
			fail_msg("step %u: requests %u..%u wait for a backend "
			    "that was not notified", s, e->r.req_cons,
			    hget(e->m, REQ_PROD));
		if (!e->front_awake && hget(e->m, RSP_PROD) != front_cons(&e->f))
			fail_msg("step %u: responses %u..%u wait for a frontend "
			    "that was not notified", s, front_cons(&e->f),
			    hget(e->m, RSP_PROD));
	}
	/* Drain. */
	while (e->back_awake || e->ntaken > 0 || e->front_awake) {
		if (e->back_awake)
			e2e_serve(e, UINT32_MAX);
		e2e_answer(e, E2E_OUT);
		if (e->front_awake)
			e2e_consume(e);
	}
	assert_true(e->next_take == e->next_id);
	assert_true(e->nanswered == e->next_id);
	assert_true(e->nseen == e->next_id);
	assert_true(e->next_id > steps / 8);
	free(e->m);
	free(e);
}

static void
test_front_macros(void **state)
{
	(void)state;
	rng_state = 0x5eed5eed5eed5eedULL;
	check_e2e(BLK_ABI_X86_64, 1, 0, 20000);
	check_e2e(BLK_ABI_X86_32, 1, 0, 20000);
	check_e2e(BLK_ABI_X86_64, 1, UINT32_MAX - 100, 20000);
	check_e2e(BLK_ABI_X86_32, 1, UINT32_MAX - 100, 20000);
	check_e2e(BLK_ABI_X86_64, 2, UINT32_MAX - 3, 20000);
	check_e2e(BLK_ABI_X86_32, 16, UINT32_MAX - 1000, 40000);
	check_e2e(BLK_ABI_X86_64, 16, UINT32_MAX - 1000, 40000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_front_macros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
