/*
 * xorshift.h - the unit tests' random numbers: xorshift64* with a fixed
 * seed per test file, so every run draws the same sequence and a failure
 * reproduces.  Include once per test; set rng_state (non-zero) before use
 * if the default seed will not do.
 */
#ifndef XORSHIFT_H
#define XORSHIFT_H

#include <stdint.h>

#ifndef XORSHIFT_SEED
#define XORSHIFT_SEED	0x9e3779b97f4a7c15ULL
#endif

static uint64_t rng_state __attribute__((unused)) = XORSHIFT_SEED;

static inline __attribute__((unused)) uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

#endif
