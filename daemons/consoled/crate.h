/*
 * crate.h - the per-console drain limit: a token bucket in bytes on
 * CLOCK_MONOTONIC nanoseconds, 64-bit throughout (pure logic: the caller
 * passes the time, so wraparound and clock jumps are unit-tested).
 *
 * xenconsoled's limit (30 events per 200 ms, io.c) caps an honest guest at
 * ~0.28 MiB/s, and a 32-bit overflow in its clock maths once froze consoles
 * (xen d0495ec8c1).  Here each drain costs the bytes it moved plus a fixed
 * per-wakeup charge (so an event storm with no data is limited too); when
 * the bucket is empty the caller stops draining and arms a timer for
 * crate_wait_ms(), which is always finite and >= 1, so a console can be
 * slowed but never frozen.
 */
#ifndef CONS_CRATE_H
#define CONS_CRATE_H

#include <stdint.h>

/* Bytes charged per drain on top of the data moved. */
#define CRATE_EVENT_COST	256

struct crate {
	uint64_t	rate;		/* bytes per second; 0 = unlimited */
	uint64_t	burst;		/* bucket depth in bytes */
	uint64_t	tokens;		/* current tokens (<= burst) */
	uint64_t	debt;		/* charged beyond tokens (<= burst); tokens is 0 while > 0 */
	uint64_t	last_ns;	/* time of the last refill */
	uint64_t	throttled;	/* times crate_allow() said no */
};

/*
 * Set up a full bucket: rate bytes/s, burst bytes (0 = rate/8, at least
 * 8 KiB).  rate 0 disables the limit.
 */
void		crate_init(struct crate *, uint64_t rate, uint64_t burst, uint64_t now_ns);

/*
 * Add the tokens earned since the last refill, repaying debt first (a
 * clock going backwards earns nothing, and earning restarts from it).
 */
void		crate_refill(struct crate *, uint64_t now_ns);

/*
 * Refill, then say whether a drain may run now (tokens > 0, or no limit).
 * Counts a "no" in throttled.
 */
int		crate_allow(struct crate *, uint64_t now_ns);

/*
 * Charge a drain that moved n bytes (plus CRATE_EVENT_COST).  Tokens floor
 * at 0 and the rest becomes debt (at most burst), repaid by refills before
 * tokens count again: without it a drain allowed with 1 token left would
 * move a ring's worth for free, and polling crate_allow() would let
 * ~2 KiB through per token earned.
 */
void		crate_charge(struct crate *, uint64_t n);

/*
 * Milliseconds until the debt is repaid and at least CRATE_EVENT_COST +
 * 1 KiB tokens (or a full bucket, if smaller) are available:
 * 1 <= result <= 1000.
 */
unsigned int	crate_wait_ms(const struct crate *, uint64_t now_ns);

#endif
