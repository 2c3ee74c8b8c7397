/*
 * blkconform.c - "xbfront-blk -C": a conformance run that connects with
 * every feature the backend advertises and exercises each from the guest's
 * side, checking data end to end.
 *
 *  - a multi-page ring (ring-page-order = the backend's max-ring-page-order)
 *    driven far enough that the indexes wrap the ring several times;
 *  - multi-queue (multi-queue-num-queues = min(max, 4), queue-N/ keys),
 *    traffic on every queue at once;
 *  - indirect requests up to feature-max-indirect-segments;
 *  - persistent grants: one fixed set of data grants for every request;
 *  - flush, barrier, discard (and secure discard) when offered;
 *  - sectors, sector-size, info and mode: the last sector works, the one
 *    past it is refused.
 *
 * The x86_64 layout (struct blkif_request, native).  The plumbing (slot,
 * put_req, push, next_rsp) is blkfront.c's and blkhostile.c's; each queue is
 * a struct front of its own that shares the connection's handles.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkfront.h"
#include "blkhostile.h"

#define MAXQ		4u
#define NPAGES		256u		/* data pages shared once, for all */
#define BATCH		8u		/* requests in flight per queue */
#define SEGS_PER_IPAGE	(PAGE / sizeof(struct seg))	/* io/blkif.h: 512 */

struct conf {
	struct front	*f;		/* the device; f->x counts failures */
	struct front	 q[MAXQ];
	unsigned int	 nq, order, npages_ring;
	uint8_t		*data;		/* NPAGES pages */
	uint32_t	 dref[NPAGES];
	uint8_t		*ind;		/* indirect pages */
	uint32_t	 iref[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	unsigned long	 max_indirect;
	uint64_t	 sectors;
	bool		 persistent, readonly;
};

static unsigned long
be_num(struct conf *c, const char *key, unsigned long dflt)
{
	char *v = be_key(c->f, key), *end;
	unsigned long n;

	if (v == NULL)
		return dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v) {
		fail(&c->f->x, "backend key %s is \"%s\", not a number", key, v);
		n = dflt;
	}
	free(v);
	return n;
}

/*
 * Connect with everything on.  io/blkif.h: ring-page-order with
 * ring-ref0..ring-ref(2^order - 1); multi-queue-num-queues with the ring
 * keys and event-channel under queue-N/ (at the top for one queue);
 * feature-persistent "frontend ... supports" = 1.
 */
static void
conf_connect(struct conf *c)
{
	struct front *f = c->f;
	xenevtchn_port_or_error_t p;
	unsigned long mq, mo;
	unsigned int i, j, np;
	char key[64], pre[32];
	int st;

	if ((st = wait_be(&f->x, XenbusStateInitWait, XenbusStateInitWait)) !=
	    XenbusStateInitWait)
		die("backend state %d, not InitWait", st);
	/* io/blkif.h: these three are written before InitWait. */
	mq = be_num(c, "multi-queue-max-queues", 1);
	mo = be_num(c, "max-ring-page-order", 0);
	c->max_indirect = be_num(c, "feature-max-indirect-segments", 0);
	ok("backend offers multi-queue-max-queues %lu, max-ring-page-order %lu, "
	    "feature-max-indirect-segments %lu", mq, mo, c->max_indirect);
	if (mo > 4)
		fail(&f->x, "max-ring-page-order %lu: more than 16 pages", mo);
	c->order = mo > 4 ? 4 : (unsigned int)mo;
	c->npages_ring = 1u << c->order;
	c->nq = mq < 1 ? 1 : mq > MAXQ ? MAXQ : (unsigned int)mq;

	if ((c->data = xengntshr_share_pages(f->x.gs, f->x.bdom, NPAGES,
	    c->dref, 1)) == NULL)
		die("sharing %u data pages", NPAGES);
	if ((c->ind = xengntshr_share_pages(f->x.gs, f->x.bdom,
	    BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST, c->iref, 0)) == NULL)
		die("sharing indirect pages");

	xwrite(&f->x, "protocol", "%s", "x86_64-abi");
	if (c->nq > 1)
		xwrite(&f->x, "multi-queue-num-queues", "%u", c->nq);
	if (c->order > 0)
		xwrite(&f->x, "ring-page-order", "%u", c->order);
	for (i = 0; i < c->nq; i++) {
		struct front *q = &c->q[i];
		uint32_t refs[16];

		q->x = f->x;
		q->x.failures = 0;
		q->slot = sizeof(struct req64);
		np = c->npages_ring;
		if ((q->ring = xengntshr_share_pages(f->x.gs, f->x.bdom, np,
		    refs, 1)) == NULL)
			die("sharing %u ring pages", np);
		memset(q->ring, 0, (size_t)np * PAGE);
		((uint32_t *)q->ring)[1] = 1;	/* req_event */
		((uint32_t *)q->ring)[3] = 1;	/* rsp_event */
		/* io/ring.h __RING_SIZE: a power of two that fits. */
		q->nslots = 1;
		while (64 + q->nslots * 2 * q->slot <= (size_t)np * PAGE)
			q->nslots *= 2;
		q->ring_ref = refs[0];
		q->sectors = c->sectors;
		q->abi_name = "x86_64-abi";
		if ((p = xenevtchn_bind_unbound_port(f->x.xce, f->x.bdom)) < 0)
			die("allocating an event channel");
		q->port = (evtchn_port_t)p;
		if (c->nq > 1)
			snprintf(pre, sizeof(pre), "queue-%u/", i);
		else
			pre[0] = '\0';
		for (j = 0; j < np; j++) {
			if (c->order > 0)
				snprintf(key, sizeof(key), "%sring-ref%u", pre,
				    j);
			else
				snprintf(key, sizeof(key), "%sring-ref", pre);
			xwrite(&f->x, key, "%u", refs[j]);
		}
		snprintf(key, sizeof(key), "%sevent-channel", pre);
		xwrite(&f->x, key, "%u", q->port);
	}
	xwrite(&f->x, "feature-persistent", "%d", 1);
	xwrite(&f->x, "state", "%d", XenbusStateInitialised);
	if ((st = wait_be(&f->x, XenbusStateConnected, XenbusStateClosing)) !=
	    XenbusStateConnected)
		die("backend state %d, not Connected", st);

	/* io/blkif.h: sectors in sector-size units; info; the toolstack's mode. */
	c->sectors = be_num(c, "sectors", 0);
	{
		unsigned long ss = be_num(c, "sector-size", 0);
		unsigned long info = be_num(c, "info", 0);
		char *mode = be_key(f, "mode");

		if (ss == 0 || ss % 512 != 0)
			fail(&f->x, "sector-size %lu: not a multiple of 512",
			    ss);
		else
			ok("sector-size %lu", ss);
		/*
		 * io/blkif.h: sector_number and first/last_sect count
		 * 512-byte sectors whatever sector-size is; "sectors" counts
		 * sector-size units.
		 */
		c->sectors = c->sectors * (ss ? ss : 512) / 512;
		c->readonly = (info & VDISK_READONLY) != 0;
		if (mode != NULL && (strcmp(mode, "w") == 0) == c->readonly)
			fail(&f->x, "mode \"%s\" but info %#lx (VDISK_READONLY "
			    "%s)", mode, info, c->readonly ? "set" : "clear");
		else
			ok("mode \"%s\" agrees with info %#lx", mode ? mode :
			    "(absent)", info);
		free(mode);
	}
	c->persistent = be_feature(f, "feature-persistent");
	for (i = 0; i < c->nq; i++)
		c->q[i].sectors = c->sectors;
	f->sectors = c->sectors;
	xwrite(&f->x, "state", "%d", XenbusStateConnected);
	ok("connected: %u queue%s of %u page%s (%u slots), x86_64-abi, "
	    "persistent grants %s, %llu sectors", c->nq, c->nq > 1 ? "s" : "",
	    c->npages_ring, c->npages_ring > 1 ? "s" : "", c->q[0].nslots,
	    c->persistent ? "on" : "off (backend did not offer them)",
	    (unsigned long long)c->sectors);
	if (c->sectors < 65536)
		die("disk too small for the test (%llu sectors)",
		    (unsigned long long)c->sectors);
}

/* Wait for n answers on q; ids (q << 32 | k) must each come once, OKAY. */
static int
collect(struct conf *c, struct front *q, unsigned int qi, uint64_t base,
    unsigned int n, uint8_t op)
{
	uint32_t seen = 0;
	struct rsp r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!next_rsp(q, &r, 10000)) {
			fail(&c->f->x, "queue %u: %u of %u answers within 10 s",
			    qi, i, n);
			return -1;
		}
		if (r.id < base || r.id >= base + n ||
		    (seen & (1u << (r.id - base)))) {
			fail(&c->f->x, "queue %u: answer id %#llx unexpected",
			    qi, (unsigned long long)r.id);
			return -1;
		}
		seen |= 1u << (r.id - base);
		if (r.status != BLKIF_RSP_OKAY || r.op != op) {
			fail(&c->f->x, "queue %u: id %#llx status %d op %u, "
			    "want OKAY and %u", qi, (unsigned long long)r.id,
			    r.status, r.op, op);
			return -1;
		}
	}
	return 0;
}

/*
 * Every queue at once: BATCH one-page requests in flight per queue, writes
 * then reads into zeroed pages, compared; enough batches that each ring's
 * indexes pass 2 * nslots (io/ring.h: indexes are free-running, slots
 * wrap).  Queue i uses data pages i*BATCH.. and sectors 8192 + i*8192 on;
 * the same grants every time (persistent grants reused).
 */
static void
rings(struct conf *c, unsigned int rounds)
{
	unsigned int qi, k, b, nb, bad = 0;
	uint8_t *want;
	uint64_t id0;

	nb = (2 * c->q[0].nslots + 2 * BATCH - 1) / (2 * BATCH) + rounds;
	if ((want = malloc((size_t)MAXQ * BATCH * PAGE)) == NULL)
		die("malloc");
	for (b = 0; b < nb && bad == 0; b++) {
		for (k = 0; k < 2; k++) {
			uint8_t op = k == 0 ? BLKIF_OP_WRITE : BLKIF_OP_READ;

			for (qi = 0; qi < c->nq; qi++) {
				struct front *q = &c->q[qi];
				unsigned int i;

				id0 = ((uint64_t)qi << 32) | (b * 2 + k) * BATCH;
				for (i = 0; i < BATCH; i++) {
					unsigned int pg = qi * BATCH + i;
					uint8_t *d = c->data + (size_t)pg * PAGE;
					struct seg s[11];

					if (k == 0) {
						pattern(d, PAGE, b * 64 + pg);
						snprintf((char *)d, 32,
						    "XBCONFORM q%u\n", qi);
						memcpy(want + (size_t)pg * PAGE,
						    d, PAGE);
					} else
						memset(d, 0, PAGE);
					memset(s, 0, sizeof(s));
					s[0] = sg(c->dref[pg], 0, SPP - 1);
					put_req(q, op, 1, id0 + i, 8192 +
					    qi * 8192 + ((b * BATCH + i) % 512) *
					    SPP, s);
				}
				push(q);
			}
			for (qi = 0; qi < c->nq; qi++) {
				id0 = ((uint64_t)qi << 32) | (b * 2 + k) * BATCH;
				if (collect(c, &c->q[qi], qi, id0, BATCH, op))
					bad++;
			}
		}
		if (memcmp(c->data, want, (size_t)c->nq * BATCH * PAGE) != 0) {
			fail(&c->f->x, "rings: batch %u read back differs", b);
			bad++;
		}
	}
	free(want);
	for (qi = 0; qi < c->nq && bad == 0; qi++) {
		if (c->q[qi].req_prod < 2 * c->q[qi].nslots)
			fail(&c->f->x, "queue %u: only %u requests", qi,
			    c->q[qi].req_prod);
		else
			ok("queue %u: %u requests through %u slots (the ring "
			    "wrapped %u times), every answer OKAY, data "
			    "matches", qi, c->q[qi].req_prod, c->q[qi].nslots,
			    c->q[qi].req_prod / c->q[qi].nslots);
	}
	if (bad == 0)
		ok("persistent grants %s: %u requests reused the same %u data "
		    "grants, data correct every time",
		    c->persistent ? "on" : "off", 2 * nb * BATCH * c->nq,
		    c->nq * BATCH);
}

/* One request on queue 0; its status (or -100 on timeout). */
static int
req1(struct conf *c, const char *what, uint8_t op, uint8_t nseg,
    uint64_t sector, const struct seg *s, int want)
{
	struct front *q = &c->q[0];
	uint64_t id = new_id();
	uint8_t rop = 0;
	int st;

	put_req(q, op, nseg, id, sector, s);
	push(q);
	st = wait_rsp(q, id, &rop);
	if (st == -100)
		fail(&c->f->x, "%s: no answer within 10 s", what);
	else if (st == -101)
		;
	else if (st != want || rop != op)
		fail(&c->f->x, "%s: status %d operation %u, want %d and %u",
		    what, st, rop, want, op);
	else
		ok("%s (status %d)", what, st);
	return st;
}

/* io/blkif.h BLKIF_OP_INDIRECT: nseg descriptors in ceil(nseg/512) pages. */
static int
indirect(struct conf *c, const char *what, uint8_t op, unsigned int nseg,
    unsigned int first, unsigned int last, uint64_t sector)
{
	struct front *q = &c->q[0];
	struct seg *d = (struct seg *)c->ind;
	unsigned int i, nref = (nseg + SEGS_PER_IPAGE - 1) / SEGS_PER_IPAGE;
	uint64_t id = new_id();
	struct rsp r;

	if (nref > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		nref = BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST;
	memset(c->ind, 0xff, (size_t)BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST *
	    PAGE);
	for (i = 0; i < nseg && i < nref * SEGS_PER_IPAGE; i++)
		d[i] = sg(c->dref[i % NPAGES], first, last);
	put_ind(q, op, (uint16_t)nseg, id, sector, c->iref, nref);
	push(q);
	if (answer(q, what, id, &r) != 1)
		return -100;
	if (r.op != op) {
		/*
		 * io/blkif.h leaves the response's operation of an indirect
		 * request unsaid; Linux xen-blkback (pending_req->operation =
		 * indirect_op) answers with the indirect_op, and xen-blkfront
		 * accepts that: so do we and blkbackd.
		 */
		fail(&c->f->x, "%s: response operation %u, want %u (the "
		    "indirect_op)", what, r.op, op);
		return -101;
	}
	return r.status;
}

static void
indirect_checks(struct conf *c)
{
	unsigned long max = c->max_indirect;
	unsigned int n, i, ps;
	uint64_t sector = 65536;
	uint8_t *want;
	char what[96];
	int st;

	if (max == 0) {
		ok("indirect: not offered (feature-max-indirect-segments "
		    "absent), not sent");
		return;
	}
	n = max > NPAGES ? NPAGES : (unsigned int)max;
	if ((want = malloc((size_t)NPAGES * PAGE)) == NULL)
		die("malloc");
	/* Full pages: n segments, every one a different page. */
	for (i = 0; i < n; i++)
		pattern(c->data + (size_t)i * PAGE, PAGE, 1000 + i);
	snprintf((char *)c->data, 32, "XBCONFORM indirect\n");
	memcpy(want, c->data, (size_t)n * PAGE);
	snprintf(what, sizeof(what), "indirect write of %u segments "
	    "(%u indirect page%s)", n, (n + 511) / 512, n > 512 ? "s" : "");
	if ((st = indirect(c, what, BLKIF_OP_WRITE, n, 0, SPP - 1,
	    sector)) == BLKIF_RSP_OKAY)
		ok("%s", what);
	else if (st > -100)
		fail(&c->f->x, "%s: status %d", what, st);
	memset(c->data, 0, (size_t)n * PAGE);
	snprintf(what, sizeof(what), "indirect read of %u segments", n);
	if ((st = indirect(c, what, BLKIF_OP_READ, n, 0, SPP - 1, sector)) ==
	    BLKIF_RSP_OKAY) {
		if (memcmp(c->data, want, (size_t)n * PAGE) != 0)
			fail(&c->f->x, "%s: data differs from what was "
			    "written", what);
		else
			ok("%s: data matches", what);
	} else if (st > -100)
		fail(&c->f->x, "%s: status %d", what, st);

	/* Partial segments: sectors 1..6 of each of n/2+3 pages. */
	ps = n / 2 + 3 > n ? n : n / 2 + 3;
	memset(c->data, 0, (size_t)ps * PAGE);
	snprintf(what, sizeof(what), "indirect read of %u partial segments "
	    "(sectors 1..6)", ps);
	if ((st = indirect(c, what, BLKIF_OP_READ, ps, 1, 6, sector)) ==
	    BLKIF_RSP_OKAY) {
		/* Segment i holds disk sectors sector + 6i .. +6i+5. */
		int bad = 0;

		for (i = 0; i < ps && !bad; i++)
			if (memcmp(c->data + (size_t)i * PAGE + 512,
			    want + (size_t)i * 6 * 512, 6 * 512) != 0)
				bad = 1;
		if (bad)
			fail(&c->f->x, "%s: segment %u has the wrong data",
			    what, i - 1);
		else
			ok("%s: each lands at its offset", what);
	} else if (st > -100)
		fail(&c->f->x, "%s: status %d", what, st);

	/* io/blkif.h: nr_segments <= feature-max-indirect-segments. */
	if (max < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * SEGS_PER_IPAGE) {
		snprintf(what, sizeof(what), "indirect read of %lu segments "
		    "(one past the maximum)", max + 1);
		st = indirect(c, what, BLKIF_OP_READ, (unsigned int)max + 1,
		    0, SPP - 1, sector);
		if (st == BLKIF_RSP_ERROR || st == BLKIF_RSP_EOPNOTSUPP)
			ok("%s: refused (status %d)", what, st);
		else if (st > -100)
			fail(&c->f->x, "%s: status %d, want an error", what,
			    st);
	}
	free(want);
}

/* Flush, barrier: io/blkif.h feature-flush-cache, feature-barrier. */
static void
flush_checks(struct conf *c)
{
	struct seg s[11];

	memset(s, 0, sizeof(s));
	if (be_feature(c->f, "feature-flush-cache"))
		req1(c, "flush (feature-flush-cache 1)",
		    BLKIF_OP_FLUSH_DISKCACHE, 0, 0, s, BLKIF_RSP_OKAY);
	else
		ok("flush: not offered, not sent");
	if (be_feature(c->f, "feature-barrier")) {
		/* A barrier is a write with ordering: write, read back. */
		pattern(c->data, PAGE, 4242);
		snprintf((char *)c->data, 32, "XBCONFORM barrier\n");
		s[0] = sg(c->dref[0], 0, SPP - 1);
		if (req1(c, "barrier write of one page (feature-barrier 1)",
		    BLKIF_OP_WRITE_BARRIER, 1, 40960, s, BLKIF_RSP_OKAY) == 0) {
			uint8_t *want = malloc(PAGE);

			if (want == NULL)
				die("malloc");
			memcpy(want, c->data, PAGE);
			memset(c->data, 0, PAGE);
			req1(c, "reading the barrier's page", BLKIF_OP_READ, 1,
			    40960, s, BLKIF_RSP_OKAY);
			if (memcmp(want, c->data, PAGE) != 0)
				fail(&c->f->x, "barrier write: data differs");
			else
				ok("barrier write: data matches");
			free(want);
		}
	} else
		ok("barrier: not offered, not sent");
}

/* Write n pages of pattern seed at sector through queue 0 (11 at a time). */
static void
put_pages(struct conf *c, uint64_t sector, unsigned int n, unsigned int seed)
{
	unsigned int i, k;
	struct seg s[11];
	struct rsp r;

	for (i = 0; i < n; i += k) {
		k = n - i > 11 ? 11 : n - i;
		memset(s, 0, sizeof(s));
		for (unsigned int j = 0; j < k; j++) {
			pattern(c->data + (size_t)j * PAGE, PAGE, seed + i + j);
			s[j] = sg(c->dref[j], 0, SPP - 1);
		}
		put_req(&c->q[0], BLKIF_OP_WRITE, (uint8_t)k, new_id(),
		    sector + (uint64_t)i * SPP, s);
		push(&c->q[0]);
		if (!next_rsp(&c->q[0], &r, 10000) || r.status != BLKIF_RSP_OKAY)
			fail(&c->f->x, "discard setup: a write at %llu failed",
			    (unsigned long long)(sector + (uint64_t)i * SPP));
	}
}

/* Read n pages at sector into data pages 0..n-1 (n <= 11 at a time). */
static bool
get_pages(struct conf *c, uint64_t sector, unsigned int n, uint8_t *out)
{
	unsigned int i, k, j;
	struct seg s[11];
	struct rsp r;

	for (i = 0; i < n; i += k) {
		k = n - i > 11 ? 11 : n - i;
		memset(s, 0, sizeof(s));
		for (j = 0; j < k; j++)
			s[j] = sg(c->dref[j], 0, SPP - 1);
		memset(c->data, 0x5a, (size_t)k * PAGE);
		put_req(&c->q[0], BLKIF_OP_READ, (uint8_t)k, new_id(),
		    sector + (uint64_t)i * SPP, s);
		push(&c->q[0]);
		if (!next_rsp(&c->q[0], &r, 10000) ||
		    r.status != BLKIF_RSP_OKAY)
			return false;
		memcpy(out + (size_t)i * PAGE, c->data, (size_t)k * PAGE);
	}
	return true;
}

/*
 * io/blkif.h feature-discard: discard-granularity is "the minimum unit of
 * discard in bytes", discard-alignment "the offset in bytes of the first
 * granule from the beginning of the disk"; a discard on those boundaries
 * is applied, and our backend (hole punching) reads back zeroes.  The flag
 * BLKIF_DISCARD_SECURE only with discard-secure = 1, and "is ignored if
 * discard-secure=0".
 */
static void
discard_checks(struct conf *c)
{
	unsigned long g, a, gs;
	uint64_t start, nr, base = 49152, i;
	unsigned int n = 64;	/* pages set up: 256 KiB */
	uint8_t *got;
	int st;

	if (!be_feature(c->f, "feature-discard")) {
		ok("discard: not offered, not sent");
		return;
	}
	g = be_num(c, "discard-granularity", 512);
	a = be_num(c, "discard-alignment", 0);
	if (g == 0 || g % 512 != 0 || a % 512 != 0 || a >= g) {
		fail(&c->f->x, "discard-granularity %lu, discard-alignment %lu: "
		    "not whole sectors with alignment < granularity", g, a);
		return;
	}
	ok("discard-granularity %lu, discard-alignment %lu", g, a);
	gs = g / 512;
	if (gs * 2 > (uint64_t)n * SPP / 2) {
		ok("discard: granularity %lu too big for the test range, "
		    "not sent", g);
		return;
	}
	put_pages(c, base, n, 7000);
	/* The first granule boundary after base, and whole granules. */
	start = base + 1;
	while ((start * 512 - a) % g != 0)
		start++;
	nr = ((uint64_t)n * SPP / 2 / gs) * gs;
	if ((got = malloc((size_t)n * PAGE)) == NULL)
		die("malloc");
	put_discard(&c->q[0], 0, new_id(), start, nr);
	{
		struct rsp r;

		push(&c->q[0]);
		if (!next_rsp(&c->q[0], &r, 10000))
			st = -100;
		else
			st = r.op == BLKIF_OP_DISCARD ? r.status : -101;
	}
	if (st != BLKIF_RSP_OKAY)
		fail(&c->f->x, "discard of %llu sectors at %llu: status %d",
		    (unsigned long long)nr, (unsigned long long)start, st);
	else if (!get_pages(c, base, n, got))
		fail(&c->f->x, "discard: reading the range back failed");
	else {
		uint8_t *want = malloc((size_t)n * PAGE);
		uint64_t bad = UINT64_MAX;

		if (want == NULL)
			die("malloc");
		for (i = 0; i < n; i++)
			pattern(want + i * PAGE, PAGE, 7000 + (unsigned int)i);
		for (i = 0; i < (uint64_t)n * SPP && bad == UINT64_MAX; i++) {
			uint64_t s = base + i;
			bool in = s >= start && s < start + nr;
			uint8_t z[512];

			memset(z, 0, sizeof(z));
			if (memcmp(got + i * 512, in ? z : want + i * 512,
			    512) != 0)
				bad = s;
		}
		if (bad != UINT64_MAX)
			fail(&c->f->x, "discard of sectors %llu..%llu: sector "
			    "%llu reads wrong (want %s)",
			    (unsigned long long)start,
			    (unsigned long long)(start + nr - 1),
			    (unsigned long long)bad, bad >= start &&
			    bad < start + nr ? "zeroes" : "the old pattern");
		else
			ok("discard of sectors %llu..%llu (granule-aligned): "
			    "reads back zeroes, the sectors around unchanged",
			    (unsigned long long)start,
			    (unsigned long long)(start + nr - 1));
		free(want);
	}
	free(got);
	{
		bool sec = be_feature(c->f, "discard-secure");
		struct rsp r;
		char what[96];

		snprintf(what, sizeof(what), "discard with BLKIF_DISCARD_SECURE "
		    "(discard-secure %d)", sec);
		put_discard(&c->q[0], BLKIF_DISCARD_SECURE, new_id(), start,
		    gs);
		push(&c->q[0]);
		if (!next_rsp(&c->q[0], &r, 10000))
			fail(&c->f->x, "%s: no answer", what);
		else if (r.status != BLKIF_RSP_OKAY)
			fail(&c->f->x, "%s: status %d, want OKAY (%s)", what,
			    r.status, sec ? "offered" : "the flag is ignored");
		else
			ok("%s: served%s", what, sec ? "" :
			    ", the flag ignored as io/blkif.h says");
	}
}

/* io/blkif.h "sectors": the last one works, one past it is refused. */
static void
end_checks(struct conf *c)
{
	uint64_t last = c->sectors - 1;
	struct seg s[11];
	char what[96];
	uint8_t want[512];

	memset(s, 0, sizeof(s));
	memset(c->data, 0, PAGE);
	snprintf((char *)c->data, 64, "XBCONFORM last sector\n");
	memcpy(want, c->data, 512);
	s[0] = sg(c->dref[0], 0, 0);
	snprintf(what, sizeof(what), "write of the last sector (%llu)",
	    (unsigned long long)last);
	req1(c, what, BLKIF_OP_WRITE, 1, last, s, BLKIF_RSP_OKAY);
	memset(c->data, 0, PAGE);
	snprintf(what, sizeof(what), "read of the last sector (%llu)",
	    (unsigned long long)last);
	if (req1(c, what, BLKIF_OP_READ, 1, last, s, BLKIF_RSP_OKAY) == 0) {
		if (memcmp(c->data, want, 512) != 0)
			fail(&c->f->x, "last sector: data differs");
		else
			ok("last sector: data matches");
	}
	snprintf(what, sizeof(what), "read of sector %llu (one past the end) "
	    "refused", (unsigned long long)c->sectors);
	req1(c, what, BLKIF_OP_READ, 1, c->sectors, s, BLKIF_RSP_ERROR);
	s[0] = sg(c->dref[0], 0, 1);
	snprintf(what, sizeof(what), "read of sectors %llu..%llu (across the "
	    "end) refused", (unsigned long long)last,
	    (unsigned long long)c->sectors);
	req1(c, what, BLKIF_OP_READ, 1, last, s, BLKIF_RSP_ERROR);
}

static void
conf_close(struct conf *c)
{
	unsigned int i;

	blk_close_state(c->f);
	for (i = 0; i < c->nq; i++) {
		c->f->x.failures += c->q[i].x.failures;
		xenevtchn_unbind(c->f->x.xce, c->q[i].port);
		xengntshr_unshare(c->f->x.gs, c->q[i].ring, c->npages_ring);
	}
	xengntshr_unshare(c->f->x.gs, c->data, NPAGES);
	xengntshr_unshare(c->f->x.gs, c->ind,
	    BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
}

int
conform_main(struct front *f, unsigned int rounds)
{
	static struct conf c;

	memset(&c, 0, sizeof(c));
	c.f = f;
	conf_connect(&c);
	rings(&c, rounds);
	indirect_checks(&c);
	flush_checks(&c);
	discard_checks(&c);
	end_checks(&c);
	/* Everything after all that still on every queue. */
	rings(&c, 1);
	conf_close(&c);
	return f->x.failures ? 1 : 0;
}
