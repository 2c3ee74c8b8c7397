/*
 * nethdr_test.h - Ethernet/IPv4/IPv6/TCP/UDP frames built by hand for the
 * nethdr.h tests (test_nethdr.c), the call with an exact heap copy, and
 * checksums worked out independently of nethdr.c.  Include after
 * <cmocka.h>.
 */
#ifndef NETHDR_TEST_H
#define NETHDR_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nethdr.h"

#define CSUM	NETTXF_csum_blank
#define VALID	NETTXF_data_validated
#define GSO4	XEN_NETIF_GSO_TYPE_TCPV4
#define GSO6	XEN_NETIF_GSO_TYPE_TCPV6

#define FRAME_MAX	2048u

struct frame {
	uint8_t		b[FRAME_MAX];
	size_t		len;
	size_t		l4;		/* where the builder put L4 */
	size_t		hdrs;		/* end of the L4 header */
};

static inline void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* Ethernet, optionally one 802.1Q tag. */
static inline void
f_eth(struct frame *f, unsigned int type, bool vlan)
{
	memset(f, 0, sizeof(*f));
	memset(f->b, 0xee, sizeof(f->b));
	memcpy(f->b, "\x00\x16\x3e\x00\x00\x01\x00\x16\x3e\x00\x00\x02", 12);
	f->len = 12;
	if (vlan) {
		put16(f->b + f->len, 0x8100);
		put16(f->b + f->len + 2, 42);
		f->len += 4;
	}
	put16(f->b + f->len, type);
	f->len += 2;
}

/* 192.168.1.10 -> 10.0.0.1, ihl words, total length filled by f_done. */
static inline void
f_ipv4(struct frame *f, unsigned int proto, unsigned int ihl,
    unsigned int frag_off)
{
	uint8_t *h = f->b + f->len;

	memset(h, 0, ihl * 4);
	h[0] = (uint8_t)(0x40 | ihl);
	put16(h + 6, frag_off);
	h[8] = 64;
	h[9] = (uint8_t)proto;
	memcpy(h + 12, "\xc0\xa8\x01\x0a\x0a\x00\x00\x01", 8);
	f->len += ihl * 4;
}

/* 2001:db8::1 -> 2001:db8::2. */
static inline void
f_ipv6(struct frame *f, unsigned int next)
{
	uint8_t *h = f->b + f->len;

	memset(h, 0, 40);
	h[0] = 0x60;
	h[6] = (uint8_t)next;
	h[7] = 64;
	memcpy(h + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	memcpy(h + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	f->len += 40;
}

/* An extension header of n bytes (n a multiple of 8, or AH's 4). */
static inline void
f_ext(struct frame *f, unsigned int type, unsigned int next, unsigned int n)
{
	uint8_t *h = f->b + f->len;

	memset(h, 0x01, n);	/* PadN-looking junk */
	h[0] = (uint8_t)next;
	h[1] = (uint8_t)(type == 51 ? n / 4 - 2 : n / 8 - 1);
	f->len += n;
}

static inline void
f_frag6(struct frame *f, unsigned int next, unsigned int off_m)
{
	uint8_t *h = f->b + f->len;

	memset(h, 0, 8);
	h[0] = (uint8_t)next;
	put16(h + 2, off_m);
	f->len += 8;
}

static inline void
f_tcp(struct frame *f, unsigned int doff, size_t payload)
{
	uint8_t *h = f->b + f->len;

	f->l4 = f->len;
	memset(h, 0, doff * 4);
	put16(h, 40000);
	put16(h + 2, 80);
	h[12] = (uint8_t)(doff << 4);
	h[13] = 0x18;
	put16(h + 16, 0xdead);		/* the check field */
	f->len += doff * 4;
	f->hdrs = f->len;
	memset(f->b + f->len, 0x5c, payload);
	f->len += payload;
}

static inline void
f_udp(struct frame *f, size_t payload)
{
	uint8_t *h = f->b + f->len;

	f->l4 = f->len;
	memset(h, 0, 8);
	put16(h, 5353);
	put16(h + 2, 53);
	put16(h + 4, (unsigned int)(8 + payload));
	put16(h + 6, 0xbeef);
	f->len += 8;
	f->hdrs = f->len;
	memset(f->b + f->len, 0x3a, payload);
	f->len += payload;
}

/* nb_hdr_from_guest() on an exact heap copy; the result copied back. */
static inline int
from_guest(struct frame *f, size_t len, uint16_t flags, uint8_t gso,
    uint16_t gso_size, struct virtio_net_hdr *vh, enum nb_hdr_why *why)
{
	uint8_t *h = malloc(len ? len : 1);
	int rc;

	assert_non_null(h);
	memcpy(h, f->b, len);
	memset(vh, 0x77, sizeof(*vh));
	*why = NB_HDRW_COUNT;
	rc = nb_hdr_from_guest(h, len, flags, gso, gso_size, vh, why);
	memcpy(f->b, h, len);
	free(h);
	if (rc == 0)
		assert_int_equal(*why, NB_HDRW_NONE);
	else
		assert_int_equal(rc, -1);
	return rc;
}

/*
 * The pseudo header, written out as bytes (RFC 793 / RFC 8200 8.1) and
 * summed with the L4 segment: a correct checksum makes it 0xffff.
 */
static inline unsigned int
verify_sum(const struct frame *f, size_t l3, bool v6, unsigned int proto)
{
	uint8_t ph[40];
	size_t n, i, l4len = f->len - f->l4;
	uint32_t sum = 0;

	memset(ph, 0, sizeof(ph));
	if (v6) {
		memcpy(ph, f->b + l3 + 8, 32);
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[39] = (uint8_t)proto;
		n = 40;
	} else {
		memcpy(ph, f->b + l3 + 12, 8);
		ph[9] = (uint8_t)proto;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		n = 12;
	}
	for (i = 0; i < n; i += 2)
		sum += get16(ph + i);
	for (i = f->l4; i + 1 < f->len; i += 2)
		sum += get16(f->b + i);
	if ((f->len - f->l4) & 1)
		sum += (uint32_t)f->b[f->len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* What the kernel does with NEEDS_CSUM (skb_checksum_help). */
static inline void
finish_csum(struct frame *f, const struct virtio_net_hdr *vh)
{
	uint32_t sum = 0;
	size_t i;

	for (i = vh->csum_start; i + 1 < f->len; i += 2)
		sum += get16(f->b + i);
	if ((f->len - vh->csum_start) & 1)
		sum += (uint32_t)f->b[f->len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(f->b + vh->csum_start + vh->csum_offset, ~sum & 0xffff);
}

#endif
