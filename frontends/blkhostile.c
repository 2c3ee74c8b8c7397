/*
 * blkhostile.c - xbfront-blk -H MODE: a guest attacking its blkif backend
 * (issue 6; the hostile-blk-* scenarios of tests/xen).
 *
 * Each attack connects in the x86_64 layout, breaks one rule of io/blkif.h
 * or io/ring.h on purpose and checks the backend's answer from the
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

#include "blkfront.h"

_Static_assert(sizeof(struct blkif_request) == 112, "native is x86_64");

/* Sector and page helpers over the 512-byte unit of the protocol. */
#define SECT		512u
#define SPP		8u		/* sectors per page */
#define BAD_GREF	0xffffffffu	/* never a valid grant reference */

static bool	be_closed;	/* the backend closed the device on us */

/* ---- plumbing ------------------------------------------------------------------ */

static uint64_t
new_id(void)
{
	static uint64_t id = 0x4842000000000000ull;	/* "HB" */

	return ++id;
}

/* xorshift64: reproducible garbage. */
static uint64_t
rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void
put_raw(struct front *f, const void *req, size_t len)
{
	uint8_t *p = slot(f, f->req_prod);

	memset(p, 0, f->slot);
	memcpy(p, req, len);
	f->req_prod++;
}

static void
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

static void
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
static struct seg
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
static int
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
static void
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
static bool
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
static bool
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
static void
disk_put(struct front *f, uint64_t sector, unsigned int n, unsigned int seed)
{
	pattern(f->data, (size_t)n * PAGE, seed);
	rw_pages(f, "writing a known pattern", BLKIF_OP_WRITE, sector, n);
}

/* Do the n pages at sector still hold pattern seed? */
static void
disk_check(struct front *f, const char *what, uint64_t sector, unsigned int n,
    unsigned int seed)
{
	uint8_t *want;

	if (be_closed)
		return;
	if ((want = malloc((size_t)n * PAGE)) == NULL)
		die("malloc");
	pattern(want, (size_t)n * PAGE, seed);
	memset(f->data, 0, (size_t)n * PAGE);
	if (rw_pages(f, "reading the pattern back", BLKIF_OP_READ, sector, n)) {
		if (memcmp(f->data, want, (size_t)n * PAGE) != 0)
			fail(&f->x, "%s: the disk changed", what);
		else
			ok("%s: the disk is unchanged", what);
	}
	free(want);
}

/* A page of our own, shared with domid (read-only unless writable). */
struct xpage {
	uint8_t		*p;
	uint32_t	 ref;
};

static struct xpage
xpage_share(struct front *f, uint32_t domid, int writable)
{
	struct xpage x;

	if ((x.p = xengntshr_share_pages(f->x.gs, domid, 1, &x.ref,
	    writable)) == NULL)
		die("sharing a page with domain %u", domid);
	return x;
}

static void
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
static void
ipage_fill(struct front *f, uint8_t *p, unsigned int n)
{
	struct seg *d = (struct seg *)p;
	unsigned int i;

	memset(p, 0xff, PAGE);
	for (i = 0; i < n && i < PAGE / sizeof(*d); i++)
		d[i] = sg(f->data_ref[i % NDATA], 0, SPP - 1);
}

static char *
be_key(struct front *f, const char *key)
{
	return xread(&f->x, "%s/%s", f->x.be, key);
}

static bool
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
static void
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
static void
reconnect(struct front *f)
{
	blk_close(f);
	xwrite(&f->x, "state", "%d", XenbusStateInitialising);
	blk_connect(f, "x86_64-abi");
	be_closed = false;
}

/* The device still serves: 11 pages written and read back. */
static void
still_serves(struct front *f)
{
	disk_put(f, 512, NDATA, 4242);
	disk_check(f, "after the attack, 11 pages written and read back", 512,
	    NDATA, 4242);
}

static unsigned long
arg_num(int argc, char **argv, int i, unsigned long dflt)
{
	return i < argc ? strtoul(argv[i], NULL, 0) : dflt;
}

/* ---- ring indexes (io/ring.h) -------------------------------------------------- */

/*
 * io/ring.h: the producer may be at most RING_SIZE requests ahead of the
 * responses (RING_REQUEST_PROD_OVERFLOW; Linux blkback: "Frontend provided
 * bogus ring requests ... Halting ring processing").  One past that, then
 * half the index space, then far: each time the backend must close the
 * device without reading a slot.
 */
static void
a_prod_far(struct front *f, int argc, char **argv)
{
	const uint32_t far[] = { 0, 0x80000000u, 1000 };
	char what[80];
	unsigned int i;

	(void)argc, (void)argv;
	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		uint32_t d = far[i] ? far[i] : f->nslots + 1;

		if (i > 0)
			reconnect(f);
		snprintf(what, sizeof(what), "req_prod %u past the responses",
		    d);
		__sync_synchronize();
		RING_REQ_PROD(f) = f->rsp_cons + d;
		__sync_synchronize();
		xenevtchn_notify(f->x.xce, f->port);
		expect_closed(f, what, true);
	}
}

/*
 * The producer goes backwards: behind the responses already given (the
 * index check of io/ring.h catches it), and right after the backend took a
 * batch, behind what it took but maybe not behind what it answered (a
 * backend that only compares with its responses would take the slots
 * again, and again).
 */
static void
a_prod_back(struct front *f, int argc, char **argv)
{
	struct seg s[11];
	struct rsp r;
	uint32_t start;
	unsigned int i;

	(void)argc, (void)argv;
	for (i = 0; i < 4; i++)
		rw_pages(f, "a good read", BLKIF_OP_READ, 8 * i, 1);
	__sync_synchronize();
	RING_REQ_PROD(f) = f->req_prod - 2;
	__sync_synchronize();
	xenevtchn_notify(f->x.xce, f->port);
	expect_closed(f, "req_prod 2 behind the answered requests", true);

	reconnect(f);
	start = f->req_prod;
	fill_segs(f, s, NDATA, 0, SPP - 1);
	for (i = 0; i < 16; i++)
		put_req(f, BLKIF_OP_READ, NDATA, new_id(), 88 * i, s);
	push(f);
	if (!next_rsp(f, &r, 10000)) {
		fail(&f->x, "no answer to 16 good reads");
		return;
	}
	RING_REQ_PROD(f) = start + 4;
	__sync_synchronize();
	xenevtchn_notify(f->x.xce, f->port);
	expect_closed(f, "req_prod back by 12 while reads were in flight",
	    false);
}

/* ---- request fields ------------------------------------------------------------- */

/*
 * io/blkif.h: id is "private guest value, echoed in resp"; nothing says it
 * is unique.  The same id on eight reads in flight at once, then extreme
 * ids, then one id shared by good and bad requests: every request is
 * answered once, with its id, and the data of each read is right.
 */
static void
a_id_reuse(struct front *f, int argc, char **argv)
{
	const uint64_t odd[] = { 0, 1, UINT64_MAX, 1ull << 63,
	    0xdeadbeefcafef00dull, 0x1234567800000001ull };
	const uint64_t same = 0x5555aaaa5555aaaaull;
	unsigned int i, nok = 0, nbad = 0, want;
	struct seg s[11];
	uint8_t *want_data;
	struct rsp r;

	(void)argc, (void)argv;
	if ((want_data = malloc(8 * PAGE)) == NULL)
		die("malloc");
	disk_put(f, 0, 8, 77);
	pattern(want_data, 8 * PAGE, 77);
	memset(f->data, 0, 8 * PAGE);
	for (i = 0; i < 8; i++) {
		memset(s, 0, sizeof(s));
		s[0] = sg(f->data_ref[i], 0, SPP - 1);
		put_req(f, BLKIF_OP_READ, 1, same, SPP * i, s);
	}
	push(f);
	for (i = 0; i < 8 && next_rsp(f, &r, 10000); i++)
		if (r.id == same && r.status == BLKIF_RSP_OKAY)
			nok++;
	if (nok != 8)
		fail(&f->x, "8 reads with one id: %u answered OKAY with it",
		    nok);
	else if (memcmp(f->data, want_data, 8 * PAGE) != 0)
		fail(&f->x, "8 reads with one id: wrong data");
	else
		ok("8 reads in flight with the same id %#llx: 8 answers, data "
		    "right", (unsigned long long)same);
	free(want_data);

	want = sizeof(odd) / sizeof(odd[0]);
	fill_segs(f, s, 1, 0, SPP - 1);
	for (i = 0; i < want; i++)
		put_req(f, BLKIF_OP_READ, 1, odd[i], 0, s);
	push(f);
	for (nok = 0; nok < want && next_rsp(f, &r, 10000); nok++) {
		for (i = 0; i < want; i++)
			if (odd[i] == r.id)
				break;
		if (i == want || r.status != BLKIF_RSP_OKAY)
			fail(&f->x, "extreme ids: answer id %#llx status %d",
			    (unsigned long long)r.id, r.status);
	}
	if (nok == want)
		ok("ids 0, 1, 2^64-1, 2^63, ...: each answered and echoed");
	else
		fail(&f->x, "extreme ids: %u of %u answered", nok, want);

	/* One id on two good reads and two bad ones (last_sect 9). */
	for (i = 0; i < 4; i++) {
		fill_segs(f, s, 1, 0, i % 2 ? 9 : SPP - 1);
		put_req(f, BLKIF_OP_READ, 1, same, 0, s);
	}
	push(f);
	nok = nbad = 0;
	for (i = 0; i < 4 && next_rsp(f, &r, 10000); i++) {
		if (r.id != same)
			fail(&f->x, "mixed: answer id %#llx",
			    (unsigned long long)r.id);
		else if (r.status == BLKIF_RSP_OKAY)
			nok++;
		else
			nbad++;
	}
	if (nok == 2 && nbad == 2)
		ok("one id on 2 good and 2 bad reads: 2 served, 2 refused");
	else
		fail(&f->x, "one id on 2 good and 2 bad reads: %u served, "
		    "%u refused", nok, nbad);
}

/*
 * Operations io/blkif.h does not define (4 is BLKIF_OP_RESERVED_1) must
 * be answered EOPNOTSUPP or ERROR with the operation echoed; so must an
 * indirect request whose inner operation is not READ or WRITE (io/blkif.h:
 * "BLKIF_OP_INDIRECT ... indirect_op: BLKIF_OP_{READ/WRITE}").
 */
static void
a_bad_op(struct front *f, int argc, char **argv)
{
	const uint8_t ops[] = { BLKIF_OP_RESERVED_1, 7, 8, 77, 128, 255 };
	const uint8_t iops[] = { BLKIF_OP_WRITE_BARRIER,
	    BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT, 77 };
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct seg s[11];
	char what[64];
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	fill_segs(f, s, 1, 0, SPP - 1);
	for (i = 0; i < sizeof(ops); i++) {
		snprintf(what, sizeof(what), "operation %u", ops[i]);
		put_req(f, ops[i], 1, id = new_id(), 0, s);
		refused(f, what, id, ops[i]);
	}
	ipage_fill(f, ip.p, 8);
	for (i = 0; i < sizeof(iops); i++) {
		snprintf(what, sizeof(what), "indirect with operation %u",
		    iops[i]);
		put_ind(f, iops[i], 8, id = new_id(), 0, &ip.ref, 1);
		refused(f, what, id, iops[i]);
	}
	xpage_unshare(f, &ip);
}

/* io/blkif.h: READ/WRITE carry 1..11 segments; none is not a request. */
static void
a_nseg_0(struct front *f, int argc, char **argv)
{
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct seg s[11];
	uint64_t id;

	(void)argc, (void)argv;
	fill_segs(f, s, 0, 0, 0);
	put_req(f, BLKIF_OP_READ, 0, id = new_id(), 0, s);
	refused(f, "read of 0 segments", id, BLKIF_OP_READ);
	put_req(f, BLKIF_OP_WRITE, 0, id = new_id(), 0, s);
	refused(f, "write of 0 segments", id, BLKIF_OP_WRITE);
	ipage_fill(f, ip.p, 8);
	put_ind(f, BLKIF_OP_READ, 0, id = new_id(), 0, &ip.ref, 1);
	refused(f, "indirect read of 0 segments", id, BLKIF_OP_READ);
	/* A flush of 0 segments is legal, whatever its sector says. */
	if (be_feature(f, "feature-flush-cache")) {
		put_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, id = new_id(),
		    UINT64_MAX, s);
		if (served(f, "flush of 0 segments at sector 2^64-1", id,
		    BLKIF_OP_FLUSH_DISKCACHE))
			ok("a flush of 0 segments (sector ignored) is served");
	}
	xpage_unshare(f, &ip);
}

/* More than BLKIF_MAX_SEGMENTS_PER_REQUEST (11) in a direct request. */
static void
a_nseg_max(struct front *f, int argc, char **argv)
{
	const uint8_t n[] = { 12, 16, 128, 255 };
	struct seg s[11];
	char what[64];
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	fill_segs(f, s, NDATA, 0, SPP - 1);
	for (i = 0; i < sizeof(n); i++) {
		snprintf(what, sizeof(what), "read of %u segments", n[i]);
		put_req(f, BLKIF_OP_READ, n[i], id = new_id(), 0, s);
		refused(f, what, id, BLKIF_OP_READ);
	}
	disk_put(f, 0, NDATA, 12);
	pattern(f->data, NDATA * PAGE, 13);
	put_req(f, BLKIF_OP_WRITE, 12, id = new_id(), 0, s);
	refused(f, "write of 12 segments", id, BLKIF_OP_WRITE);
	put_req(f, BLKIF_OP_WRITE_BARRIER, 12, id = new_id(), 0, s);
	refused(f, "barrier of 12 segments", id, BLKIF_OP_WRITE_BARRIER);
	disk_check(f, "after the refused writes", 0, NDATA, 12);
}

/*
 * A bad segment (seg[at] = first..last) among good ones: a read, and a
 * write whose data must not reach the disk.
 */
static void
bad_seg(struct front *f, const char *what, unsigned int nseg,
    unsigned int at, unsigned int first, unsigned int last)
{
	struct seg s[11];
	char w[96];
	uint64_t id;

	fill_segs(f, s, nseg, 0, SPP - 1);
	s[at] = sg(f->data_ref[at], first, last);
	snprintf(w, sizeof(w), "read, segment %u of %u: %s", at, nseg, what);
	put_req(f, BLKIF_OP_READ, (uint8_t)nseg, id = new_id(), 1024, s);
	refused(f, w, id, BLKIF_OP_READ);
	disk_put(f, 1024, nseg, first * 256 + last);
	pattern(f->data, (size_t)nseg * PAGE, 999);
	snprintf(w, sizeof(w), "write, segment %u of %u: %s", at, nseg, what);
	put_req(f, BLKIF_OP_WRITE, (uint8_t)nseg, id = new_id(), 1024, s);
	refused(f, w, id, BLKIF_OP_WRITE);
	disk_check(f, w, 1024, nseg, first * 256 + last);
}

/* io/blkif.h: "first_sect <= last_sect". */
static void
a_sect_order(struct front *f, int argc, char **argv)
{
	(void)argc, (void)argv;
	bad_seg(f, "first_sect 5 > last_sect 2", 1, 0, 5, 2);
	bad_seg(f, "first_sect 7 > last_sect 6", NDATA, 10, 7, 6);
	bad_seg(f, "first_sect 1 > last_sect 0", NDATA, 0, 1, 0);
}

/* io/blkif.h: last_sect < 8 (a segment lies within one 4 KiB page). */
static void
a_sect_over_7(struct front *f, int argc, char **argv)
{
	(void)argc, (void)argv;
	bad_seg(f, "last_sect 8", 1, 0, 0, 8);
	bad_seg(f, "last_sect 255", 1, 0, 0, 255);
	bad_seg(f, "first_sect 8, last_sect 8", 1, 0, 8, 8);
	bad_seg(f, "first_sect 255, last_sect 255", NDATA, 5, 255, 255);
	bad_seg(f, "last_sect 9", NDATA, 10, 0, 9);
}

/* A request of nsect sectors (one segment from data page 0) at sector. */
static void
put_sectors(struct front *f, uint8_t op, uint64_t id, uint64_t sector,
    unsigned int nsect)
{
	struct seg s[11];
	unsigned int i, n = (nsect + SPP - 1) / SPP;

	fill_segs(f, s, n, 0, SPP - 1);
	for (i = 0; i < n; i++)
		if (i == n - 1 && nsect % SPP)
			s[i].last_sect = (uint8_t)(nsect % SPP - 1);
	put_req(f, op, (uint8_t)n, id, sector, s);
}

/* The disk ends at "sectors": no request may reach past it. */
static void
a_beyond_end(struct front *f, int argc, char **argv)
{
	uint64_t end = f->sectors, id;
	uint8_t last[SECT];

	(void)argc, (void)argv;
	put_sectors(f, BLKIF_OP_READ, id = new_id(), end - 4, 8);
	refused(f, "read of 8 sectors at the end - 4", id, BLKIF_OP_READ);
	put_sectors(f, BLKIF_OP_READ, id = new_id(), end, 1);
	refused(f, "read of 1 sector at the end", id, BLKIF_OP_READ);
	put_sectors(f, BLKIF_OP_READ, id = new_id(), end + 1000, 8);
	refused(f, "read of 8 sectors 1000 past the end", id, BLKIF_OP_READ);
	put_sectors(f, BLKIF_OP_READ, id = new_id(), end - 87, 88);
	refused(f, "read of 88 sectors ending 1 past the end", id,
	    BLKIF_OP_READ);

	/* The last sector: written legally, then a write across the end. */
	pattern(f->data, SECT, 5);
	memcpy(last, f->data, SECT);
	put_sectors(f, BLKIF_OP_WRITE, id = new_id(), end - 1, 1);
	served(f, "writing the last sector", id, BLKIF_OP_WRITE);
	pattern(f->data, 2 * SECT, 6);
	put_sectors(f, BLKIF_OP_WRITE, id = new_id(), end - 1, 2);
	refused(f, "write of 2 sectors at the last sector", id,
	    BLKIF_OP_WRITE);
	memset(f->data, 0, SECT);
	put_sectors(f, BLKIF_OP_READ, id = new_id(), end - 1, 1);
	if (served(f, "reading the last sector", id, BLKIF_OP_READ)) {
		if (memcmp(f->data, last, SECT) != 0)
			fail(&f->x, "the last sector changed: a refused write "
			    "reached the disk");
		else
			ok("the last sector is readable and unchanged");
	}
}

/* sector + length must not wrap past 2^64 (nor sector * 512). */
static void
a_sector_wrap(struct front *f, int argc, char **argv)
{
	const struct { uint64_t sector; unsigned int n; const char *what; }
	    t[] = {
		{ UINT64_MAX - 7, 8, "read of 8 sectors at 2^64-8 (ends at 0)" },
		{ UINT64_MAX, 1, "read of 1 sector at 2^64-1" },
		{ UINT64_MAX - 39, 88, "read of 88 sectors at 2^64-40" },
		{ 1ull << 55, 8, "read at 2^55 (byte offset 2^64)" },
		{ (1ull << 55) + 2, 8, "read at 2^55+2 (byte offset wraps to 1024)" },
	};
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		put_sectors(f, BLKIF_OP_READ, id = new_id(), t[i].sector,
		    t[i].n);
		refused(f, t[i].what, id, BLKIF_OP_READ);
	}
	/* A write that wraps must not land at sector 0. */
	disk_put(f, 0, 1, 31);
	pattern(f->data, PAGE, 32);
	put_sectors(f, BLKIF_OP_WRITE, id = new_id(), UINT64_MAX - 3, 8);
	refused(f, "write of 8 sectors at 2^64-4", id, BLKIF_OP_WRITE);
	put_sectors(f, BLKIF_OP_WRITE, id = new_id(), (1ull << 55), 8);
	refused(f, "write at 2^55 (byte offset 2^64)", id, BLKIF_OP_WRITE);
	disk_check(f, "sector 0 after wrapping writes", 0, 1, 31);
	/* Discard: refused as wrapping, or not offered at all. */
	put_discard(f, 0, id = new_id(), UINT64_MAX, 2);
	refused(f, "discard of 2 sectors at 2^64-1", id, BLKIF_OP_DISCARD);
	put_discard(f, 0, id = new_id(), 1, UINT64_MAX);
	refused(f, "discard of 2^64-1 sectors at 1", id, BLKIF_OP_DISCARD);
}

/* ---- grants --------------------------------------------------------------------- */

/*
 * A read into, and unless the backend may read it (readable), a write
 * from a page the backend may not use as it asks (gref): refused, the page
 * (if we have it) and the disk unchanged.
 */
static void
bad_gref(struct front *f, const char *what, uint32_t gref, uint8_t *page,
    bool readable)
{
	struct seg s[11];
	uint8_t *was = NULL;
	char w[128];
	uint64_t id;

	if (page != NULL) {
		if ((was = malloc(PAGE)) == NULL)
			die("malloc");
		memcpy(was, page, PAGE);
	}
	memset(s, 0, sizeof(s));
	s[0] = sg(gref, 0, SPP - 1);
	snprintf(w, sizeof(w), "read into %s", what);
	put_req(f, BLKIF_OP_READ, 1, id = new_id(), 2048, s);
	refused(f, w, id, BLKIF_OP_READ);
	/* Ten good segments and the bad one in the middle. */
	fill_segs(f, s, NDATA, 0, SPP - 1);
	s[5] = sg(gref, 0, SPP - 1);
	snprintf(w, sizeof(w), "11-segment read, segment 5 %s", what);
	put_req(f, BLKIF_OP_READ, NDATA, id = new_id(), 2048, s);
	refused(f, w, id, BLKIF_OP_READ);
	if (page != NULL && !be_closed) {
		if (memcmp(page, was, PAGE) != 0)
			fail(&f->x, "%s: the backend wrote into it", what);
		else
			ok("%s: the page is unchanged", what);
	}
	free(was);
	if (readable)
		return;

	disk_put(f, 2048, NDATA, 55);
	pattern(f->data, NDATA * PAGE, 56);
	snprintf(w, sizeof(w), "11-segment write, segment 5 %s", what);
	put_req(f, BLKIF_OP_WRITE, NDATA, id = new_id(), 2048, s);
	refused(f, w, id, BLKIF_OP_WRITE);
	disk_check(f, w, 2048, NDATA, 55);
}

/* Grant references nobody granted (beyond any grant table). */
static void
a_gref_unknown(struct front *f, int argc, char **argv)
{
	const uint32_t refs[] = { BAD_GREF, 0x7fffffff, 0x00100000 };
	char what[64];
	unsigned int i;

	(void)argc, (void)argv;
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		snprintf(what, sizeof(what), "gref %#x (never granted)",
		    refs[i]);
		bad_gref(f, what, refs[i], NULL, false);
	}
}

/*
 * A page granted read-only: the backend may read it (a write request) but
 * a read request must not fill it: Xen refuses the copy or the mapping,
 * and the request must be answered with an error, not OKAY.
 */
static void
a_gref_readonly(struct front *f, int argc, char **argv)
{
	struct xpage ro = xpage_share(f, f->x.bdom, 0);
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct seg s[11], *d = (struct seg *)ip.p;
	uint32_t ro_ref = ro.ref;
	uint8_t *was;
	uint64_t id;

	(void)argc, (void)argv;
	if ((was = malloc(PAGE)) == NULL)
		die("malloc");
	pattern(ro.p, PAGE, 21);
	memcpy(was, ro.p, PAGE);
	/* Legal: a write from it.  Then the disk has its bytes. */
	memset(s, 0, sizeof(s));
	s[0] = sg(ro_ref, 0, SPP - 1);
	put_req(f, BLKIF_OP_WRITE, 1, id = new_id(), 3072, s);
	if (served(f, "write from a read-only grant", id, BLKIF_OP_WRITE))
		ok("a write from a read-only grant is served");
	bad_gref(f, "a read-only grant", ro_ref, ro.p, true);

	/* The same through an indirect descriptor. */
	ipage_fill(f, ip.p, 8);
	d[3] = sg(ro_ref, 0, SPP - 1);
	put_ind(f, BLKIF_OP_READ, 8, id = new_id(), 3072, &ip.ref, 1);
	refused(f, "indirect read, descriptor 3 a read-only grant", id,
	    BLKIF_OP_READ);
	if (!be_closed) {
		if (memcmp(ro.p, was, PAGE) != 0)
			fail(&f->x, "indirect: the read-only page changed");
		else
			ok("indirect: the read-only page is unchanged");
	}
	free(was);
	xpage_unshare(f, &ip);
	xpage_unshare(f, &ro);
}

/*
 * Pages granted to some other domain than the backend: to ourselves, and
 * to a domain id that does not exist.  Xen lets only the grantee use them.
 */
static void
a_gref_other(struct front *f, int argc, char **argv)
{
	const uint32_t doms[] = { f->x.self, 0x7fef };
	unsigned int i, tried = 0;
	char what[64];

	(void)argc, (void)argv;
	for (i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
		struct xpage x;

		if ((x.p = xengntshr_share_pages(f->x.gs, doms[i], 1, &x.ref,
		    1)) == NULL) {
			ok("granting a page to domain %u: %s (skipped)",
			    doms[i], strerror(errno));
			continue;
		}
		tried++;
		pattern(x.p, PAGE, 40 + i);
		snprintf(what, sizeof(what), "a page granted to domain %u",
		    doms[i]);
		bad_gref(f, what, x.ref, x.p, false);
		xpage_unshare(f, &x);
	}
	if (tried == 0)
		fail(&f->x, "could not grant a page to any other domain");
}

/* Busy-wait about n loop turns (a delay far below a scheduler tick). */
static void
spin(unsigned int n)
{
	volatile unsigned int i;

	for (i = 0; i < n; i++)
		;
}

/*
 * Grants revoked around a request: revoked before it is pushed (it must be
 * refused: nothing can reach the page any more), then revoked while the
 * backend may be copying (it may be served or refused, but must be
 * answered, once, with its id).
 */
static void
a_gref_revoked(struct front *f, int argc, char **argv)
{
	unsigned long n = arg_num(argc, argv, 0, 100), i, nok = 0, nbad = 0;
	struct xpage x = xpage_share(f, f->x.bdom, 1);
	uint32_t ref = x.ref;
	struct seg s[11];
	struct rsp r;
	uint64_t id;

	xpage_unshare(f, &x);
	bad_gref(f, "a grant revoked before the request", ref, NULL, false);
	for (i = 0; i < n && !be_closed; i++) {
		uint8_t op = i % 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ;

		x = xpage_share(f, f->x.bdom, 1);
		memset(s, 0, sizeof(s));
		s[0] = sg(x.ref, 0, SPP - 1);
		put_req(f, op, 1, id = new_id(), 4096 + 8 * (i % 64), s);
		push(f);
		spin((unsigned int)(i * 997 % 20000));
		xpage_unshare(f, &x);
		if (answer(f, "a grant revoked in flight", id, &r) != 1)
			break;
		if (r.status == BLKIF_RSP_OKAY)
			nok++;
		else if (r.status == BLKIF_RSP_ERROR)
			nbad++;
		else
			fail(&f->x, "revoked in flight: status %d", r.status);
	}
	if (i == n)
		ok("%lu requests with the grant revoked in flight: %lu served, "
		    "%lu refused, all answered with their id", n, nok, nbad);
}

/* ---- indirect descriptors ---------------------------------------------------------- */

/*
 * Indirect pages holding garbage (io/blkif.h: the descriptors of an
 * indirect request are guest data like any other, XSA-155: read once).
 */
static void
a_indirect_garbage(struct front *f, int argc, char **argv)
{
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct xpage other = xpage_share(f, 0x7fef, 0);
	struct seg *d = (struct seg *)ip.p;
	uint32_t bad = BAD_GREF;
	uint8_t *want;
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	for (i = 0; i < PAGE / 8; i++)
		((uint64_t *)ip.p)[i] = rnd();
	put_ind(f, BLKIF_OP_READ, 256, id = new_id(), 0, &ip.ref, 1);
	refused(f, "indirect read, 256 descriptors of random bytes", id,
	    BLKIF_OP_READ);
	for (i = 0; i < 100; i++)
		d[i] = sg((uint32_t)rnd() | 0x80000000u, 0, SPP - 1);
	put_ind(f, BLKIF_OP_WRITE, 100, id = new_id(), 0, &ip.ref, 1);
	refused(f, "indirect write, 100 descriptors with random grefs", id,
	    BLKIF_OP_WRITE);
	ipage_fill(f, ip.p, 8);
	put_ind(f, BLKIF_OP_READ, 8, id = new_id(), 0, &bad, 1);
	refused(f, "indirect read, indirect page never granted", id,
	    BLKIF_OP_READ);
	ipage_fill(f, other.p, 8);
	put_ind(f, BLKIF_OP_READ, 8, id = new_id(), 0, &other.ref, 1);
	refused(f, "indirect read, indirect page granted to domain 0x7fef", id,
	    BLKIF_OP_READ);

	/*
	 * Legal but nasty: the indirect page is also the first data page.
	 * The read overwrites the descriptors; a backend that read them once
	 * does not care.
	 */
	disk_put(f, 4096, 8, 66);
	ipage_fill(f, f->data, 8);
	put_ind(f, BLKIF_OP_READ, 8, id = new_id(), 4096, &f->data_ref[0], 1);
	if (served(f, "indirect read into its own indirect page", id,
	    BLKIF_OP_READ)) {
		if ((want = malloc(8 * PAGE)) == NULL)
			die("malloc");
		pattern(want, 8 * PAGE, 66);
		if (memcmp(f->data, want, 8 * PAGE) != 0)
			fail(&f->x, "indirect read into its own indirect page: "
			    "wrong data");
		else
			ok("indirect read into its own indirect page: served, "
			    "data right");
		free(want);
	}
	xpage_unshare(f, &other);
	xpage_unshare(f, &ip);
}

/*
 * nr_segments against what the indirect pages can hold and what the
 * backend offered (feature-max-indirect-segments): past the maximum,
 * needing more pages than a request carries, zero; and legal requests
 * whose unused indirect_grefs[] and descriptors are garbage.
 */
static void
a_indirect_count(struct front *f, int argc, char **argv)
{
	char *v = be_key(f, "feature-max-indirect-segments");
	unsigned long max = v != NULL ? strtoul(v, NULL, 10) : 0;
	struct xpage ip[2] = { xpage_share(f, f->x.bdom, 0),
	    xpage_share(f, f->x.bdom, 0) };
	uint32_t refs[8];
	const unsigned long n[] = { max + 1, 512, 513, 4096, 65535 };
	char what[96];
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	free(v);
	if (max == 0 || max > 512) {
		fail(&f->x, "feature-max-indirect-segments %lu", max);
		return;
	}
	ipage_fill(f, ip[0].p, PAGE / 8);
	ipage_fill(f, ip[1].p, PAGE / 8);
	for (i = 0; i < 8; i++)
		refs[i] = ip[i % 2].ref;
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		snprintf(what, sizeof(what), "indirect read of %lu segments "
		    "(maximum %lu)", n[i], max);
		put_ind(f, BLKIF_OP_READ, (uint16_t)n[i], id = new_id(), 0,
		    refs, 8);
		refused(f, what, id, BLKIF_OP_READ);
	}
	/* max segments need ceil(max / 512) pages: the rest is garbage. */
	for (i = (unsigned int)((max + 511) / 512); i < 8; i++)
		refs[i] = BAD_GREF;
	put_ind(f, BLKIF_OP_READ, (uint16_t)max, id = new_id(), 0, refs, 8);
	if (served(f, "indirect read of the maximum, unused grefs garbage",
	    id, BLKIF_OP_READ))
		ok("indirect read of %lu segments with garbage in the unused "
		    "indirect_grefs[]: served", max);
	/* 8 segments; descriptors 8.. are invalid and must not matter. */
	ipage_fill(f, ip[0].p, 8);
	put_ind(f, BLKIF_OP_READ, 8, id = new_id(), 0, &ip[0].ref, 1);
	if (served(f, "indirect read of 8, descriptors 8.. garbage", id,
	    BLKIF_OP_READ))
		ok("indirect read of 8 segments, garbage after them: served");
	xpage_unshare(f, &ip[1]);
	xpage_unshare(f, &ip[0]);
}

/* ---- double fetch ----------------------------------------------------------------- */

/*
 * One request whose bytes at off[] flip between good[] and bad[] from the
 * moment it is pushed until it is answered.  Every mix containing a bad
 * byte is a request the backend must refuse; only the good version may be
 * served.  The flipping always ends on the good bytes before we look at
 * rsp_prod, and the id's low bytes equal them, so a flip landing on the
 * answer (which shares the slot) leaves it intact.  Returns the status
 * (-100: no answer).
 */
struct flip {
	volatile uint8_t	*base;		/* the slot or an indirect page */
	unsigned int		 n;
	const unsigned int	*off;
	const uint8_t		*good, *bad;
};

static void
flip_to(const struct flip *fl, const uint8_t *v)
{
	unsigned int i;

	for (i = 0; i < fl->n; i++)
		fl->base[fl->off[i]] = v[i];
}

static int
flip_run(struct front *f, const struct flip *fl, unsigned int nfl,
    uint64_t id, uint8_t *op)
{
	uint64_t end = ms_now() + 10000;
	struct rsp r;
	unsigned int i, turns = 0;

	push(f);
	for (;;) {
		for (i = 0; i < nfl; i++)
			flip_to(&fl[i], fl[i].bad);
		for (i = 0; i < nfl; i++)
			flip_to(&fl[i], fl[i].good);
		__sync_synchronize();
		if (RING_RSP_PROD(f) != f->rsp_cons)
			break;
		if (++turns % 4096 == 0 && ms_now() > end)
			return -100;
	}
	if (!next_rsp(f, &r, 0))
		return -100;
	if (r.id != id) {
		fail(&f->x, "double fetch: answer id %#llx, expected %#llx",
		    (unsigned long long)r.id, (unsigned long long)id);
		return -101;
	}
	*op = r.op;
	return r.status;
}

struct tally {
	unsigned int	 served, refused, eop;
};

/* Judge one answer; data_ok: the read data is the good version's. */
static void
judge(struct front *f, const char *what, struct tally *t, int st, uint8_t op,
    uint8_t good_op, uint8_t bad_op, bool data_ok)
{
	if (st == BLKIF_RSP_OKAY && op == good_op && data_ok)
		t->served++;
	else if (st == BLKIF_RSP_OKAY)
		fail(&f->x, "%s: served (operation %u) with wrong data: a "
		    "mixed version was used", what, op);
	else if (st == BLKIF_RSP_ERROR && op == good_op)
		t->refused++;
	else if (st == BLKIF_RSP_EOPNOTSUPP && op == bad_op)
		t->eop++;
	else if (st > -100)
		fail(&f->x, "%s: status %d operation %u", what, st, op);
	else if (st == -100)
		fail(&f->x, "%s: no answer", what);
}

/* The slot: operation 77 / READ, nr_segments 200 / 1, last_sect 9 / 7. */
static void
df_ring(struct front *f, const uint8_t *want, unsigned int ms,
    struct tally *t)
{
	static const unsigned int off[] = { 0, 1, 24 + 5 };
	static const uint8_t good[] = { BLKIF_OP_READ, 1, SPP - 1 };
	static const uint8_t bad[] = { 77, 200, 9 };
	uint64_t end = ms_now() + ms, id, i;
	struct seg s[11];
	uint8_t op = 0;
	int st;

	for (i = 0; ms_now() < end && !be_closed; i++) {
		struct flip fl = { slot(f, f->req_prod), 3, off, good, bad };

		/* Low bytes as the good operation and nr_segments. */
		id = (i << 32) | (1u << 8) | BLKIF_OP_READ;
		memset(f->data, 0xee, PAGE);
		fill_segs(f, s, 1, 0, SPP - 1);
		put_req(f, BLKIF_OP_READ, 1, id, 4096, s);
		st = flip_run(f, &fl, 1, id, &op);
		judge(f, "double fetch (slot)", t, st, op, BLKIF_OP_READ, 77,
		    memcmp(f->data, want, PAGE) == 0);
		if (st <= -100)
			break;
	}
}

/*
 * An indirect read of 8 pages: indirect_op 77 / READ and nr_segments
 * 512 / 8 in the slot (each byte mix, 0, 520 or 512, is invalid too),
 * every descriptor's last_sect 9 / 7 in the indirect page.
 */
static void
df_indirect(struct front *f, struct xpage *ip, const uint8_t *want,
    unsigned int ms, struct tally *t)
{
	static const unsigned int off[] = { 1, 2, 3 };
	static const uint8_t good[] = { BLKIF_OP_READ, 8, 0 };
	static const uint8_t bad[] = { 77, 0, 2 };
	static unsigned int doff[8];
	static uint8_t dgood[8], dbad[8];
	uint64_t end = ms_now() + ms, id, i;
	uint8_t op = 0;
	int st;

	for (i = 0; i < 8; i++) {
		doff[i] = (unsigned int)(8 * i + 5);
		dgood[i] = SPP - 1;
		dbad[i] = 9;
	}
	for (i = 0; ms_now() < end && !be_closed; i++) {
		struct flip fl[2] = {
			{ slot(f, f->req_prod), 3, off, good, bad },
			{ ip->p, 8, doff, dgood, dbad },
		};

		id = (i << 32) | (8u << 16) | (BLKIF_OP_READ << 8) |
		    BLKIF_OP_INDIRECT;
		memset(f->data, 0xee, 8 * PAGE);
		ipage_fill(f, ip->p, 8);
		put_ind(f, BLKIF_OP_READ, 8, id, 4096, &ip->ref, 1);
		st = flip_run(f, fl, 2, id, &op);
		/* A refused indirect read echoes indirect_op: READ or 77. */
		if (st == BLKIF_RSP_ERROR && op == 77)
			op = BLKIF_OP_READ;
		judge(f, "double fetch (indirect)", t, st, op, BLKIF_OP_READ,
		    77, memcmp(f->data, want, 8 * PAGE) == 0);
		if (st <= -100)
			break;
	}
}

/*
 * Change a request in the shared page after notifying, in a tight loop,
 * until it is answered (XSA-155: a backend must copy a request once and
 * use only its copy).  Every answer must be the good version served with
 * the right data, or a refusal; anything else means the backend used two
 * different versions.  ARG: milliseconds per phase (3000).
 */
static void
a_double_fetch(struct front *f, int argc, char **argv)
{
	unsigned int ms = (unsigned int)arg_num(argc, argv, 0, 3000);
	struct xpage ip = xpage_share(f, f->x.bdom, 1);
	struct tally t1 = { 0, 0, 0 }, t2 = { 0, 0, 0 };
	uint8_t *want;

	if ((want = malloc(8 * PAGE)) == NULL)
		die("malloc");
	disk_put(f, 4096, 8, 91);
	pattern(want, 8 * PAGE, 91);
	df_ring(f, want, ms, &t1);
	ok("double fetch in the slot: %u served with the right data, %u "
	    "refused, %u EOPNOTSUPP", t1.served, t1.refused, t1.eop);
	df_indirect(f, &ip, want, ms, &t2);
	ok("double fetch in the slot and the indirect page: %u served with "
	    "the right data, %u refused, %u EOPNOTSUPP", t2.served, t2.refused,
	    t2.eop);
	if (t1.served + t1.refused + t1.eop == 0 ||
	    t2.served + t2.refused + t2.eop == 0)
		fail(&f->x, "double fetch: a phase got no answer");
	free(want);
	xpage_unshare(f, &ip);
}

/* ---- event channel, garbage ------------------------------------------------------- */

/*
 * Notify in a tight loop for ARG seconds (4), with a good read pushed
 * every 100 ms once the last one was answered: the backend may throttle
 * the port (XSA-332) but must go on serving requests.
 */
static void
a_evtchn_storm(struct front *f, int argc, char **argv)
{
	unsigned long secs = arg_num(argc, argv, 0, 4), nn = 0, nread = 0;
	uint64_t end = ms_now() + secs * 1000, id = 0, next = 0;
	bool waiting = false;
	struct seg s[11];
	struct rsp r;

	fill_segs(f, s, 1, 0, SPP - 1);
	while (ms_now() < end) {
		unsigned int i;

		for (i = 0; i < 256; i++)
			xenevtchn_notify(f->x.xce, f->port);
		nn += 256;
		if (waiting && next_rsp(f, &r, 0)) {
			if (r.id != id || r.status != BLKIF_RSP_OKAY)
				fail(&f->x, "storm: answer id %#llx status %d",
				    (unsigned long long)r.id, r.status);
			nread++;
			waiting = false;
		}
		if (!waiting && ms_now() >= next) {
			put_req(f, BLKIF_OP_READ, 1, id = new_id(), 0, s);
			push(f);
			waiting = true;
			next = ms_now() + 100;
		}
	}
	if (waiting && answer(f, "the read pushed last in the storm", id,
	    &r) == 1)
		nread++;
	if (nread < 2)
		fail(&f->x, "storm: only %lu reads served in %lu s", nread,
		    secs);
	else
		ok("%lu notifications in %lu s; %lu reads served meanwhile", nn,
		    secs, nread);
}

/*
 * Every slot of the ring full of random bytes, pushed at once, ARG rounds
 * (20): every request answered once, with the id it carried, a blkif
 * status, and the device still serves.
 */
static void
a_ring_random(struct front *f, int argc, char **argv)
{
	unsigned long rounds = arg_num(argc, argv, 0, 20), k, nok = 0, nbad = 0;
	uint64_t ids[64];
	unsigned int i, j, n = f->nslots;
	struct rsp r;

	for (k = 0; k < rounds && !be_closed; k++) {
		for (i = 0; i < n; i++) {
			uint64_t req[14];

			for (j = 0; j < 14; j++)
				req[j] = rnd();
			ids[i] = req[1];	/* id at byte 8 in every layout */
			put_raw(f, req, sizeof(req));
		}
		push(f);
		for (i = 0; i < n; i++) {
			if (!next_rsp(f, &r, 10000)) {
				if (be_state(&f->x) >= XenbusStateClosing) {
					be_closed = true;
					ok("random ring: the backend closed the "
					    "device");
				} else
					fail(&f->x, "random ring: %u of %u "
					    "answered", i, n);
				return;
			}
			for (j = 0; j < n && ids[j] != r.id; j++)
				;
			if (j == n)
				fail(&f->x, "random ring: answer id %#llx was "
				    "not sent", (unsigned long long)r.id);
			else
				ids[j] = ~ids[j];	/* answered once */
			if (r.status == BLKIF_RSP_OKAY)
				nok++;
			else if (r.status == BLKIF_RSP_ERROR ||
			    r.status == BLKIF_RSP_EOPNOTSUPP)
				nbad++;
			else
				fail(&f->x, "random ring: status %d", r.status);
		}
	}
	ok("%lu random requests: %lu served, %lu refused, each answered once",
	    rounds * n, nok, nbad);
}

/*
 * Discard (io/blkif.h BLKIF_OP_DISCARD): ranges past the end or wrapping
 * refused; the secure flag without discard-secure is ignored ("ignored if
 * discard-secure=0"), so that discard is served.
 */
static void
a_discard_bad(struct front *f, int argc, char **argv)
{
	uint64_t id;

	(void)argc, (void)argv;
	if (!be_feature(f, "feature-discard")) {
		put_discard(f, 0, id = new_id(), 0, 8);
		refused(f, "discard without feature-discard", id,
		    BLKIF_OP_DISCARD);
		return;
	}
	put_discard(f, 0, id = new_id(), f->sectors - 4, 8);
	refused(f, "discard of 8 sectors at the end - 4", id, BLKIF_OP_DISCARD);
	put_discard(f, 0, id = new_id(), f->sectors, 1);
	refused(f, "discard of 1 sector at the end", id, BLKIF_OP_DISCARD);
	put_discard(f, 0, id = new_id(), UINT64_MAX - 1, 4);
	refused(f, "discard wrapping at 2^64", id, BLKIF_OP_DISCARD);
	put_discard(f, 0, id = new_id(), 1ull << 55, 8);
	refused(f, "discard at 2^55 (byte offset 2^64)", id,
	    BLKIF_OP_DISCARD);
	put_discard(f, be_feature(f, "discard-secure") ? 0 :
	    BLKIF_DISCARD_SECURE, id = new_id(), 0, 8);
	if (served(f, "a legal discard (secure flag if not offered)", id,
	    BLKIF_OP_DISCARD))
		ok("a legal discard is served");
}

/* ---- the table -------------------------------------------------------------------- */

static const struct attack {
	const char	*name;
	void		(*fn)(struct front *, int, char **);
	const char	*doc;
} attacks[] = {
	{ "prod-far", a_prod_far, "req_prod more than a ring past the responses" },
	{ "prod-back", a_prod_back, "req_prod going backwards" },
	{ "id-reuse", a_id_reuse, "one id on requests in flight; extreme ids" },
	{ "bad-op", a_bad_op, "undefined operations, direct and indirect" },
	{ "nseg-0", a_nseg_0, "reads and writes of 0 segments" },
	{ "nseg-max", a_nseg_max, "direct requests of 12..255 segments" },
	{ "sect-order", a_sect_order, "first_sect > last_sect" },
	{ "sect-over-7", a_sect_over_7, "last_sect (or first_sect) above 7" },
	{ "beyond-end", a_beyond_end, "sectors past the end of the disk" },
	{ "sector-wrap", a_sector_wrap, "sector ranges wrapping at 2^64" },
	{ "gref-unknown", a_gref_unknown, "grant refs never granted" },
	{ "gref-readonly", a_gref_readonly, "reads into read-only grants" },
	{ "gref-other", a_gref_other, "pages granted to another domain" },
	{ "gref-revoked", a_gref_revoked, "grants revoked before and during "
	    "requests [count]" },
	{ "indirect-garbage", a_indirect_garbage, "indirect pages of garbage" },
	{ "indirect-count", a_indirect_count, "indirect nr_segments vs pages "
	    "and maximum" },
	{ "double-fetch", a_double_fetch, "requests changed after the notify "
	    "[ms per phase]" },
	{ "evtchn-storm", a_evtchn_storm, "notifications in a tight loop "
	    "[seconds]" },
	{ "ring-random", a_ring_random, "full rings of random bytes [rounds]" },
	{ "discard-bad", a_discard_bad, "discards past the end, wrapping, "
	    "secure" },
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
