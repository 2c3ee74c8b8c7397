/*
 * test_nethdr.c - netif flags <-> virtio-net header (nethdr.h): frames
 * built by hand (IPv4/TCP, IPv4/UDP, IPv4 options, 802.1Q, IPv6 with
 * extension headers), truncated at every byte, the pseudo-header rewrite
 * of GSO frames checked against sums worked out by hand and by finishing
 * the checksum as the kernel would, random frames, and the RX direction.
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

#define XORSHIFT_SEED	0xda942042e4dd58b5ULL
#include "xorshift.h"
#include <linux/if_tun.h>

#include "nethdr_test.h"

/* ---- checksum offload ---- */

static void
test_no_offload(void **state)
{
	struct frame f;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;

	(void)state;
	/* Nothing asked: not even a frame is needed. */
	f_eth(&f, 0x0806, false);
	assert_int_equal(from_guest(&f, 0, 0, 0, 0, &vh, &why), 0);
	assert_int_equal(vh.flags, 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(vh.csum_start, 0);
	assert_int_equal(vh.hdr_len, 0);
	assert_int_equal(from_guest(&f, 3, VALID, 0, 0, &vh, &why), 0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	assert_int_equal(vh.csum_start, 0);
	assert_int_equal(nb_hdr_from_guest(f.b, 3, VALID, 0, 0, &vh, NULL), 0);
}

static void
test_ipv4_tcp(void **state)
{
	struct frame f, orig;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;

	(void)state;
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 6, 5, 0x4000);	/* DF is not a fragment */
	f_tcp(&f, 5, 101);
	orig = f;
	assert_int_equal(from_guest(&f, f.len, CSUM | VALID, 0, 0, &vh, &why),
	    0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(vh.hdr_len, 0);
	/* Without GSO nothing is rewritten. */
	assert_memory_equal(f.b, orig.b, f.len);

	/*
	 * The guest left the pseudo-header sum in the field (L4 length 121:
	 * 0xc0a8 + 0x010a + 0x0a00 + 0x0001 + 6 + 121 = 0xcc32); finishing
	 * at csum_start/csum_offset must give a valid segment.
	 */
	put16(f.b + f.l4 + 16, 0xcc32);
	finish_csum(&f, &vh);
	assert_int_equal(verify_sum(&f, 14, false, 6), 0xffff);
}

static void
test_ipv4_udp_options_vlan(void **state)
{
	struct frame f;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;
	unsigned int ihl;

	(void)state;
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 17, 5, 0);
	f_udp(&f, 33);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), 0);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 6);
	/* Without the pseudo-header sum in the field the result is wrong:
	   verify_sum() can tell. */
	put16(f.b + f.l4 + 6, 0);
	finish_csum(&f, &vh);
	assert_true(verify_sum(&f, 14, false, 17) != 0xffff);

	for (ihl = 5; ihl <= 15; ihl++) {
		f_eth(&f, 0x0800, false);
		f_ipv4(&f, 17, ihl, 0);
		f_udp(&f, 0);
		assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why),
		    0);
		assert_int_equal(vh.csum_start, 14 + ihl * 4);
	}

	/* One 802.1Q tag. */
	f_eth(&f, 0x0800, true);
	f_ipv4(&f, 6, 5, 0);
	f_tcp(&f, 8, 0);
	assert_int_equal(from_guest(&f, f.len, CSUM, GSO4, 1448, &vh, &why),
	    0);
	assert_int_equal(vh.csum_start, 38);
	assert_int_equal(vh.hdr_len, 38 + 32);
	/* Not two (802.1ad outer tag). */
	f_eth(&f, 0x8100, true);
	f.b[12] = 0x88;
	f.b[13] = 0xa8;
	assert_int_equal(from_guest(&f, 60, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_NOT_IP);
}

static void
test_ipv6_ext(void **state)
{
	struct frame f;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;

	(void)state;
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 0);
	f_ext(&f, 0, 43, 8);		/* hop-by-hop */
	f_ext(&f, 43, 51, 24);		/* routing */
	f_ext(&f, 51, 60, 16);		/* AH: (2 + 2) * 4 */
	f_ext(&f, 60, 6, 16);		/* destination options */
	f_tcp(&f, 5, 10);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), 0);
	assert_int_equal(vh.csum_start, 14 + 40 + 8 + 24 + 16 + 16);
	assert_int_equal(vh.csum_offset, 16);

	/* Atomic fragment header (offset 0, no M: Windows) is fine. */
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 44);
	f_frag6(&f, 17, 0);
	f_udp(&f, 10);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), 0);
	assert_int_equal(vh.csum_start, 14 + 48);
	assert_int_equal(vh.csum_offset, 6);
	/* A real fragment is not (Linux skb_checksum_setup_ipv6). */
	put16(f.b + 14 + 40 + 2, 1);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_IP_FRAGMENT);
	put16(f.b + 14 + 40 + 2, 8);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_IP_FRAGMENT);
	/* Reserved bits are not a fragment. */
	put16(f.b + 14 + 40 + 2, 6);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), 0);
}

static void
test_ipv6_bound(void **state)
{
	struct frame f;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;
	unsigned int i, n;

	(void)state;
	/* 40 + 27 * 8 = 256 bytes of IPv6 headers: the most we walk. */
	for (n = 27; n <= 28; n++) {
		f_eth(&f, 0x86dd, false);
		f_ipv6(&f, 60);
		for (i = 0; i < n; i++)
			f_ext(&f, 60, i + 1 < n ? 60 : 17, 8);
		f_udp(&f, 4);
		if (n == 27) {
			assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh,
			    &why), 0);
			assert_int_equal(vh.csum_start, 14 + 256);
		} else {
			assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh,
			    &why), -1);
			assert_int_equal(why, NB_HDRW_BAD_L3);
		}
	}
	/* An extension header longer than the frame. */
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 0);
	f_ext(&f, 0, 6, 8);
	f_tcp(&f, 5, 0);
	f.b[14 + 40 + 1] = 255;		/* 2048 bytes */
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
	/* A huge AH in a huge frame still stops at 256. */
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 51);
	f_ext(&f, 51, 6, 8);
	f.b[14 + 40 + 1] = 255;		/* 1028 bytes */
	f.len = FRAME_MAX;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
}

static void
test_fragments_and_protocols(void **state)
{
	static const unsigned int frag[] = { 0x2000, 0x0001, 0x1fff, 0x6000 };
	struct frame f;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;
	unsigned int i;

	(void)state;
	/* Linux skb_checksum_setup_ipv4: MF or an offset, first or not. */
	for (i = 0; i < 4; i++) {
		f_eth(&f, 0x0800, false);
		f_ipv4(&f, 6, 5, frag[i]);
		f_tcp(&f, 5, 100);
		assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why),
		    -1);
		assert_int_equal(why, NB_HDRW_IP_FRAGMENT);
		/* data_validated alone needs no parsing. */
		assert_int_equal(from_guest(&f, f.len, VALID, 0, 0, &vh, &why),
		    0);
	}

	f_eth(&f, 0x0806, false);	/* ARP */
	f.len = 60;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_NOT_IP);
	assert_int_equal(from_guest(&f, f.len, 0, GSO4, 1448, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_NOT_IP);

	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 1, 5, 0);		/* ICMP */
	f_udp(&f, 20);
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_NOT_TCP_UDP);
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 59);			/* no next header */
	f.len += 20;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_NOT_TCP_UDP);

	/* Malformed: wrong version, ihl < 5, ihl past the end, doff. */
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 6, 5, 0);
	f_tcp(&f, 5, 0);
	f.b[14] = 0x65;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
	f.b[14] = 0x44;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
	f.b[14] = 0x4f;			/* 60 bytes, 40 there */
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
	f.b[14] = 0x45;
	f.b[f.l4 + 12] = 0x40;		/* doff 4 */
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L4);
	f.b[f.l4 + 12] = 0x60;		/* doff 6, 20 bytes there */
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L4);
	f.len += 4;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), 0);
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 6);
	f_tcp(&f, 5, 0);
	f.b[14] = 0x40;
	assert_int_equal(from_guest(&f, f.len, CSUM, 0, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_BAD_L3);
}

/* Every cut short of the end of the L4 header fails, the full one not. */
static void
check_cuts(struct frame *f, uint8_t gso)
{
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;
	struct frame g;
	size_t cut;

	for (cut = 0; cut < f->hdrs; cut++) {
		g = *f;
		assert_int_equal(from_guest(&g, cut, CSUM, gso, 1000, &vh,
		    &why), -1);
		assert_true(why == NB_HDRW_NOT_IP || why == NB_HDRW_BAD_L3 ||
		    why == NB_HDRW_BAD_L4);
		/* Nothing written on failure. */
		assert_memory_equal(g.b, f->b, cut);
	}
	g = *f;
	assert_int_equal(from_guest(&g, f->hdrs, CSUM, gso, 1000, &vh, &why),
	    0);
	assert_int_equal(vh.csum_start, f->l4);
}

static void
test_truncated(void **state)
{
	struct frame f;

	(void)state;
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 6, 7, 0);
	f_tcp(&f, 10, 500);
	check_cuts(&f, GSO4);
	f_eth(&f, 0x0800, true);
	f_ipv4(&f, 17, 5, 0);
	f_udp(&f, 500);
	check_cuts(&f, 0);
	f_eth(&f, 0x86dd, true);
	f_ipv6(&f, 0);
	f_ext(&f, 0, 44, 16);
	f_frag6(&f, 51, 0);
	f_ext(&f, 51, 6, 12);
	f_tcp(&f, 6, 7);
	check_cuts(&f, GSO6);
}

/* ---- GSO ---- */

static void
test_gso(void **state)
{
	struct frame f, orig;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;

	(void)state;
	/* csum_blank: the guest's field is kept. */
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 6, 5, 0);
	f_tcp(&f, 8, 1000);
	orig = f;
	assert_int_equal(from_guest(&f, f.len, CSUM, GSO4, 1448, &vh, &why), 0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.gso_size, 1448);
	assert_int_equal(vh.hdr_len, 14 + 20 + 32);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 16);
	assert_memory_equal(f.b, orig.b, f.len);

	/*
	 * No csum_blank: the field becomes the pseudo-header sum.  By hand:
	 * 0xc0a8 + 0x010a + 0x0a00 + 0x0001 + 6 + 120 (L4 length) = 0xcc31.
	 */
	f_eth(&f, 0x0800, false);
	f_ipv4(&f, 6, 5, 0);
	f_tcp(&f, 5, 100);
	orig = f;
	assert_int_equal(from_guest(&f, f.len, VALID, GSO4, 1000, &vh, &why),
	    0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(get16(f.b + f.l4 + 16), 0xcc31);
	put16(orig.b + f.l4 + 16, 0xcc31);
	assert_memory_equal(f.b, orig.b, f.len);	/* only that */
	finish_csum(&f, &vh);
	assert_int_equal(verify_sum(&f, 14, false, 6), 0xffff);

	/*
	 * IPv6 behind an extension header: 2 * (0x2001 + 0x0db8) + 1 + 2 +
	 * 1020 (L4 length) + 6 = 0x5f77.
	 */
	f_eth(&f, 0x86dd, false);
	f_ipv6(&f, 60);
	f_ext(&f, 60, 6, 8);
	f_tcp(&f, 5, 1000);
	assert_int_equal(from_guest(&f, f.len, 0, GSO6, 1440, &vh, &why), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(vh.hdr_len, 14 + 48 + 20);
	assert_int_equal(get16(f.b + f.l4 + 16), 0x5f77);
	finish_csum(&f, &vh);
	assert_int_equal(verify_sum(&f, 14, true, 6), 0xffff);
	/* Odd length, VLAN: still valid once finished. */
	f_eth(&f, 0x0800, true);
	f_ipv4(&f, 6, 6, 0);
	f_tcp(&f, 7, 777);
	assert_int_equal(from_guest(&f, f.len, 0, GSO4, 500, &vh, &why), 0);
	finish_csum(&f, &vh);
	assert_int_equal(verify_sum(&f, 18, false, 6), 0xffff);
}

static void
test_gso_refused(void **state)
{
	struct frame f4, f6, fu, orig;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;

	(void)state;
	f_eth(&f4, 0x0800, false);
	f_ipv4(&f4, 6, 5, 0);
	f_tcp(&f4, 5, 100);
	f_eth(&f6, 0x86dd, false);
	f_ipv6(&f6, 6);
	f_tcp(&f6, 5, 100);
	f_eth(&fu, 0x0800, false);
	f_ipv4(&fu, 17, 5, 0);
	f_udp(&fu, 100);
	orig = f6;

	assert_int_equal(from_guest(&f6, f6.len, 0, GSO4, 1000, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_MISMATCH);
	assert_memory_equal(f6.b, orig.b, f6.len);
	assert_int_equal(from_guest(&f4, f4.len, CSUM, GSO6, 1000, &vh, &why),
	    -1);
	assert_int_equal(why, NB_HDRW_GSO_MISMATCH);
	assert_int_equal(from_guest(&fu, fu.len, CSUM, GSO4, 1000, &vh, &why),
	    -1);
	assert_int_equal(why, NB_HDRW_GSO_MISMATCH);
	assert_int_equal(from_guest(&f4, f4.len, CSUM, 3, 1000, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	assert_int_equal(from_guest(&f4, f4.len, 0, 0xff, 1000, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	assert_int_equal(from_guest(&f4, f4.len, CSUM, GSO4, 0, &vh, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	/* GSO_BY_FRAGS: virtio_net_hdr_to_skb refuses it. */
	assert_int_equal(from_guest(&f4, f4.len, CSUM, GSO4, 0xffff, &vh,
	    &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	assert_int_equal(from_guest(&f4, f4.len, CSUM, GSO4, 0xfffe, &vh,
	    &why), 0);
}

/* ---- random frames: never past len, sane answers ---- */


/* A valid frame of a random shape. */
static void
rnd_frame(struct frame *f)
{
	static const uint8_t ext[] = { 0, 43, 60, 51, 44 };
	unsigned int i, n, next, type;
	bool v6 = rng() % 2;

	f_eth(f, v6 ? 0x86dd : 0x0800, rng() % 4 == 0);
	next = rng() % 3 ? 6 : 17;
	if (!v6) {
		f_ipv4(f, next, 5 + (unsigned int)(rng() % 3), 0);
	} else {
		n = (unsigned int)(rng() % 3);
		type = n ? ext[rng() % 5] : next;
		f_ipv6(f, type);
		for (i = 0; i < n; i++) {
			unsigned int nt = i + 1 < n ? ext[rng() % 5] : next;

			if (type == 44)
				f_frag6(f, nt, 0);
			else
				f_ext(f, type, nt, type == 51 ? 12 : 8);
			type = nt;
		}
	}
	if (next == 6)
		f_tcp(f, 5 + (unsigned int)(rng() % 4), rng() % 300);
	else
		f_udp(f, rng() % 300);
}

static void
test_random_frames(void **state)
{
	struct frame f, orig;
	struct virtio_net_hdr vh;
	enum nb_hdr_why why;
	unsigned int iter, ok = 0, bad = 0, i, k;
	uint16_t flags;
	uint8_t gso;
	size_t len;

	(void)state;
	for (iter = 0; iter < 50000; iter++) {
		rnd_frame(&f);
		/* A few bytes of the headers changed, maybe cut short. */
		for (k = (unsigned int)(rng() % 4); k > 0; k--)
			f.b[rng() % f.hdrs] = (uint8_t)rng();
		len = rng() % 4 ? f.len : (size_t)(rng() % (f.len + 1));
		orig = f;
		flags = (uint16_t)(rng() % 4);
		gso = (uint8_t)(rng() % 8 ? rng() % 3 : rng());
		if (from_guest(&f, len, flags, gso, (uint16_t)rng(), &vh,
		    &why) == -1) {
			bad++;
			assert_true(why > NB_HDRW_NONE && why < NB_HDRW_COUNT);
			assert_memory_equal(f.b, orig.b, len);
			continue;
		}
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			ok++;
			assert_true((size_t)vh.csum_start + vh.csum_offset + 2
			    <= len);
			assert_true(vh.hdr_len <= len);
			assert_true(vh.gso_type == VIRTIO_NET_HDR_GSO_NONE ||
			    vh.hdr_len > vh.csum_start);
		}
		/* At most the two bytes of the check field changed. */
		for (i = 0; i < len; i++)
			if (f.b[i] != orig.b[i])
				assert_true(!(flags & CSUM) &&
				    gso != 0 && i >= (size_t)vh.csum_start +
				    16 && i < (size_t)vh.csum_start + 18);
	}
	assert_true(ok > 5000);
	assert_true(bad > 5000);
}

/* ---- guest RX ---- */

static void
test_to_guest(void **state)
{
	const struct nb_fe_feat all = { .sg = true, .gso_v4 = true,
	    .gso_v6 = true, .csum_v4 = true, .csum_v6 = true };
	const struct nb_fe_feat v4only = { .sg = true, .gso_v4 = true,
	    .csum_v4 = true, .csum_v6 = true };
	const struct nb_fe_feat nosg = { .gso_v4 = true, .gso_v6 = true,
	    .csum_v4 = true, .csum_v6 = true };
	const struct nb_fe_feat nocsum6 = { .sg = true, .csum_v4 = true };
	struct virtio_net_hdr vh;
	struct nb_rxmeta m;
	enum nb_hdr_why why;

	(void)state;
	memset(&vh, 0, sizeof(vh));
	assert_int_equal(nb_hdr_to_guest(&vh, &nocsum6, &m, &why), 0);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.gso_type, XEN_NETIF_GSO_TYPE_NONE);
	vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	assert_int_equal(nb_hdr_to_guest(&vh, &nocsum6, &m, &why), 0);
	assert_int_equal(m.flags, NETRXF_data_validated);
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), 0);
	assert_int_equal(m.flags, NETRXF_csum_blank | NETRXF_data_validated);
	assert_int_equal(nb_hdr_to_guest(&vh, &nocsum6, &m, &why), -1);
	assert_int_equal(why, NB_HDRW_CSUM_UNSUPPORTED);

	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), 0);
	assert_int_equal(why, NB_HDRW_NONE);
	assert_int_equal(m.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	assert_int_equal(m.gso_size, 1448);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(nb_hdr_to_guest(&vh, &v4only, &m, NULL), 0);
	assert_int_equal(m.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	assert_int_equal(nb_hdr_to_guest(&vh, &nosg, &m, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), 0);
	assert_int_equal(m.gso_type, XEN_NETIF_GSO_TYPE_TCPV6);
	assert_int_equal(nb_hdr_to_guest(&vh, &v4only, &m, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	assert_int_equal(m.gso_type, XEN_NETIF_GSO_TYPE_NONE);
	vh.gso_size = 0;
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), -1);
	vh.gso_size = 1000;
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), -1);
	assert_int_equal(why, NB_HDRW_GSO_UNSUPPORTED);
	vh.gso_type = 5;			/* VIRTIO_NET_HDR_GSO_UDP_L4 */
	assert_int_equal(nb_hdr_to_guest(&vh, &all, &m, &why), -1);
}

static void
test_tun_offload(void **state)
{
	struct nb_fe_feat fe;

	(void)state;
	memset(&fe, 0, sizeof(fe));
	assert_int_equal(nb_hdr_tun_offload(&fe), 0);
	fe.sg = fe.gso_v4 = fe.gso_v6 = true;
	assert_int_equal(nb_hdr_tun_offload(&fe), 0);	/* no CSUM, no TSO */
	fe.csum_v4 = true;
	assert_int_equal(nb_hdr_tun_offload(&fe), 0);	/* both families */
	fe.csum_v6 = true;
	assert_int_equal(nb_hdr_tun_offload(&fe),
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	fe.gso_v6 = false;
	assert_int_equal(nb_hdr_tun_offload(&fe), TUN_F_CSUM | TUN_F_TSO4);
	fe.gso_v6 = true;
	fe.gso_v4 = false;
	assert_int_equal(nb_hdr_tun_offload(&fe), TUN_F_CSUM | TUN_F_TSO6);
	fe.gso_v4 = true;
	fe.sg = false;
	assert_int_equal(nb_hdr_tun_offload(&fe), TUN_F_CSUM);
}

static void
test_why_str(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < NB_HDRW_COUNT; i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(nb_hdr_why_str(i),
			    nb_hdr_why_str(j));
	assert_string_equal(nb_hdr_why_str(NB_HDRW_COUNT), "unknown reason");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_offload),
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_ipv4_udp_options_vlan),
		cmocka_unit_test(test_ipv6_ext),
		cmocka_unit_test(test_ipv6_bound),
		cmocka_unit_test(test_fragments_and_protocols),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_gso),
		cmocka_unit_test(test_gso_refused),
		cmocka_unit_test(test_random_frames),
		cmocka_unit_test(test_to_guest),
		cmocka_unit_test(test_tun_offload),
		cmocka_unit_test(test_why_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
