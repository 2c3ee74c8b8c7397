/*
 * blkatk_data.c - attacks through the pages a request names: grants,
 * indirect descriptor pages, a request changed after the notify
 * (xbfront-blk -H; blkhostile.c runs them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkhostile.h"

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
void
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
void
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
void
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
void
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
void
a_indirect_garbage(struct front *f, int argc, char **argv)
{
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct xpage other = xpage_share(f, 0x7fef, 0);
	struct seg *d = (struct seg *)ip.p;
	uint32_t bad = BAD_GREF;
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
		if (!data_is(f, 8, 66))
			fail(&f->x, "indirect read into its own indirect page: "
			    "wrong data");
		else
			ok("indirect read into its own indirect page: served, "
			    "data right");
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
void
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
	uint64_t end = now_ms() + 10000;
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
		if (++turns % 4096 == 0 && now_ms() > end)
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
	uint64_t end = now_ms() + ms, id, i;
	struct seg s[11];
	uint8_t op = 0;
	int st;

	for (i = 0; now_ms() < end && !be_closed; i++) {
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
	uint64_t end = now_ms() + ms, id, i;
	uint8_t op = 0;
	int st;

	for (i = 0; i < 8; i++) {
		doff[i] = (unsigned int)(8 * i + 5);
		dgood[i] = SPP - 1;
		dbad[i] = 9;
	}
	for (i = 0; now_ms() < end && !be_closed; i++) {
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
void
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

