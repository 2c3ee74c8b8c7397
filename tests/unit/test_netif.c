/*
 * test_netif.c - the netif rules of netif.h: nb_tx_take() rule by rule
 * (Linux xenvif_tx_build_gops / xenvif_count_requests / xenvif_get_extras
 * and the XSA-423/432/448 shapes), then as a property over random chains
 * checked against a model written from the rules, then nb_rx_slots(), the
 * multicast filter and nb_mac_parse().
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

#include "netif_test.h"

/* A packet of n slots: the first holds first_len, then n - 1 of frag. */
static void
chain_pkt(struct chain *c, unsigned int n, uint16_t first_len, uint16_t frag)
{
	unsigned int i;

	chain_req(c, 0, n > 1 ? MORE : 0,
	    (uint16_t)(first_len + (n - 1) * frag));
	for (i = 1; i < n; i++)
		chain_req(c, 0, i + 1 < n ? MORE : 0, frag);
}

static void
assert_ids(const struct nb_txpkt *p, unsigned int nids)
{
	unsigned int i;

	assert_int_equal(p->nids, nids);
	for (i = 0; i < nids; i++)
		assert_int_equal(p->ids[i], 100 + i + (i > 0 ? p->nextra : 0));
}

/* ---- forwarded packets ---- */

static void
test_one_slot(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 100, NETTXF_csum_blank | NETTXF_data_validated, 60);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 1);
	assert_int_equal(p.nseg, 1);
	assert_int_equal(p.len, 60);
	assert_int_equal(p.flags, NETTXF_csum_blank | NETTXF_data_validated);
	assert_int_equal(p.seg[0].gref, 1000);
	assert_int_equal(p.seg[0].offset, 100);
	assert_int_equal(p.seg[0].len, 60);
	assert_int_equal(p.seg[0].id, 100);
	assert_int_equal(p.nzero, 0);
	assert_int_equal(p.nextra, 0);
	assert_int_equal(p.gso_type, XEN_NETIF_GSO_TYPE_NONE);
	assert_false(p.mcast_add || p.mcast_del);
	assert_int_equal(p.why, NB_TXW_NONE);
	assert_ids(&p, 1);

	/* Slots after the packet are not its business. */
	chain_req(&c, 0, 0, 1);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 1);
}

static void
test_first_slot_is_the_rest(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	/* io/netif.h: the first size is the total; its data what is left. */
	chain_init(&c);
	chain_req(&c, 10, MORE, 5000);
	chain_req(&c, 0, MORE, 4096);
	chain_req(&c, 96, 0, 800);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 3);
	assert_int_equal(p.len, 5000);
	assert_int_equal(p.nseg, 3);
	assert_int_equal(p.seg[0].len, 104);
	assert_int_equal(p.seg[0].offset, 10);
	assert_int_equal(p.seg[1].len, 4096);
	assert_int_equal(p.seg[1].gref, 1001);
	assert_int_equal(p.seg[2].len, 800);
	assert_int_equal(p.seg[2].offset, 96);
	assert_int_equal(p.seg[2].id, 102);
	/* more_data / extra_info are not offload flags. */
	assert_int_equal(p.flags, 0);
	assert_ids(&p, 3);
}

static void
test_page_edge(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 4096 - 60, MORE, 60 + 4096);
	chain_req(&c, 0, 0, 4096);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.seg[0].len, 60);
}

/* ---- drops: answered ERROR, the ring moves on ---- */

static void
test_too_short(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 0, 0, 13);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 1);
	assert_int_equal(p.nseg, 0);
	assert_ids(&p, 1);

	chain_init(&c);
	chain_req(&c, 0, 0, 14);
	assert_int_equal(take(&c, &p), NB_TX_PKT);

	/* Linux tests first->size after the fragments came off it. */
	chain_init(&c);
	chain_req(&c, 0, MORE, 1000);
	chain_req(&c, 0, 0, 987);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 2);
	assert_ids(&p, 2);
	chain_init(&c);
	chain_req(&c, 0, MORE, 1000);
	chain_req(&c, 0, 0, 986);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
}

static void
test_zero_length_packet(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	/* Linux: size 0 < ETH_HLEN, an error answer, not a dummy. */
	chain_init(&c);
	chain_req(&c, 0, 0, 0);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 1);

	/* All of it in zero-length fragments too. */
	chain_init(&c);
	chain_req(&c, 0, MORE, 0);
	chain_req(&c, 0, MORE, 0);
	chain_req(&c, 0, 0, 0);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 3);
	assert_int_equal(p.nzero, 0);
	assert_ids(&p, 3);
}

static void
test_slot_counts(void **state)
{
	struct chain c;
	struct nb_txpkt p;
	unsigned int n;

	(void)state;
	/* 18 fragments (19 slots) pass: XEN_NETIF_NR_SLOTS_MIN and one. */
	chain_init(&c);
	chain_pkt(&c, 19, 100, 200);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 19);
	assert_int_equal(p.nseg, 19);
	assert_int_equal(p.seg[18].id, 118);
	assert_ids(&p, 19);

	/* 19 and 20 fragments: dropped, every slot answered. */
	for (n = 20; n <= 21; n++) {
		chain_init(&c);
		chain_pkt(&c, n, 100, 200);
		assert_int_equal(take(&c, &p), NB_TX_DROP);
		assert_int_equal(p.why, NB_TXW_TOO_MANY_SLOTS);
		assert_int_equal(p.nreq, n);
		assert_int_equal(p.nseg, 0);
		assert_ids(&p, n);
	}

	/* The 21st fragment is fatal, before it is even read. */
	chain_init(&c);
	chain_pkt(&c, 22, 100, 200);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_FATAL_SLOTS);
	assert_int_equal(p.nreq, 21);
	/* Linux tests the request count first: 21 slots, more to come. */
	assert_int_equal(take_n(&c, 21, &p), NB_TX_SHORT);

	/* Much longer chains stop at the same place. */
	chain_init(&c);
	chain_pkt(&c, CHAIN_MAX, 100, 1);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_FATAL_SLOTS);
	assert_int_equal(p.nreq, 21);
}

static void
test_frag_too_big(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 0, MORE, 1000);
	chain_req(&c, 0, MORE, 600);
	chain_req(&c, 0, MORE, 401);	/* 400 left */
	chain_req(&c, 0, 0, 100);
	chain_req(&c, 0, 0, 100);	/* the next packet */
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_FRAG_TOO_BIG);
	assert_int_equal(p.nreq, 4);
	assert_ids(&p, 4);

	/* Exactly what is left is fine (the first slot then too short). */
	c.s[2].size = 400;
	c.s[2].flags = 0;
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 3);
	c.s[2].size = 386;
	assert_int_equal(take(&c, &p), NB_TX_PKT);

	/* A >= 64 KiB frame: first->size wrapped (66000 & 0xffff). */
	chain_init(&c);
	chain_req(&c, 0, MORE, (uint16_t)66000);
	chain_req(&c, 0, 0, 4096);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_FRAG_TOO_BIG);
	assert_int_equal(p.nreq, 2);

	/* The first drop reason is kept; counting goes on to the end. */
	chain_init(&c);
	chain_pkt(&c, 21, 100, 200);
	c.s[3].size = 4000;		/* 3700 left */
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_FRAG_TOO_BIG);
	assert_int_equal(p.nreq, 21);
	assert_ids(&p, 21);
}

/* ---- fatal: the frontend is broken ---- */

static void
test_cross_page(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 4000, 0, 97);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_CROSS_PAGE);
	c.s[0].size = 96;
	assert_int_equal(take(&c, &p), NB_TX_PKT);

	/* No 16-bit wrap in offset + size. */
	chain_init(&c);
	chain_req(&c, 0xffff, 0, 0xffff);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_CROSS_PAGE);

	/* Linux: a too-short first slot drops before its page is checked. */
	chain_init(&c);
	chain_req(&c, 4090, 0, 10);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);

	/* A fragment: fatal, even once the packet is being dropped. */
	chain_init(&c);
	chain_req(&c, 0, MORE, 3000);
	chain_req(&c, 1, MORE, 4096);
	chain_req(&c, 0, 0, 100);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_CROSS_PAGE);
	assert_int_equal(p.nreq, 2);
	c.s[1].offset = 0;
	c.s[2].offset = 3997;
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_CROSS_PAGE);

	/* A zero-length fragment at offset 4096 is inside the page. */
	chain_init(&c);
	chain_req(&c, 0, MORE, 100);
	chain_req(&c, 4096, 0, 0);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
}

static void
test_short(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	assert_int_equal(take_exact(NULL, 0, &p), NB_TX_SHORT);
	assert_int_equal(p.why, NB_TXW_INCOMPLETE);

	chain_init(&c);
	chain_req(&c, 0, MORE, 300);
	chain_req(&c, 0, MORE, 100);
	assert_int_equal(take(&c, &p), NB_TX_SHORT);
	assert_int_equal(p.why, NB_TXW_INCOMPLETE);

	/* Extras at the end of the snapshot. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 300);
	assert_int_equal(take(&c, &p), NB_TX_SHORT);
	chain_gso(&c, XMORE, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	assert_int_equal(take(&c, &p), NB_TX_SHORT);
	chain_plain_extra(&c, XEN_NETIF_EXTRA_TYPE_HASH, 0);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nextra, 2);
	assert_int_equal(p.nreq, 3);
}

/* ---- extra-info slots ---- */

static void
test_gso_extra(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 0, EXTRA | MORE | NETTXF_csum_blank, 3000);
	chain_gso(&c, 0, XEN_NETIF_GSO_TYPE_TCPV6, 1440);
	chain_req(&c, 0, 0, 2000);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 3);
	assert_int_equal(p.nextra, 1);
	assert_int_equal(p.gso_type, XEN_NETIF_GSO_TYPE_TCPV6);
	assert_int_equal(p.gso_size, 1440);
	assert_int_equal(p.nseg, 2);
	assert_int_equal(p.seg[0].len, 1000);
	assert_int_equal(p.seg[1].id, 102);
	assert_int_equal(p.flags, NETTXF_csum_blank);
	assert_ids(&p, 2);

	/* Linux xenvif_set_skb_gso: size 0, unknown types: fatal. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 3000);
	chain_gso(&c, 0, XEN_NETIF_GSO_TYPE_TCPV4, 0);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_BAD_GSO);
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 3000);
	chain_gso(&c, 0, XEN_NETIF_GSO_TYPE_NONE, 1448);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_BAD_GSO);
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 3000);
	chain_gso(&c, 0, 3, 1448);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_BAD_GSO);

	/* ... but only after the drop checks, as in Linux. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 10);
	chain_gso(&c, 0, XEN_NETIF_GSO_TYPE_TCPV4, 0);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.why, NB_TXW_TOO_SHORT);
	assert_int_equal(p.nreq, 2);
	assert_int_equal(p.nextra, 1);
}

static void
test_bad_extra(void **state)
{
	static const uint8_t bad[] = { XEN_NETIF_EXTRA_TYPE_NONE,
	    XEN_NETIF_EXTRA_TYPE_MAX, XEN_NETIF_EXTRA_TYPE_MAX + 1, 0xff };
	struct chain c;
	struct nb_txpkt p;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		chain_init(&c);
		chain_req(&c, 0, EXTRA, 100);
		chain_plain_extra(&c, XEN_NETIF_EXTRA_TYPE_HASH, XMORE);
		chain_plain_extra(&c, bad[i], 0);
		assert_int_equal(take(&c, &p), NB_TX_FATAL);
		assert_int_equal(p.why, NB_TXW_BAD_EXTRA);
		assert_int_equal(p.nreq, 3);
	}

	/* A type twice (Linux would keep the last; we stop). */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 100);
	chain_gso(&c, XMORE, XEN_NETIF_GSO_TYPE_TCPV4, 1000);
	chain_gso(&c, 0, XEN_NETIF_GSO_TYPE_TCPV4, 1000);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.why, NB_TXW_BAD_EXTRA);

	/* So a chain of MORE extras ends after NB_TX_MAX_EXTRAS + 1. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 100);
	for (i = 0; i < 40; i++)
		chain_plain_extra(&c, (uint8_t)(1 + i % NB_TX_MAX_EXTRAS),
		    XMORE);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.nreq, 2 + NB_TX_MAX_EXTRAS);

	/* All four types once: the flags of the extras do not matter. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 100);
	chain_plain_extra(&c, XEN_NETIF_EXTRA_TYPE_HASH, XMORE);
	chain_gso(&c, XMORE, XEN_NETIF_GSO_TYPE_TCPV4, 1000);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, XMORE, 7);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 9);
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
	assert_int_equal(p.nextra, 4);
	assert_true(p.mcast_add);
	assert_false(p.mcast_del);
	assert_int_equal(p.mcast_addr[5], 9);
}

static void
test_mcast_dummy(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 0);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0x42);
	chain_req(&c, 0, 0, 60);
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
	assert_int_equal(p.nreq, 2);
	assert_int_equal(p.nextra, 1);
	assert_true(p.mcast_add);
	assert_false(p.mcast_del);
	assert_int_equal(p.mcast_addr[0], 0x01);
	assert_int_equal(p.mcast_addr[2], 0x5e);
	assert_int_equal(p.mcast_addr[5], 0x42);
	assert_int_equal(p.nseg, 0);
	assert_ids(&p, 1);

	/* Linux answers it without counting fragments, even with more_data. */
	c.s[0].flags = EXTRA | MORE;
	c.s[0].size = 5000;
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
	assert_int_equal(p.nreq, 2);

	/* DEL; ADD first wins over DEL. */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 0);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, 0x43);
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
	assert_true(p.mcast_del);
	assert_false(p.mcast_add);
	assert_int_equal(p.mcast_addr[5], 0x43);
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 0);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, XMORE, 1);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, 2);
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
	assert_true(p.mcast_add);
	assert_false(p.mcast_del);
	assert_int_equal(p.mcast_addr[5], 1);

	/* A bad GSO extra beside it is never looked at (Linux). */
	chain_init(&c);
	chain_req(&c, 0, EXTRA, 0);
	chain_gso(&c, XMORE, 0, 0);
	chain_mcast(&c, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, 3);
	assert_int_equal(take(&c, &p), NB_TX_DUMMY);
}

/* ---- XSA shapes ---- */

static void
test_xsa448_zero_frags(void **state)
{
	struct chain c;
	struct nb_txpkt p;

	(void)state;
	chain_init(&c);
	chain_req(&c, 0, MORE, 100);
	chain_req(&c, 0, MORE, 0);
	chain_req(&c, 7, MORE, 40);
	chain_req(&c, 0, MORE, 0);
	chain_req(&c, 0, MORE, 0);
	chain_req(&c, 9, 0, 10);
	chain_req(&c, 0, MORE, 0);	/* the next packet */
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nreq, 6);
	assert_int_equal(p.nseg, 3);
	assert_int_equal(p.seg[0].len, 50);
	assert_int_equal(p.seg[1].id, 102);
	assert_int_equal(p.seg[1].len, 40);
	assert_int_equal(p.seg[2].id, 105);
	assert_int_equal(p.nzero, 3);
	assert_int_equal(p.zero_id[0], 101);
	assert_int_equal(p.zero_id[1], 103);
	assert_int_equal(p.zero_id[2], 104);
	assert_ids(&p, 6);

	/* Trailing zero frags, 18 fragments all but one empty. */
	chain_init(&c);
	chain_pkt(&c, 19, 60, 0);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nseg, 1);
	assert_int_equal(p.nzero, 18);
	assert_int_equal(p.zero_id[17], 118);

	/* Zero-length slots still count toward the limits. */
	chain_init(&c);
	chain_pkt(&c, 20, 60, 0);
	assert_int_equal(take(&c, &p), NB_TX_DROP);
	assert_int_equal(p.nzero, 0);
	chain_init(&c);
	chain_pkt(&c, 22, 60, 0);
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
}

static void
test_xsa423_split_headers(void **state)
{
	struct chain c;
	struct nb_txpkt p;
	unsigned int i, total = 0;

	(void)state;
	/*
	 * The headers in the most, smallest slots Linux accepts: 14 bytes
	 * then 18 fragments of 1..18 bytes (the XSA-423 / XSA-432 shape).
	 */
	chain_init(&c);
	chain_req(&c, 4082, MORE, 0);
	for (i = 1; i <= 18; i++) {
		chain_req(&c, (uint16_t)(4096 - i), i < 18 ? MORE : 0,
		    (uint16_t)i);
		total += i;
	}
	c.s[0].size = (uint16_t)(14 + total);
	assert_int_equal(take(&c, &p), NB_TX_PKT);
	assert_int_equal(p.nseg, 19);
	assert_int_equal(p.seg[0].len, 14);
	for (i = 1; i <= 18; i++) {
		assert_int_equal(p.seg[i].len, i);
		assert_int_equal(p.seg[i].offset, 4096 - i);
	}
	/* One byte more in each slot walks off its page. */
	c.s[7].size++;
	c.s[0].size++;
	assert_int_equal(take(&c, &p), NB_TX_FATAL);
	assert_int_equal(p.nreq, 8);
}

static void
test_why_str(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < NB_TXW_COUNT; i++) {
		assert_non_null(nb_tx_why_str(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(nb_tx_why_str(i),
			    nb_tx_why_str(j));
	}
	assert_string_equal(nb_tx_why_str(NB_TXW_COUNT), "unknown reason");
	assert_string_equal(nb_tx_why_str(NB_TXW_TOO_SHORT),
	    "first slot shorter than 14 bytes");
}

/* ---- nb_rx_slots ---- */

static void
test_rx_slots(void **state)
{
	const struct nb_fe_feat none = { .rx_notify = true };
	const struct nb_fe_feat sg = { .sg = true };
	const struct nb_fe_feat all = { .sg = true, .gso_v4 = true,
	    .gso_v6 = true };
	const struct nb_fe_feat v4 = { .sg = true, .gso_v4 = true };
	const struct nb_fe_feat nosg = { .gso_v4 = true, .gso_v6 = true };

	(void)state;
	assert_int_equal(nb_rx_slots(0, 0, &all), 0);
	assert_int_equal(nb_rx_slots(1, 0, &none), 1);
	assert_int_equal(nb_rx_slots(4096, 0, &none), 1);
	assert_int_equal(nb_rx_slots(4097, 0, &none), 0);
	assert_int_equal(nb_rx_slots(4097, 0, &sg), 2);
	assert_int_equal(nb_rx_slots(8192, 0, &sg), 2);
	assert_int_equal(nb_rx_slots(65535, 0, &sg), 16);
	assert_int_equal(nb_rx_slots(65536, 0, &all), 0);
	assert_int_equal(nb_rx_slots(UINT32_MAX, 0, &all), 0);
	assert_int_equal(nb_rx_slots(65535, XEN_NETIF_GSO_TYPE_TCPV4, &all),
	    17);
	assert_int_equal(nb_rx_slots(1500, XEN_NETIF_GSO_TYPE_TCPV6, &all), 2);
	assert_int_equal(nb_rx_slots(9000, XEN_NETIF_GSO_TYPE_TCPV4, &v4), 4);
	assert_int_equal(nb_rx_slots(9000, XEN_NETIF_GSO_TYPE_TCPV6, &v4), 0);
	assert_int_equal(nb_rx_slots(9000, XEN_NETIF_GSO_TYPE_TCPV4, &sg), 0);
	assert_int_equal(nb_rx_slots(1000, XEN_NETIF_GSO_TYPE_TCPV4, &nosg),
	    0);
	assert_int_equal(nb_rx_slots(1000, 3, &all), 0);
	assert_int_equal(nb_rx_slots(1000, 0xff, &all), 0);
}

/* ---- multicast ---- */

static void
test_mcast(void **state)
{
	struct nb_mcast m;
	uint8_t a[NB_ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	const uint8_t b[NB_ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 1 };
	const uint8_t uni[NB_ETH_ALEN] = { 0x00, 0x16, 0x3e, 1, 2, 3 };
	const uint8_t bc[NB_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned int i;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_true(nb_mcast_pass(&m, uni));
	assert_true(nb_mcast_pass(&m, bc));
	assert_false(nb_mcast_pass(&m, a));
	assert_int_equal(nb_mcast_add(&m, a), 0);
	assert_int_equal(nb_mcast_add(&m, a), 0);	/* idempotent */
	assert_int_equal(m.n, 1);
	assert_true(nb_mcast_pass(&m, a));
	assert_false(nb_mcast_pass(&m, b));
	assert_int_equal(nb_mcast_add(&m, b), 0);
	nb_mcast_del(&m, a);
	assert_false(nb_mcast_pass(&m, a));
	assert_true(nb_mcast_pass(&m, b));
	nb_mcast_del(&m, a);				/* absent: no-op */
	assert_int_equal(m.n, 1);
	nb_mcast_del(&m, b);
	assert_int_equal(m.n, 0);
	nb_mcast_del(&m, b);
	assert_int_equal(m.n, 0);

	/* Full at 64 (Linux XEN_NETBK_MCAST_MAX); deleting from the middle. */
	for (i = 0; i < NB_MCAST_MAX; i++) {
		a[5] = (uint8_t)i;
		assert_int_equal(nb_mcast_add(&m, a), 0);
	}
	a[5] = 200;
	assert_int_equal(nb_mcast_add(&m, a), -1);
	assert_int_equal(m.n, NB_MCAST_MAX);
	a[5] = 5;
	assert_int_equal(nb_mcast_add(&m, a), 0);	/* present: fine */
	nb_mcast_del(&m, a);
	assert_false(nb_mcast_pass(&m, a));
	for (i = 0; i < NB_MCAST_MAX; i++) {
		a[5] = (uint8_t)i;
		assert_true(nb_mcast_pass(&m, a) == (i != 5));
	}
	a[5] = 200;
	assert_int_equal(nb_mcast_add(&m, a), 0);
	assert_true(nb_mcast_pass(&m, a));
}

/* ---- mac ---- */

static void
test_mac_parse(void **state)
{
	static const char *const bad[] = { "", "00:16:3e:01:02",
	    "00:16:3e:01:02:03:", "00:16:3e:01:02:03:04", "00-16-3e-01-02-03",
	    "0:16:3e:01:02:03", "000:16:3e:01:02:03", "00:16:3e:01:02:0g",
	    " 00:16:3e:01:02:03", "00:16:3e:01:02:03 ", "00:16:3e:01:02:3",
	    "0x:16:3e:01:02:03", "00:16:3e:01:02:03\n", "::::::" };
	uint8_t mac[NB_ETH_ALEN], keep[NB_ETH_ALEN];
	unsigned int i;

	(void)state;
	assert_int_equal(nb_mac_parse("00:16:3e:0a:Bc:fF", mac), 0);
	assert_int_equal(mac[0], 0x00);
	assert_int_equal(mac[1], 0x16);
	assert_int_equal(mac[2], 0x3e);
	assert_int_equal(mac[3], 0x0a);
	assert_int_equal(mac[4], 0xbc);
	assert_int_equal(mac[5], 0xff);
	memcpy(keep, mac, sizeof(mac));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(nb_mac_parse(bad[i], mac), -1);
		assert_memory_equal(mac, keep, sizeof(mac));
	}
}

/* ---- randomized: the model, the invariants, never past nslots ---- */

static void
test_random_chains(void **state)
{
	struct chain c;
	struct nb_txpkt p;
	struct tx_model m;
	enum nb_tx_verdict v;
	unsigned int iter, n, seen[5] = { 0 };

	(void)state;
	for (iter = 0; iter < 40000; iter++) {
		rnd_chain(&c);
		n = rng() % 4 ? c.n : (unsigned int)(rng() % (c.n + 1));
		/* The prefix check is quadratic: now and then. */
		if (iter % 16 == 0)
			v = take_n(&c, n, &p);
		else
			v = take_exact(c.s, n, &p);
		tx_model(c.s, n, &m);
		if (v != m.v || p.why != m.why || p.nreq != m.nreq)
			fail_msg("iter %u: verdict %d why %d nreq %u, model "
			    "%d %d %u", iter, v, p.why, p.nreq, m.v, m.why,
			    m.nreq);
		assert_true(p.nreq <= n);
		check_invariants(&c, v, &p);
		/* Pure: once more gives the same. */
		if (iter % 64 == 0) {
			struct nb_txpkt q;

			assert_int_equal(take_exact(c.s, n, &q), v);
			assert_true(pkt_equal(&p, &q));
		}
		seen[v]++;
	}
	/* The generator reaches every verdict often. */
	for (n = 0; n < 5; n++)
		assert_true(seen[n] > 1000);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_slot),
		cmocka_unit_test(test_first_slot_is_the_rest),
		cmocka_unit_test(test_page_edge),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_zero_length_packet),
		cmocka_unit_test(test_slot_counts),
		cmocka_unit_test(test_frag_too_big),
		cmocka_unit_test(test_cross_page),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_gso_extra),
		cmocka_unit_test(test_bad_extra),
		cmocka_unit_test(test_mcast_dummy),
		cmocka_unit_test(test_xsa448_zero_frags),
		cmocka_unit_test(test_xsa423_split_headers),
		cmocka_unit_test(test_why_str),
		cmocka_unit_test(test_rx_slots),
		cmocka_unit_test(test_mcast),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_random_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
