/*
 * xsfront.c - xbfront-xs: xenstore garbage and state-machine abuse from a
 * Linux domU's userland, against any of our backends.
 *
 *   xbfront-xs -H MODE -t vbd|vif|console devid
 *
 * The frontend directory is the guest's to write, so every key a backend
 * reads there is an attack surface (io/xenbus.h, io/blkif.h, io/netif.h,
 * docs/misc/console.txt).  Each MODE writes, in one transaction, the keys a
 * correct frontend writes for TYPE (real zeroed ring pages shared with
 * gntalloc, a real unbound event channel) with one or more of them replaced
 * by garbage, plus the state, and checks from the guest's side that the
 * backend refused: it went Closing or Closed, or at least never Connected.
 * Then it closes (Closed; Initialising again, except for consoles) and
 * tries the next value.  Modes that end with a correct connection check
 * that the backend serves it (one read for vbd, one sent frame for vif).
 *
 *   xs-ring-ref-text	ring refs "abc", "12x", "", "0x10"
 *   xs-huge		20-digit, 2^32 and 301-digit refs and ports, a
 *			port and a ref that fit but do not exist
 *   xs-negative	"-1" refs, ports, orders, queue counts
 *   xs-missing		required keys absent, state Initialised
 *   xs-ring-order	ring-page-order past the maximum (vbd)
 *   xs-queues		multi-queue-num-queues past the maximum, 0 (vbd, vif)
 *   xs-protocol	a protocol name that does not exist (vbd)
 *   state-skip		Initialising -> Connected without keys, -> InitWait,
 *			a legal skip with keys (served), garbage state last
 *   state-flap		Connected/Closing flapped fast, then connect/close
 *			cycles without waiting, then 6 s of connect/close
 *			cycles as fast as the backend follows (dozens on
 *			the nested test bed, ~180 backend lines:
 *			its log must stay within its rate limit); then a
 *			clean reconnect served
 *   state-reconnect	Connected -> Closing -> Closed -> Initialising ->
 *			new ring pages and port -> Connected, served
 *   state-vanish	the state node removed while Connected: released
 *
 * Consoles: the state is never Initialising (Linux hvc_xen would bind the
 * device: xenbus_probe_node probes only nodes in that state); keys and
 * state=Initialised go in one transaction.  The guest also writes the
 * "backend" and "backend-id" keys dom0 leaves to it (lib.sh).
 *
 * One line per check, "ok <what>" or "FAIL <what>"; exit 0 only if all
 * passed.  A backend that goes Connected on garbage is a FAIL.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"		/* io/ring.h with our barriers */
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "xsfront.h"

const char *
sname(int st)
{
	static const char *n[] = { "Unknown", "Initialising", "InitWait",
	    "Initialised", "Connected", "Closing", "Closed", "Reconfiguring",
	    "Reconfigured" };

	return st >= 0 && st <= 8 ? n[st] : "absent";
}

/* ---- xenstore ----------------------------------------------------------- */

void
put(struct xsf *s, xs_transaction_t t, const char *key, const char *val)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", s->x.fe, key);
	if (!xs_write(s->x.xs, t, path, val, strlen(val)))
		die("writing %s", path);
}

void
rm(struct xsf *s, xs_transaction_t t, const char *key)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", s->x.fe, key);
	if (!xs_rm(s->x.xs, t, path) && errno != ENOENT)
		die("removing %s", path);
}

void
set_state(struct xsf *s, int st)
{
	char v[8];

	snprintf(v, sizeof(v), "%d", st);
	put(s, XBT_NULL, "state", v);
}

/* The keys a correct frontend of our type writes, in order. */
static size_t
good_keys(struct xsf *s, struct kv *kv)
{
	size_t n = 0;

	switch (s->type) {
	case T_VBD:
		kv[n++] = (struct kv){ "ring-ref", s->sref[0] };
		kv[n++] = (struct kv){ "event-channel", s->sport };
		kv[n++] = (struct kv){ "protocol", "x86_64-abi" };
		break;
	case T_VIF:
		kv[n++] = (struct kv){ "tx-ring-ref", s->sref[0] };
		kv[n++] = (struct kv){ "rx-ring-ref", s->sref[1] };
		kv[n++] = (struct kv){ "event-channel", s->sport };
		kv[n++] = (struct kv){ "request-rx-copy", "1" };
		break;
	case T_CONS:
		kv[n++] = (struct kv){ "ring-ref", s->sref[0] };
		kv[n++] = (struct kv){ "port", s->sport };
		break;
	}
	return n;
}

/*
 * In one transaction: remove what the last write made, write the good keys
 * with the overrides applied (a NULL value: the key stays absent), then
 * the state.
 */
void
put_keys(struct xsf *s, const struct kv *over, size_t nover, int state)
{
	struct kv kv[MAX_KV];
	size_t n, i, j;
	xs_transaction_t t;
	char st[8];

	n = good_keys(s, kv);
	for (i = 0; i < nover; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(kv[j].key, over[i].key) == 0)
				break;
		if (j == n) {
			if (n == MAX_KV)
				die("too many keys");
			n++;
		}
		kv[j] = over[i];
	}
	snprintf(st, sizeof(st), "%d", state);
	for (;;) {
		if ((t = xs_transaction_start(s->x.xs)) == XBT_NULL)
			die("starting a transaction");
		for (i = 0; i < s->nwritten; i++)
			rm(s, t, s->written[i]);
		for (i = 0; i < n; i++)
			if (kv[i].val != NULL)
				put(s, t, kv[i].key, kv[i].val);
		put(s, t, "state", st);
		if (xs_transaction_end(s->x.xs, t, false))
			break;
		if (errno != EAGAIN)
			die("ending the transaction");
	}
	for (i = 0; i < s->nwritten; i++)
		free(s->written[i]);
	s->nwritten = 0;
	for (i = 0; i < n && s->nwritten < MAX_WRITTEN; i++)
		if (kv[i].val != NULL && (s->written[s->nwritten++] =
		    strdup(kv[i].key)) == NULL)
			die("strdup");
}

/*
 * Poll the backend's state for up to ms until it is a or b.  *conn is set
 * if it was ever Connected meanwhile.  Returns the last state seen.
 */
int
watch_be(struct xsf *s, int a, int b, int ms, bool *conn)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	int st;

	for (;;) {
		st = be_state(&s->x);
		if (st == XenbusStateConnected && conn != NULL)
			*conn = true;
		if (st == a || st == b || now_ms() >= end)
			return st;
		usleep(30 * 1000);
	}
}

/* ---- the valid-looking connection ---------------------------------------- */

static void
new_port(struct xsf *s)
{
	xenevtchn_port_or_error_t p;

	if (s->have_port)
		xenevtchn_unbind(s->x.xce, s->port);
	if ((p = xenevtchn_bind_unbound_port(s->x.xce, s->x.bdom)) < 0)
		die("allocating an event channel");
	s->port = (evtchn_port_t)p;
	s->have_port = true;
	snprintf(s->sport, sizeof(s->sport), "%u", s->port);
}

/* Fresh zeroed, initialised ring pages (the old ones stay shared). */
static void
new_rings(struct xsf *s)
{
	unsigned int i, n = s->type == T_VIF ? 2 : 1;

	for (i = 0; i < n; i++) {
		if ((s->ring[i] = xengntshr_share_pages(s->x.gs, s->x.bdom, 1,
		    &s->ref[i], 1)) == NULL)
			die("sharing a ring page");
		snprintf(s->sref[i], sizeof(s->sref[i]), "%u", s->ref[i]);
	}
	init_rings(s);
}

/* Zero and initialise the ring pages we have (the backend is not on them). */
void
init_rings(struct xsf *s)
{
	unsigned int i, n = s->type == T_VIF ? 2 : 1;

	for (i = 0; i < n; i++)
		memset(s->ring[i], 0, PAGE);
	switch (s->type) {
	case T_VBD:
		SHARED_RING_INIT((blkif_sring_t *)s->ring[0]);
		break;
	case T_VIF:
		SHARED_RING_INIT((netif_tx_sring_t *)s->ring[0]);
		SHARED_RING_INIT((netif_rx_sring_t *)s->ring[1]);
		break;
	case T_CONS:
		break;		/* all indexes 0 */
	}
}

/* ---- refusals ------------------------------------------------------------- */

/*
 * After an attempt: Closed (the backend must follow), then Initialising
 * again and InitWait (not for consoles: see the top).
 */
static void
reset(struct xsf *s, const char *what)
{
	int st;

	set_state(s, XenbusStateClosed);
	if ((st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL)) !=
	    XenbusStateClosed) {
		fail(&s->x, "%s: backend %s, not Closed, after our Closed",
		    what, sname(st));
		return;
	}
	if (s->type == T_CONS)
		return;
	set_state(s, XenbusStateInitialising);
	if ((st = watch_be(s, XenbusStateInitWait, -2, REFUSE_MS, NULL)) !=
	    XenbusStateInitWait)
		fail(&s->x, "%s: backend %s, not InitWait, after our "
		    "Initialising", what, sname(st));
}

/* The state a correct frontend of our type announces its keys with. */
int
ready_state(struct xsf *s)
{
	/* netfront (Linux, Mini-OS) goes to Connected in the key transaction. */
	return s->type == T_VIF ? XenbusStateConnected :
	    XenbusStateInitialised;
}

/*
 * One attack: the good keys with over[] applied and state; the backend
 * must refuse (Closing/Closed; at worst never Connected).  Then reset.
 */
void
refuse_st(struct xsf *s, const char *what, const struct kv *over, size_t n,
    int state)
{
	bool conn = false;
	int st, st0 = be_state(&s->x);

	put_keys(s, over, n, state);
	/*
	 * From Closed (consoles after the first attempt: they never say
	 * Initialising), Closed is no answer: the backend must go Closing.
	 */
	st = watch_be(s, XenbusStateClosing, st0 == XenbusStateClosed ? -2 :
	    XenbusStateClosed, REFUSE_MS, &conn);
	if (conn)
		fail(&s->x, "%s: the backend went Connected", what);
	else if (st == XenbusStateClosing || st == XenbusStateClosed)
		ok("%s: refused (backend %s)", what, sname(st));
	else
		ok("%s: not taken (backend still %s after %d s)", what,
		    sname(st), REFUSE_MS / 1000);
	reset(s, what);
}

void
refuse(struct xsf *s, const char *what, const struct kv *over, size_t n)
{
	refuse_st(s, what, over, n, ready_state(s));
}

/* refuse() with one key set to val (NULL: absent). */
void
refuse1(struct xsf *s, const char *key, const char *val)
{
	struct kv kv = { key, val };
	char what[200];

	if (val == NULL)
		snprintf(what, sizeof(what), "%s absent", key);
	else
		snprintf(what, sizeof(what), "%s \"%.40s%s\"", key, val,
		    strlen(val) > 40 ? "..." : "");
	refuse(s, what, &kv, 1);
}

/* ---- serving: one request on the current rings ---------------------------- */

static bool
wait_evt(struct xsf *s, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(s->x.xce), .events = POLLIN };

	if (poll(&pfd, 1, ms) == 1) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(s->x.xce);

		if (p >= 0)
			xenevtchn_unmask(s->x.xce, (evtchn_port_t)p);
		return true;
	}
	return false;
}

/* vbd: read sector 0..7 into the data page (x86_64 layout). */
static bool
serve_vbd(struct xsf *s, blkif_front_ring_t *fr)
{
	blkif_request_t *req;
	blkif_response_t rsp;
	uint64_t id = ++s->reqid, end = now_ms() + 10000;
	int notify;

	req = RING_GET_REQUEST(fr, fr->req_prod_pvt);
	memset(req, 0, sizeof(*req));
	req->operation = BLKIF_OP_READ;
	req->nr_segments = 1;
	req->handle = (blkif_vdev_t)s->x.devid;
	req->id = id;
	req->sector_number = 0;
	req->seg[0].gref = s->dref;
	req->seg[0].first_sect = 0;
	req->seg[0].last_sect = 7;
	fr->req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(fr, notify);
	if (notify)
		xenevtchn_notify(s->x.xce, s->port);
	while (now_ms() < end) {
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(fr, more);
		if (more) {
			memcpy(&rsp, RING_GET_RESPONSE(fr, fr->rsp_cons),
			    sizeof(rsp));
			fr->rsp_cons++;
			if (rsp.id != id || rsp.status != BLKIF_RSP_OKAY) {
				fail(&s->x, "read: response id %llu status %d",
				    (unsigned long long)rsp.id, rsp.status);
				return false;
			}
			return true;
		}
		wait_evt(s, 100);
	}
	fail(&s->x, "read: no response within 10 s");
	return false;
}

/* vif: send one 60-byte broadcast frame, wait for its TX response. */
static bool
serve_vif(struct xsf *s, netif_tx_front_ring_t *tx)
{
	netif_tx_request_t *req;
	netif_tx_response_t rsp;
	uint64_t end = now_ms() + 10000;
	uint8_t *f = s->data;
	uint16_t id = (uint16_t)(++s->reqid & 0xff);
	int notify;

	memset(f, 0, 60);
	memset(f, 0xff, 6);			/* broadcast */
	memcpy(f + 6, "\x00\x16\x3e\x7e\x57\x01", 6);
	f[12] = 0x88;				/* local experimental */
	f[13] = 0xb5;
	memcpy(f + 14, "xbfront-xs", 10);
	req = RING_GET_REQUEST(tx, tx->req_prod_pvt);
	req->gref = s->dref;
	req->offset = 0;
	req->flags = 0;
	req->id = id;
	req->size = 60;
	tx->req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(tx, notify);
	if (notify)
		xenevtchn_notify(s->x.xce, s->port);
	while (now_ms() < end) {
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(tx, more);
		if (more) {
			memcpy(&rsp, RING_GET_RESPONSE(tx, tx->rsp_cons),
			    sizeof(rsp));
			tx->rsp_cons++;
			if (rsp.status == NETIF_RSP_NULL)
				continue;
			if (rsp.id != id || rsp.status != NETIF_RSP_OKAY) {
				fail(&s->x, "send: response id %u status %d",
				    rsp.id, rsp.status);
				return false;
			}
			return true;
		}
		wait_evt(s, 100);
	}
	fail(&s->x, "send: no TX response within 10 s");
	return false;
}

/*
 * The backend serves the rings last written: one request on fresh front
 * ring state (the pages were initialised by new_rings() and not used yet).
 */
static void
serve(struct xsf *s, const char *what)
{
	bool good = false;

	if (s->type == T_VBD) {
		blkif_front_ring_t fr;

		FRONT_RING_INIT(&fr, (blkif_sring_t *)s->ring[0], PAGE);
		good = serve_vbd(s, &fr);
	} else if (s->type == T_VIF) {
		netif_tx_front_ring_t tx;

		FRONT_RING_INIT(&tx, (netif_tx_sring_t *)s->ring[0], PAGE);
		good = serve_vif(s, &tx);
	}
	if (good)
		ok("%s: the backend serves the ring (%s answered OKAY)", what,
		    s->type == T_VBD ? "a read" : "a sent frame");
}

/*
 * A correct connection on new rings and a new port: keys + state (state
 * Connected straight from Initialising if skip), Connected, served.
 */
bool
connect_good(struct xsf *s, const char *what, bool skip)
{
	bool conn = false;
	int st;

	new_rings(s);
	new_port(s);
	put_keys(s, NULL, 0, skip ? XenbusStateConnected : ready_state(s));
	st = watch_be(s, XenbusStateConnected, XenbusStateClosed, REFUSE_MS,
	    &conn);
	if (st != XenbusStateConnected) {
		fail(&s->x, "%s: backend %s, not Connected, on a correct "
		    "connection", what, sname(st));
		return false;
	}
	if (!skip)
		set_state(s, XenbusStateConnected);
	ok("%s: connected (ring-ref %s, event channel %u)", what, s->sref[0],
	    s->port);
	serve(s, what);
	return true;
}

/* A clean close: Closing, the backend follows, Closed, Closed. */
void
close_good(struct xsf *s, const char *what)
{
	int st;

	set_state(s, XenbusStateClosing);
	st = watch_be(s, XenbusStateClosing, XenbusStateClosed, REFUSE_MS,
	    NULL);
	if (st != XenbusStateClosing && st != XenbusStateClosed)
		fail(&s->x, "%s: backend %s after our Closing", what,
		    sname(st));
	set_state(s, XenbusStateClosed);
	if ((st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL)) !=
	    XenbusStateClosed)
		fail(&s->x, "%s: backend %s, not Closed, after our Closed",
		    what, sname(st));
	else
		ok("%s: closed", what);
}

/* ---- setup ------------------------------------------------------------------ */

/*
 * Consoles: dom0 made device/console/<devid> ours and wrote the backend;
 * the keys pointing at it are the guest's to write (lib.sh,
 * hostile_cons_backend).  Writing them makes no state node, so hvc_xen
 * leaves the device alone.
 */
static void
cons_prepare(unsigned int devid)
{
	struct xs_handle *xs;
	char path[160], be[160], *v;
	unsigned int len, self, i;

	if ((xs = xs_open(0)) == NULL)
		die("xs_open");
	if ((v = xs_read(xs, XBT_NULL, "domid", &len)) == NULL)
		die("reading domid");
	self = (unsigned int)atoi(v);
	free(v);
	snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/%u", self,
	    devid);
	snprintf(path, sizeof(path), "/local/domain/%u/device/console/%u/backend",
	    self, devid);
	for (i = 0; i < 300; i++) {	/* dom0 writes it after the boot */
		if (xs_write(xs, XBT_NULL, path, be, strlen(be)))
			break;
		usleep(100 * 1000);
	}
	if (i == 300)
		die("writing %s", path);
	snprintf(path, sizeof(path),
	    "/local/domain/%u/device/console/%u/backend-id", self, devid);
	if (!xs_write(xs, XBT_NULL, path, "0", 1))
		die("writing %s", path);
	xs_close(xs);
}

static unsigned int
be_uint(struct xsf *s, const char *key, unsigned int def)
{
	char *v = xread(&s->x, "%s/%s", s->x.be, key);
	unsigned int n = v != NULL ? (unsigned int)strtoul(v, NULL, 10) : def;

	free(v);
	return n;
}

static void
usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: xbfront-xs -H mode -t vbd|vif|console devid\n"
	    "modes:");
	for (i = 0; i < xs_nmodes; i++)
		fprintf(stderr, " %s", xs_modes[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static struct xsf s;
	const struct xs_mode *m = NULL;
	const char *tname = NULL;
	unsigned int i, devid;
	int ch, st;

	while ((ch = getopt(argc, argv, "H:t:")) != -1) {
		switch (ch) {
		case 'H':
			for (i = 0; i < xs_nmodes; i++)
				if (strcmp(optarg, xs_modes[i].name) == 0)
					m = &xs_modes[i];
			if (m == NULL)
				usage();
			break;
		case 't':
			tname = optarg;
			break;
		default:
			usage();
		}
	}
	if (m == NULL || tname == NULL || optind + 1 != argc)
		usage();
	if (strcmp(tname, "vbd") == 0)
		s.type = T_VBD;
	else if (strcmp(tname, "vif") == 0)
		s.type = T_VIF;
	else if (strcmp(tname, "console") == 0)
		s.type = T_CONS;
	else
		usage();
	if ((m->types & 1u << s.type) == 0) {
		fprintf(stderr, "xbfront-xs: mode %s is not for %s\n", m->name,
		    tname);
		exit(2);
	}
	devid = (unsigned int)strtoul(argv[optind], NULL, 10);
	if (s.type == T_CONS)
		cons_prepare(devid);
	front_open(&s.x, tname, devid);

	if (s.type == T_CONS) {
		/* dom0 writes the backend (state Initialising) after the boot */
		for (i = 0; i < 300 && be_state(&s.x) == -1; i++)
			usleep(100 * 1000);
		if ((st = be_state(&s.x)) == -1)
			die("no backend state at %s", s.x.be);
	} else {
		if ((st = wait_be(&s.x, XenbusStateInitWait,
		    XenbusStateInitWait)) != XenbusStateInitWait)
			die("backend state %s, not InitWait", sname(st));
		/* libxl's "protocol" must not linger into our attempts */
		rm(&s, XBT_NULL, "protocol");
	}
	s.besmax_q = be_uint(&s, "multi-queue-max-queues", 1);
	s.besmax_order = be_uint(&s, "max-ring-page-order", 0);
	if ((s.data = xengntshr_share_pages(s.x.gs, s.x.bdom, 1, &s.dref,
	    1)) == NULL)
		die("sharing a data page");
	new_rings(&s);
	new_port(&s);
	ok("%s %s %u: backend %s, max queues %u, max ring order %u", m->name,
	    tname, devid, s.x.be, s.besmax_q, s.besmax_order);
	m->fn(&s);
	printf("%s: %d failure%s\n", s.x.failures ? "FAIL" : "DONE",
	    s.x.failures, s.x.failures == 1 ? "" : "s");
	return s.x.failures ? 1 : 0;
}
