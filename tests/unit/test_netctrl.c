/*
 * test_netctrl.c - the control ring (netctrl.h): the Toeplitz hash on
 * the Microsoft RSS verification vectors, frames hashed by type, every
 * request type with a fake grant copy, the XSA-270 shapes, and random
 * requests that must never leave a bad table behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0x7a3c19e2b54d0f61ULL
#include "xorshift.h"

#include "netctrl.h"

/* Microsoft "Verifying the RSS Hash Calculation" key. */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct v4vec {
	uint8_t		src[4], dst[4];
	uint16_t	sport, dport;
	uint32_t	l3, l4;
};

static const struct v4vec v4[] = {
	{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	    0x323e8fc2, 0x51ccc178 },
	{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	    0xd718262a, 0xc626b0ea },
	{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	    0xd2d0a5de, 0x5c2b394a },
	{ { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217,
	    0x82989176, 0xafc7327f },
	{ { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303,
	    0x5d1809c5, 0x10e828a2 },
};

struct v6vec {
	uint8_t		src[16], dst[16];
	uint16_t	sport, dport;
	uint32_t	l3, l4;
};

static const struct v6vec v6[] = {
	{ { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0,
	    0, 7 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0,
	    0, 1 }, 2794, 1766, 0x2cc18cd5, 0x40207d3d },
	{ { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0, 0x02, 0x60, 0x97, 0xff,
	    0xfe, 0x40, 0xef, 0xab },
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 14230,
	    4739, 0x0f0c461c, 0xdde51bbf },
	{ { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8,
	    0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21,
	    0x67, 0xcf }, 44251, 38024, 0x4b61e985, 0x02d1feef },
};

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An Ethernet frame (tagged or not) around an IPv4 or IPv6 header. */
static size_t
frame4(uint8_t *f, const struct v4vec *v, unsigned int proto, bool vlan,
    unsigned int frag_off)
{
	size_t l3 = vlan ? 18 : 14;

	memset(f, 0, 128);
	put16(f + 12, vlan ? 0x8100 : 0x0800);
	put16(f + 16, 0x0800);
	f[l3] = 0x45;
	put16(f + l3 + 6, frag_off);
	f[l3 + 9] = (uint8_t)proto;
	memcpy(f + l3 + 12, v->src, 4);
	memcpy(f + l3 + 16, v->dst, 4);
	put16(f + l3 + 20, v->sport);
	put16(f + l3 + 22, v->dport);
	return l3 + 40;
}

static size_t
frame6(uint8_t *f, const struct v6vec *v, unsigned int next)
{
	memset(f, 0, 128);
	put16(f + 12, 0x86dd);
	f[14] = 0x60;
	f[14 + 6] = (uint8_t)next;
	memcpy(f + 14 + 8, v->src, 16);
	memcpy(f + 14 + 24, v->dst, 16);
	put16(f + 54, v->sport);
	put16(f + 56, v->dport);
	return 54 + 20;
}

/* ---- the hash ---- */

static void
test_toeplitz_vectors(void **state)
{
	uint8_t buf[36];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		memcpy(buf, v4[i].src, 4);
		memcpy(buf + 4, v4[i].dst, 4);
		put16(buf + 8, v4[i].sport);
		put16(buf + 10, v4[i].dport);
		assert_int_equal(nb_toeplitz(ms_key, 40, buf, 8), v4[i].l3);
		assert_int_equal(nb_toeplitz(ms_key, 40, buf, 12), v4[i].l4);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		memcpy(buf, v6[i].src, 16);
		memcpy(buf + 16, v6[i].dst, 16);
		put16(buf + 32, v6[i].sport);
		put16(buf + 34, v6[i].dport);
		assert_int_equal(nb_toeplitz(ms_key, 40, buf, 32), v6[i].l3);
		assert_int_equal(nb_toeplitz(ms_key, 40, buf, 36), v6[i].l4);
	}
	/* Short keys: the missing octets are zero. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(nb_toeplitz(ms_key, 0, buf, 36), 0);
	assert_int_equal(nb_toeplitz(ms_key, 4, buf, 1), 0x6d5a56da ^
	    0xdab4adb4 ^ 0xb5695b68 ^ 0x6ad2b6d0 ^ 0xd5a56da0 ^ 0xab4adb40 ^
	    0x5695b680 ^ 0xad2b6d00);
	assert_int_equal(nb_toeplitz(ms_key, 40, buf, 0), 0);
}

static void
test_hash_frame(void **state)
{
	struct nb_hash h;
	uint8_t f[128];
	uint32_t hash = 0;
	uint8_t type = 0xff;
	size_t len, cut;
	unsigned int i;

	(void)state;
	nb_hash_init(&h, 4);
	memcpy(h.key, ms_key, 40);
	len = frame4(f, &v4[0], 6, false, 0);
	assert_false(nb_hash_frame(&h, f, len, &hash, &type));	/* NONE */
	h.alg = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
	assert_false(nb_hash_frame(&h, f, len, &hash, &type));	/* no flags */
	h.flags = NB_HASH_TYPES_ALL;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		len = frame4(f, &v4[i], 6, i % 2, 0x4000);
		assert_true(nb_hash_frame(&h, f, len, &hash, &type));
		assert_int_equal(hash, v4[i].l4);
		assert_int_equal(type, _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
		/* UDP, or a fragment: the addresses only. */
		len = frame4(f, &v4[i], 17, i % 2, 0);
		assert_true(nb_hash_frame(&h, f, len, &hash, &type));
		assert_int_equal(hash, v4[i].l3);
		assert_int_equal(type, _XEN_NETIF_CTRL_HASH_TYPE_IPV4);
		len = frame4(f, &v4[i], 6, i % 2, 0x2000);
		assert_true(nb_hash_frame(&h, f, len, &hash, &type));
		assert_int_equal(hash, v4[i].l3);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		len = frame6(f, &v6[i], 6);
		assert_true(nb_hash_frame(&h, f, len, &hash, &type));
		assert_int_equal(hash, v6[i].l4);
		assert_int_equal(type, _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
		len = frame6(f, &v6[i], 0);	/* behind an extension header */
		assert_true(nb_hash_frame(&h, f, len, &hash, &type));
		assert_int_equal(hash, v6[i].l3);
		assert_int_equal(type, _XEN_NETIF_CTRL_HASH_TYPE_IPV6);
	}

	/* Only the types asked for. */
	h.flags = XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
	len = frame4(f, &v4[1], 17, false, 0);
	assert_false(nb_hash_frame(&h, f, len, &hash, &type));
	len = frame6(f, &v6[1], 6);
	assert_false(nb_hash_frame(&h, f, len, &hash, &type));
	h.flags = XEN_NETIF_CTRL_HASH_TYPE_IPV4 | XEN_NETIF_CTRL_HASH_TYPE_IPV6;
	len = frame4(f, &v4[1], 6, false, 0);
	assert_true(nb_hash_frame(&h, f, len, &hash, &type));
	assert_int_equal(hash, v4[1].l3);
	put16(f + 12, 0x0806);
	assert_false(nb_hash_frame(&h, f, len, &hash, &type));

	/* Options claimed past the end of the frame: the addresses only. */
	h.flags = NB_HASH_TYPES_ALL;
	len = frame4(f, &v4[2], 6, false, 0);
	f[14] = 0x4f;
	{
		uint8_t *g = malloc(len);

		memcpy(g, f, len);
		assert_true(nb_hash_frame(&h, g, len, &hash, &type));
		free(g);
		assert_int_equal(hash, v4[2].l3);
		assert_int_equal(type, _XEN_NETIF_CTRL_HASH_TYPE_IPV4);
	}

	/* Cut short anywhere: no read past the end, no L4 without ports. */
	h.flags = NB_HASH_TYPES_ALL;
	for (i = 0; i < 2; i++) {
		uint8_t full[128];
		size_t n = i ? frame6(full, &v6[0], 6) :
		    frame4(full, &v4[0], 6, true, 0);

		for (cut = 0; cut <= n; cut++) {
			uint8_t *g = malloc(cut ? cut : 1);
			bool ok;

			memcpy(g, full, cut);
			ok = nb_hash_frame(&h, g, cut, &hash, &type);
			free(g);
			if (cut < (i ? 54u : 38u))
				assert_false(ok);
			else if (cut < (i ? 58u : 42u))
				assert_true(ok && hash == (i ? v6[0].l3 :
				    v4[0].l3));
			else
				assert_true(ok && hash == (i ? v6[0].l4 :
				    v4[0].l4));
		}
	}
}

/* ---- requests ---- */

#define NGREF	4u

struct fake {
	uint8_t		page[NGREF][XB_PAGE_SIZE];
	bool		bad[NGREF];
	unsigned int	calls;
};

static int
fake_copy(void *arg, uint32_t gref, void *dst, size_t len)
{
	struct fake *fk = arg;

	fk->calls++;
	assert_true(len > 0 && len <= XB_PAGE_SIZE);
	if (gref >= NGREF || fk->bad[gref])
		return -1;
	memcpy(dst, fk->page[gref], len);
	return 0;
}

static uint32_t
req(struct nb_hash *h, struct fake *fk, uint16_t type, uint32_t d0,
    uint32_t d1, uint32_t d2, uint32_t *data)
{
	struct xen_netif_ctrl_request rq = { .id = 0x1234, .type = type,
	    .data = { d0, d1, d2 } };
	struct xen_netif_ctrl_response rs;

	memset(&rs, 0xa5, sizeof(rs));
	nb_ctrl_handle(h, &rq, &rs, fake_copy, fk);
	assert_int_equal(rs.id, 0x1234);
	assert_int_equal(rs.type, type);
	if (data != NULL)
		*data = rs.data;
	else if (rs.status != XEN_NETIF_CTRL_STATUS_SUCCESS)
		assert_int_equal(rs.data, 0);
	return rs.status;
}

#define OK	XEN_NETIF_CTRL_STATUS_SUCCESS
#define NOTSUP	XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED
#define INVAL	XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER
#define OVERFL	XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW

static void
test_alg_and_flags(void **state)
{
	static const uint16_t unsup[] = { XEN_NETIF_CTRL_TYPE_INVALID,
	    XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE,
	    XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING,
	    XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, 11, 0xffff };
	struct nb_hash h;
	struct fake fk;
	uint32_t data;
	unsigned int i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	nb_hash_init(&h, 2);
	for (i = 0; i < sizeof(unsup) / sizeof(unsup[0]); i++)
		assert_int_equal(req(&h, &fk, unsup[i], 1, 1, 1, NULL), NOTSUP);

	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
	    0, 0, 0, NULL), NOTSUP);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    XEN_NETIF_CTRL_HASH_TYPE_IPV4, 0, 0, NULL), INVAL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    2, 0, 0, NULL), INVAL);
	assert_int_equal(h.alg, XEN_NETIF_CTRL_HASH_ALGORITHM_NONE);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, NULL), OK);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
	    0, 0, 0, &data), OK);
	assert_int_equal(data, 0xf);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    0x10, 0, 0, NULL), INVAL);
	assert_int_equal(h.flags, 0);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, 0, 0, NULL), OK);
	assert_int_equal(h.flags, XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE,
	    0, 0, 0, &data), OK);
	assert_int_equal(data, NB_HASH_MAPPING_MAX);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_NONE, 0, 0, NULL), OK);
	assert_int_equal(fk.calls, 0);
}

static void
test_key(void **state)
{
	struct nb_hash h;
	struct fake fk;
	uint8_t zero[NB_HASH_KEY_MAX];

	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(zero, 0, sizeof(zero));
	memcpy(fk.page[1], ms_key, 40);
	memset(fk.page[1] + 40, 0xee, 100);
	nb_hash_init(&h, 1);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 40,
	    0, NULL), OK);
	assert_memory_equal(h.key, ms_key, 40);
	/* io/netif.h: longer than we support is BUFFER_OVERFLOW. */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 41,
	    0, NULL), OVERFL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1,
	    UINT32_MAX, 0, NULL), OVERFL);
	assert_memory_equal(h.key, ms_key, 40);
	/* A bad grant leaves the key as it was. */
	fk.bad[1] = true;
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 40,
	    0, NULL), INVAL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 9, 4,
	    0, NULL), INVAL);
	assert_memory_equal(h.key, ms_key, 40);
	fk.bad[1] = false;
	/* A short key: the rest is zero. */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 5,
	    0, NULL), OK);
	assert_memory_equal(h.key, ms_key, 5);
	assert_memory_equal(h.key + 5, zero, 35);
	/* Length 0 clears it without a copy. */
	fk.calls = 0;
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 77, 0,
	    0, NULL), OK);
	assert_memory_equal(h.key, zero, 40);
	assert_int_equal(fk.calls, 0);
}

static void
put_map(struct fake *fk, unsigned int g, unsigned int i, uint32_t v)
{
	memcpy(fk->page[g] + i * 4, &v, 4);
}

static void
test_mapping(void **state)
{
	struct nb_hash h;
	struct fake fk;
	unsigned int i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	nb_hash_init(&h, 4);
	assert_int_equal(nb_hash_queue(&h, 10), 2);	/* 10 % 4 */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
	    129, 0, 0, NULL), INVAL);
	assert_int_equal(h.size, 0);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
	    8, 0, 0, NULL), OK);
	assert_int_equal(nb_hash_queue(&h, 10), 0);	/* zero-filled */
	for (i = 0; i < 8; i++)
		put_map(&fk, 2, i, 3 - i % 4);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    2, 8, 0, NULL), OK);
	for (i = 0; i < 8; i++)
		assert_int_equal(nb_hash_queue(&h, 8 * 100 + i), 3 - i % 4);

	/* A sub-table leaves the rest alone. */
	put_map(&fk, 3, 0, 1);
	put_map(&fk, 3, 1, 1);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 2, 6, NULL), OK);
	assert_int_equal(h.mapping[5], 2);
	assert_int_equal(h.mapping[6], 1);
	assert_int_equal(h.mapping[7], 1);

	/* XSA-270: off + len wraps, runs past the table, or too long. */
	fk.calls = 0;
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 2, UINT32_MAX, NULL), INVAL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, UINT32_MAX, 2, NULL), INVAL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 3, 6, NULL), INVAL);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 0x40000000, 0, NULL), INVAL);
	assert_int_equal(fk.calls, 0);
	/* An empty sub-table at the end is fine, and copies nothing. */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 0, 8, NULL), OK);
	assert_int_equal(fk.calls, 0);

	/* Entries are checked in the copy; a bad one changes nothing. */
	put_map(&fk, 3, 0, 2);
	put_map(&fk, 3, 1, 4);			/* nqueues is 4 */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 2, 0, NULL), INVAL);
	assert_int_equal(h.mapping[0], 3);
	assert_int_equal(h.mapping[1], 2);
	fk.bad[3] = true;
	put_map(&fk, 3, 1, 0);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    3, 2, 0, NULL), INVAL);
	assert_int_equal(h.mapping[0], 3);

	/* A new size zero-fills the table again. */
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
	    128, 0, 0, NULL), OK);
	for (i = 0; i < 128; i++)
		assert_int_equal(h.mapping[i], 0);
	for (i = 0; i < 128; i++)
		put_map(&fk, 0, i, i % 4);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    0, 128, 0, NULL), OK);
	assert_int_equal(nb_hash_queue(&h, 127 + 128 * 7), 3);
	assert_int_equal(req(&h, &fk, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
	    0, 0, 0, NULL), OK);
	assert_int_equal(nb_hash_queue(&h, 7), 3);	/* 7 % 4 again */
}


static uint32_t
rnd_u32(void)
{
	static const uint32_t v[] = { 0, 1, 2, 4, 7, 8, 40, 41, 127, 128,
	    129, 1023, 1024, 1025, 0x3fffffff, 0x40000000, 0x7fffffff,
	    0xfffffffe, 0xffffffff };

	return rng() % 2 ? v[rng() % 19] : (uint32_t)rng();
}

static void
test_random_requests(void **state)
{
	struct nb_hash h;
	struct fake *fk = calloc(1, sizeof(*fk));
	unsigned int iter, i, ok = 0;
	uint32_t st;

	(void)state;
	assert_non_null(fk);
	nb_hash_init(&h, 3);
	for (iter = 0; iter < 100000; iter++) {
		if (rng() % 64 == 0)
			for (i = 0; i < 256; i++)
				put_map(fk, (unsigned int)(rng() % NGREF),
				    (unsigned int)(rng() % 1024),
				    (uint32_t)(rng() % 4));
		fk->bad[rng() % NGREF] = rng() % 8 == 0;
		st = req(&h, fk, (uint16_t)(rng() % 12), rnd_u32() % 8,
		    rnd_u32(), rnd_u32(), NULL);
		assert_true(st <= OVERFL);
		ok += st == OK;
		assert_true(h.size <= NB_HASH_MAPPING_MAX);
		for (i = 0; i < NB_HASH_MAPPING_MAX; i++)
			assert_true(h.mapping[i] < 3);
		assert_true(h.alg <= XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
		assert_true((h.flags & ~(uint32_t)NB_HASH_TYPES_ALL) == 0);
		assert_true(nb_hash_queue(&h, (uint32_t)rng()) < 3);
	}
	assert_true(ok > 10000);
	free(fk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toeplitz_vectors),
		cmocka_unit_test(test_hash_frame),
		cmocka_unit_test(test_alg_and_flags),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_random_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
