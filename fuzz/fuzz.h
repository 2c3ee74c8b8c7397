/*
 * fuzz.h - shared bits of the libFuzzer harnesses (fuzz/fuzz_*.c).
 *
 * Each harness drives one piece of guest-facing code the way the daemon
 * does, with the fuzzer's bytes standing for what a guest controls (its
 * ring pages, indices, granted pages, xenstore values), and checks after
 * every call that what the code accepted really is within the bounds it
 * promises.  A broken invariant aborts, so libFuzzer keeps the input as a
 * crash like any ASan/UBSan report.  See docs/SECURITY.md.
 */
#ifndef XB_FUZZ_H
#define XB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An invariant the code under test promises: abort (a finding) if false. */
#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* Sequential reader over the fuzzer's bytes; past the end reads zeros. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};

static inline void
fuzz_take(struct fuzz_in *in, void *dst, size_t len)
{
	size_t k = in->n < len ? in->n : len;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t
fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

/*
 * Fill dst[0..len) with the rest of the input, repeated (zeros if none
 * is left): a short input still describes a whole ring page.
 */
static inline void
fuzz_fill(struct fuzz_in *in, void *dst, size_t len)
{
	uint8_t *d = dst;
	size_t off = 0, k;

	if (in->n == 0) {
		memset(d, 0, len);
		return;
	}
	while (off < len) {
		k = len - off < in->n ? len - off : in->n;
		memcpy(d + off, in->p, k);
		off += k;
	}
}

#endif
