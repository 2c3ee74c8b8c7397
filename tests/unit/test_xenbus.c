/*
 * test_xenbus.c - the xenbus backend state machine xb_next() (a pure
 * function), the state/action names, and whole connection sequences driven
 * through xb_next() on a simulated backend.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "xenbus.h"

/* Short names for the table. */
#define UNK	XenbusStateUnknown		/* 0 */
#define INIT	XenbusStateInitialising		/* 1 */
#define IWAIT	XenbusStateInitWait		/* 2 */
#define INITD	XenbusStateInitialised		/* 3 */
#define CONN	XenbusStateConnected		/* 4 */
#define CLOSG	XenbusStateClosing		/* 5 */
#define CLOSD	XenbusStateClosed		/* 6 */
#define RECFG	XenbusStateReconfiguring	/* 7 */
#define RECFD	XenbusStateReconfigured		/* 8 */

#define NSTATES	9

struct row {
	const char	*what;
	bool		 be_present, fe_present;
	int		 be, fe;
	bool		 online, hotplug_ok, ready;
	enum xb_action	 want;
};

/* A row where both directories exist. */
#define R(what, be, fe, online, hp, ready, want) \
	{ what, true, true, be, fe, online, hp, ready, want }

static struct xb_view
row_view(const struct row *r)
{
	struct xb_view v;

	memset(&v, 0, sizeof(v));
	v.be_present = r->be_present;
	v.fe_present = r->fe_present;
	v.be_state = r->be;
	v.fe_state = r->fe;
	v.online = r->online;
	v.hotplug_ok = r->hotplug_ok;
	v.ready = r->ready;
	return v;
}

static void
run_table(const struct row *rows, size_t n)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		struct xb_view v = row_view(&rows[i]);
		const char *why = NULL;
		enum xb_action got = xb_next(&v, &why);

		/* why is always set to a string, and says something on action. */
		assert_non_null(why);
		if (got != XB_NONE)
			assert_true(why[0] != '\0');
		/* why may be NULL and does not change the decision. */
		assert_int_equal(xb_next(&v, NULL), got);
		if (got != rows[i].want) {
			print_error("row %zu (%s): be_present %d fe_present %d "
			    "be %s fe %s online %d hotplug %d ready %d: got %s, "
			    "want %s\n", i, rows[i].what, v.be_present,
			    v.fe_present, xb_state_name(v.be_state),
			    xb_state_name(v.fe_state), v.online, v.hotplug_ok,
			    v.ready, xb_action_name(got),
			    xb_action_name(rows[i].want));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

#define RUN_TABLE(t)	run_table((t), sizeof(t) / sizeof((t)[0]))

/* ---- re-attach: a restarted console backend takes over a live ring ---- */

static void
test_reattach(void **state)
{
	static const struct { int be, fe; bool online, reattach; enum xb_action want; } rows[] = {
		{ CONN, CONN, true, true, XB_CONNECT },		/* restarted, live ring */
		{ CONN, INITD, true, true, XB_CONNECT },	/* hvc_xen: Initialised, we had written Connected */
		{ CONN, CONN, true, false, XB_NONE },		/* already ours */
		{ CLOSG, CONN, true, true, XB_NONE },		/* closing: never re-attach */
		{ CONN, CLOSG, true, true, XB_CLOSING },	/* frontend leaving wins */
		{ CONN, CONN, false, true, XB_CLOSING },	/* toolstack detach wins */
		{ CONN, CLOSD, true, true, XB_CLOSE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xb_view v;

		memset(&v, 0, sizeof(v));
		v.be_present = v.fe_present = true;
		v.be_state = rows[i].be;
		v.fe_state = rows[i].fe;
		v.online = rows[i].online;
		v.hotplug_ok = v.ready = true;
		v.reattach = rows[i].reattach;
		if (xb_next(&v, NULL) != rows[i].want)
			fail_msg("row %zu: got %s want %s", i,
			    xb_action_name(xb_next(&v, NULL)),
			    xb_action_name(rows[i].want));
	}
	/* Backend written before the frontend (hand-made secondary consoles). */
	{
		struct xb_view v;
		int be;

		for (be = UNK; be <= CLOSD; be++) {
			memset(&v, 0, sizeof(v));
			v.be_present = v.online = v.hotplug_ok = v.ready = true;
			v.fe_unwritten = true;
			v.be_state = be;
			assert_int_equal(xb_next(&v, NULL),
			    be == UNK || be == INIT ? XB_NONE : XB_DESTROY);
			v.fe_unwritten = false;		/* domain dead */
			assert_int_equal(xb_next(&v, NULL), XB_DESTROY);
		}
	}
	/* Not ready (device side not set up yet): wait, even on a live ring. */
	{
		struct xb_view v;

		memset(&v, 0, sizeof(v));
		v.be_present = v.fe_present = v.online = v.hotplug_ok = true;
		v.be_state = v.fe_state = CONN;
		v.reattach = true;
		assert_int_equal(xb_next(&v, NULL), XB_NONE);
	}
}

/* ---- teardown: a directory vanished, or closed + offline ---- */

static void
test_backend_removed(void **state)
{
	static const struct row rows[] = {
		{ "be dir gone, connected", false, true, CONN, CONN, true, true, true, XB_DESTROY },
		{ "be dir gone, both gone", false, false, UNK, UNK, false, false, false, XB_DESTROY },
		{ "be dir gone, new device", false, true, UNK, INIT, true, true, true, XB_DESTROY },
		{ "be dir gone, be initialising", false, true, INIT, INIT, true, true, true, XB_DESTROY },
		{ "be dir gone, fe closing", false, true, CONN, CLOSG, false, true, true, XB_DESTROY },
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_frontend_gone(void **state)
{
	static const struct row rows[] = {
		{ "fe gone, connected", true, false, CONN, CONN, true, true, true, XB_DESTROY },
		{ "fe gone, initwait", true, false, IWAIT, UNK, true, true, true, XB_DESTROY },
		/* Before INITWAIT too: nothing to wait for. */
		{ "fe gone, new device", true, false, INIT, UNK, true, true, true, XB_DESTROY },
		{ "fe gone, be unknown", true, false, UNK, UNK, true, false, false, XB_DESTROY },
		{ "fe gone, closed offline", true, false, CLOSD, CLOSD, false, true, true, XB_DESTROY },
		{ "fe gone, closing", true, false, CLOSG, CONN, false, true, true, XB_DESTROY },
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_closed_offline(void **state)
{
	static const struct row rows[] = {
		R("closed offline, fe closed", CLOSD, CLOSD, false, true, true, XB_DESTROY),
		R("closed offline, fe connected", CLOSD, CONN, false, true, true, XB_DESTROY),
		R("closed offline, fe initialising", CLOSD, INIT, false, true, true, XB_DESTROY),
		R("closed offline, fe unknown", CLOSD, UNK, false, false, false, XB_DESTROY),
		/* Online: not a teardown. */
		R("closed online, fe closed", CLOSD, CLOSD, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

/* ---- a new device advertises first, whatever the frontend shows ---- */

/* Detached (online=0) before the backend ever started: close, don't advertise. */
static void
test_new_device_offline_closes(void **state)
{
	int be, fe;

	(void)state;
	for (be = UNK; be <= INIT; be++)
		for (fe = 0; fe < NSTATES; fe++) {
			struct row r = R("new device offline", be, fe, false,
			    true, true, XB_CLOSE);
			struct xb_view v = row_view(&r);

			assert_int_equal(xb_next(&v, NULL), XB_CLOSE);
		}
}

static void
test_new_device_initwait(void **state)
{
	int be, fe, hp, rd;
	int bad = 0;

	(void)state;
	for (be = UNK; be <= INIT; be++)
		for (fe = 0; fe < NSTATES; fe++)
			for (hp = 0; hp < 2; hp++)
				for (rd = 0; rd < 2; rd++) {
					struct row r = R("new device", be, fe,
					    true, hp, rd, XB_INITWAIT);
					struct xb_view v = row_view(&r);
					enum xb_action a = xb_next(&v, NULL);

					if (a != XB_INITWAIT) {
						print_error("be %s fe %s hp %d "
						    "ready %d: got %s\n",
						    xb_state_name(be),
						    xb_state_name(fe), hp, rd,
						    xb_action_name(a));
						bad++;
					}
				}
	assert_int_equal(bad, 0);
}

/* ---- connecting ---- */

static void
test_minios_skips_initialised(void **state)
{
	/* Mini-OS writes Connected straight after Initialising. */
	static const struct row rows[] = {
		R("mini-os, all ready", IWAIT, CONN, true, true, true, XB_CONNECT),
		R("mini-os, backing not ready", IWAIT, CONN, true, true, false, XB_NONE),
		R("mini-os, hotplug pending", IWAIT, CONN, true, false, true, XB_NONE),
		R("mini-os, neither", IWAIT, CONN, true, false, false, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_frontend_initialised(void **state)
{
	static const struct row rows[] = {
		R("initialised, ready", IWAIT, INITD, true, true, true, XB_CONNECT),
		R("initialised, backing not ready", IWAIT, INITD, true, true, false, XB_NONE),
		R("initialised, hotplug pending", IWAIT, INITD, true, false, true, XB_NONE),
		R("initialised, neither", IWAIT, INITD, true, false, false, XB_NONE),
		/* Already connected: nothing more. */
		R("initialised, be connected", CONN, INITD, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_connected_steady(void **state)
{
	static const struct row rows[] = {
		R("both connected", CONN, CONN, true, true, true, XB_NONE),
		R("both connected, hotplug flips", CONN, CONN, true, false, true, XB_NONE),
		R("both connected, backing flips", CONN, CONN, true, true, false, XB_NONE),
		/* We said Closing: do not reconnect under the frontend. */
		R("be closing, fe connected", CLOSG, CONN, true, true, true, XB_NONE),
		R("be closing, fe initialised", CLOSG, INITD, true, true, true, XB_NONE),
		/* Frontend still initialising: wait. */
		R("initwait, fe initialising", IWAIT, INIT, true, true, true, XB_NONE),
		R("connected, fe initialising", CONN, INIT, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

/* ---- closing ---- */

static void
test_frontend_closing(void **state)
{
	static const struct row rows[] = {
		R("fe closing, be connected", CONN, CLOSG, true, true, true, XB_CLOSING),
		R("fe closing, be initwait", IWAIT, CLOSG, true, true, true, XB_CLOSING),
		R("fe closing, not ready", CONN, CLOSG, true, false, false, XB_CLOSING),
		R("fe closing, be closing", CLOSG, CLOSG, true, true, true, XB_NONE),
		R("fe closing, be closed", CLOSD, CLOSG, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_frontend_closed(void **state)
{
	static const struct row rows[] = {
		R("fe closed, be connected", CONN, CLOSD, true, true, true, XB_CLOSE),
		R("fe closed, be closing", CLOSG, CLOSD, true, true, true, XB_CLOSE),
		R("fe closed, be initwait", IWAIT, CLOSD, true, true, true, XB_CLOSE),
		R("fe closed, not ready", CONN, CLOSD, true, false, false, XB_CLOSE),
		R("fe closed, be closed", CLOSD, CLOSD, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_reconnect(void **state)
{
	static const struct row rows[] = {
		R("reconnect after closed", CLOSD, INIT, true, true, true, XB_INITWAIT),
		R("reconnect, not ready yet", CLOSD, INIT, true, false, false, XB_INITWAIT),
		/* Offline: it is a detach, not a reconnect. */
		R("reconnect while offline", CLOSD, INIT, false, true, true, XB_DESTROY),
	};

	(void)state;
	RUN_TABLE(rows);
}

/* ---- toolstack detach (online = 0) ---- */

static void
test_detach_frontend_active(void **state)
{
	static const int active[] = { INITD, CONN, CLOSG };
	static const int be_open[] = { IWAIT, INITD, CONN, RECFG, RECFD };
	size_t i, j;
	int bad = 0;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < sizeof(be_open) / sizeof(be_open[0]); j++) {
			struct row r = R("detach, fe active", be_open[j],
			    active[i], false, true, true, XB_CLOSING);
			struct xb_view v = row_view(&r);
			enum xb_action a = xb_next(&v, NULL);

			if (a != XB_CLOSING) {
				print_error("detach be %s fe %s: got %s\n",
				    xb_state_name(be_open[j]),
				    xb_state_name(active[i]), xb_action_name(a));
				bad++;
			}
		}
		/* libxl already wrote Closing: wait for the frontend. */
		{
			struct row r = R("detach, be closing", CLOSG, active[i],
			    false, true, true, XB_NONE);
			struct xb_view v = row_view(&r);

			if (xb_next(&v, NULL) != XB_NONE) {
				print_error("detach be Closing fe %s: got %s\n",
				    xb_state_name(active[i]),
				    xb_action_name(xb_next(&v, NULL)));
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void
test_detach_frontend_inactive(void **state)
{
	static const int inactive[] = { UNK, INIT, IWAIT, CLOSD, RECFG, RECFD };
	static const int be_open[] = { IWAIT, INITD, CONN, CLOSG };
	size_t i, j;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(inactive) / sizeof(inactive[0]); i++)
		for (j = 0; j < sizeof(be_open) / sizeof(be_open[0]); j++) {
			struct row r = R("detach, fe inactive", be_open[j],
			    inactive[i], false, true, true, XB_CLOSE);
			struct xb_view v = row_view(&r);
			enum xb_action a = xb_next(&v, NULL);

			if (a != XB_CLOSE) {
				print_error("detach be %s fe %s: got %s\n",
				    xb_state_name(be_open[j]),
				    xb_state_name(inactive[i]), xb_action_name(a));
				bad++;
			}
		}
	assert_int_equal(bad, 0);
}

/* ---- protocol violations ---- */

static void
test_frontend_bogus_state(void **state)
{
	static const struct row rows[] = {
		R("fe initwait, be initwait", IWAIT, IWAIT, true, true, true, XB_FATAL),
		R("fe initwait, be connected", CONN, IWAIT, true, true, true, XB_FATAL),
		R("fe reconfiguring, be connected", CONN, RECFG, true, true, true, XB_FATAL),
		R("fe reconfigured, be connected", CONN, RECFD, true, true, true, XB_FATAL),
		R("fe reconfigured, be initwait", IWAIT, RECFD, true, false, false, XB_FATAL),
		/* Already closing or closed: the error was reported once. */
		R("fe initwait, be closing", CLOSG, IWAIT, true, true, true, XB_NONE),
		R("fe initwait, be closed", CLOSD, IWAIT, true, true, true, XB_NONE),
		R("fe reconfiguring, be closing", CLOSG, RECFG, true, true, true, XB_NONE),
		R("fe reconfiguring, be closed", CLOSD, RECFG, true, true, true, XB_NONE),
		R("fe reconfigured, be closing", CLOSG, RECFD, true, true, true, XB_NONE),
		R("fe reconfigured, be closed", CLOSD, RECFD, true, true, true, XB_NONE),
	};

	(void)state;
	RUN_TABLE(rows);
}

static void
test_frontend_unknown(void **state)
{
	static const struct row rows[] = {
		R("fe unknown, be initwait", IWAIT, UNK, true, true, true, XB_DESTROY),
		R("fe unknown, be connected", CONN, UNK, true, true, true, XB_DESTROY),
		R("fe unknown, be closing", CLOSG, UNK, true, true, true, XB_DESTROY),
		R("fe unknown, be closed", CLOSD, UNK, true, true, true, XB_DESTROY),
		R("fe unknown, not ready", IWAIT, UNK, true, false, false, XB_DESTROY),
	};

	(void)state;
	RUN_TABLE(rows);
}

/*
 * Properties over every combination: CONNECT only when the frontend offers
 * a ring, we are online, the backing is ready and hotplug succeeded; a
 * missing directory always destroys; why is set for every action.
 */
static void
test_all_views_properties(void **state)
{
	int be, fe, bits;

	(void)state;
	for (be = 0; be < NSTATES; be++)
		for (fe = 0; fe < NSTATES; fe++)
			for (bits = 0; bits < 32; bits++) {
				struct xb_view v;
				const char *why = NULL;
				enum xb_action a;

				memset(&v, 0, sizeof(v));
				v.be_state = be;
				v.fe_state = fe;
				v.be_present = bits & 1;
				v.fe_present = bits & 2;
				v.online = bits & 4;
				v.hotplug_ok = bits & 8;
				v.ready = bits & 16;
				a = xb_next(&v, &why);
				assert_non_null(why);
				assert_true(a >= XB_NONE && a <= XB_FATAL);
				if (a != XB_NONE)
					assert_true(why[0] != '\0');
				if (!v.be_present || !v.fe_present)
					assert_int_equal(a, XB_DESTROY);
				if (a == XB_CONNECT) {
					assert_true(v.online && v.ready &&
					    v.hotplug_ok);
					assert_true(fe == INITD || fe == CONN);
					assert_true(be != CONN && be != CLOSG);
				}
				if (a == XB_FATAL)
					assert_true(fe == IWAIT || fe == RECFG ||
					    fe == RECFD);
			}
}

/* ---- names ---- */

static void
test_state_names(void **state)
{
	static const char *want[NSTATES] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};
	int i;

	(void)state;
	for (i = 0; i < NSTATES; i++)
		assert_string_equal(xb_state_name(i), want[i]);
	assert_string_equal(xb_state_name(-1), "Unknown");
	assert_string_equal(xb_state_name(9), "Unknown");
	assert_string_equal(xb_state_name(100), "Unknown");
	assert_string_equal(xb_state_name(INT_MAX), "Unknown");
	assert_string_equal(xb_state_name(INT_MIN), "Unknown");
}

static void
test_action_names(void **state)
{
	(void)state;
	assert_string_equal(xb_action_name(XB_NONE), "none");
	assert_string_equal(xb_action_name(XB_INITWAIT), "initwait");
	assert_string_equal(xb_action_name(XB_CONNECT), "connect");
	assert_string_equal(xb_action_name(XB_CLOSING), "closing");
	assert_string_equal(xb_action_name(XB_CLOSE), "close");
	assert_string_equal(xb_action_name(XB_DESTROY), "destroy");
	assert_string_equal(xb_action_name(XB_FATAL), "fatal");
	assert_string_equal(xb_action_name((enum xb_action)7), "?");
	assert_string_equal(xb_action_name((enum xb_action)99), "?");
}

/* ---- simulation: a backend applying xb_next() until it settles ---- */

#define SIM_MAX_STEPS	16	/* xenbus.c XB_EVAL_MAX */

struct sim {
	struct xb_view	v;
	bool		destroyed;
	enum xb_action	trace[64];	/* every action applied, in order */
	int		ntrace;
};

/* What xb_dev's xb_eval() does to the backend state for each action. */
static void
sim_apply(struct sim *s, enum xb_action a)
{
	assert_true(s->ntrace < (int)(sizeof(s->trace) / sizeof(s->trace[0])));
	s->trace[s->ntrace++] = a;
	switch (a) {
	case XB_NONE:
		break;
	case XB_INITWAIT:
		s->v.be_state = XenbusStateInitWait;
		break;
	case XB_CONNECT:
		s->v.be_state = XenbusStateConnected;
		break;
	case XB_CLOSING:
		s->v.be_state = XenbusStateClosing;
		break;
	case XB_CLOSE:
		s->v.be_state = XenbusStateClosed;
		break;
	case XB_FATAL:
		/* xb_dev_fatal(): error node, then Closing. */
		s->v.be_state = XenbusStateClosing;
		break;
	case XB_DESTROY:
		/* Writes Closed if the directory is still there, then exits. */
		if (s->v.be_present)
			s->v.be_state = XenbusStateClosed;
		s->destroyed = true;
		break;
	}
}

/*
 * Evaluate until xb_next() returns NONE (a fixed point) or the device is
 * destroyed (terminal).  Fails if that takes more than SIM_MAX_STEPS.
 */
static void
sim_settle(struct sim *s)
{
	int i;

	assert_false(s->destroyed);
	for (i = 0; i < SIM_MAX_STEPS; i++) {
		enum xb_action a = xb_next(&s->v, NULL);

		if (a == XB_NONE)
			return;
		sim_apply(s, a);
		if (s->destroyed)
			return;
	}
	fail_msg("no fixed point after %d steps (be %s fe %s)", SIM_MAX_STEPS,
	    xb_state_name(s->v.be_state), xb_state_name(s->v.fe_state));
}

/* Frontend (or toolstack) changes something, backend re-evaluates. */
static void
sim_fe(struct sim *s, int fe_state)
{
	s->v.fe_state = fe_state;
	sim_settle(s);
}

static void
sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	/* libxl creates the backend directory with state Initialising. */
	s->v.be_present = true;
	s->v.fe_present = true;
	s->v.be_state = XenbusStateInitialising;
	s->v.fe_state = XenbusStateInitialising;
	s->v.online = true;
	s->v.hotplug_ok = true;
	s->v.ready = true;
}

static void
assert_trace(const struct sim *s, const enum xb_action *want, int n)
{
	int i;

	if (s->ntrace != n) {
		for (i = 0; i < s->ntrace; i++)
			print_error("trace[%d] = %s\n", i,
			    xb_action_name(s->trace[i]));
	}
	assert_int_equal(s->ntrace, n);
	for (i = 0; i < n; i++)
		if (s->trace[i] != want[i])
			fail_msg("trace[%d] = %s, want %s", i,
			    xb_action_name(s->trace[i]),
			    xb_action_name(want[i]));
}

#define ASSERT_TRACE(s, ...) do {					\
	static const enum xb_action w_[] = { __VA_ARGS__ };		\
	assert_trace((s), w_, (int)(sizeof(w_) / sizeof(w_[0])));	\
} while (0)

static void
test_sim_linux_normal(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	s.v.hotplug_ok = false;		/* hotplug script still running */
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	sim_fe(&s, XenbusStateInitialised);
	/* Not connected before hotplug reports success. */
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	s.v.hotplug_ok = true;
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT);

	/* Guest shuts the device down. */
	sim_fe(&s, XenbusStateClosing);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	assert_false(s.destroyed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_CLOSING, XB_CLOSE);
	assert_int_equal(xb_next(&s.v, NULL), XB_NONE);
}

static void
test_sim_minios(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	/* Initialising -> Connected directly. */
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT);
	assert_int_equal(xb_next(&s.v, NULL), XB_NONE);

	/* Same, with the backing store becoming ready only afterwards. */
	sim_init(&s);
	s.v.ready = false;
	sim_settle(&s);
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	s.v.ready = true;
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT);
}

static void
test_sim_kexec_reconnect(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateInitialised);
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateConnected);

	/* kexec: the old kernel closes, the new one starts over. */
	sim_fe(&s, XenbusStateClosing);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	sim_fe(&s, XenbusStateInitialising);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	sim_fe(&s, XenbusStateInitialised);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	assert_false(s.destroyed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_CLOSING, XB_CLOSE,
	    XB_INITWAIT, XB_CONNECT);
}

static void
test_sim_block_detach(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateConnected);
	assert_int_equal(s.v.be_state, XenbusStateConnected);

	/* xl block-detach: libxl writes online=0 and state=Closing. */
	s.v.online = false;
	s.v.be_state = XenbusStateClosing;
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateClosing);	/* wait for fe */
	sim_fe(&s, XenbusStateClosing);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	assert_false(s.destroyed);
	sim_fe(&s, XenbusStateClosed);
	/* Closed, then (closed and offline) released. */
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	assert_true(s.destroyed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_CLOSE, XB_DESTROY);
}

static void
test_sim_block_detach_online_only(void **state)
{
	struct sim s;

	(void)state;
	/* Only online=0 is seen first: we switch to Closing ourselves. */
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateConnected);
	s.v.online = false;
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	assert_true(s.destroyed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_CLOSING, XB_CLOSE,
	    XB_DESTROY);
}

static void
test_sim_block_detach_inactive(void **state)
{
	struct sim s;

	(void)state;
	/* The guest never loaded a driver: frontend stays Initialising. */
	sim_init(&s);
	sim_settle(&s);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	s.v.online = false;
	s.v.be_state = XenbusStateClosing;
	sim_settle(&s);
	assert_true(s.destroyed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CLOSE, XB_DESTROY);
}

static void
test_sim_domain_destroy(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateInitialised);
	sim_fe(&s, XenbusStateConnected);
	/* Domain destroyed: its frontend directory vanishes mid-Connected. */
	s.v.fe_present = false;
	s.v.fe_state = XenbusStateUnknown;
	sim_settle(&s);
	assert_true(s.destroyed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_DESTROY);

	/* Same, but the toolstack also removed the backend directory. */
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateConnected);
	s.v.fe_present = false;
	s.v.be_present = false;
	sim_settle(&s);
	assert_true(s.destroyed);
	/* Nothing written into a removed directory. */
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_DESTROY);
}

static void
test_sim_fatal_then_recover(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateConnected);
	/* A broken frontend writes InitWait: reported once, then Closing. */
	sim_fe(&s, XenbusStateInitWait);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	sim_fe(&s, XenbusStateInitialising);
	sim_fe(&s, XenbusStateInitialised);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_FATAL, XB_CLOSE,
	    XB_INITWAIT, XB_CONNECT);
}

/*
 * hostile-state-flap: a connected frontend flaps Connected/Closing.  The
 * backend goes Closing once and stays (a Connected frontend does not take
 * a closing backend back), follows to Closed, and a reconnect works.
 */
static void
test_sim_flap(void **state)
{
	struct sim s;
	int i;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	sim_fe(&s, XenbusStateInitialised);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	for (i = 0; i < 200; i++) {
		sim_fe(&s, XenbusStateClosing);
		assert_int_equal(s.v.be_state, XenbusStateClosing);
		sim_fe(&s, XenbusStateConnected);
		assert_int_equal(s.v.be_state, XenbusStateClosing);
	}
	sim_fe(&s, XenbusStateClosed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	sim_fe(&s, XenbusStateInitialising);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	sim_fe(&s, XenbusStateInitialised);
	assert_int_equal(s.v.be_state, XenbusStateConnected);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_CONNECT, XB_CLOSING, XB_CLOSE,
	    XB_INITWAIT, XB_CONNECT);
}

/*
 * hostile-state-skip: Connected with no keys is a connect attempt (whose
 * failure, xb_dev_fatal(), is Closing); InitWait and Reconfiguring from a
 * frontend are fatal; a state that is none (parse_xenbus_state() gives
 * Unknown) releases the device.
 */
static void
test_sim_skip(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	sim_settle(&s);
	assert_int_equal(xb_next(&(struct xb_view){ .be_present = true,
	    .fe_present = true, .online = true, .hotplug_ok = true,
	    .ready = true, .be_state = XenbusStateInitWait,
	    .fe_state = XenbusStateConnected }, NULL), XB_CONNECT);
	sim_fe(&s, XenbusStateInitWait);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	sim_fe(&s, XenbusStateInitialising);
	sim_fe(&s, XenbusStateReconfiguring);
	assert_int_equal(s.v.be_state, XenbusStateClosing);
	sim_fe(&s, XenbusStateClosed);
	sim_fe(&s, XenbusStateInitialising);
	assert_int_equal(s.v.be_state, XenbusStateInitWait);
	sim_fe(&s, parse_xenbus_state("9"));
	assert_true(s.destroyed);
	assert_int_equal(s.v.be_state, XenbusStateClosed);
	ASSERT_TRACE(&s, XB_INITWAIT, XB_FATAL, XB_CLOSE, XB_INITWAIT,
	    XB_FATAL, XB_CLOSE, XB_INITWAIT, XB_DESTROY);
}

/* From every possible view, evaluation settles within SIM_MAX_STEPS. */
static void
test_sim_every_view_settles(void **state)
{
	int be, fe, bits;

	(void)state;
	for (be = 0; be < NSTATES; be++)
		for (fe = 0; fe < NSTATES; fe++)
			for (bits = 0; bits < 32; bits++) {
				struct sim s;

				memset(&s, 0, sizeof(s));
				s.v.be_state = be;
				s.v.fe_state = fe;
				s.v.be_present = bits & 1;
				s.v.fe_present = bits & 2;
				s.v.online = bits & 4;
				s.v.hotplug_ok = bits & 8;
				s.v.ready = bits & 16;
				sim_settle(&s);
				/* At most: initwait, connect/close..., destroy. */
				assert_true(s.ntrace <= 3);
				if (!s.destroyed)
					assert_int_equal(xb_next(&s.v, NULL),
					    XB_NONE);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_removed),
		cmocka_unit_test(test_frontend_gone),
		cmocka_unit_test(test_closed_offline),
		cmocka_unit_test(test_new_device_initwait),
		cmocka_unit_test(test_new_device_offline_closes),
		cmocka_unit_test(test_minios_skips_initialised),
		cmocka_unit_test(test_frontend_initialised),
		cmocka_unit_test(test_connected_steady),
		cmocka_unit_test(test_frontend_closing),
		cmocka_unit_test(test_frontend_closed),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_detach_frontend_active),
		cmocka_unit_test(test_detach_frontend_inactive),
		cmocka_unit_test(test_frontend_bogus_state),
		cmocka_unit_test(test_frontend_unknown),
		cmocka_unit_test(test_all_views_properties),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_sim_linux_normal),
		cmocka_unit_test(test_sim_minios),
		cmocka_unit_test(test_sim_kexec_reconnect),
		cmocka_unit_test(test_sim_block_detach),
		cmocka_unit_test(test_sim_block_detach_online_only),
		cmocka_unit_test(test_sim_block_detach_inactive),
		cmocka_unit_test(test_sim_domain_destroy),
		cmocka_unit_test(test_sim_fatal_then_recover),
		cmocka_unit_test(test_sim_flap),
		cmocka_unit_test(test_sim_skip),
		cmocka_unit_test(test_sim_every_view_settles),
		cmocka_unit_test(test_reattach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
