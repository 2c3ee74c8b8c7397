/*
 * blkatk_conn.c - attacks on the connection rather than one request:
 * closing with requests out, ring pages that alias, one bad queue of two,
 * and the x86_32 layout (xbfront-blk -H; blkhostile.c runs them).  Each
 * sets up its own rings (blkhostile.c's table marks them) and leaves the
 * device connected through f, in one page and one queue, for the checks
 * after the attack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkhostile.h"

#define MAXQ		2u
#define MAXPG		16u		/* io/blkif.h: ring-page-order <= 4 */
#define SEGS_PER_IPAGE	(PAGE / sizeof(struct seg))

/* A connection of our own: nq queues of 2^order pages each. */
struct mconn {
	struct front	 q[MAXQ];
	unsigned int	 nq, order, np;
	uint32_t	 refs[MAXQ][MAXPG];	/* as shared */
};

/* ---- connections of our own ----------------------------------------------------- */

/* Frontend keys a previous connection of ours may have left. */
static void
clear_keys(struct front *f)
{
	static const char *keys[] = { "ring-page-order",
	    "multi-queue-num-queues", "queue-0", "queue-1", "ring-ref",
	    "event-channel" };
	char path[200];
	unsigned int i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) + MAXPG; i++) {
		if (i < sizeof(keys) / sizeof(keys[0]))
			snprintf(path, sizeof(path), "%s/%s", f->x.fe, keys[i]);
		else
			snprintf(path, sizeof(path), "%s/ring-ref%zu", f->x.fe,
			    i - sizeof(keys) / sizeof(keys[0]));
		if (!xs_rm(f->x.xs, XBT_NULL, path) && errno != ENOENT)
			die("removing %s", path);
	}
}

/*
 * Share nq rings of 2^order pages and write their keys as io/blkif.h
 * spells them (ring-page-order, ring-ref0..N-1 or ring-ref, queue-N/ for
 * several queues), but with the refs of alias[] when given (alias[q][p]
 * is an index into the shared refs of queue 0 then 1: the way to make
 * pages repeat).  Then Initialised; returns the backend's answer,
 * Connected or Closing.
 */
static int
mc_open(struct front *f, struct mconn *mc, unsigned int nq, unsigned int order,
    const unsigned int alias[MAXQ][MAXPG])
{
	xenevtchn_port_or_error_t p;
	char key[64], pre[16];
	unsigned int i, j;
	int st;

	memset(mc, 0, sizeof(*mc));
	mc->nq = nq;
	mc->order = order;
	mc->np = 1u << order;
	if ((st = wait_be(&f->x, XenbusStateInitWait, XenbusStateInitWait)) !=
	    XenbusStateInitWait)
		die("backend state %d, not InitWait", st);
	clear_keys(f);
	xwrite(&f->x, "protocol", "%s", "x86_64-abi");
	if (nq > 1)
		xwrite(&f->x, "multi-queue-num-queues", "%u", nq);
	if (order > 0)
		xwrite(&f->x, "ring-page-order", "%u", order);
	for (i = 0; i < nq; i++) {
		struct front *q = &mc->q[i];

		q->x = f->x;
		q->x.failures = 0;
		q->slot = sizeof(struct req64);
		q->abi_name = "x86_64-abi";
		if ((q->ring = xengntshr_share_pages(f->x.gs, f->x.bdom, mc->np,
		    mc->refs[i], 1)) == NULL)
			die("sharing %u ring pages", mc->np);
		memset(q->ring, 0, (size_t)mc->np * PAGE);
		((uint32_t *)q->ring)[1] = 1;	/* req_event */
		((uint32_t *)q->ring)[3] = 1;	/* rsp_event */
		/* io/ring.h __RING_SIZE: a power of two that fits. */
		q->nslots = 1;
		while (64 + q->nslots * 2 * q->slot <= (size_t)mc->np * PAGE)
			q->nslots *= 2;
		q->ring_ref = mc->refs[i][0];
		if ((p = xenevtchn_bind_unbound_port(f->x.xce, f->x.bdom)) < 0)
			die("allocating an event channel");
		q->port = (evtchn_port_t)p;
	}
	for (i = 0; i < nq; i++) {
		if (nq > 1)
			snprintf(pre, sizeof(pre), "queue-%u/", i);
		else
			pre[0] = '\0';
		for (j = 0; j < mc->np; j++) {
			unsigned int a = alias ? alias[i][j] : i * MAXPG + j;
			uint32_t ref = mc->refs[a / MAXPG][a % MAXPG];

			if (order > 0)
				snprintf(key, sizeof(key), "%sring-ref%u", pre,
				    j);
			else
				snprintf(key, sizeof(key), "%sring-ref", pre);
			xwrite(&f->x, key, "%u", ref);
		}
		snprintf(key, sizeof(key), "%sevent-channel", pre);
		xwrite(&f->x, key, "%u", mc->q[i].port);
	}
	xwrite(&f->x, "state", "%d", XenbusStateInitialised);
	st = wait_be(&f->x, XenbusStateConnected, XenbusStateClosing);
	if (st == XenbusStateConnected) {
		char *v = be_key(f, "sectors");

		f->sectors = v ? strtoull(v, NULL, 10) : 0;
		free(v);
		for (i = 0; i < nq; i++)
			mc->q[i].sectors = f->sectors;
		xwrite(&f->x, "state", "%d", XenbusStateConnected);
	}
	return st;
}

/*
 * Close our side (unless the caller did: closed), unshare the rings, and
 * ask for InitWait again; the failures counted per queue go to f.
 */
static void
mc_close(struct front *f, struct mconn *mc, bool closed)
{
	unsigned int i;

	if (!closed)
		blk_close_state(f);
	for (i = 0; i < mc->nq; i++) {
		f->x.failures += mc->q[i].x.failures;
		xenevtchn_unbind(f->x.xce, mc->q[i].port);
		xengntshr_unshare(f->x.gs, mc->q[i].ring, mc->np);
	}
	clear_keys(f);
	xwrite(&f->x, "state", "%d", XenbusStateInitialising);
}

/* The standard connection again (one page, one queue, x86_64). */
static void
std_connect(struct front *f)
{
	blk_connect(f, "x86_64-abi");
	be_closed = false;
}

/* Do n pages at sector read back as want?  Through f, 11 at a time. */
static bool
disk_is(struct front *f, uint64_t sector, unsigned int n, const uint8_t *want)
{
	unsigned int i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < NDATA ? n - i : NDATA;
		memset(f->data, 0x5a, (size_t)k * PAGE);
		if (!rw_pages(f, "reading back", BLKIF_OP_READ,
		    sector + (uint64_t)i * SPP, k))
			return false;
		if (memcmp(f->data, want + (size_t)i * PAGE,
		    (size_t)k * PAGE) != 0)
			return false;
	}
	return true;
}

/* An indirect request on q: nseg segments over pages[], in ipage ip. */
static void
put_ind_over(struct front *q, uint8_t op, unsigned int nseg, uint64_t id,
    uint64_t sector, const uint32_t *pages, struct xpage *ip)
{
	struct seg *d = (struct seg *)ip->p;
	unsigned int i;

	memset(ip->p, 0xff, PAGE);
	for (i = 0; i < nseg && i < SEGS_PER_IPAGE; i++)
		d[i] = sg(pages[i], 0, SPP - 1);
	put_ind(q, op, (uint16_t)nseg, id, sector, &ip->ref, 1);
}

/* ---- close with requests in flight ------------------------------------------------ */

#define CI_W		32u	/* direct writes, CI_WSEG pages each */
#define CI_WSEG		4u
#define CI_R		24u	/* direct reads of 11 pages */
#define CI_IND		4u	/* indirect writes and reads */
#define CI_ISEG		32u
#define CI_N		(CI_W + CI_R + 2 * CI_IND)
#define CI_WPAGES	(CI_W * CI_WSEG)	/* = CI_IND * CI_ISEG */

_Static_assert(CI_WPAGES == CI_IND * CI_ISEG, "indirect writes reuse pages");

struct ci_req {
	uint64_t	id;
	uint8_t		op;
	bool		write;
	uint64_t	sector;
	unsigned int	page0, npages;	/* of the write pool */
	int		status;		/* -1: no answer */
};

/*
 * One round: CI_N legal requests on a 4-page ring (128 slots): CI_W
 * writes of 4 pages, CI_R reads of 11, and CI_IND indirect writes and
 * reads of 32 segments, interleaved.  notify: pushed with a notify, then
 * Closing and Closed at once (whatever the backend took is in flight);
 * otherwise req_prod is moved without a notify before Closing and Closed
 * (the backend finds them all unread).  Each write has its own region of
 * the disk from base, zero until now.  What the backend answered is read
 * from the ring once it is Closed; rq[] says what to find on the disk.
 */
static void
ci_round(struct front *f, bool notify, uint64_t base, struct ci_req *rq,
    uint8_t *want)
{
	struct mconn mc;
	struct front *q = &mc.q[0];
	uint8_t *wp, *rp;
	uint32_t wref[CI_WPAGES], rref[NDATA], rpages[CI_ISEG];
	struct xpage ip[2 * CI_IND];
	unsigned int i, n = 0, nok = 0, nerr = 0, nans = 0;
	const char *how = notify ? "pushed with a notify" :
	    "published without a notify";
	struct seg s[11];
	struct rsp r;
	int st;

	if ((st = mc_open(f, &mc, 1, 2, NULL)) != XenbusStateConnected)
		die("backend state %d, not Connected, on a 4-page ring", st);
	if ((wp = xengntshr_share_pages(f->x.gs, f->x.bdom, CI_WPAGES, wref,
	    0)) == NULL || (rp = xengntshr_share_pages(f->x.gs, f->x.bdom,
	    NDATA, rref, 1)) == NULL)
		die("sharing data pages");
	for (i = 0; i < 2 * CI_IND; i++)
		ip[i] = xpage_share(f, f->x.bdom, 0);
	for (i = 0; i < CI_WPAGES; i++)
		pattern(wp + (size_t)i * PAGE, PAGE, 7000 + (unsigned int)base +
		    i);
	memcpy(want, wp, (size_t)CI_WPAGES * PAGE);
	for (i = 0; i < CI_ISEG; i++)
		rpages[i] = rref[i % NDATA];

	for (i = 0; i < CI_W; i++) {
		struct ci_req *w = &rq[n++];
		unsigned int k;

		*w = (struct ci_req){ .id = new_id(), .op = BLKIF_OP_WRITE,
		    .write = true, .sector = base + i * CI_WSEG * SPP,
		    .page0 = i * CI_WSEG, .npages = CI_WSEG, .status = -1 };
		memset(s, 0, sizeof(s));
		for (k = 0; k < CI_WSEG; k++)
			s[k] = sg(wref[w->page0 + k], 0, SPP - 1);
		put_req(q, BLKIF_OP_WRITE, CI_WSEG, w->id, w->sector, s);
		if (i < CI_R) {
			struct ci_req *rd = &rq[n++];

			*rd = (struct ci_req){ .id = new_id(),
			    .op = BLKIF_OP_READ, .sector = 88 * i,
			    .status = -1 };
			memset(s, 0, sizeof(s));
			for (k = 0; k < NDATA; k++)
				s[k] = sg(rref[k], 0, SPP - 1);
			put_req(q, BLKIF_OP_READ, NDATA, rd->id, rd->sector, s);
		}
		if (i % 8 == 7) {
			unsigned int j = i / 8;
			struct ci_req *iw = &rq[n++], *ir = &rq[n++];

			*iw = (struct ci_req){ .id = new_id(),
			    .op = BLKIF_OP_WRITE, .write = true,
			    .sector = base + CI_WPAGES * SPP + j * CI_ISEG * SPP,
			    .page0 = j * CI_ISEG, .npages = CI_ISEG,
			    .status = -1 };
			put_ind_over(q, BLKIF_OP_WRITE, CI_ISEG, iw->id,
			    iw->sector, wref + iw->page0, &ip[2 * j]);
			*ir = (struct ci_req){ .id = new_id(),
			    .op = BLKIF_OP_READ, .sector = 256 * j,
			    .status = -1 };
			put_ind_over(q, BLKIF_OP_READ, CI_ISEG, ir->id,
			    ir->sector, rpages, &ip[2 * j + 1]);
		}
	}
	if (n != CI_N || n > q->nslots)
		die("%u requests built for %u slots", n, q->nslots);

	/* The attack: requests out, and the device closed under them. */
	if (notify)
		push(q);
	else {
		__sync_synchronize();
		RING_REQ_PROD(q) = q->req_prod;
		__sync_synchronize();
	}
	xwrite(&f->x, "state", "%d", XenbusStateClosing);
	xwrite(&f->x, "state", "%d", XenbusStateClosed);
	if ((st = wait_be(&f->x, XenbusStateClosed, XenbusStateClosed)) !=
	    XenbusStateClosed) {
		fail(&f->x, "%u requests %s, then Closed: backend state %d, "
		    "not Closed, within 20 s", n, how, st);
		mc_close(f, &mc, true);
		return;
	}
	/* The backend is Closed: every answer it will give is on the ring. */
	while (next_rsp(q, &r, 0)) {
		for (i = 0; i < n && rq[i].id != r.id; i++)
			;
		if (i == n) {
			fail(&f->x, "close-inflight: answer id %#llx was not "
			    "sent", (unsigned long long)r.id);
			continue;
		}
		if (rq[i].status != -1)
			fail(&f->x, "close-inflight: id %#llx answered twice",
			    (unsigned long long)r.id);
		else if (r.op != rq[i].op)
			fail(&f->x, "close-inflight: id %#llx answered with "
			    "operation %u, not %u", (unsigned long long)r.id,
			    r.op, rq[i].op);
		rq[i].status = r.status;
		nans++;
		if (r.status == BLKIF_RSP_OKAY)
			nok++;
		else if (r.status == BLKIF_RSP_ERROR)
			nerr++;
		else
			fail(&f->x, "close-inflight: id %#llx status %d",
			    (unsigned long long)r.id, r.status);
	}
	ok("%u legal requests %s, then Closing and Closed at once: the backend "
	    "went Closed; %u answered (%u OKAY, %u ERROR), %u dropped", n, how,
	    nans, nok, nerr, n - nans);
	mc_close(f, &mc, true);
	xengntshr_unshare(f->x.gs, wp, CI_WPAGES);
	xengntshr_unshare(f->x.gs, rp, NDATA);
	for (i = 0; i < 2 * CI_IND; i++)
		xpage_unshare(f, &ip[i]);
}

/*
 * Then, on the standard connection: each write answered OKAY is on the
 * disk; each never answered left its region as it was (zero): a request
 * dropped at the close must not happen later either.
 */
static void
ci_check(struct front *f, const char *how, const struct ci_req *rq,
    const uint8_t *want)
{
	uint8_t *zero;
	unsigned int i, nok = 0, nnone = 0;
	bool bad = false;

	if ((zero = calloc(CI_ISEG, PAGE)) == NULL)
		die("calloc");
	for (i = 0; i < CI_N && !bad; i++) {
		const struct ci_req *w = &rq[i];

		if (!w->write || (w->status != -1 &&
		    w->status != BLKIF_RSP_OKAY))
			continue;
		if (w->status == BLKIF_RSP_OKAY) {
			nok++;
			if (!disk_is(f, w->sector, w->npages,
			    want + (size_t)w->page0 * PAGE)) {
				fail(&f->x, "%s: write id %#llx was answered "
				    "OKAY, its data is not on the disk", how,
				    (unsigned long long)w->id);
				bad = true;
			}
		} else {
			nnone++;
			if (!disk_is(f, w->sector, w->npages, zero)) {
				fail(&f->x, "%s: write id %#llx was never "
				    "answered, yet its region changed", how,
				    (unsigned long long)w->id);
				bad = true;
			}
		}
	}
	if (!bad)
		ok("%s: the %u writes answered OKAY are on the disk, the %u "
		    "never answered left it unchanged", how, nok, nnone);
	free(zero);
}

/*
 * A frontend that closes with requests out (a guest shut down under I/O,
 * or one that wants a completion to touch memory it gave back): the
 * backend answers what it took, drops the rest, unmaps nothing still in
 * use, goes Closed and takes the frontend back.  Two rounds: notified
 * (whatever was taken is in flight at the close), and unnotified (all of
 * them unread).
 */
void
a_close_inflight(struct front *f, int argc, char **argv)
{
	struct ci_req rq[2][CI_N];
	uint8_t *want[2];
	unsigned int k;
	char *v;

	(void)argc, (void)argv;
	if ((v = be_key(f, "feature-max-indirect-segments")) == NULL ||
	    strtoul(v, NULL, 10) < CI_ISEG)
		die("the backend offers no indirect requests of %u segments",
		    CI_ISEG);
	free(v);
	for (k = 0; k < 2; k++) {
		if ((want[k] = malloc((size_t)CI_WPAGES * PAGE)) == NULL)
			die("malloc");
		ci_round(f, k == 0, 4096 + 8192 * k, rq[k], want[k]);
	}
	std_connect(f);
	ci_check(f, "notified round", rq[0], want[0]);
	ci_check(f, "unnotified round", rq[1], want[1]);
	free(want[0]);
	free(want[1]);
}

/* ---- ring pages that alias -------------------------------------------------------- */

/*
 * A ring whose refs alias (alias[][] as mc_open takes it) must be refused:
 * the backend goes Closing without Connected; we close and come back.
 */
static void
alias_refused(struct front *f, const char *what, unsigned int nq,
    unsigned int order, const unsigned int alias[MAXQ][MAXPG])
{
	struct mconn mc;
	int st;

	st = mc_open(f, &mc, nq, order, alias);
	if (st == XenbusStateConnected)
		fail(&f->x, "%s: the backend connected a ring whose pages "
		    "repeat", what);
	else if (st == XenbusStateClosing)
		ok("%s: refused, the backend is Closing", what);
	else
		fail(&f->x, "%s: backend state %d, neither Connected nor "
		    "Closing", what, st);
	mc_close(f, &mc, false);
}

/*
 * io/blkif.h: ring-ref0..ring-ref(2^order - 1) name the pages of one ring;
 * the same grant twice makes slots (and the indexes on page 0) alias each
 * other.  Our policy: refused, the device closed.  All four refs one
 * grant; ring-ref3 = ring-ref0; queue 1's ring = queue 0's.  Then a proper
 * ring of four distinct pages is served.
 */
void
a_ring_alias(struct front *f, int argc, char **argv)
{
	unsigned int alias[MAXQ][MAXPG], i, n;
	struct mconn mc;
	struct seg s[11];
	struct rsp r;
	uint64_t id;
	char *v;
	int st;

	(void)argc, (void)argv;
	memset(alias, 0, sizeof(alias));
	alias_refused(f, "ring-page-order 2, ring-ref0..3 all one grant", 1, 2,
	    alias);
	for (i = 0; i < 4; i++)
		alias[0][i] = i % 3;
	alias_refused(f, "ring-page-order 2, ring-ref3 = ring-ref0", 1, 2,
	    alias);
	v = be_key(f, "multi-queue-max-queues");
	n = v ? (unsigned int)strtoul(v, NULL, 10) : 1;
	free(v);
	if (n >= 2) {
		memset(alias, 0, sizeof(alias));
		alias_refused(f, "2 queues, queue-1/ring-ref = queue-0/ring-ref",
		    2, 0, alias);
	} else
		ok("multi-queue not offered: the queue alias not sent");

	/* The same frontend with distinct pages: served. */
	if ((st = mc_open(f, &mc, 1, 2, NULL)) != XenbusStateConnected) {
		fail(&f->x, "4 distinct ring pages after the refusals: backend "
		    "state %d, not Connected", st);
		mc_close(f, &mc, false);
		std_connect(f);
		return;
	}
	{
		uint32_t dref[NDATA];
		uint8_t *d = xengntshr_share_pages(f->x.gs, f->x.bdom, NDATA,
		    dref, 1);
		unsigned int k, bad = 0;

		if (d == NULL)
			die("sharing data pages");
		/* 40 reads: more than a page of slots, so page 1 is used. */
		memset(s, 0, sizeof(s));
		s[0] = sg(dref[0], 0, SPP - 1);
		for (k = 0; k < 40; k++) {
			put_req(&mc.q[0], BLKIF_OP_READ, 1, id = new_id(), 8 * k,
			    s);
			push(&mc.q[0]);
			if (answer(&mc.q[0], "a read on 4 distinct ring pages",
			    id, &r) != 1 || r.status != BLKIF_RSP_OKAY)
				bad++;
		}
		if (bad == 0)
			ok("a ring of 4 distinct pages is served (40 reads)");
		else
			fail(&f->x, "a ring of 4 distinct pages: %u of 40 reads "
			    "not served", bad);
		xengntshr_unshare(f->x.gs, d, NDATA);
	}
	mc_close(f, &mc, false);
	std_connect(f);
}

/* ---- one bad queue of two --------------------------------------------------------- */

/*
 * Multi-queue (io/blkif.h multi-queue-num-queues): queue 1 attacked (bad
 * operations and fields, then its producer far ahead) while queue 0 does
 * legal writes between the blows.  Queue 1's requests are refused with
 * their ids; its producer closes the whole device (our policy: the device
 * is Closing, as for one queue), yet queue 0 still serves while Closing
 * and its data is right.
 */
void
a_queue1(struct front *f, int argc, char **argv)
{
	struct mconn mc;
	struct front *q0 = &mc.q[0], *q1 = &mc.q[1];
	uint32_t dref[16];
	uint8_t *d, *want;
	unsigned int i, k, nw = 0;
	struct seg s[11];
	struct rsp r;
	uint64_t id, wid[16];
	char what[96], *v;
	int st;

	(void)argc, (void)argv;
	v = be_key(f, "multi-queue-max-queues");
	if (v == NULL || strtoul(v, NULL, 10) < 2)
		die("the backend offers no second queue (%s)", v ? v : "absent");
	free(v);
	if ((st = mc_open(f, &mc, 2, 0, NULL)) != XenbusStateConnected)
		die("backend state %d, not Connected, with 2 queues", st);
	if ((d = xengntshr_share_pages(f->x.gs, f->x.bdom, 16, dref, 1)) ==
	    NULL || (want = malloc(16 * PAGE)) == NULL)
		die("sharing data pages");
	pattern(want, 16 * PAGE, 4711);
	memcpy(d, want, 16 * PAGE);

	/* Blows on queue 1, each with a legal write on queue 0 beside it. */
	for (i = 0; i < 8; i++) {
		memset(s, 0, sizeof(s));
		s[0] = sg(dref[i], 0, SPP - 1);
		put_req(q0, BLKIF_OP_WRITE, 1, wid[nw++] = new_id(), 6000 + 8 * i,
		    s);
		push(q0);
		fill_segs(q1, s, 0, 0, 0);
		s[0] = sg(dref[15], 0, SPP - 1);
		switch (i) {
		case 0: case 1: case 2:
			k = i == 0 ? BLKIF_OP_RESERVED_1 : i == 1 ? 77 : 255;
			snprintf(what, sizeof(what), "queue 1: operation %u", k);
			put_req(q1, (uint8_t)k, 1, id = new_id(), 0, s);
			refused(q1, what, id, (uint8_t)k);
			break;
		case 3:
			put_req(q1, BLKIF_OP_READ, 12, id = new_id(), 0, s);
			refused(q1, "queue 1: read of 12 segments", id,
			    BLKIF_OP_READ);
			break;
		case 4:
			s[0] = sg(dref[15], 5, 2);
			put_req(q1, BLKIF_OP_WRITE, 1, id = new_id(), 6000, s);
			refused(q1, "queue 1: write, first_sect 5 > last_sect 2",
			    id, BLKIF_OP_WRITE);
			break;
		case 5:
			put_req(q1, BLKIF_OP_READ, 1, id = new_id(),
			    f->sectors - 4, s);
			refused(q1, "queue 1: read past the end", id,
			    BLKIF_OP_READ);
			break;
		case 6:
			s[0] = sg(BAD_GREF, 0, SPP - 1);
			put_req(q1, BLKIF_OP_WRITE, 1, id = new_id(), 6000, s);
			refused(q1, "queue 1: write from a gref never granted",
			    id, BLKIF_OP_WRITE);
			break;
		default:
			put_req(q1, BLKIF_OP_READ, 0, id = new_id(), 0, s);
			refused(q1, "queue 1: read of 0 segments", id,
			    BLKIF_OP_READ);
			break;
		}
		snprintf(what, sizeof(what), "queue 0: write %u beside it", i);
		if (answer(q0, what, wid[i], &r) != 1 ||
		    r.status != BLKIF_RSP_OKAY)
			fail(&f->x, "%s: not served", what);
	}
	ok("queue 1: 8 bad requests refused; queue 0: 8 writes served beside "
	    "them");

	/* Queue 1's producer far ahead, 8 writes of queue 0 in flight. */
	for (i = 8; i < 16; i++) {
		memset(s, 0, sizeof(s));
		s[0] = sg(dref[i], 0, SPP - 1);
		put_req(q0, BLKIF_OP_WRITE, 1, wid[nw++] = new_id(), 6000 + 8 * i,
		    s);
	}
	push(q0);
	__sync_synchronize();
	RING_REQ_PROD(q1) = q1->rsp_cons + q1->nslots + 1;
	__sync_synchronize();
	xenevtchn_notify(f->x.xce, q1->port);
	st = wait_be(&f->x, XenbusStateClosing, XenbusStateClosed);
	if (st == XenbusStateClosing || st == XenbusStateClosed)
		ok("queue 1: req_prod %u past the responses: the backend closed "
		    "the device (state %d)", q1->nslots + 1, st);
	else
		fail(&f->x, "queue 1: req_prod past the ring: backend state %d, "
		    "still serving a ring it cannot trust", st);
	if (next_rsp(q1, &r, 0))
		fail(&f->x, "queue 1: answered id %#llx after its producer "
		    "broke", (unsigned long long)r.id);
	/* Answers come in any order. */
	for (i = 8, k = 0; i < 16 && next_rsp(q0, &r, 10000); i++) {
		unsigned int j;

		for (j = 8; j < 16 && wid[j] != r.id; j++)
			;
		if (j < 16 && r.status == BLKIF_RSP_OKAY) {
			wid[j] = 0;	/* answered once */
			k++;
		}
	}
	if (k != 8)
		fail(&f->x, "queue 0: %u of the 8 writes in flight served", k);

	/* Queue 0 while the device is Closing: all 16 pages read back. */
	memset(d, 0, 16 * PAGE);
	for (i = 0, k = 0; i < 16; i++) {
		memset(s, 0, sizeof(s));
		s[0] = sg(dref[i], 0, SPP - 1);
		put_req(q0, BLKIF_OP_READ, 1, id = new_id(), 6000 + 8 * i, s);
		push(q0);
		if (answer(q0, "queue 0: a read while Closing", id, &r) == 1 &&
		    r.status == BLKIF_RSP_OKAY)
			k++;
	}
	if (k != 16)
		fail(&f->x, "queue 0 while the device is Closing: %u of 16 "
		    "reads served", k);
	else if (memcmp(d, want, 16 * PAGE) != 0)
		fail(&f->x, "queue 0: the 16 pages written read back wrong");
	else
		ok("queue 0: its 16 writes (before and during the attack) read "
		    "back right, also after the device went Closing");
	be_closed = false;
	mc_close(f, &mc, false);
	xengntshr_unshare(f->x.gs, d, 16);
	free(want);
	std_connect(f);
}

/* ---- the x86_32 layout ------------------------------------------------------------ */

/*
 * Requests the x86_32 layout carries (Linux xen-blkback common.h
 * blkif_x86_32_request_indirect and _discard: 64-bit fields 4-byte
 * aligned, id at 4, sector at 12).
 */
static void
put_ind32(struct front *f, uint8_t iop, uint16_t nseg, uint64_t id,
    uint64_t sector, uint32_t igref)
{
	uint8_t b[108];
	uint16_t h = (uint16_t)f->x.devid;

	memset(b, 0, sizeof(b));
	b[0] = BLKIF_OP_INDIRECT;
	b[1] = iop;
	memcpy(b + 2, &nseg, 2);
	memcpy(b + 4, &id, 8);
	memcpy(b + 12, &sector, 8);
	memcpy(b + 20, &h, 2);
	memcpy(b + 24, &igref, 4);	/* indirect_grefs[0] */
	put_raw(f, b, sizeof(b));
}

static void
put_discard32(struct front *f, uint64_t id, uint64_t sector, uint64_t nr)
{
	uint8_t b[108];

	memset(b, 0, sizeof(b));
	b[0] = BLKIF_OP_DISCARD;
	memcpy(b + 4, &id, 8);
	memcpy(b + 12, &sector, 8);
	memcpy(b + 20, &nr, 8);
	put_raw(f, b, sizeof(b));
}

/*
 * The attacks of the x86_64 set, in the x86_32 layout (protocol
 * "x86_32-abi", 108-byte slots): a backend that reads the fields at the
 * wrong offsets echoes a wrong id or refuses the legal ones.  The ids have
 * both halves non-zero for that reason.
 */
void
a_abi32(struct front *f, int argc, char **argv)
{
	const uint8_t ops[] = { BLKIF_OP_RESERVED_1, 77, 255 };
	struct xpage ip = xpage_share(f, f->x.bdom, 0);
	struct seg s[11];
	char what[80], *v;
	unsigned int i;
	uint64_t id;

	(void)argc, (void)argv;
	blk_connect(f, "x86_32-abi");
	if (f->slot != sizeof(struct req32))
		die("not in the x86_32 layout");
	disk_put(f, 2048, NDATA, 32);
	disk_check(f, "x86_32: 11 pages written and read back", 2048, NDATA,
	    32);

	fill_segs(f, s, NDATA, 0, SPP - 1);
	for (i = 0; i < 2; i++) {
		unsigned int n = i == 0 ? 12 : 255;

		snprintf(what, sizeof(what), "x86_32: read of %u segments", n);
		put_req(f, BLKIF_OP_READ, (uint8_t)n, id = new_id(), 2048, s);
		refused(f, what, id, BLKIF_OP_READ);
	}
	pattern(f->data, NDATA * PAGE, 33);
	put_req(f, BLKIF_OP_WRITE, 12, id = new_id(), 2048, s);
	refused(f, "x86_32: write of 12 segments", id, BLKIF_OP_WRITE);
	fill_segs(f, s, 0, 0, 0);
	put_req(f, BLKIF_OP_READ, 0, id = new_id(), 2048, s);
	refused(f, "x86_32: read of 0 segments", id, BLKIF_OP_READ);

	fill_segs(f, s, NDATA, 0, SPP - 1);
	s[3] = sg(f->data_ref[3], 5, 2);
	put_req(f, BLKIF_OP_WRITE, NDATA, id = new_id(), 2048, s);
	refused(f, "x86_32: write, segment 3 first_sect 5 > last_sect 2", id,
	    BLKIF_OP_WRITE);
	s[3] = sg(f->data_ref[3], 0, 8);
	put_req(f, BLKIF_OP_READ, NDATA, id = new_id(), 2048, s);
	refused(f, "x86_32: read, segment 3 last_sect 8", id, BLKIF_OP_READ);
	fill_segs(f, s, 1, 0, SPP - 1);
	for (i = 0; i < sizeof(ops); i++) {
		snprintf(what, sizeof(what), "x86_32: operation %u", ops[i]);
		put_req(f, ops[i], 1, id = new_id(), 0, s);
		refused(f, what, id, ops[i]);
	}
	put_req(f, BLKIF_OP_READ, 1, id = new_id(), f->sectors - 4, s);
	refused(f, "x86_32: read past the end", id, BLKIF_OP_READ);
	put_req(f, BLKIF_OP_READ, 1, id = new_id(), UINT64_MAX - 3, s);
	refused(f, "x86_32: read wrapping at 2^64", id, BLKIF_OP_READ);

	/* Indirect and discard have their own x86_32 offsets. */
	ipage_fill(f, ip.p, 8);
	put_ind32(f, 77, 8, id = new_id(), 2048, ip.ref);
	refused(f, "x86_32: indirect with operation 77", id, 77);
	put_ind32(f, BLKIF_OP_READ, 0, id = new_id(), 2048, ip.ref);
	refused(f, "x86_32: indirect read of 0 segments", id, BLKIF_OP_READ);
	put_ind32(f, BLKIF_OP_READ, 600, id = new_id(), 2048, ip.ref);
	refused(f, "x86_32: indirect read of 600 segments", id, BLKIF_OP_READ);
	if ((v = be_key(f, "feature-max-indirect-segments")) != NULL) {
		memset(f->data, 0, NDATA * PAGE);
		put_ind32(f, BLKIF_OP_READ, 8, id = new_id(), 2048, ip.ref);
		if (served(f, "x86_32: a legal indirect read of 8 segments",
		    id, BLKIF_OP_READ)) {
			/* Descriptors 0..7 name data pages 0..7, in order. */
			if (!data_is(f, 8, 32))
				fail(&f->x, "x86_32: the indirect read brought "
				    "wrong data");
			else
				ok("x86_32: a legal indirect read is served, "
				    "data right");
		}
	}
	free(v);
	put_discard32(f, id = new_id(), f->sectors - 4, 8);
	refused(f, "x86_32: discard past the end", id, BLKIF_OP_DISCARD);
	put_discard32(f, id = new_id(), UINT64_MAX - 1, 4);
	refused(f, "x86_32: discard wrapping at 2^64", id, BLKIF_OP_DISCARD);
	disk_check(f, "x86_32: after the refused writes", 2048, NDATA, 32);
	xpage_unshare(f, &ip);
}
