/*
 * blkhostile.c - xbfront-blk -H MODE: a guest attacking its blkif backend
 * (issue 6; the hostile-blk-* scenarios of tests/xen).  This file: the
 * checks the attacks share (blkhostile.h), the table of attacks and the
 * run; the attacks are in blkatk_req.c (ring indexes, request fields,
 * events), blkatk_data.c (grants, indirect pages, double fetch) and
 * blkatk_conn.c (closing under I/O, ring pages, queues, the x86_32
 * layout).
 *
 * Each attack connects in the x86_64 layout (or as it needs), breaks one
 * rule of io/blkif.h or io/ring.h on purpose and checks the backend's answer from the
 * guest's side.  A request that breaks a rule must come back
 * BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP with its id and operation echoed,
 * unless the backend closed the device instead (Closing or Closed within
 * 10 s).  A FAIL is: such a request answered OKAY, no answer at all, data
 * landing in a page we did not grant writable to the backend, or on the
 * disk from a refused write.  Afterwards the device must still serve a
 * good request; if the backend closed it, a reconnect must work and serve.
 *
 * Requests are written with Xen's own io/blkif.h structures (native is
 * x86_64 here).  The id is the only field we read back from a slot, so ids
 * are chosen to be recognisable in the backend's log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkhostile.h"

_Static_assert(sizeof(struct blkif_request) == 112, "native is x86_64");

bool	be_closed;

/* ---- plumbing ------------------------------------------------------------------ */

uint64_t
new_id(void)
{
	static uint64_t id = 0x4842000000000000ull;	/* "HB" */

	return ++id;
}

/* xorshift64: reproducible garbage. */
uint64_t
rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

void
put_raw(struct front *f, const void *req, size_t len)
{
	uint8_t *p = slot(f, f->req_prod);

	memset(p, 0, f->slot);
	memcpy(p, req, len);
	f->req_prod++;
}

void
put_ind(struct front *f, uint8_t iop, uint16_t nseg, uint64_t id,
    uint64_t sector, const uint32_t *igref, unsigned int nref)
{
	struct blkif_request_indirect r;

	memset(&r, 0, sizeof(r));
	r.operation = BLKIF_OP_INDIRECT;
	r.indirect_op = iop;
	r.nr_segments = nseg;
	r.id = id;
	r.sector_number = sector;
	r.handle = (blkif_vdev_t)f->x.devid;
	memcpy(r.indirect_grefs, igref, nref * sizeof(*igref));
	put_raw(f, &r, sizeof(r));
}

void
put_discard(struct front *f, uint8_t flag, uint64_t id, uint64_t sector,
    uint64_t nr)
{
	struct blkif_request_discard r;

	memset(&r, 0, sizeof(r));
	r.operation = BLKIF_OP_DISCARD;
	r.flag = flag;
	r.handle = (blkif_vdev_t)f->x.devid;
	r.id = id;
	r.sector_number = sector;
	r.nr_sectors = nr;
	put_raw(f, &r, sizeof(r));
}

/* One segment: gref, sectors first..last. */
struct seg
sg(uint32_t gref, unsigned int first, unsigned int last)
{
	struct seg s = { .gref = gref, .first_sect = (uint8_t)first,
	    .last_sect = (uint8_t)last };

	return s;
}

/*
 * Wait for the answer to id.  Returns 1 with *r filled, 0 if the backend
 * closed the device instead, -1 (after a FAIL) if neither happened within
 * 10 s or an answer for another id came.
 */
int
answer(struct front *f, const char *what, uint64_t id, struct rsp *r)
{
	int i, st;

	for (i = 0; i < 10; i++) {
		if (next_rsp(f, r, 1000)) {
			if (r->id == id)
				return 1;
			fail(&f->x, "%s: an answer for id %#llx, expected %#llx",
			    what, (unsigned long long)r->id,
			    (unsigned long long)id);
			return -1;
		}
		st = be_state(&f->x);
		if (st == XenbusStateClosing || st == XenbusStateClosed) {
			be_closed = true;
			ok("%s: the backend closed the device (state %d)",
			    what, st);
			return 0;
		}
	}
	fail(&f->x, "%s: no answer within 10 s, device still open", what);
	return -1;
}

/* Push the request just put (id, op): it must be refused. */
void
refused(struct front *f, const char *what, uint64_t id, uint8_t op)
{
	struct rsp r;

	if (be_closed)
		return;
	push(f);
	if (answer(f, what, id, &r) != 1)
		return;
	if (r.status == BLKIF_RSP_OKAY)
		fail(&f->x, "%s: answered OKAY; it must be refused", what);
	else if (r.status != BLKIF_RSP_ERROR &&
	    r.status != BLKIF_RSP_EOPNOTSUPP)
		fail(&f->x, "%s: status %d is not a blkif status", what,
		    r.status);
	else if (r.op != op)
		fail(&f->x, "%s: refused, but operation %u echoed, not %u",
		    what, r.op, op);
	else
		ok("%s: refused (status %d, id and operation echoed)", what,
		    r.status);
}

/* Push the request just put (id, op): a legal one, it must be served. */
bool
served(struct front *f, const char *what, uint64_t id, uint8_t op)
{
	struct rsp r;

	if (be_closed)
		return false;
	push(f);
	if (answer(f, what, id, &r) != 1)
		return false;
	if (r.status != BLKIF_RSP_OKAY || r.op != op) {
		fail(&f->x, "%s: status %d operation %u, expected OKAY and %u",
		    what, r.status, r.op, op);
		return false;
	}
	return true;
}

/* Read or write n whole data pages (0..n-1) at sector. */
bool
rw_pages(struct front *f, const char *what, uint8_t op, uint64_t sector,
    unsigned int n)
{
	struct seg s[11];
	uint64_t id = new_id();

	fill_segs(f, s, n, 0, SPP - 1);
	put_req(f, op, (uint8_t)n, id, sector, s);
	return served(f, what, id, op);
}

/* Write pattern seed over n pages at sector (setting up a check). */
void
disk_put(struct front *f, uint64_t sector, unsigned int n, unsigned int seed)
{
	pattern(f->data, (size_t)n * PAGE, seed);
	rw_pages(f, "writing a known pattern", BLKIF_OP_WRITE, sector, n);
}

/* Do data pages 0..n-1 hold pattern seed? */
bool
data_is(struct front *f, unsigned int n, unsigned int seed)
{
	uint8_t *want;
	bool same;

	if ((want = malloc((size_t)n * PAGE)) == NULL)
		die("malloc");
	pattern(want, (size_t)n * PAGE, seed);
	same = memcmp(f->data, want, (size_t)n * PAGE) == 0;
	free(want);
	return same;
}

/* Do the n pages at sector still hold pattern seed? */
void
disk_check(struct front *f, const char *what, uint64_t sector, unsigned int n,
    unsigned int seed)
{
	if (be_closed)
		return;
	memset(f->data, 0, (size_t)n * PAGE);
	if (rw_pages(f, "reading the pattern back", BLKIF_OP_READ, sector, n)) {
		if (!data_is(f, n, seed))
			fail(&f->x, "%s: the disk changed", what);
		else
			ok("%s: the disk is unchanged", what);
	}
}

struct xpage
xpage_share(struct front *f, uint32_t domid, int writable)
{
	struct xpage x;

	if ((x.p = xengntshr_share_pages(f->x.gs, domid, 1, &x.ref,
	    writable)) == NULL)
		die("sharing a page with domain %u", domid);
	return x;
}

void
xpage_unshare(struct front *f, struct xpage *x)
{
	xengntshr_unshare(f->x.gs, x->p, 1);
	x->p = NULL;
}

/*
 * Fill an indirect page with n descriptors over the data pages; the rest
 * are invalid (gref 0xffffffff, sectors 255..255), so that a backend
 * reading past n refuses rather than using grant 0 (our console ring).
 */
void
ipage_fill(struct front *f, uint8_t *p, unsigned int n)
{
	struct seg *d = (struct seg *)p;
	unsigned int i;

	memset(p, 0xff, PAGE);
	for (i = 0; i < n && i < PAGE / sizeof(*d); i++)
		d[i] = sg(f->data_ref[i % NDATA], 0, SPP - 1);
}

char *
be_key(struct front *f, const char *key)
{
	return xread(&f->x, "%s/%s", f->x.be, key);
}

bool
be_feature(struct front *f, const char *key)
{
	char *v = be_key(f, key);
	bool on = v != NULL && strcmp(v, "1") == 0;

	free(v);
	return on;
}

/*
 * The backend must close the device; strict: without answering anything
 * (nothing legal was in flight).
 */
void
expect_closed(struct front *f, const char *what, bool strict)
{
	struct rsp r;
	int st, n = 0;

	st = wait_be(&f->x, XenbusStateClosing, XenbusStateClosed);
	while (next_rsp(f, &r, 0))
		n++;
	if (st != XenbusStateClosing && st != XenbusStateClosed)
		fail(&f->x, "%s: backend state %d: still serving a ring it "
		    "cannot trust", what, st);
	else if (strict && n > 0)
		fail(&f->x, "%s: closed, but answered %d request%s it should "
		    "not have read", what, n, n > 1 ? "s" : "");
	else
		ok("%s: the backend closed the device (state %d)", what, st);
	be_closed = true;
}

/* After the backend closed the device: close our side, connect again. */
void
reconnect(struct front *f)
{
	blk_close(f);
	xwrite(&f->x, "state", "%d", XenbusStateInitialising);
	blk_connect(f, "x86_64-abi");
	be_closed = false;
}

/* The device still serves: 11 pages written and read back. */
void
still_serves(struct front *f)
{
	disk_put(f, 512, NDATA, 4242);
	disk_check(f, "after the attack, 11 pages written and read back", 512,
	    NDATA, 4242);
}

unsigned long
arg_num(int argc, char **argv, int i, unsigned long dflt)
{
	return i < argc ? strtoul(argv[i], NULL, 0) : dflt;
}

/* ---- the table -------------------------------------------------------------------- */

static const struct attack {
	const char	*name;
	void		(*fn)(struct front *, int, char **);
	const char	*doc;
	bool		 own;	/* connects itself (rings, queues, layout) */
} attacks[] = {
	{ "prod-far", a_prod_far, "req_prod more than a ring past the responses",
	    false },
	{ "prod-back", a_prod_back, "req_prod going backwards", false },
	{ "id-reuse", a_id_reuse, "one id on requests in flight; extreme ids",
	    false },
	{ "bad-op", a_bad_op, "undefined operations, direct and indirect",
	    false },
	{ "nseg-0", a_nseg_0, "reads and writes of 0 segments", false },
	{ "nseg-max", a_nseg_max, "direct requests of 12..255 segments",
	    false },
	{ "sect-order", a_sect_order, "first_sect > last_sect", false },
	{ "sect-over-7", a_sect_over_7, "last_sect (or first_sect) above 7",
	    false },
	{ "beyond-end", a_beyond_end, "sectors past the end of the disk",
	    false },
	{ "sector-wrap", a_sector_wrap, "sector ranges wrapping at 2^64",
	    false },
	{ "gref-unknown", a_gref_unknown, "grant refs never granted", false },
	{ "gref-readonly", a_gref_readonly, "reads into read-only grants",
	    false },
	{ "gref-other", a_gref_other, "pages granted to another domain",
	    false },
	{ "gref-revoked", a_gref_revoked, "grants revoked before and during "
	    "requests [count]", false },
	{ "indirect-garbage", a_indirect_garbage, "indirect pages of garbage",
	    false },
	{ "indirect-count", a_indirect_count, "indirect nr_segments vs pages "
	    "and maximum", false },
	{ "double-fetch", a_double_fetch, "requests changed after the notify "
	    "[ms per phase]", false },
	{ "evtchn-storm", a_evtchn_storm, "notifications in a tight loop "
	    "[seconds]", false },
	{ "ring-random", a_ring_random, "full rings of random bytes [rounds]",
	    false },
	{ "discard-bad", a_discard_bad, "discards past the end, wrapping, "
	    "secure", false },
	{ "close-inflight", a_close_inflight, "Closing and Closed with 64 "
	    "requests out", true },
	{ "ring-alias", a_ring_alias, "ring-ref0..3 (or two queues) naming "
	    "one grant", true },
	{ "queue1", a_queue1, "queue 1 of 2 attacked, queue 0 serving", true },
	{ "abi32", a_abi32, "bad requests in the x86_32 layout", true },
};

void
hostile_list(void)
{
	unsigned int i;

	fprintf(stderr, "modes:\n");
	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		fprintf(stderr, "  %-18s %s\n", attacks[i].name,
		    attacks[i].doc);
}

int
hostile_main(struct front *f, const char *mode, int argc, char **argv)
{
	const struct attack *a = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		if (strcmp(attacks[i].name, mode) == 0)
			a = &attacks[i];
	if (a == NULL) {
		fprintf(stderr, "xbfront-blk: unknown mode %s\n", mode);
		hostile_list();
		return 2;
	}
	if (!a->own)
		blk_connect(f, "x86_64-abi");
	ok("attack %s: %s", a->name, a->doc);
	a->fn(f, argc, argv);
	/* The backend may close the device; it must then take us back. */
	if (be_closed) {
		reconnect(f);
		ok("reconnected after the backend closed the device");
	}
	still_serves(f);
	blk_close(f);
	return f->x.failures ? 1 : 0;
}

