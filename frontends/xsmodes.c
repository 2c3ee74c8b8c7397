/*
 * xsmodes.c - xbfront-xs's attacks, one function per -H mode (xsfront.c
 * has the list and what each must get as an answer).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "xsfront.h"

const char *
ringkey(struct xsf *s, int i)
{
	if (s->type == T_VIF)
		return i == 0 ? "tx-ring-ref" : "rx-ring-ref";
	return "ring-ref";
}

const char *
portkey(struct xsf *s)
{
	return s->type == T_CONS ? "port" : "event-channel";
}

static void
m_ring_ref_text(struct xsf *s)
{
	refuse1(s, ringkey(s, 0), "abc");
	refuse1(s, ringkey(s, 1), "12x");
	refuse1(s, ringkey(s, 0), "");
	refuse1(s, ringkey(s, 1), "0x10");
	refuse1(s, portkey(s), "7up");
}

static void
m_huge(struct xsf *s)
{
	static char big[302];

	memset(big, '0', 301);
	big[0] = '1';
	refuse1(s, ringkey(s, 0), "99999999999999999999");
	refuse1(s, ringkey(s, 1), "4294967296");
	refuse1(s, ringkey(s, 0), big);
	refuse1(s, portkey(s), "4294967296");
	/* fits in 32 bits, but no such port: binding fails */
	refuse1(s, portkey(s), "4294967295");
	/* fits, but no grant of ours: mapping fails */
	refuse1(s, ringkey(s, 1), BAD_REF);
}

static void
m_negative(struct xsf *s)
{
	refuse1(s, ringkey(s, 0), "-1");
	refuse1(s, ringkey(s, 1), "-1");
	refuse1(s, portkey(s), "-1");
	if (s->type == T_VBD) {
		refuse1(s, "ring-page-order", "-1");
		refuse1(s, "multi-queue-num-queues", "-1");
	} else if (s->type == T_VIF) {
		/* split channels: a bad tx one must not fall back silently */
		struct kv kv[] = { { "event-channel-tx", "-1" },
		    { "event-channel-rx", s->sport } };

		refuse(s, "event-channel-tx \"-1\" (split)", kv, 2);
	}
}

static void
m_missing(struct xsf *s)
{
	refuse1(s, ringkey(s, 0), NULL);
	if (s->type == T_VIF)
		refuse1(s, ringkey(s, 1), NULL);
	refuse1(s, portkey(s), NULL);
	if (s->type == T_VBD) {
		struct kv kv[] = { { "ring-ref", NULL },
		    { "ring-page-order", "1" }, { "ring-ref0", s->sref[0] } };

		refuse(s, "ring-page-order 1, ring-ref1 absent", kv, 3);
	} else if (s->type == T_VIF) {
		struct kv kv[] = { { "event-channel", NULL },
		    { "event-channel-tx", s->sport } };

		refuse1(s, "request-rx-copy", NULL);
		refuse(s, "event-channel-tx without -rx", kv, 2);
	} else {
		struct kv kv[] = { { "ring-ref", NULL }, { "port", NULL } };

		refuse(s, "ring-ref and port absent", kv, 2);
	}
}

static void
m_ring_order(struct xsf *s)
{
	char o[16], what[80];
	unsigned int i;

	/* past the maximum: refs for every page written, all valid */
	{
		struct kv kv[MAX_KV];
		char keys[20][16];
		size_t n = 0;

		snprintf(o, sizeof(o), "%u", s->besmax_order + 1);
		kv[n++] = (struct kv){ "ring-ref", NULL };
		kv[n++] = (struct kv){ "ring-page-order", o };
		for (i = 0; i < 20; i++) {
			snprintf(keys[i], sizeof(keys[i]), "ring-ref%u", i);
			kv[n++] = (struct kv){ keys[i], s->sref[0] };
		}
		snprintf(what, sizeof(what), "ring-page-order %s (max %u)", o,
		    s->besmax_order);
		refuse(s, what, kv, n);
	}
	refuse1(s, "ring-page-order", "4294967296");
	refuse1(s, "ring-page-order", "64");
	refuse1(s, "ring-page-order", "four");
	/* within the maximum, but pages 1.. are no grant of ours */
	{
		struct kv kv[] = { { "ring-ref", NULL },
		    { "ring-page-order", "2" }, { "ring-ref0", s->sref[0] },
		    { "ring-ref1", BAD_REF }, { "ring-ref2", BAD_REF },
		    { "ring-ref3", BAD_REF } };

		refuse(s, "ring-page-order 2, ring-ref1..3 not granted", kv, 6);
	}
}

static void
m_queues(struct xsf *s)
{
	char n1[16], what[80];

	snprintf(n1, sizeof(n1), "%u", s->besmax_q + 1);
	snprintf(what, sizeof(what), "multi-queue-num-queues %s (max %u)", n1,
	    s->besmax_q);
	{
		struct kv kv = { "multi-queue-num-queues", n1 };

		refuse(s, what, &kv, 1);
	}
	refuse1(s, "multi-queue-num-queues", "0");
	refuse1(s, "multi-queue-num-queues", "4294967297");
	refuse1(s, "multi-queue-num-queues", "two");
	if (s->besmax_q >= 2) {
		/* two queues, queue-1's keys absent */
		struct kv vbd[] = { { "multi-queue-num-queues", "2" },
		    { "queue-0/ring-ref", s->sref[0] },
		    { "queue-0/event-channel", s->sport } };
		struct kv vif[] = { { "multi-queue-num-queues", "2" },
		    { "queue-0/tx-ring-ref", s->sref[0] },
		    { "queue-0/rx-ring-ref", s->sref[1] },
		    { "queue-0/event-channel", s->sport } };

		if (s->type == T_VBD)
			refuse(s, "2 queues, queue-1 absent", vbd, 3);
		else
			refuse(s, "2 queues, queue-1 absent", vif, 4);
	}
}

static void
m_protocol(struct xsf *s)
{
	static char longp[201];

	memset(longp, 'A', 200);
	refuse1(s, "protocol", "x86_65-abi");
	refuse1(s, "protocol", "x86_64-abi ");
	refuse1(s, "protocol", "arm-abi");
	refuse1(s, "protocol", longp);
}

static void
m_state_skip(struct xsf *s)
{
	/* Initialising -> Connected, no keys at all */
	{
		struct kv kv[] = { { "ring-ref", NULL }, { "tx-ring-ref", NULL },
		    { "rx-ring-ref", NULL }, { "event-channel", NULL } };

		refuse_st(s, "Initialising -> Connected without keys", kv, 4,
		    XenbusStateConnected);
	}
	/* states only a backend has */
	refuse_st(s, "frontend state InitWait", NULL, 0, XenbusStateInitWait);
	refuse_st(s, "frontend state Reconfiguring", NULL, 0,
	    XenbusStateReconfiguring);
	/* the legal skip (Mini-OS): Initialising -> Connected with keys */
	if (connect_good(s, "Initialising -> Connected with keys", true))
		close_good(s, "after the legal skip");
	set_state(s, XenbusStateInitialising);
	if (watch_be(s, XenbusStateInitWait, -2, REFUSE_MS, NULL) !=
	    XenbusStateInitWait)
		fail(&s->x, "no InitWait after the legal skip");
	/*
	 * Last: a state that is no state.  The backend releases the device
	 * for good (Linux: XenbusStateUnknown unregisters it): Closed.
	 */
	{
		bool conn = false;
		int st;

		put(s, XBT_NULL, "state", "9");
		st = watch_be(s, XenbusStateClosed, XenbusStateClosing,
		    REFUSE_MS, &conn);
		if (conn)
			fail(&s->x, "state \"9\": the backend went Connected");
		else if (st == XenbusStateClosed || st == XenbusStateClosing ||
		    st == -1)
			ok("state \"9\": refused (backend %s)", sname(st));
		else
			ok("state \"9\": not taken (backend %s)", sname(st));
	}
}

/* Poll the backend's state every millisecond for up to ms until want. */
static bool
follow(struct xsf *s, int want, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (be_state(&s->x) != want) {
		if (now_ms() >= end)
			return false;
		usleep(1000);
	}
	return true;
}

/*
 * Connect/close cycles for ms as fast as the backend follows: each one
 * really connects (about six backend log lines): dozens on the
 * nested test bed, far more on real hardware.  The
 * backend's per-device lifecycle log limit keeps that to a burst, a line
 * a second and a summary (the hostile frame allows 40 lines).  Every
 * cycle reconnects on the same ring pages, zeroed again as a frontend
 * does before it offers a ring.
 */
static void
cycle_fast(struct xsf *s, unsigned int ms)
{
	uint64_t end = now_ms() + ms, hard = now_ms() + 3 * ms;
	unsigned int n = 0, conn = 0;

	/* At least ms, and on until 10 connects (at most 3 ms in all). */
	while ((now_ms() < end || conn < 10) && now_ms() < hard && n < 5000) {
		init_rings(s);
		set_state(s, XenbusStateInitialising);
		follow(s, XenbusStateInitWait, 200);
		put_keys(s, NULL, 0, ready_state(s));
		/*
		 * A connect reads some 20 keys through the worker's xenstore
		 * proxy (a round trip through the parent each): up to a
		 * second on the nested bed.
		 */
		conn += follow(s, XenbusStateConnected, 1000);
		set_state(s, XenbusStateClosing);
		follow(s, XenbusStateClosing, 200);
		set_state(s, XenbusStateClosed);
		follow(s, XenbusStateClosed, 200);
		n++;
	}
	ok("%u connect/close cycles in %u s, the backend Connected in %u",
	    n, (unsigned int)((now_ms() - end + ms) / 1000), conn);
	if (conn < 10)
		fail(&s->x, "fast cycles: the backend connected only %u times "
		    "(the attack did not reach it)", conn);
}

static void
m_state_flap(struct xsf *s)
{
	uint64_t end;
	unsigned int n = 0, i;
	int st;

	if (!connect_good(s, "first connection", false))
		return;
	/* Connected/Closing as fast as xenstore takes it, for 3 s */
	end = now_ms() + 3000;
	while (now_ms() < end && n < 1000) {
		set_state(s, XenbusStateClosing);
		set_state(s, XenbusStateConnected);
		n++;
	}
	ok("flapped Connected/Closing %u times", n);
	set_state(s, XenbusStateClosing);
	st = watch_be(s, XenbusStateClosing, XenbusStateClosed, REFUSE_MS, NULL);
	if (st != XenbusStateClosing && st != XenbusStateClosed)
		fail(&s->x, "after flapping: backend %s, not Closing",
		    sname(st));
	set_state(s, XenbusStateClosed);
	if ((st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL)) !=
	    XenbusStateClosed)
		fail(&s->x, "after flapping: backend %s, not Closed", sname(st));
	else
		ok("after flapping: backend Closed");
	/*
	 * Connect/close cycles without waiting for the backend, closing at
	 * different moments of its connect.
	 */
	for (i = 0; i < 3; i++) {
		static const unsigned int gap_ms[] = { 5, 40, 150 };

		set_state(s, XenbusStateInitialising);
		usleep(gap_ms[i] * 1000);
		put_keys(s, NULL, 0, ready_state(s));
		usleep(gap_ms[i] * 1000);
		set_state(s, XenbusStateClosing);
		set_state(s, XenbusStateClosed);
		usleep(gap_ms[i] * 1000);
	}
	if ((st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL)) !=
	    XenbusStateClosed)
		fail(&s->x, "after %u unwaited connect/close cycles: backend "
		    "%s, not Closed", i, sname(st));
	else
		ok("after %u unwaited connect/close cycles: backend Closed", i);
	cycle_fast(s, 6000);
	if ((st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL)) !=
	    XenbusStateClosed)
		fail(&s->x, "after the fast cycles: backend %s, not Closed",
		    sname(st));
	/* and the device still works */
	set_state(s, XenbusStateInitialising);
	if ((st = watch_be(s, XenbusStateInitWait, -2, REFUSE_MS, NULL)) !=
	    XenbusStateInitWait) {
		fail(&s->x, "after flapping: backend %s, not InitWait",
		    sname(st));
		return;
	}
	if (connect_good(s, "reconnect after flapping", false))
		close_good(s, "reconnect after flapping");
}

static void
m_state_reconnect(struct xsf *s)
{
	uint32_t old = s->ref[0];
	int st;

	if (!connect_good(s, "first connection", false))
		return;
	close_good(s, "first connection");
	set_state(s, XenbusStateInitialising);
	if ((st = watch_be(s, XenbusStateInitWait, -2, REFUSE_MS, NULL)) !=
	    XenbusStateInitWait) {
		fail(&s->x, "reconnect: backend %s, not InitWait", sname(st));
		return;
	}
	ok("reconnect: backend InitWait again");
	/* new ring page(s) and port; the old ones stay shared and unused */
	if (connect_good(s, "second connection, new rings", false)) {
		if (s->ref[0] == old)
			fail(&s->x, "the new ring has the old grant ref");
		close_good(s, "second connection");
	}
}

/*
 * Connected and served, then the frontend removes its state node (as if
 * its directory went): the backend releases the device (Closed, its
 * rings unmapped, the worker gone) and does not take it again.
 */
static void
m_state_vanish(struct xsf *s)
{
	uint64_t end;
	int st;

	if (!connect_good(s, "connection", false))
		return;
	rm(s, XBT_NULL, "state");
	st = watch_be(s, XenbusStateClosed, -2, REFUSE_MS, NULL);
	if (st != XenbusStateClosed) {
		fail(&s->x, "state removed: backend %s, not Closed", sname(st));
		return;
	}
	ok("state removed while Connected: backend Closed");
	/* released for good: no InitWait, no Connected after 2 s */
	end = now_ms() + 2000;
	while (now_ms() < end) {
		if ((st = be_state(&s->x)) != XenbusStateClosed) {
			fail(&s->x, "state removed: backend went %s after "
			    "Closed", sname(st));
			return;
		}
		usleep(100 * 1000);
	}
	ok("backend still Closed 2 s later");
}

const struct xs_mode xs_modes[] = {
	{ "xs-ring-ref-text", 7, m_ring_ref_text },
	{ "xs-huge", 7, m_huge },
	{ "xs-negative", 7, m_negative },
	{ "xs-missing", 7, m_missing },
	{ "xs-ring-order", 1 << T_VBD, m_ring_order },
	{ "xs-queues", 1 << T_VBD | 1 << T_VIF, m_queues },
	{ "xs-protocol", 1 << T_VBD, m_protocol },
	{ "state-skip", 1 << T_VBD | 1 << T_VIF, m_state_skip },
	{ "state-flap", 1 << T_VBD | 1 << T_VIF, m_state_flap },
	{ "state-reconnect", 1 << T_VBD | 1 << T_VIF, m_state_reconnect },
	{ "state-vanish", 1 << T_VBD | 1 << T_VIF, m_state_vanish },
};

const size_t xs_nmodes = sizeof(xs_modes) / sizeof(xs_modes[0]);
