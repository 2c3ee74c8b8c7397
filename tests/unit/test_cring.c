/*
 * test_cring.c - the console ring (cring.h, io/console.h): empty and full
 * rings, indices wrapping at 2^32, hostile indices (producer more than the
 * ring ahead, producer behind the consumer) refused with nothing moved,
 * and random runs of a simulated guest against a byte-stream model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x3c6ef372fe94f82bULL
#include "xorshift.h"

#include "cring.h"

#define OUTSZ	sizeof(((struct xencons_interface *)0)->out)
#define INSZ	sizeof(((struct xencons_interface *)0)->in)

/* The guest's side (hvc_xen's domU_write_console): returns bytes written. */
static size_t
guest_write(struct xencons_interface *r, const unsigned char *p, size_t n)
{
	uint32_t cons = r->out_cons, prod = r->out_prod;
	size_t i;

	for (i = 0; i < n && (uint32_t)(prod - cons) < OUTSZ; i++)
		r->out[MASK_XENCONS_IDX(prod++, r->out)] = (char)p[i];
	r->out_prod = prod;
	return i;
}

/* The guest's keyboard side (domU_read_console). */
static size_t
guest_read(struct xencons_interface *r, unsigned char *p, size_t n)
{
	uint32_t cons = r->in_cons, prod = r->in_prod;
	size_t i;

	for (i = 0; i < n && cons != prod; i++)
		p[i] = (unsigned char)r->in[MASK_XENCONS_IDX(cons++, r->in)];
	r->in_cons = cons;
	return i;
}

static struct xencons_interface *
ring_new(uint32_t out_idx, uint32_t in_idx)
{
	struct xencons_interface *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->out_cons = r->out_prod = out_idx;
	r->in_cons = r->in_prod = in_idx;
	return r;
}

static void
test_layout(void **state)
{
	(void)state;
	/* io/console.h: in[1024], out[2048], then the four indices. */
	assert_int_equal(INSZ, 1024);
	assert_int_equal(OUTSZ, 2048);
	assert_int_equal(offsetof(struct xencons_interface, out), 1024);
	assert_int_equal(offsetof(struct xencons_interface, in_cons), 3072);
	assert_int_equal(offsetof(struct xencons_interface, out_prod), 3084);
}

static void
test_out_empty(void **state)
{
	struct xencons_interface *r = ring_new(77, 0);
	unsigned char buf[16];
	uint32_t bad[2] = { 1, 2 };

	(void)state;
	assert_int_equal(cring_out_avail(r), 0);
	assert_int_equal(cring_out_take(r, buf, sizeof(buf), bad), 0);
	assert_true(r->out_cons == 77 && r->out_prod == 77);
	assert_true(bad[0] == 1 && bad[1] == 2);	/* untouched */
	/* max 0 with data: nothing moves. */
	assert_int_equal(guest_write(r, (const unsigned char *)"ab", 2), 2);
	assert_int_equal(cring_out_take(r, buf, 0, NULL), 0);
	assert_true(r->out_cons == 77);
	free(r);
}

static void
test_out_full_and_partial(void **state)
{
	struct xencons_interface *r = ring_new(1000, 0);
	unsigned char data[OUTSZ + 10], buf[OUTSZ + 10];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(rng() | 1);
	assert_int_equal(guest_write(r, data, sizeof(data)), OUTSZ);
	assert_int_equal(cring_out_avail(r), OUTSZ);
	/* A short read first. */
	assert_int_equal(cring_out_take(r, buf, 100, NULL), 100);
	assert_memory_equal(buf, data, 100);
	assert_true(r->out_cons == 1100);
	assert_int_equal(cring_out_avail(r), OUTSZ - 100);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(cring_out_take(r, buf, sizeof(buf), NULL),
	    OUTSZ - 100);
	assert_memory_equal(buf, data + 100, OUTSZ - 100);
	assert_true(r->out_cons == 1000 + OUTSZ);
	assert_int_equal(cring_out_avail(r), 0);
	free(r);
}

static void
test_out_wrap_2_32(void **state)
{
	struct xencons_interface *r = ring_new(UINT32_MAX - 5, 0);
	unsigned char data[300], buf[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	assert_int_equal(guest_write(r, data, 300), 300);
	assert_true(r->out_prod == 294);	/* wrapped */
	assert_int_equal(cring_out_avail(r), 300);
	assert_int_equal(cring_out_take(r, buf, 10, NULL), 10);
	assert_true(r->out_cons == 4);
	assert_int_equal(cring_out_take(r, buf + 10, 300, NULL), 290);
	assert_memory_equal(buf, data, 300);
	assert_true(r->out_cons == 294);
	/* A full ring straddling 2^32 is still valid. */
	r->out_cons = UINT32_MAX - 1000;
	r->out_prod = r->out_cons + OUTSZ;
	assert_int_equal(cring_out_avail(r), OUTSZ);
	assert_int_equal(cring_out_take(r, buf, 1, NULL), 1);
	free(r);
}

static void
hostile_out(uint32_t cons, uint32_t prod)
{
	struct xencons_interface *r = ring_new(0, 0);
	unsigned char buf[OUTSZ * 2];
	uint32_t bad[2] = { 0, 0 };

	memset(buf, 0x5a, sizeof(buf));
	memset(r->out, 'x', OUTSZ);
	r->out_cons = cons;
	r->out_prod = prod;
	assert_int_equal(cring_out_avail(r), -1);
	assert_int_equal(cring_out_take(r, buf, sizeof(buf), bad), -1);
	assert_true(bad[0] == prod && bad[1] == cons);
	assert_int_equal(cring_out_take(r, buf, sizeof(buf), NULL), -1);
	/* Nothing copied, nothing moved. */
	assert_int_equal(buf[0], 0x5a);
	assert_true(r->out_cons == cons && r->out_prod == prod);
	free(r);
}

static void
test_out_hostile(void **state)
{
	(void)state;
	hostile_out(0, OUTSZ + 1);			/* one past full */
	hostile_out(100, 100 + 4096);
	hostile_out(100, 99);				/* producer behind */
	hostile_out(5, 0);
	hostile_out(0, UINT32_MAX);
	hostile_out(UINT32_MAX - 10, (uint32_t)(OUTSZ - 10));	/* 2049 across 2^32 */
	hostile_out(0, 0x80000000u);
}

static void
test_in_basic_full_wrap(void **state)
{
	struct xencons_interface *r = ring_new(0, UINT32_MAX - 20);
	unsigned char data[INSZ + 50], got[INSZ + 50];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 13);
	assert_int_equal(cring_in_space(r), INSZ);
	assert_int_equal(cring_in_put(r, data, 0), 0);
	assert_int_equal(cring_in_put(r, data, sizeof(data)), INSZ);
	assert_true(r->in_prod == (uint32_t)(UINT32_MAX - 20 + INSZ));
	assert_int_equal(cring_in_space(r), 0);
	assert_int_equal(cring_in_put(r, data, 5), 0);	/* full */
	assert_int_equal(guest_read(r, got, 30), 30);
	assert_memory_equal(got, data, 30);
	assert_int_equal(cring_in_space(r), 30);
	assert_int_equal(cring_in_put(r, data + INSZ, 50), 30);
	assert_int_equal(guest_read(r, got, sizeof(got)), INSZ);
	assert_memory_equal(got, data + 30, INSZ);
	assert_int_equal(cring_in_space(r), INSZ);
	free(r);
}

static void
hostile_in(uint32_t cons, uint32_t prod)
{
	struct xencons_interface *r = ring_new(0, 0);
	unsigned char data[8] = "hostile";
	uint32_t idx[2];

	memset(r->in, 'q', INSZ);
	r->in_cons = cons;
	r->in_prod = prod;
	assert_int_equal(cring_in_space(r), -1);
	/* The log line's values: prod, then cons. */
	cring_in_idx(r, idx);
	assert_true(idx[0] == prod && idx[1] == cons);
	assert_int_equal(cring_in_put(r, data, sizeof(data)), -1);
	assert_true(r->in_cons == cons && r->in_prod == prod);
	assert_int_equal(r->in[MASK_XENCONS_IDX(prod, r->in)], 'q');
	free(r);
}

static void
test_in_hostile(void **state)
{
	(void)state;
	hostile_in(0, INSZ + 1);
	hostile_in(10, 9);			/* guest consumed past us */
	hostile_in(UINT32_MAX, 2000);
	hostile_in(1, 0);
}

static void
test_random_model(void **state)
{
	struct xencons_interface *r;
	unsigned char *sent, *recv, *ksent, *krecv, buf[4096];
	size_t ns = 0, nr = 0, nks = 0, nkr = 0, n, i, total = 1 << 20;
	uint32_t start;
	ssize_t got;
	int round;

	(void)state;
	sent = malloc(total);
	recv = malloc(total);
	ksent = malloc(total);
	krecv = malloc(total);
	assert_true(sent && recv && ksent && krecv);
	for (i = 0; i < total; i++) {
		sent[i] = (unsigned char)rng();
		ksent[i] = (unsigned char)rng();
	}
	for (round = 0; round < 8; round++) {
		/* Start near 2^32 half the time, so wrapping is exercised. */
		start = round & 1 ? UINT32_MAX - (uint32_t)(rng() % 5000) :
		    (uint32_t)rng();
		r = ring_new(start, start ^ 0x5555);
		ns = nr = nks = nkr = 0;
		while (nr < total || nkr < total) {
			n = rng() % 3000;
			if (n > total - ns)
				n = total - ns;
			ns += guest_write(r, sent + ns, n);
			assert_int_equal(cring_out_avail(r), ns - nr);
			n = rng() % 3000;
			got = cring_out_take(r, buf, n, NULL);
			assert_true(got >= 0 && (size_t)got <= n);
			assert_int_equal((size_t)got, n < ns - nr ? n : ns - nr);
			memcpy(recv + nr, buf, (size_t)got);
			nr += (size_t)got;

			n = rng() % 1500;
			if (n > total - nks)
				n = total - nks;
			assert_int_equal(cring_in_space(r), INSZ - (nks - nkr));
			got = cring_in_put(r, ksent + nks, n);
			assert_true(got >= 0);
			assert_int_equal((size_t)got,
			    n < INSZ - (nks - nkr) ? n : INSZ - (nks - nkr));
			nks += (size_t)got;
			nkr += guest_read(r, krecv + nkr, rng() % 1500);
		}
		assert_memory_equal(sent, recv, total);
		assert_memory_equal(ksent, krecv, total);
		free(r);
	}
	free(sent);
	free(recv);
	free(ksent);
	free(krecv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_out_empty),
		cmocka_unit_test(test_out_full_and_partial),
		cmocka_unit_test(test_out_wrap_2_32),
		cmocka_unit_test(test_out_hostile),
		cmocka_unit_test(test_in_basic_full_wrap),
		cmocka_unit_test(test_in_hostile),
		cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
