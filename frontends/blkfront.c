/*
 * blkfront.c - xbfront-blk: a userland blkif frontend for a Linux domU.
 *
 * A second, independent client of our block backend next to Linux's
 * xen-blkfront: it speaks the protocol from the guest's side with
 * libxengntshr (gntalloc), libxenevtchn and libxenstore, in the request
 * layout the command line names, so that layouts Linux does not send (the
 * x86_32 ABI from a 64-bit guest) are exercised for real.  The kernel's
 * xen-blkfront must not be bound to the device.
 *
 *   xbfront-blk [-p] [-a x86_32|x86_64|none]... [-n rounds] devid
 *   xbfront-blk [-p] -H mode [arg...] devid
 *   xbfront-blk -C [-n rounds] devid
 *
 * Each -a is one connection in that layout ("none": no "protocol" key);
 * from the second on, it reconnects on the same device as a rebooted
 * driver does (Closed -> Initialising -> InitWait).  In each it connects,
 * writes patterns with single-page and multi-segment
 * requests, reads them back and compares, flushes, sends requests the
 * backend must refuse (beyond the end, bad segment, unknown operation)
 * and checks each answer, then closes the device.  One line per check:
 * "ok <what>" or "FAIL <what>: <why>"; exit 0 only if all passed.
 *
 * -H runs one attack of blkhostile.c instead (x86_64 layout), which checks
 * that the backend refused it or closed the device.  -p offers
 * feature-persistent.  -C runs the conformance checks of blkconform.c
 * (every feature the backend advertises, x86_64 layout).
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkfront.h"

uint8_t *
slot(struct front *f, uint32_t i)
{
	return f->ring + 64 + (size_t)(i & (f->nslots - 1)) * f->slot;
}

void
put_req(struct front *f, uint8_t op, uint8_t nseg, uint64_t id,
    uint64_t sector, const struct seg *segs)
{
	uint8_t *p = slot(f, f->req_prod);

	memset(p, 0, f->slot);
	if (f->slot == sizeof(struct req32)) {
		struct req32 r = { .operation = op, .nr_segments = nseg,
		    .handle = (uint16_t)f->x.devid, .id = id,
		    .sector_number = sector };

		memcpy(r.seg, segs, sizeof(r.seg));
		memcpy(p, &r, sizeof(r));
	} else {
		struct req64 r = { .operation = op, .nr_segments = nseg,
		    .handle = (uint16_t)f->x.devid, .id = id,
		    .sector_number = sector };

		memcpy(r.seg, segs, sizeof(r.seg));
		memcpy(p, &r, sizeof(r));
	}
	f->req_prod++;
}

void
push(struct front *f)
{
	volatile uint32_t *hdr = (volatile uint32_t *)f->ring;

	__sync_synchronize();
	hdr[0] = f->req_prod;		/* req_prod */
	__sync_synchronize();
	xenevtchn_notify(f->x.xce, f->port);
}

int
next_rsp(struct front *f, struct rsp *r, int ms)
{
	volatile uint32_t *hdr = (volatile uint32_t *)f->ring;
	struct pollfd pfd = { .fd = xenevtchn_fd(f->x.xce), .events = POLLIN };
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		if (f->rsp_cons != hdr[2]) {		/* rsp_prod */
			uint8_t *p;

			__sync_synchronize();	/* the slot after the index */
			p = slot(f, f->rsp_cons);
			memcpy(&r->id, p, 8);
			r->op = p[8];
			memcpy(&r->status, p + 10, 2);
			f->rsp_cons++;
			hdr[3] = f->rsp_cons + 1;	/* rsp_event */
			return 1;
		}
		/* RING_FINAL_CHECK_FOR_RESPONSES: ask, then look again. */
		hdr[3] = f->rsp_cons + 1;
		__sync_synchronize();
		if (hdr[2] != f->rsp_cons)
			continue;
		if (now_ms() >= end)
			return 0;
		if (poll(&pfd, 1, 20) == 1) {
			xenevtchn_port_or_error_t port =
			    xenevtchn_pending(f->x.xce);

			if (port >= 0)
				xenevtchn_unmask(f->x.xce, (evtchn_port_t)port);
		}
	}
}

int
wait_rsp(struct front *f, uint64_t id, uint8_t *op)
{
	struct rsp r;

	if (!next_rsp(f, &r, 10000))
		return -100;
	*op = r.op;
	if (r.id != id) {
		fail(&f->x, "response id %llu, expected %llu",
		    (unsigned long long)r.id, (unsigned long long)id);
		return -101;
	}
	return r.status;
}

/* Issue one request and check status and echoed operation. */
static void
one(struct front *f, const char *what, uint8_t op, uint8_t nseg,
    uint64_t sector, const struct seg *segs, int want)
{
	static uint64_t id = 0x1234567800000000ull;
	uint8_t rop = 0;
	int st;

	id++;
	put_req(f, op, nseg, id, sector, segs);
	push(f);
	st = wait_rsp(f, id, &rop);
	if (st == -100)
		fail(&f->x, "%s: no response within 10 s", what);
	else if (st == -101)
		return;
	else if (st != want)
		fail(&f->x, "%s: status %d, expected %d", what, st, want);
	else if (rop != op)
		fail(&f->x, "%s: response operation %u, expected %u", what,
		    rop, op);
	else
		ok("%s (status %d)", what, st);
}

void
fill_segs(struct front *f, struct seg *s, unsigned int n, unsigned int first,
    unsigned int last)
{
	unsigned int i;

	memset(s, 0, sizeof(struct seg) * 11);
	for (i = 0; i < n; i++) {
		s[i].gref = f->data_ref[i];
		s[i].first_sect = (uint8_t)first;
		s[i].last_sect = (uint8_t)last;
	}
}

void
pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ seed);
}

static void
io_round(struct front *f, unsigned int round)
{
	struct seg s[11];
	uint8_t *want;
	char what[80];
	uint64_t sector = ((uint64_t)round * 97 * 8) % (f->sectors - 88);

	if ((want = malloc(NDATA * PAGE)) == NULL)
		die("malloc");
	/*
	 * Full 11-page write, read back into zeroed pages, compare.  The
	 * first line names the layout and round, so that dom0 can find it in
	 * the image at sector (round * 776) % (sectors - 88).
	 */
	pattern(want, NDATA * PAGE, round);
	snprintf((char *)want, 64, "XBFRONT %s round %u\n", f->abi_name, round);
	memcpy(f->data, want, NDATA * PAGE);
	fill_segs(f, s, NDATA, 0, 7);
	snprintf(what, sizeof(what), "round %u: write 11 pages at %llu", round,
	    (unsigned long long)sector);
	one(f, what, BLKIF_OP_WRITE, NDATA, sector, s, BLKIF_RSP_OKAY);
	memset(f->data, 0, NDATA * PAGE);
	snprintf(what, sizeof(what), "round %u: read 11 pages back", round);
	one(f, what, BLKIF_OP_READ, NDATA, sector, s, BLKIF_RSP_OKAY);
	if (memcmp(f->data, want, NDATA * PAGE) != 0)
		fail(&f->x, "round %u: data read back differs", round);
	else
		ok("round %u: data matches", round);

	/* Partial segments: sectors 2..5 of page 0, then 0..0 of page 1. */
	memset(f->data, 0, 2 * PAGE);
	fill_segs(f, s, 2, 0, 0);
	s[0].first_sect = 2;
	s[0].last_sect = 5;
	snprintf(what, sizeof(what), "round %u: read partial segments", round);
	one(f, what, BLKIF_OP_READ, 2, sector, s, BLKIF_RSP_OKAY);
	if (memcmp(f->data + 2 * 512, want, 4 * 512) != 0 ||
	    memcmp(f->data + PAGE, want + 4 * 512, 512) != 0)
		fail(&f->x, "round %u: partial segments read wrong data",
		    round);
	else
		ok("round %u: partial segments land at their offsets", round);
	free(want);
}

static void
usage(void)
{
	fprintf(stderr, "usage: xbfront-blk [-p] [-a x86_32|x86_64|none]... "
	    "[-n rounds] devid\n"
	    "       xbfront-blk [-p] -H mode [arg...] devid\n"
	    "       xbfront-blk -C [-n rounds] devid\n");
	hostile_list();
	exit(2);
}

void
blk_connect(struct front *f, const char *abi)
{
	xenevtchn_port_or_error_t p;
	char *v;
	int st;

	f->abi_name = abi != NULL ? abi : "absent";
	f->slot = (abi == NULL || strcmp(abi, "x86_32-abi") == 0) ?
	    sizeof(struct req32) : sizeof(struct req64);
	f->req_prod = f->rsp_cons = 0;
	if ((st = wait_be(&f->x, XenbusStateInitWait, XenbusStateInitWait)) !=
	    XenbusStateInitWait)
		die("backend state %d, not InitWait", st);

	if ((f->ring = xengntshr_share_pages(f->x.gs, f->x.bdom, 1,
	    &f->ring_ref, 1)) == NULL)
		die("sharing the ring page");
	memset(f->ring, 0, PAGE);
	((uint32_t *)f->ring)[1] = 1;	/* req_event */
	((uint32_t *)f->ring)[3] = 1;	/* rsp_event */
	f->nslots = 1;
	while (64 + f->nslots * 2 * f->slot <= PAGE)
		f->nslots *= 2;
	if ((f->data = xengntshr_share_pages(f->x.gs, f->x.bdom, NDATA,
	    f->data_ref, 1)) == NULL)
		die("sharing data pages");
	if ((p = xenevtchn_bind_unbound_port(f->x.xce, f->x.bdom)) < 0)
		die("allocating an event channel");
	f->port = (evtchn_port_t)p;
	xwrite(&f->x, "ring-ref", "%u", f->ring_ref);
	xwrite(&f->x, "event-channel", "%u", f->port);
	if (f->persistent)
		xwrite(&f->x, "feature-persistent", "%d", 1);
	if (abi != NULL)
		xwrite(&f->x, "protocol", "%s", abi);
	else {
		/* libxl writes "protocol" for PV guests: make it absent. */
		char path[160];

		snprintf(path, sizeof(path), "%s/protocol", f->x.fe);
		if (!xs_rm(f->x.xs, XBT_NULL, path) && errno != ENOENT)
			die("removing %s", path);
	}
	xwrite(&f->x, "state", "%d", XenbusStateInitialised);

	if ((st = wait_be(&f->x, XenbusStateConnected, XenbusStateClosing)) !=
	    XenbusStateConnected)
		die("backend state %d, not Connected", st);
	if ((v = xread(&f->x, "%s/sectors", f->x.be)) == NULL)
		die("reading sectors");
	f->sectors = strtoull(v, NULL, 10);
	free(v);
	xwrite(&f->x, "state", "%d", XenbusStateConnected);
	ok("connected: layout %s (%zu-byte slots, %u slots), %llu sectors%s",
	    f->abi_name, f->slot, f->nslots, (unsigned long long)f->sectors,
	    f->persistent ? ", feature-persistent offered" : "");
	if (f->sectors < 1024)
		die("disk too small for the test");
}

void
blk_close_state(struct front *f)
{
	int st;

	/* Close: Closing, wait for the backend, Closed. */
	xwrite(&f->x, "state", "%d", XenbusStateClosing);
	st = wait_be(&f->x, XenbusStateClosing, XenbusStateClosed);
	xwrite(&f->x, "state", "%d", XenbusStateClosed);
	if (st == XenbusStateClosing || st == XenbusStateClosed)
		ok("closed (backend state %d)", st);
	else
		fail(&f->x, "backend state %d after Closing", st);
	if ((st = wait_be(&f->x, XenbusStateClosed, XenbusStateClosed)) !=
	    XenbusStateClosed)
		fail(&f->x, "backend state %d, not Closed, after our Closed",
		    st);
}

void
blk_close(struct front *f)
{
	blk_close_state(f);
	xenevtchn_unbind(f->x.xce, f->port);
	xengntshr_unshare(f->x.gs, f->data, NDATA);
	xengntshr_unshare(f->x.gs, f->ring, 1);
	f->ring = f->data = NULL;
}

/*
 * One connection: from the backend's InitWait to Closed.  base offsets the
 * round numbers, so each session writes its own sectors.
 */
static void
session(struct front *f, const char *abi, unsigned int rounds,
    unsigned int base)
{
	struct seg s[11];
	unsigned int i;

	blk_connect(f, abi);
	for (i = 0; i < rounds; i++)
		io_round(f, base + i);

	fill_segs(f, s, 0, 0, 0);
	one(f, "flush", BLKIF_OP_FLUSH_DISKCACHE, 0, 0, s, BLKIF_RSP_OKAY);
	fill_segs(f, s, 1, 0, 7);
	one(f, "read past the end refused", BLKIF_OP_READ, 1, f->sectors - 4, s,
	    BLKIF_RSP_ERROR);
	fill_segs(f, s, 1, 5, 2);
	one(f, "first_sect > last_sect refused", BLKIF_OP_READ, 1, 0, s,
	    BLKIF_RSP_ERROR);
	fill_segs(f, s, 1, 0, 8);
	one(f, "last_sect 8 refused", BLKIF_OP_READ, 1, 0, s, BLKIF_RSP_ERROR);
	fill_segs(f, s, 0, 0, 0);
	one(f, "read of 0 segments refused", BLKIF_OP_READ, 0, 0, s,
	    BLKIF_RSP_ERROR);
	one(f, "unknown operation 77 answered EOPNOTSUPP", 77, 0, 0, s,
	    BLKIF_RSP_EOPNOTSUPP);
	/* The disk still works after the refusals. */
	io_round(f, base + 100);
	blk_close(f);
}

#define MAX_SESSIONS	8

int
main(int argc, char *argv[])
{
	struct front f;
	const char *abi[MAX_SESSIONS], *mode = NULL;
	unsigned int rounds = 3, i, n = 0;
	int ch, rc;
	bool conform = false;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt(argc, argv, "a:CH:n:p")) != -1) {
		switch (ch) {
		case 'a':
			if (n == MAX_SESSIONS)
				usage();
			if (strcmp(optarg, "x86_32") == 0)
				abi[n++] = "x86_32-abi";
			else if (strcmp(optarg, "x86_64") == 0)
				abi[n++] = "x86_64-abi";
			else if (strcmp(optarg, "none") == 0)
				abi[n++] = NULL;	/* absent: x86_32 on x86 */
			else
				usage();
			break;
		case 'C':
			conform = true;
			break;
		case 'H':
			mode = optarg;
			break;
		case 'n':
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			f.persistent = true;
			break;
		default:
			usage();
		}
	}
	/* Attacks take arguments before the device id. */
	if (optind + 1 > argc || (mode == NULL && optind + 1 != argc))
		usage();
	if (n == 0)
		abi[n++] = "x86_32-abi";
	front_open(&f.x, "vbd",
	    (unsigned int)strtoul(argv[argc - 1], NULL, 10));

	if (conform) {
		rc = conform_main(&f, rounds);
		printf("%s: %d failure%s\n", rc ? "FAIL" : "DONE",
		    f.x.failures, f.x.failures == 1 ? "" : "s");
		return rc;
	}
	if (mode != NULL) {
		rc = hostile_main(&f, mode, argc - optind - 1, argv + optind);
		printf("%s: %d failure%s\n", rc ? "FAIL" : "DONE",
		    f.x.failures, f.x.failures == 1 ? "" : "s");
		return rc;
	}
	for (i = 0; i < n; i++) {
		/*
		 * Reconnect on the same device, as a guest does after kexec
		 * or a driver reload: Initialising while the backend is
		 * Closed takes it back to InitWait.
		 */
		if (i > 0) {
			xwrite(&f.x, "state", "%d", XenbusStateInitialising);
			ok("reconnecting (session %u)", i + 1);
		}
		session(&f, abi[i], rounds, 200 * i);
	}
	printf("%s: %d failure%s\n", f.x.failures ? "FAIL" : "DONE",
	    f.x.failures, f.x.failures == 1 ? "" : "s");
	return f.x.failures ? 1 : 0;
}
