/*
 * fuzz_journal.c - a restart journal made of the fuzzer's bytes, as a
 * successor worker reads it (blkjournal.c blkj_check(), blkj_plan()): a
 * journal is input like a guest's ring, since a dead worker may have
 * been a compromised one.
 *
 * Input: the ring size, the shared rsp_prod the frontend shows, the disk
 * limits, the queue's indexes, then per entry its state, indexes, status
 * and request.  Whatever the plan accepts must be within the bounds a
 * resume relies on: every index below the ring size, each entry once,
 * only TAKEN entries redone, every redone request valid under the limits,
 * no more outstanding than slots.
 */
#include <stdbool.h>

#include "blkjournal.h"
#include "fuzz.h"

static struct blkj_queue jq;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct blkj_plan p;
	struct blk_limits lim;
	bool seen[BLKJ_MAX_ENTS];
	const char *why = "";
	uint32_t rsp_prod;
	uint16_t n;
	uint8_t f;
	unsigned int i, nents;

	fuzz_take(&in, &n, sizeof(n));
	nents = 1u << (n % 10);			/* 1..512, as rings are */
	fuzz_take(&in, &rsp_prod, sizeof(rsp_prod));
	memset(&lim, 0, sizeof(lim));
	fuzz_take(&in, &f, sizeof(f));
	lim.readonly = f & 1;
	lim.flush = f & 2;
	lim.discard = f & 4;
	lim.discard_secure = f & 8;
	fuzz_take(&in, &lim.sectors, sizeof(lim.sectors));
	fuzz_take(&in, &jq.req_cons, sizeof(jq.req_cons));
	fuzz_take(&in, &jq.rsp, sizeof(jq.rsp));
	for (i = 0; i < nents; i++) {
		struct blkj_ent *e = &jq.ent[i];

		memset(e, 0, sizeof(*e));
		fuzz_take(&in, &e->state, 1);
		if (e->state == 0 && in.n == 0)
			continue;
		fuzz_take(&in, &e->req_idx, sizeof(e->req_idx));
		fuzz_take(&in, &e->rsp_idx, sizeof(e->rsp_idx));
		fuzz_take(&in, &e->status, sizeof(e->status));
		/* The request up to its first segments. */
		fuzz_take(&in, &e->r, offsetof(struct blk_req, seg) +
		    4 * sizeof(e->r.seg[0]));
		e->r.kind = (enum blk_kind)((unsigned int)e->r.kind % 6);
	}
	if (blkj_plan(&jq, nents, rsp_prod, &lim, &p, &why) != 0)
		return 0;
	FUZZ_CHECK(p.req_cons - p.rsp_prod_pvt <= nents);
	FUZZ_CHECK(p.nredo <= nents);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p.nredo; i++) {
		const struct blkj_ent *e = &jq.ent[p.redo[i]];

		FUZZ_CHECK(p.redo[i] < nents);
		FUZZ_CHECK(!seen[p.redo[i]]);
		seen[p.redo[i]] = true;
		FUZZ_CHECK(e->state == BLKJ_TAKEN);
		FUZZ_CHECK(e->status <= 0 && e->status >= BLKIF_RSP_EOPNOTSUPP);
		if (e->status == BLKIF_RSP_OKAY) {
			FUZZ_CHECK(blkj_req_ok(&e->r, &lim));
			FUZZ_CHECK(e->r.nseg <= BLK_MAX_SEGS);
			FUZZ_CHECK(e->r.kind == BLK_FLUSH ||
			    e->r.kind == BLK_DISCARD ||
			    e->r.sector + e->r.nr_sectors <= lim.sectors);
		}
	}
	if (p.again >= 0) {
		FUZZ_CHECK((unsigned int)p.again < nents);
		FUZZ_CHECK(!seen[p.again]);
		FUZZ_CHECK(jq.ent[p.again].state == BLKJ_RESPONDING);
		FUZZ_CHECK(jq.ent[p.again].rsp_idx == p.rsp_prod_pvt);
	}
	FUZZ_CHECK(p.nredo + (p.again >= 0) == p.req_cons - p.rsp_prod_pvt);
	return 0;
}
