/*
 * blkatk_req.c - attacks on the ring indexes, the request fields and the
 * event channel (xbfront-blk -H; blkhostile.c runs them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkhostile.h"

/* ---- ring indexes (io/ring.h) -------------------------------------------------- */

/*
 * io/ring.h: the producer may be at most RING_SIZE requests ahead of the
 * responses (RING_REQUEST_PROD_OVERFLOW; Linux blkback: "Frontend provided
 * bogus ring requests ... Halting ring processing").  One past that, then
 * half the index space, then far: each time the backend must close the
 * device without reading a slot.
 */
void
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
void
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
void
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
void
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
void
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
void
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
void
a_sect_order(struct front *f, int argc, char **argv)
{
	(void)argc, (void)argv;
	bad_seg(f, "first_sect 5 > last_sect 2", 1, 0, 5, 2);
	bad_seg(f, "first_sect 7 > last_sect 6", NDATA, 10, 7, 6);
	bad_seg(f, "first_sect 1 > last_sect 0", NDATA, 0, 1, 0);
}

/* io/blkif.h: last_sect < 8 (a segment lies within one 4 KiB page). */
void
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
void
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
void
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

/* ---- event channel, garbage ------------------------------------------------------- */

/*
 * Notify in a tight loop for ARG seconds (4), with a good read pushed
 * every 100 ms once the last one was answered: the backend may throttle
 * the port (XSA-332) but must go on serving requests.
 */
void
a_evtchn_storm(struct front *f, int argc, char **argv)
{
	unsigned long secs = arg_num(argc, argv, 0, 4), nn = 0, nread = 0;
	uint64_t end = now_ms() + secs * 1000, id = 0, next = 0;
	bool waiting = false;
	struct seg s[11];
	struct rsp r;

	fill_segs(f, s, 1, 0, SPP - 1);
	while (now_ms() < end) {
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
		if (!waiting && now_ms() >= next) {
			put_req(f, BLKIF_OP_READ, 1, id = new_id(), 0, s);
			push(f);
			waiting = true;
			next = now_ms() + 100;
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
void
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
void
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

