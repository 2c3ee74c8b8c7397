/*
 * fuzz_cring.c - the console ring (cring.c), the one place consoled reads
 * guest-shared memory: the guest's output taken, keyboard input put, with
 * the guest writing any index (its own and ours) between our calls.
 *
 * Input: the four indices, then a list of operations: take output (up to a bound), put input, the guest writes
 * one of the four indices, the guest produces output properly.  A model
 * of the ring checks every byte copied and every index we publish.  The
 * interface is allocated at its exact size so ASan sees any overrun.
 */
#include <stdbool.h>

#include "cring.h"
#include "fuzz.h"

#define OUT_SZ	sizeof(((struct xencons_interface *)0)->out)
#define IN_SZ	sizeof(((struct xencons_interface *)0)->in)

static void
op_take(struct xencons_interface *c, struct fuzz_in *in)
{
	static uint8_t dst[4096], before[OUT_SZ];
	size_t max = fuzz_u16(in) % sizeof(dst);
	XENCONS_RING_IDX cons = c->out_cons, prod = c->out_prod, i;
	uint32_t bad[2] = { 0, 0 };
	ssize_t avail, n;

	memcpy(before, c->out, OUT_SZ);
	avail = cring_out_avail(c);
	n = cring_out_take(c, dst, max, bad);
	if ((XENCONS_RING_IDX)(prod - cons) > OUT_SZ) {
		/* A screwed ring is reported, never served. */
		FUZZ_CHECK(avail == -1 && n == -1);
		FUZZ_CHECK(bad[0] == prod && bad[1] == cons);
		FUZZ_CHECK(c->out_cons == cons);
		return;
	}
	FUZZ_CHECK(avail == (ssize_t)(XENCONS_RING_IDX)(prod - cons));
	FUZZ_CHECK(n >= 0 && (size_t)n <= max && n <= avail);
	FUZZ_CHECK((size_t)n == ((size_t)avail < max ? (size_t)avail : max));
	for (i = 0; i < (XENCONS_RING_IDX)n; i++)
		FUZZ_CHECK(dst[i] == before[MASK_XENCONS_IDX(cons + i, c->out)]);
	FUZZ_CHECK(c->out_cons == (XENCONS_RING_IDX)(cons + (XENCONS_RING_IDX)n));
	FUZZ_CHECK(c->out_prod == prod);
	FUZZ_CHECK(memcmp(before, c->out, OUT_SZ) == 0);
}

static void
op_put(struct xencons_interface *c, struct fuzz_in *in)
{
	static uint8_t src[2048], before[IN_SZ];
	size_t len = fuzz_u16(in) % sizeof(src);
	XENCONS_RING_IDX cons = c->in_cons, prod = c->in_prod, i, j;
	ssize_t space, n;

	fuzz_take(in, src, len < 16 ? len : 16);
	for (i = 16; i < len; i++)
		src[i] = (uint8_t)i;
	memcpy(before, c->in, IN_SZ);
	space = cring_in_space(c);
	n = cring_in_put(c, src, len);
	if ((XENCONS_RING_IDX)(prod - cons) > IN_SZ) {
		FUZZ_CHECK(space == -1 && n == -1);
		FUZZ_CHECK(c->in_prod == prod);
		FUZZ_CHECK(memcmp(before, c->in, IN_SZ) == 0);
		return;
	}
	FUZZ_CHECK(space == (ssize_t)(IN_SZ - (XENCONS_RING_IDX)(prod - cons)));
	FUZZ_CHECK(n >= 0 && (size_t)n <= len && n <= space);
	FUZZ_CHECK((size_t)n == ((size_t)space < len ? (size_t)space : len));
	FUZZ_CHECK(c->in_prod == (XENCONS_RING_IDX)(prod + (XENCONS_RING_IDX)n));
	FUZZ_CHECK(c->in_cons == cons);
	/* The new bytes where the guest will read them, nothing else. */
	for (i = 0; i < IN_SZ; i++) {
		j = (XENCONS_RING_IDX)(i - MASK_XENCONS_IDX(prod, c->in)) %
		    IN_SZ;
		if (j < (XENCONS_RING_IDX)n)
			FUZZ_CHECK((uint8_t)c->in[i] == src[j]);
		else
			FUZZ_CHECK(c->in[i] == (char)before[i]);
	}
}

/* A well-behaved guest writes k bytes of output. */
static void
op_produce(struct xencons_interface *c, struct fuzz_in *in)
{
	unsigned int k = fuzz_u16(in) % (OUT_SZ + 1), i;
	XENCONS_RING_IDX prod = c->out_prod;

	for (i = 0; i < k; i++)
		c->out[MASK_XENCONS_IDX(prod + i, c->out)] = (char)(i * 7);
	c->out_prod = prod + k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct xencons_interface *c;
	unsigned int nops, i;

	c = malloc(sizeof(*c));
	FUZZ_CHECK(c != NULL);
	/* The bytes are only compared with themselves: the indices matter. */
	memset(c, 0x5a, sizeof(*c));
	c->in_cons = fuzz_u32(&in);
	c->in_prod = fuzz_u32(&in);
	c->out_cons = fuzz_u32(&in);
	c->out_prod = fuzz_u32(&in);
	nops = fuzz_u8(&in) % 32;
	for (i = 0; i < nops; i++) {
		uint8_t op = fuzz_u8(&in);

		switch (op & 3) {
		case 0:
			op_take(c, &in);
			break;
		case 1:
			op_put(c, &in);
			break;
		case 2: {
			XENCONS_RING_IDX v = fuzz_u32(&in);

			/* The guest may write any index, ours included. */
			switch ((op >> 2) & 3) {
			case 0: c->out_prod = v; break;
			case 1: c->out_cons = v; break;
			case 2: c->in_prod = v; break;
			case 3: c->in_cons = v; break;
			}
			break;
		}
		case 3:
			op_produce(c, &in);
			break;
		}
	}
	free(c);
	return 0;
}
