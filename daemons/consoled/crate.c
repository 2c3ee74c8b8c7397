/*
 * crate.c - see crate.h.
 *
 * All products go through unsigned __int128, so no time step or rate can
 * overflow (xenconsoled's 32-bit ms maths froze consoles, xen d0495ec8c1).
 */
#include "crate.h"

#define NS_PER_S	1000000000ULL
#define NS_PER_MS	1000000ULL
#define CRATE_MIN_BURST	8192ULL
/* What crate_wait_ms() waits for: one drain's charge plus some data. */
#define CRATE_WANT	(CRATE_EVENT_COST + 1024ULL)

typedef unsigned __int128 u128;

/* Whole tokens earned over dt ns at rate bytes/s, saturated to 64 bits. */
static uint64_t
earned(uint64_t rate, uint64_t dt)
{
	u128 e = (u128)dt * rate / NS_PER_S;

	return e > UINT64_MAX ? UINT64_MAX : (uint64_t)e;
}

void
crate_init(struct crate *c, uint64_t rate, uint64_t burst, uint64_t now_ns)
{
	if (burst == 0) {
		burst = rate / 8;
		if (burst < CRATE_MIN_BURST)
			burst = CRATE_MIN_BURST;
	}
	c->rate = rate;
	c->burst = burst;
	c->tokens = burst;
	c->debt = 0;
	c->last_ns = now_ns;
	c->throttled = 0;
}

void
crate_refill(struct crate *c, uint64_t now_ns)
{
	uint64_t dt, e, used;

	if (c->rate == 0)
		return;
	if (now_ns < c->last_ns) {
		/*
		 * Backwards: earn nothing, but restart from here so the
		 * bucket fills again from now on instead of waiting for
		 * the clock to catch up with last_ns.
		 */
		c->last_ns = now_ns;
		return;
	}
	dt = now_ns - c->last_ns;
	e = earned(c->rate, dt);
	/* debt <= burst and tokens <= burst: no overflow. */
	if (e >= c->debt && e - c->debt >= c->burst - c->tokens) {
		c->debt = 0;
		c->tokens = c->burst;
		c->last_ns = now_ns;
		return;
	}
	if (e == 0)
		return;		/* keep last_ns: the fraction carries over */
	if (e <= c->debt)
		c->debt -= e;
	else {
		c->tokens += e - c->debt;
		c->debt = 0;
	}
	/* Advance by the time those whole tokens took; keep the rest. */
	used = (uint64_t)((u128)e * NS_PER_S / c->rate);
	c->last_ns += used <= dt ? used : dt;
}

int
crate_allow(struct crate *c, uint64_t now_ns)
{
	if (c->rate == 0)
		return 1;
	crate_refill(c, now_ns);
	if (c->tokens > 0)
		return 1;
	c->throttled++;
	return 0;
}

void
crate_charge(struct crate *c, uint64_t n)
{
	uint64_t cost;

	if (c->rate == 0)
		return;
	cost = n > UINT64_MAX - CRATE_EVENT_COST ? UINT64_MAX :
	    n + CRATE_EVENT_COST;
	if (c->tokens >= cost) {
		c->tokens -= cost;
		return;
	}
	cost -= c->tokens;
	c->tokens = 0;
	/* Capped so one huge charge slows the console, never freezes it. */
	c->debt = cost >= c->burst - c->debt ? c->burst : c->debt + cost;
}

unsigned int
crate_wait_ms(const struct crate *c, uint64_t now_ns)
{
	uint64_t want, ms, e = 0;
	u128 need, have, ns;

	if (c->rate == 0)
		return 1;
	if (now_ns > c->last_ns)
		e = earned(c->rate, now_ns - c->last_ns);
	/* A bucket smaller than CRATE_WANT is waited for until full. */
	want = c->burst < CRATE_WANT ? c->burst : CRATE_WANT;
	need = (u128)c->debt + want;
	have = (u128)c->tokens + e;
	if (have >= need)
		return 1;
	ns = ((need - have) * NS_PER_S + c->rate - 1) / c->rate;
	if (ns >= (u128)1000 * NS_PER_MS)
		return 1000;
	ms = ((uint64_t)ns + NS_PER_MS - 1) / NS_PER_MS;
	return ms < 1 ? 1 : (unsigned int)ms;
}
