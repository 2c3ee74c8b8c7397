/*
 * consfront.c - xbfront-cons: a userland console frontend
 * (xen/include/public/io/console.h, docs/misc/console.txt) for
 * device/console/N of its own domain, and its attacks.
 *
 *   xbfront-cons -H MODE devid
 *
 * dom0 wrote backend/console/<self>/N as a toolstack would and made
 * device/console ours (tests/xen/lib.sh, hostile_cons_backend).  We grant
 * one page (struct xencons_interface) to domain 0, allocate an unbound
 * event channel for it and write "backend", "backend-id", "ring-ref",
 * "port" and state 3 (Initialised) in ONE transaction: the device never
 * says Initialising (1), the only state in which Linux's xenbus
 * (xenbus_probe_node) probes a device, so the kernel's hvc_xen leaves it
 * to us.  Then we wait for the backend's Connected, check that output
 * flows (a line into out[], notified, consumed: dom0 finds it in
 * guest-NAME-console<N>.log), and attack:
 *
 *   cons-out-garbage	out_prod set 4096 past out_cons (> sizeof(out))
 *   cons-in-garbage	in_cons set 100 past in_prod
 *   cons-evtchn-storm	3 s of notifications with no output; then a line
 *			must still be consumed and the console Connected
 *   cons-gref-bad	ring-ref names a grant we revoked: never Connected
 *
 * Expected (docs/ARCHITECTURE.md, "Console rules"): a broken ring or a
 * ring that cannot be mapped closes that console (backend Closing or
 * Closed within 5 s) with one log line "console d<domid>/<N>: ..."; a
 * storm is absorbed by the drain limits.  A backend that goes on
 * consuming a broken ring, or that connects a ring it could not have
 * mapped, is a FAIL.  Afterwards we write Closed and wait for the
 * backend's Closed.
 *
 * One line per check, "ok <what>" or "FAIL <what>"; exit 0 only if all
 * passed.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/io/console.h>
#include <xen/io/xenbus.h>

#include "front.h"

#define CLOSE_MS	5000

#define mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

struct cf {
	struct xfront			 x;
	volatile struct xencons_interface *intf;
	uint32_t			 ref;
	evtchn_port_t			 port;
};

/* The backend's state, waiting up to ms for one of a or b. */
static int
wait_state(struct cf *c, int a, int b, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	int st;

	for (;;) {
		st = be_state(&c->x);
		if (st == a || st == b || now_ms() >= end)
			return st;
		usleep(20 * 1000);
	}
}

/*
 * Write s into out[] as hvc_xen does, notify, and wait up to 5 s for the
 * backend to consume it.  Returns true if it did.
 */
static bool
put_line(struct cf *c, const char *s)
{
	volatile struct xencons_interface *i = c->intf;
	XENCONS_RING_IDX prod = i->out_prod;
	size_t k, len = strlen(s);
	uint64_t end;

	if (len > sizeof(i->out) - (prod - i->out_cons))
		return false;
	for (k = 0; k < len; k++)
		i->out[MASK_XENCONS_IDX(prod + k, i->out)] = s[k];
	wmb();
	i->out_prod = prod + (XENCONS_RING_IDX)len;
	xenevtchn_notify(c->x.xce, c->port);
	end = now_ms() + 5000;
	while (i->out_cons != i->out_prod && now_ms() < end)
		usleep(10 * 1000);
	return i->out_cons == i->out_prod;
}

static void
line_ok(struct cf *c, const char *what)
{
	char s[128];
	uint64_t t0 = now_ms();

	snprintf(s, sizeof(s), "xbfront-cons: %s, console %u\r\n", what,
	    c->x.devid);
	if (put_line(c, s))
		ok("%s: a line written to out[] was consumed (%llu ms)", what,
		    (unsigned long long)(now_ms() - t0));
	else
		fail(&c->x, "%s: out_cons %u, out_prod %u 5 s after a line",
		    what, c->intf->out_cons, c->intf->out_prod);
}

static bool
expect_closed(struct cf *c, const char *what)
{
	uint64_t t0 = now_ms();
	int st = wait_state(c, XenbusStateClosing, XenbusStateClosed,
	    CLOSE_MS);

	if (st == XenbusStateClosing || st == XenbusStateClosed) {
		ok("%s: backend closed the console (state %d) after %llu ms",
		    what, st, (unsigned long long)(now_ms() - t0));
		return true;
	}
	fail(&c->x, "%s: backend still in state %d %u ms after the attack",
	    what, st, CLOSE_MS);
	return false;
}

/* Closed, and the backend follows. */
static void
close_cons(struct cf *c)
{
	int st;

	xwrite(&c->x, "state", "%d", XenbusStateClosed);
	if ((st = wait_state(c, XenbusStateClosed, XenbusStateClosed,
	    CLOSE_MS)) == XenbusStateClosed)
		ok("closed (backend Closed)");
	else
		fail(&c->x, "backend state %d, not Closed, after our Closed",
		    st);
}

/* ---- modes ------------------------------------------------------------------ */

static void
m_out_garbage(struct cf *c)
{
	XENCONS_RING_IDX cons = c->intf->out_cons;

	c->intf->out_prod = cons + 4096;
	wmb();
	xenevtchn_notify(c->x.xce, c->port);
	expect_closed(c, "out_prod 4096 past out_cons");
	mb();
	if (c->intf->out_cons != cons)
		fail(&c->x, "the backend consumed the broken ring (out_cons "
		    "%u -> %u)", cons, c->intf->out_cons);
}

static void
m_in_garbage(struct cf *c)
{
	c->intf->in_cons = c->intf->in_prod + 100;
	wmb();
	xenevtchn_notify(c->x.xce, c->port);
	expect_closed(c, "in_cons 100 past in_prod");
}

static void
m_storm(struct cf *c)
{
	uint64_t t0 = now_ms(), end = t0 + 3000;
	unsigned long cnt = 0;
	int st;

	while (now_ms() < end) {
		unsigned int i;

		for (i = 0; i < 64; i++)
			xenevtchn_notify(c->x.xce, c->port);
		cnt += 64;
	}
	ok("storm: %lu notifications in %llu ms with no output", cnt,
	    (unsigned long long)(now_ms() - t0));
	line_ok(c, "after the storm");
	if ((st = be_state(&c->x)) == XenbusStateConnected)
		ok("after the storm: backend still Connected");
	else
		fail(&c->x, "after the storm: backend state %d", st);
}

static const struct {
	const char	*name;
	void		(*fn)(struct cf *);
} modes[] = {
	{ "cons-out-garbage", m_out_garbage },
	{ "cons-in-garbage", m_in_garbage },
	{ "cons-evtchn-storm", m_storm },
	{ "cons-gref-bad", NULL },	/* the attack is in the keys */
};

/* ---- setup ------------------------------------------------------------------ */

/* Write KEY of our directory in t; false if refused. */
static bool
kw(struct xfront *x, xs_transaction_t t, const char *key, const char *val)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", x->fe, key);
	return xs_write(x->xs, t, path, val, strlen(val));
}

/*
 * Open the handles, share the page (or name a revoked grant), allocate
 * the event channel and write every key with state Initialised in one
 * transaction (retried while dom0 has not made the directory ours yet).
 */
static void
cons_connect(struct cf *c, unsigned int devid, bool bad_gref)
{
	struct xfront *x = &c->x;
	xs_transaction_t t;
	xenevtchn_port_or_error_t p;
	uint32_t ref, bad;
	unsigned int i;
	char val[32], *v;
	void *pg;

	x->devid = devid;
	x->t = XBT_NULL;
	x->bdom = 0;
	if ((x->xs = xs_open(0)) == NULL)
		die("xs_open");
	if ((v = xread(x, "domid")) == NULL)
		die("reading domid");
	x->self = (unsigned int)atoi(v);
	free(v);
	snprintf(x->fe, sizeof(x->fe), "/local/domain/%u/device/console/%u",
	    x->self, devid);
	snprintf(x->be, sizeof(x->be), "/local/domain/0/backend/console/%u/%u",
	    x->self, devid);
	if ((x->gs = xengntshr_open(NULL, 0)) == NULL)
		die("opening gntalloc");
	if ((x->xce = xenevtchn_open(NULL, 0)) == NULL)
		die("opening evtchn");
	if ((pg = xengntshr_share_pages(x->gs, 0, 1, &ref, 1)) == NULL)
		die("sharing the ring page");
	memset(pg, 0, 4096);
	c->intf = pg;
	c->ref = ref;
	if (bad_gref) {
		void *q = xengntshr_share_pages(x->gs, 0, 1, &bad, 1);

		if (q == NULL)
			die("sharing a page to revoke");
		xengntshr_unshare(x->gs, q, 1);	/* ends the grant */
		c->ref = bad;
	}
	if ((p = xenevtchn_bind_unbound_port(x->xce, 0)) < 0)
		die("allocating an event channel");
	c->port = (evtchn_port_t)p;

	/* dom0 writes the backend and our directory's rights after boot. */
	for (i = 0; i < 300; i++) {
		if ((v = xread(x, "%s/state", x->be)) != NULL)
			break;
		usleep(100 * 1000);
	}
	if (v == NULL)
		die("no %s/state after 30 s", x->be);
	free(v);
	for (i = 0;; i++) {
		if ((t = xs_transaction_start(x->xs)) == XBT_NULL)
			die("starting a transaction");
		if (kw(x, t, "backend", x->be) && kw(x, t, "backend-id", "0") &&
		    kw(x, t, "ring-ref", (snprintf(val, sizeof(val), "%u",
		    c->ref), val)) && kw(x, t, "port", (snprintf(val,
		    sizeof(val), "%u", c->port), val)) &&
		    /* Initialised, never Initialising: hvc_xen must not probe. */
		    kw(x, t, "state", (snprintf(val, sizeof(val), "%d",
		    XenbusStateInitialised), val))) {
			if (xs_transaction_end(x->xs, t, false))
				break;
			if (errno != EAGAIN)
				die("ending the transaction");
			continue;
		}
		/* Not ours yet (dom0 is still writing): again. */
		xs_transaction_end(x->xs, t, true);
		if (i >= 300)
			die("writing %s", x->fe);
		usleep(100 * 1000);
	}
	ok("device/console/%u written: ring-ref %u%s, port %u, state 3 "
	    "(never 1)", devid, c->ref, bad_gref ? " (revoked)" : "", c->port);
}

static void
usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: xbfront-cons -H mode devid\nmodes:");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static struct cf c;
	const char *mode = NULL;
	unsigned int m, devid;
	char *tty;
	int ch, st;

	while ((ch = getopt(argc, argv, "H:")) != -1) {
		switch (ch) {
		case 'H':
			mode = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || mode == NULL)
		usage();
	devid = (unsigned int)strtoul(argv[optind], NULL, 10);
	if (devid == 0)
		usage();	/* console 0 is the toolstack's primary */
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		if (strcmp(modes[m].name, mode) == 0)
			break;
	if (m == sizeof(modes) / sizeof(modes[0]))
		usage();

	cons_connect(&c, devid, modes[m].fn == NULL);
	if (modes[m].fn == NULL) {
		/* cons-gref-bad: the backend must refuse, never connect. */
		st = wait_state(&c, XenbusStateClosing, XenbusStateClosed,
		    CLOSE_MS);
		if (st == XenbusStateClosing || st == XenbusStateClosed)
			ok("revoked ring-ref: backend refused (state %d)", st);
		else
			fail(&c.x, "revoked ring-ref: backend state %d after "
			    "%u ms%s", st, CLOSE_MS, st == XenbusStateConnected ?
			    " (Connected a ring it cannot have mapped)" : "");
	} else {
		st = wait_state(&c, XenbusStateConnected, XenbusStateClosing,
		    20000);
		if (st != XenbusStateConnected)
			die("backend state %d, not Connected", st);
		tty = xread(&c.x, "%s/tty", c.x.fe);
		ok("connected (tty %s)", tty != NULL ? tty : "none");
		free(tty);
		line_ok(&c, "before the attack");
		modes[m].fn(&c);
	}
	close_cons(&c);
	printf("%s: %d failure%s\n", c.x.failures ? "FAIL" : "DONE",
	    c.x.failures, c.x.failures == 1 ? "" : "s");
	return c.x.failures ? 1 : 0;
}
