/*
 * netconform.c - "xbfront-net -C": a netif frontend that negotiates every
 * feature the backend advertises and exercises each, checked end to end
 * against dom0 (-g, default 10.0.0.1), as a second conformance client next
 * to Linux's xen-netfront.
 *
 * Connection (io/netif.h "Multiple transmit and receive queues", "Split
 * event channels"): min(multi-queue-max-queues, 2) queues, with
 * queue-N/{tx,rx}-ring-ref and queue-N/event-channel-{tx,rx} (or
 * event-channel when the backend has no feature-split-event-channels);
 * request-rx-copy, feature-rx-notify, feature-sg, feature-gso-tcpv4,
 * feature-gso-tcpv6 and feature-ipv6-csum-offload if offered, and IPv4
 * checksum offload (no feature-no-csum-offload key).
 * Rings, buffers and the frame checks are netfront.c's; the RX path is
 * ours, because with feature-sg a frame may span slots and carry flags.
 * IPv6 is spoken from fd58:6274::<our IPv4 address> to fd58:6274::<the
 * peer's> (the scenario gives dom0's xenbr0 that address), to the peer's
 * IPv4 MAC; we answer neighbour solicitations for ours.
 *
 * Checks, one line each ("ok", "FAIL", "not exercised"):
 *   echo replies for requests sent on each queue (TX on both queues; which
 *   queue a reply comes back on is the TAP's choice, reported);
 *   a 1400-byte echo split over 3 slots and a 3000-byte one (NETTXF_more_data;
 *   dom0's fragmented reply reassembled and its payload checked);
 *   a UDP datagram with NETTXF_csum_blank|data_validated and only the
 *   pseudo-header sum in its checksum field: dom0 must accept it, which its
 *   ICMP port unreachable proves (Linux answers none for a bad checksum);
 *   a 2896-byte TCP segment with a GSO extra (gso size 1448): dom0 must take
 *   it, which its RST proves;
 *   the same two over IPv6 (ICMPv6 port unreachable, RST) with a GSO
 *   extra of type TCPv6, when feature-ipv6-csum-offload and
 *   feature-gso-tcpv6 are offered;
 *   RX of what dom0's pktinject (tests/xen/tools/pktinject.c) writes to
 *   the vif once we print "wait rx-inject": TCP/IPv4 and TCP/IPv6 GSO
 *   packets of 6000 payload bytes (gso size 1448), which must come as one
 *   frame over several slots with a GSO extra, or as segments, and a
 *   plain 9000-byte UDP frame (NETRXF_more_data over 3 slots); payload
 *   pattern, lengths and checksums checked;
 *   the RX flags seen.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inetsum.h"
#include "netfront.h"

#define NQ_MAX		2
#define FRAME_MAX	65536
#define UDP_DPORT	33434	/* nobody listens: port unreachable */
#define TCP_DPORT	33435	/* nobody listens: RST */
#define TCP_SPORT	40000
#define TCP_ACK		5000u
#define GSO_SIZE	1448

/* What pktinject writes (tests/xen/tools/pktinject.c: keep in step). */
#define INJ_SPORT	40001
#define INJ_TPORT	33436	/* TCP, GSO */
#define INJ_UPORT	33437	/* UDP, over a page, no GSO */
#define INJ_ISN		0x10000u	/* sequence of payload byte 0 */
#define INJ_TCP_LEN	6000
#define INJ_UDP_FRAME	9000
#define INJ_WAIT_MS	20000

/* One queue: netfront.c's struct nf and what our RX path keeps. */
struct cq {
	struct nf	*n;
	evtchn_port_t	 rxport;	/* == n->port unless split */
	uint16_t	 slot_id[NRX];	/* buffer posted at each ring index */
	uint8_t		 f[FRAME_MAX];	/* the frame being assembled */
	size_t		 flen;
	uint16_t	 fflags;
	unsigned int	 nslots, extras;
	uint8_t		 xgso_type;	/* the frame's GSO extra, if any */
	uint16_t	 xgso_size;
	bool		 fbad;
	unsigned long	 tx_frames, rx_frames, rx_multi, rx_blank, rx_valid,
			 rx_gso;
};

static struct cq cq[NQ_MAX];
static unsigned int nq;
static bool split;

/* What came back for the checks. */
static struct {
	/* IPv4 reassembly of one fragmented reply */
	uint16_t	 id;
	bool		 busy;
	uint8_t		 hdr[ETH_HLEN + 20];
	uint8_t		 data[8192];
	size_t		 have, total;	/* total 0: last fragment not seen */
	unsigned int	 frags, reasm;
	/* ICMP port unreachable for our UDP datagram ([1]: IPv6) */
	unsigned int	 unreach[2];
	uint16_t	 quoted_csum[2];
	/* RST for our TCP segment */
	unsigned int	 rst[2];
	uint32_t	 rst_seq[2];
	/* other IPv6 frames: how many, the last one's next header/type */
	unsigned int	 v6other;
	uint8_t		 v6nh, v6type;
	unsigned int	 nadv;		/* neighbour advertisements sent */
} got;

/* The frame being delivered: what its slots said. */
static struct {
	unsigned int	 nslots;
	uint16_t	 flags;		/* of its first slot */
	uint8_t		 gso_type;	/* XEN_NETIF_GSO_TYPE_NONE: no extra */
	uint16_t	 gso_size;
} rxm;

/* What came of pktinject's frames, per kind. */
enum { INJ_V4, INJ_V6, INJ_BIG, INJ_N };
static struct inj {
	bool		 want;
	unsigned int	 frames, gso, bad, maxslots;
	uint16_t	 flags;		/* of the first frame */
	uint8_t		 gso_type;	/* of the first GSO extra */
	uint16_t	 gso_size;
	size_t		 need, have, maxlen;	/* payload bytes; frame */
	uint8_t		 seen[INJ_UDP_FRAME];
	char		 why[128];
} inj[INJ_N];

static uint8_t ip6_me[16], ip6_peer[16];

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The pseudo-header sum of ip's L4 (not complemented: what csum_blank wants). */
static uint16_t
pseudo(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint32_t s = sum16(ip + 12, 8, 0);

	return fold(s + proto + (uint32_t)l4len);
}

/* The same for IPv6 (RFC 8200 8.1: addresses, 32-bit length, next header). */
static uint16_t
pseudo6(const uint8_t *ip6, uint8_t proto, size_t l4len)
{
	uint32_t s = sum16(ip6 + 8, 32, 0);

	return fold(s + proto + (uint32_t)(l4len >> 16) +
	    (uint32_t)(l4len & 0xffff));
}

static uint8_t
inj_pat(size_t i)
{
	return (uint8_t)(i * 11 + (i >> 8) + 3);
}

/* ---- receive ---------------------------------------------------------- */

static void
deliver_ip4_frag(struct nf *n, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t hl = (size_t)(ip[0] & 15) * 4, tl = get16(ip + 2), off;
	uint16_t fo = get16(ip + 6);
	uint8_t fr[ETH_HLEN + 20 + sizeof(got.data)];

	if (tl > len - ETH_HLEN || tl < hl)
		return;
	got.frags++;
	if (!got.busy || got.id != get16(ip + 4)) {
		got.busy = true;
		got.id = get16(ip + 4);
		got.have = got.total = 0;
	}
	off = (size_t)(fo & 0x1fff) * 8;
	if (off + tl - hl > sizeof(got.data))
		return;
	memcpy(got.data + off, ip + hl, tl - hl);
	got.have += tl - hl;
	if (off == 0)
		memcpy(got.hdr, f, ETH_HLEN + 20);
	if (!(fo & 0x2000))
		got.total = off + tl - hl;
	if (got.total == 0 || got.have != got.total)
		return;
	/* Whole: hand netfront.c's checks an unfragmented frame. */
	got.busy = false;
	got.reasm++;
	memcpy(fr, got.hdr, ETH_HLEN + 20);
	fr[ETH_HLEN] = 0x45;
	put16(fr + ETH_HLEN + 2, (uint16_t)(20 + got.total));
	put16(fr + ETH_HLEN + 6, 0);
	put16(fr + ETH_HLEN + 10, 0);
	put16(fr + ETH_HLEN + 10, (uint16_t)~fold(sum16(fr + ETH_HLEN, 20, 0)));
	memcpy(fr + ETH_HLEN + 20, got.data, got.total);
	handle_frame(n, fr, ETH_HLEN + 20 + got.total);
}

static void
inj_bad(struct inj *j, const char *why, size_t off)
{
	if (j->bad++ == 0)
		snprintf(j->why, sizeof(j->why), "%s (frame %u, payload "
		    "offset %zu, %u slots, flags %#x)", why, j->frames, off,
		    rxm.nslots, rxm.flags);
}

/*
 * One of pktinject's frames: l4 is its TCP or UDP header, l4len long, ps
 * its pseudo-header sum.  With NETRXF_csum_blank the checksum field must
 * hold just ps (io/netif.h: "protocol checksum field is blank", Linux's
 * CHECKSUM_PARTIAL), else the whole checksum must verify.
 */
static void
inj_take(unsigned int k, size_t flen, const uint8_t *l4, size_t l4len,
    uint16_t ps)
{
	struct inj *j = &inj[k];
	bool tcp = k != INJ_BIG;
	size_t hl = tcp ? (size_t)(l4[12] >> 4) * 4 : 8, off = 0, plen, i;
	uint16_t field = get16(l4 + (tcp ? 16 : 6));

	j->frames++;
	if (rxm.nslots > j->maxslots)
		j->maxslots = rxm.nslots;
	if (flen > j->maxlen)
		j->maxlen = flen;
	if (j->frames == 1)
		j->flags = rxm.flags;
	if (rxm.gso_type != XEN_NETIF_GSO_TYPE_NONE && j->gso++ == 0) {
		j->gso_type = rxm.gso_type;
		j->gso_size = rxm.gso_size;
	}
	if (hl < 8 || hl > l4len) {
		inj_bad(j, "bad L4 header length", 0);
		return;
	}
	if (tcp)
		off = (uint32_t)(get16(l4 + 4) << 16 | get16(l4 + 6)) - INJ_ISN;
	plen = l4len - hl;
	if ((rxm.flags & NETRXF_csum_blank) ? field != ps :
	    fold(sum16(l4, l4len, ps)) != 0xffff) {
		inj_bad(j, (rxm.flags & NETRXF_csum_blank) ? "csum_blank but "
		    "the field is not the pseudo-header sum" : "bad checksum",
		    off);
		return;
	}
	if (off > j->need || plen > j->need - off) {
		inj_bad(j, "payload out of range", off);
		return;
	}
	for (i = 0; i < plen; i++) {
		if (l4[hl + i] != inj_pat(off + i)) {
			inj_bad(j, "payload differs", off + i);
			return;
		}
		if (!j->seen[off + i]) {
			j->seen[off + i] = 1;
			j->have++;
		}
	}
}

/* Is f one of pktinject's frames to us?  Then it is taken. */
static bool
inj_frame(struct nf *n, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *l4;
	size_t l4len, hl;
	uint8_t proto;
	uint16_t ps;
	unsigned int k;

	if (len >= ETH_HLEN + 20 && get16(f + 12) == 0x0800 &&
	    memcmp(ip + 16, &n->ip, 4) == 0 && !(get16(ip + 6) & 0x3fff)) {
		hl = (size_t)(ip[0] & 15) * 4;
		if (get16(ip + 2) > len - ETH_HLEN || get16(ip + 2) < hl)
			return false;
		l4len = get16(ip + 2) - hl;
		proto = ip[9];
		ps = pseudo(ip, proto, l4len);
		k = proto == 6 ? INJ_V4 : INJ_BIG;
	} else if (len >= ETH_HLEN + 40 && get16(f + 12) == 0x86dd &&
	    memcmp(ip + 24, ip6_me, 16) == 0) {
		hl = 40;
		if (get16(ip + 4) > len - ETH_HLEN - 40)
			return false;
		l4len = get16(ip + 4);
		proto = ip[6];
		ps = pseudo6(ip, proto, l4len);
		k = INJ_V6;
	} else
		return false;
	l4 = ip + hl;
	if (proto == 6 && l4len >= 20 && get16(l4) == INJ_SPORT &&
	    get16(l4 + 2) == INJ_TPORT)
		inj_take(k, len, l4, l4len, ps);
	else if (proto == 17 && k == INJ_BIG && l4len >= 8 &&
	    get16(l4) == INJ_SPORT && get16(l4 + 2) == INJ_UPORT)
		inj_take(k, len, l4, l4len, ps);
	else
		return false;
	return true;
}

/*
 * RFC 4861 7.2.4: answer a neighbour solicitation for our address with a
 * solicited, override advertisement carrying our MAC (hop limit 255, or
 * the peer ignores it).  dom0 asks before its first answer to us; a
 * static entry would not do, as Linux flushes the bridge's neighbours
 * when the bridge's MAC changes as our vif joins it.
 */
static void
neigh_adv(struct nf *n, const uint8_t *f, const uint8_t *ns)
{
	uint8_t r[ETH_HLEN + 40 + 32], *ip = r + ETH_HLEN, *a = ip + 40;

	memcpy(r, f + 6, 6);
	memcpy(r + 6, n->mac, 6);
	put16(r + 12, 0x86dd);
	memset(ip, 0, 40 + 32);
	ip[0] = 0x60;
	put16(ip + 4, 32);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, ip6_me, 16);
	memcpy(ip + 24, f + ETH_HLEN + 8, 16);	/* the solicitor */
	a[0] = 136;
	a[4] = 0x60;			/* solicited, override */
	memcpy(a + 8, ns + 8, 16);	/* the target: us */
	a[24] = 2;			/* target link-layer address */
	a[25] = 1;
	memcpy(a + 26, n->mac, 6);
	put16(a + 2, (uint16_t)~fold(sum16(a, 32, pseudo6(ip, 58, 32))));
	got.nadv++;
	send_frame(n, r, sizeof(r));
}

/* dom0's IPv6 answers: ICMPv6 port unreachable quoting our UDP, RST. */
static void
deliver6(struct nf *n, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *l4 = ip + 40;
	size_t l4len;

	/* a neighbour solicitation (to our solicited-node group) for us */
	if (len >= ETH_HLEN + 40 + 24 && ip[6] == 58 && l4[0] == 135 &&
	    get16(ip + 4) >= 24 && memcmp(l4 + 8, ip6_me, 16) == 0 &&
	    !(ip[8] == 0 && ip[9] == 0)) {
		neigh_adv(n, f, l4);
		return;
	}

	if (len < ETH_HLEN + 40 + 1 || memcmp(ip + 8, ip6_peer, 16) != 0 ||
	    memcmp(ip + 24, ip6_me, 16) != 0 ||
	    (l4len = get16(ip + 4)) > len - ETH_HLEN - 40) {
		if (len >= ETH_HLEN + 40 + 1) {
			got.v6other++;
			got.v6nh = ip[6];
			got.v6type = l4[0];
		}
		handle_frame(n, f, len);
		return;
	}
	/* RFC 4443 3.1: type 1 code 4, then as much of ours as fits */
	if (ip[6] == 58 && l4len >= 8 + 40 + 8 && l4[0] == 1 && l4[1] == 4 &&
	    l4[8 + 6] == 17 && get16(l4 + 8 + 40 + 2) == UDP_DPORT) {
		got.unreach[1]++;
		got.quoted_csum[1] = get16(l4 + 8 + 40 + 6);
	} else if (ip[6] == 6 && l4len >= 20 && get16(l4) == TCP_DPORT &&
	    get16(l4 + 2) == TCP_SPORT && (l4[13] & 0x04)) {
		got.rst[1]++;
		got.rst_seq[1] = (uint32_t)get16(l4 + 4) << 16 | get16(l4 + 6);
	} else
		handle_frame(n, f, len);
}

/* A whole frame from any queue; the checks' state is queue 0's nf. */
static void
deliver(struct nf *n, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *l4;
	size_t hl;

	if (inj_frame(n, f, len))
		return;
	if (len >= ETH_HLEN && get16(f + 12) == 0x86dd) {
		deliver6(n, f, len);
		return;
	}
	if (len >= ETH_HLEN + 20 && get16(f + 12) == 0x0800 &&
	    memcmp(ip + 12, &n->peer, 4) == 0 &&
	    memcmp(ip + 16, &n->ip, 4) == 0) {
		hl = (size_t)(ip[0] & 15) * 4;
		l4 = ip + hl;
		if (get16(ip + 6) & 0x3fff) {
			deliver_ip4_frag(n, f, len);
			return;
		}
		/* ICMP dest unreachable/port quoting our UDP datagram */
		if (ip[9] == 1 && len >= ETH_HLEN + hl + 8 + 20 + 8 &&
		    l4[0] == 3 && l4[1] == 3 && l4[8 + 9] == 17 &&
		    get16(l4 + 8 + 20 + 2) == UDP_DPORT) {
			got.unreach[0]++;
			got.quoted_csum[0] = get16(l4 + 8 + 20 + 6);
			return;
		}
		if (ip[9] == 6 && len >= ETH_HLEN + hl + 20 &&
		    get16(l4) == TCP_DPORT && get16(l4 + 2) == TCP_SPORT &&
		    (l4[13] & 0x04)) {
			got.rst[0]++;
			got.rst_seq[0] = (uint32_t)get16(l4 + 4) << 16 |
			    get16(l4 + 6);
			return;
		}
	}
	handle_frame(n, f, len);
}

static void
c_post(struct cq *c, uint16_t id)
{
	c->slot_id[c->n->rx.req_prod_pvt & (NRX - 1)] = id;
	rx_post(c->n, id);
}

/*
 * Take queue c's RX responses.  io/netif.h "Receive path": a frame is
 * the slots up to one without NETRXF_more_data, each response's status
 * that slot's length; NETRXF_extra_info on the first means extra-info
 * slots follow it (chained by XEN_NETIF_EXTRA_FLAG_MORE), which carry no
 * id: the buffer posted at that ring index is free again.
 */
static void
c_reap_rx(struct cq *c, struct nf *n0)
{
	struct nf *n = c->n;
	netif_rx_response_t rsp;
	RING_IDX before = n->rx.req_prod_pvt;
	int more;

	do {
		while (RING_HAS_UNCONSUMED_RESPONSES(&n->rx)) {
			RING_IDX i = n->rx.rsp_cons++;

			memcpy(&rsp, RING_GET_RESPONSE(&n->rx, i), sizeof(rsp));
			if (c->extras) {
				struct netif_extra_info ex;

				memcpy(&ex, &rsp, sizeof(ex));
				if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO) {
					c->rx_gso++;
					c->xgso_type = ex.u.gso.type;
					c->xgso_size = ex.u.gso.size;
				}
				if (!(ex.flags & XEN_NETIF_EXTRA_FLAG_MORE))
					c->extras = 0;
				c_post(c, c->slot_id[i & (NRX - 1)]);
				continue;
			}
			if (rsp.id >= NRX || !n->rx_posted[rsp.id]) {
				fail(&n0->x, "rx response for buffer %u, which "
				    "is not posted", rsp.id);
				continue;
			}
			n->rx_posted[rsp.id] = false;
			if (c->nslots++ == 0) {
				c->fflags = rsp.flags;
				c->extras = (rsp.flags & NETRXF_extra_info) != 0;
			}
			if (rsp.status <= 0 ||
			    rsp.offset + (unsigned int)rsp.status > PAGE ||
			    c->flen + (size_t)rsp.status > FRAME_MAX) {
				c->fbad = true;
				n0->rx_err++;
			} else {
				memcpy(c->f + c->flen, n->rxbuf +
				    (size_t)rsp.id * PAGE + rsp.offset,
				    (size_t)rsp.status);
				c->flen += (size_t)rsp.status;
			}
			c_post(c, rsp.id);
			if (rsp.flags & NETRXF_more_data)
				continue;
			c->rx_frames++;
			c->rx_multi += c->nslots > 1;
			c->rx_blank += (c->fflags & NETRXF_csum_blank) != 0;
			c->rx_valid += (c->fflags & NETRXF_data_validated) != 0;
			rxm.nslots = c->nslots;
			rxm.flags = c->fflags;
			rxm.gso_type = c->xgso_type;
			rxm.gso_size = c->xgso_size;
			if (!c->fbad)
				deliver(n0, c->f, c->flen);
			c->flen = 0;
			c->nslots = 0;
			c->xgso_type = XEN_NETIF_GSO_TYPE_NONE;
			c->xgso_size = 0;
			c->fbad = false;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&n->rx, more);
	} while (more);
	if (n->rx.req_prod_pvt != before) {
		int notify;

		/* feature-rx-notify: we kick when we post (io/netif.h). */
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->rx, notify);
		if (notify)
			xenevtchn_notify(n->x.xce, c->rxport);
	}
}

/* Wait up to ms for an event on any port, then take every ring. */
static void
cpump(int ms)
{
	struct nf *n0 = cq[0].n;
	struct pollfd pfd = { .fd = xenevtchn_fd(n0->x.xce), .events = POLLIN };
	unsigned int i;

	if (poll(&pfd, 1, ms) == 1) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(n0->x.xce);

		if (p >= 0)
			xenevtchn_unmask(n0->x.xce, (evtchn_port_t)p);
	}
	for (i = 0; i < nq; i++) {
		reap_tx(cq[i].n);
		c_reap_rx(&cq[i], n0);
	}
}

/* ---- transmit --------------------------------------------------------- */

/*
 * Send frame f on queue c in slots of at most chunk bytes, the first with
 * flags (io/netif.h "Transmit path": the first request's size is the whole
 * packet's, the others their own; NETTXF_more_data on all but the last;
 * an extra-info slot right after the first if ex).  Waits up to 5 s for
 * the responses; true if all were OKAY.
 */
static bool
send_slots(struct cq *c, const uint8_t *f, size_t len, size_t chunk,
    uint16_t flags, const struct netif_extra_info *ex, unsigned int *nslots)
{
	struct nf *n = c->n;
	int ids[32];
	unsigned int k = 0, i;
	size_t off = 0, l;
	netif_tx_request_t *req;
	uint64_t end;
	bool allok = true;

	while (off < len && k < 32) {
		l = len - off < chunk ? len - off : chunk;
		if ((ids[k] = tx_get(n)) == -1) {
			fail(&n->x, "no TX buffer came back within 5 s");
			return false;
		}
		memcpy(n->txbuf + (size_t)ids[k] * PAGE, f + off, l);
		req = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt++);
		req->gref = n->txgref[ids[k]];
		req->offset = 0;
		req->id = (uint16_t)ids[k];
		req->size = (uint16_t)(k == 0 ? len : l);
		req->flags = (uint16_t)((k == 0 ? flags : 0) |
		    (off + l < len ? NETTXF_more_data : 0));
		if (k == 0 && ex != NULL) {
			req->flags |= NETTXF_extra_info;
			memcpy(RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt++),
			    ex, sizeof(*ex));
		}
		off += l;
		k++;
	}
	tx_push(n);
	c->tx_frames++;
	*nslots = k;
	end = now_ms() + 5000;
	for (i = 0; i < k; i++) {
		while (n->txstatus[ids[i]] == TX_PENDING && now_ms() < end)
			cpump(10);
		allok = allok && n->txstatus[ids[i]] == NETIF_RSP_OKAY;
	}
	return allok;
}

/* Wait up to ms for the reply to echo seq (checked by netfront.c). */
static int
echo_wait(struct nf *n0, unsigned int seq, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (n0->seen[seq] == 0 && now_ms() < end)
		cpump(10);
	return n0->seen[seq];
}

static void
check_queues(struct nf *n0)
{
	unsigned int i, k, seq, okn;

	memset(n0->seen, 0, sizeof(n0->seen));
	for (i = 0; i < nq; i++) {
		unsigned long rx0[NQ_MAX] = { 0 };
		uint8_t f[ETH_HLEN + 20 + 8 + 64];

		for (k = 0; k < nq; k++)
			rx0[k] = cq[k].rx_frames;
		okn = 0;
		for (k = 0; k < 10; k++) {
			seq = i * 10 + k;
			/* single slot, flags 0: netfront.c's send_frame */
			send_frame(cq[i].n, f, build_echo(n0, f, seq, 64));
			cq[i].tx_frames++;
			okn += echo_wait(n0, seq, 3000) == 1;
		}
		if (okn == 10)
			ok("queue %u: 10 echo requests sent on it, 10 replies "
			    "with our payload (replies came on queue 0: %lu, "
			    "queue 1: %lu)", i, cq[0].rx_frames - rx0[0],
			    nq > 1 ? cq[1].rx_frames - rx0[1] : 0UL);
		else
			fail(&n0->x, "queue %u: %u of 10 echo replies", i, okn);
	}
}

static void
check_sg(struct nf *n0)
{
	static const size_t sz[2] = { 1400, 3000 };
	uint8_t f[ETH_HLEN + 20 + 8 + 3000];
	unsigned int i, slots, seq, fr;
	size_t len;
	bool txok;

	for (i = 0; i < 2; i++) {
		seq = 100 + i;
		fr = got.reasm;
		len = build_echo(n0, f, seq, sz[i]);
		/* io/netif.h: a packet may exceed the MTU only with GSO;
		 * dom0's stack takes it (no MTU check on input). */
		txok = send_slots(&cq[i % nq], f, len, (len + 2) / 3, 0, NULL,
		    &slots);
		if (!txok)
			fail(&n0->x, "sg: %zu-byte echo in %u slots: a TX "
			    "response was not OKAY", sz[i], slots);
		else if (echo_wait(n0, seq, 3000) != 1)
			fail(&n0->x, "sg: %zu-byte echo in %u slots "
			    "(NETTXF_more_data) on queue %u: %s", sz[i], slots,
			    i % nq, n0->seen[seq] ? "reply payload wrong" :
			    "no reply in 3 s");
		else
			ok("sg: %zu-byte echo request in %u slots "
			    "(NETTXF_more_data) on queue %u: reply payload "
			    "matches%s", sz[i], slots, i % nq,
			    got.reasm != fr ? " (dom0's reply fragmented, "
			    "reassembled)" : "");
	}
}

/* An IPv4 header from us to the peer into ip. */
static void
ip_hdr(struct nf *n0, uint8_t *ip, uint8_t proto, size_t l4len, uint16_t id)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, id);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &n0->ip, 4);
	memcpy(ip + 16, &n0->peer, 4);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
}

static void
eth(struct nf *n0, uint8_t *f)
{
	memcpy(f, n0->peer_mac, 6);
	memcpy(f + 6, n0->mac, 6);
	put16(f + 12, 0x0800);
}

/*
 * Ethernet and an IPv4 or IPv6 header (RFC 8200: no extension headers;
 * dom0's xenbr0, the IPv4 peer, has the IPv6 peer address too) from us to
 * the peer into f; the L3 header's length.
 */
static size_t
l3_hdr(struct nf *n0, uint8_t *f, bool v6, uint8_t proto, size_t l4len,
    uint16_t id)
{
	uint8_t *ip = f + ETH_HLEN;

	eth(n0, f);
	if (!v6) {
		ip_hdr(n0, ip, proto, l4len, id);
		return 20;
	}
	put16(f + 12, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)l4len);
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, ip6_me, 16);
	memcpy(ip + 24, ip6_peer, 16);
	return 40;
}

static uint16_t
l4_pseudo(const uint8_t *ip, bool v6, uint8_t proto, size_t l4len)
{
	return v6 ? pseudo6(ip, proto, l4len) : pseudo(ip, proto, l4len);
}

/*
 * io/netif.h: NETTXF_csum_blank "protocol checksum field is blank in the
 * packet (hence needs to be calculated)", NETTXF_data_validated "packet
 * data has been validated against protocol checksum"; as Linux
 * xen-netfront does, the field holds the pseudo-header sum.  v6: over
 * IPv6 (feature-ipv6-csum-offload), answered by ICMPv6 (RFC 4443).
 */
static void
check_csum(struct nf *n0, bool v6)
{
	uint8_t f[ETH_HLEN + 40 + 8 + 64], *ip = f + ETH_HLEN, *u;
	const char *what = v6 ? "csum6: UDP/IPv6" : "csum: UDP";
	unsigned int i, slots, tries;
	uint16_t full, ps;
	size_t len;
	uint64_t end;

	u = ip + l3_hdr(n0, f, v6, 17, 8 + 64, 0x4321);
	len = (size_t)(u - f) + 8 + 64;
	put16(u, TCP_SPORT);
	put16(u + 2, UDP_DPORT);
	put16(u + 4, 8 + 64);
	for (i = 0; i < 64; i++)
		u[8 + i] = (uint8_t)(i * 5 + 1);
	put16(u + 6, 0);
	ps = l4_pseudo(ip, v6, 17, 8 + 64);
	full = (uint16_t)~fold(sum16(u, 8 + 64, ps));
	put16(u + 6, ps);
	for (tries = 0; tries < 3 && got.unreach[v6] == 0; tries++) {
		if (!send_slots(&cq[nq - 1], f, len, PAGE,
		    NETTXF_csum_blank | NETTXF_data_validated, NULL, &slots)) {
			fail(&n0->x, "%s: TX response to a csum_blank datagram "
			    "not OKAY", what);
			return;
		}
		end = now_ms() + 1500;
		while (got.unreach[v6] == 0 && now_ms() < end)
			cpump(10);
	}
	if (got.unreach[v6] == 0)
		fail(&n0->x, "%s: no ICMP%s port unreachable from dom0 for a "
		    "datagram sent with NETTXF_csum_blank|data_validated and a "
		    "partial checksum (%u tries): dom0 dropped it (other IPv6 "
		    "frames: %u, the last next header %u type %u; neighbour "
		    "advertisements sent %u)", what, v6 ? "v6" : "", tries,
		    got.v6other, got.v6nh, got.v6type, got.nadv);
	else
		ok("%s datagram with NETTXF_csum_blank|data_validated "
		    "and partial checksum %#06x accepted by dom0 (port "
		    "unreachable; quoted checksum %#06x, %s)%s", what, ps,
		    got.quoted_csum[v6], got.quoted_csum[v6] == full ?
		    "completed" : "still partial: dom0 took it as "
		    "CHECKSUM_PARTIAL", v6 && got.nadv ? "; dom0's neighbour "
		    "solicitations answered" : "");
}

/*
 * io/netif.h "feature-gso-tcpv4", XEN_NETIF_EXTRA_TYPE_GSO: a TCP segment
 * of 2 * GSO_SIZE payload bytes (over the 1500 MTU), csum_blank, the GSO
 * extra in the slot after the first.  Nobody listens on TCP_DPORT, so dom0
 * answers the ACK with a RST whose sequence number is our ack.  v6: over
 * IPv6 with XEN_NETIF_GSO_TYPE_TCPV6 ("feature-gso-tcpv6").
 */
static void
check_gso(struct nf *n0, bool v6)
{
	uint8_t f[ETH_HLEN + 40 + 20 + 2 * GSO_SIZE], *ip = f + ETH_HLEN, *t;
	const char *what = v6 ? "gso6" : "gso";
	struct netif_extra_info ex;
	size_t l4 = 20 + 2 * GSO_SIZE, i, len;
	unsigned int slots, tries;
	uint64_t end;

	t = ip + l3_hdr(n0, f, v6, 6, l4, 0x4322);
	len = (size_t)(t - f) + l4;
	memset(t, 0, 20);
	put16(t, TCP_SPORT);
	put16(t + 2, TCP_DPORT);
	put16(t + 4, 0);
	put16(t + 6, 1000);		/* seq 1000 */
	put16(t + 8, TCP_ACK >> 16);
	put16(t + 10, TCP_ACK & 0xffff);
	t[12] = 5 << 4;
	t[13] = 0x18;			/* ACK|PSH */
	put16(t + 14, 1024);
	for (i = 0; i < 2 * GSO_SIZE; i++)
		t[20 + i] = (uint8_t)(i * 3);
	put16(t + 16, l4_pseudo(ip, v6, 6, l4));
	memset(&ex, 0, sizeof(ex));
	ex.type = XEN_NETIF_EXTRA_TYPE_GSO;
	ex.u.gso.size = GSO_SIZE;
	ex.u.gso.type = v6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
	    XEN_NETIF_GSO_TYPE_TCPV4;
	for (tries = 0; tries < 3 && got.rst[v6] == 0; tries++) {
		if (!send_slots(&cq[0], f, len, 1024, NETTXF_csum_blank |
		    NETTXF_data_validated, &ex, &slots)) {
			fail(&n0->x, "%s: TX response to a GSO TCP segment "
			    "not OKAY", what);
			return;
		}
		end = now_ms() + 1500;
		while (got.rst[v6] == 0 && now_ms() < end)
			cpump(10);
	}
	if (got.rst[v6] == 0)
		fail(&n0->x, "%s: no RST from dom0 for a %zu-byte TCP segment "
		    "with a GSO extra (size %u, TCPv%d; %u tries)", what, l4,
		    GSO_SIZE, v6 ? 6 : 4, tries);
	else if (got.rst_seq[v6] != TCP_ACK)
		fail(&n0->x, "%s: dom0's RST has seq %u, want %u", what,
		    got.rst_seq[v6], TCP_ACK);
	else
		ok("%s: %zu-byte TCP segment in %u slots + GSO extra (size %u, "
		    "TCPv%d, csum_blank) taken by dom0 (RST seq %u); "
		    "segmentation on the wire not seen from here", what, l4,
		    slots, GSO_SIZE, v6 ? 6 : 4, TCP_ACK);
}

/* One kind of pktinject's frames judged; gtype: its GSO type, or NONE. */
static void
inj_report(struct nf *n0, unsigned int k, uint8_t gtype)
{
	struct inj *j = &inj[k];
	const char *what = k == INJ_V4 ? "rx-gso: TCPv4" : k == INJ_V6 ?
	    "rx-gso: TCPv6" : "rx-sg: UDP";

	if (j->frames == 0)
		fail(&n0->x, "%s: nothing from dom0's pktinject in %u s", what,
		    INJ_WAIT_MS / 1000);
	else if (j->bad != 0)
		fail(&n0->x, "%s: %u bad frames, first: %s", what, j->bad,
		    j->why);
	else if (j->have != j->need)
		fail(&n0->x, "%s: %zu of %zu payload bytes came in %u frames",
		    what, j->have, j->need, j->frames);
	else if (gtype == XEN_NETIF_GSO_TYPE_NONE) {
		/* io/netif.h: a frame over a page needs feature-sg */
		if (j->frames != 1 || j->maxslots < 3 || j->gso != 0)
			fail(&n0->x, "%s: %u frames, %u slots, %u GSO extras, "
			    "want one frame in 3 slots", what, j->frames,
			    j->maxslots, j->gso);
		else
			ok("%s %zu-byte frame without GSO in %u slots "
			    "(NETRXF_more_data), flags %#x: %zu payload bytes "
			    "and checksum right", what, j->maxlen, j->maxslots,
			    j->flags, j->have);
	} else if (j->gso == 0)
		ok("%s came as %u frames without a GSO extra (segmented before "
		    "us), largest %zu bytes, flags %#x: %zu payload bytes and "
		    "checksums right", what, j->frames, j->maxlen, j->flags,
		    j->have);
	else if (j->frames != 1 || j->gso_type != gtype ||
	    j->gso_size != GSO_SIZE || j->maxslots < 2 ||
	    !(j->flags & NETRXF_csum_blank))
		/* io/netif.h: GSO needs the partial checksum (csum_blank) */
		fail(&n0->x, "%s: %u frames, GSO extra type %u size %u, %u "
		    "slots, flags %#x; want one frame, type %u size %u, "
		    "csum_blank", what, j->frames, j->gso_type, j->gso_size,
		    j->maxslots, j->flags, gtype, GSO_SIZE);
	else
		ok("%s %zu-byte frame in %u slots (NETRXF_more_data) + GSO "
		    "extra (TCPv%d, size %u), flags %#x (csum_blank, the "
		    "pseudo-header sum in the field): %zu payload bytes right",
		    what, j->maxlen, j->maxslots, k == INJ_V6 ? 6 : 4,
		    j->gso_size, j->flags, j->have);
}

/*
 * RX over a page and RX GSO: dom0 has nothing of its own to send us that
 * big (MTU 1500, no TCP stream to us), so once we say "wait rx-inject"
 * the scenario writes pktinject's frames onto our vif, again until we say
 * "done rx-inject" (duplicates are counted once).  We wait at most
 * INJ_WAIT_MS for every kind we can take.
 */
static void
check_rx_inject(struct nf *n0, bool gso, bool gso6)
{
	uint64_t end = now_ms() + INJ_WAIT_MS;
	unsigned int k;
	bool all;

	inj[INJ_V4].want = gso;
	inj[INJ_V6].want = gso6;
	inj[INJ_BIG].want = true;
	inj[INJ_V4].need = inj[INJ_V6].need = INJ_TCP_LEN;
	inj[INJ_BIG].need = INJ_UDP_FRAME - ETH_HLEN - 20 - 8;
	printf("wait rx-inject\n");
	fflush(stdout);
	do {
		cpump(10);
		for (all = true, k = 0; k < INJ_N; k++)
			all = all && (!inj[k].want ||
			    inj[k].have == inj[k].need);
	} while (!all && now_ms() < end);
	cpump(200);
	printf("done rx-inject\n");
	fflush(stdout);
	if (gso)
		inj_report(n0, INJ_V4, XEN_NETIF_GSO_TYPE_TCPV4);
	if (gso6)
		inj_report(n0, INJ_V6, XEN_NETIF_GSO_TYPE_TCPV6);
	inj_report(n0, INJ_BIG, XEN_NETIF_GSO_TYPE_NONE);
}

/* ---- connection ------------------------------------------------------- */

static void
qwrite(struct nf *n0, const char *pre, const char *key, unsigned int v)
{
	char k[64];

	snprintf(k, sizeof(k), "%s%s", pre, key);
	xwrite(&n0->x, k, "%u", v);
}

static bool
be_flag(struct nf *n0, const char *key)
{
	char *v = xread(&n0->x, "%s/%s", n0->x.be, key);
	bool on = v != NULL && strcmp(v, "1") == 0;

	free(v);
	return on;
}

static void
c_connect(struct nf *n0, bool sg, bool gso, bool csum6, bool gso6)
{
	static struct nf n1;
	xs_transaction_t t;
	xenevtchn_port_or_error_t p;
	char pre[16];
	unsigned int i, k;
	char *v;
	int st;

	if ((st = wait_be(&n0->x, XenbusStateInitWait, XenbusStateInitWait)) !=
	    XenbusStateInitWait)
		die("backend state %d, not InitWait", st);
	v = xread(&n0->x, "%s/multi-queue-max-queues", n0->x.be);
	nq = v != NULL && strtoul(v, NULL, 10) >= 2 ? 2 : 1;
	free(v);
	split = be_flag(n0, "feature-split-event-channels");
	if ((v = xread(&n0->x, "%s/mac", n0->x.fe)) == NULL ||
	    sscanf(v, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &n0->mac[0],
	    &n0->mac[1], &n0->mac[2], &n0->mac[3], &n0->mac[4],
	    &n0->mac[5]) != 6)
		die("reading %s/mac ('%s')", n0->x.fe, v ? v : "");
	free(v);
	n1.x = n0->x;
	n1.rx_npost = NRX;
	cq[0].n = n0;
	cq[1].n = &n1;
	for (i = 0; i < nq; i++) {
		nf_share(cq[i].n);
		for (k = 0; k < NRX; k++)
			cq[i].slot_id[k] = (uint16_t)k;
		if ((p = xenevtchn_bind_unbound_port(n0->x.xce,
		    n0->x.bdom)) < 0)
			die("allocating an event channel");
		cq[i].n->port = cq[i].rxport = (evtchn_port_t)p;
		if (split) {
			if ((p = xenevtchn_bind_unbound_port(n0->x.xce,
			    n0->x.bdom)) < 0)
				die("allocating an event channel");
			cq[i].rxport = (evtchn_port_t)p;
		}
	}
	/* The keys in one transaction, then Connected (as Linux does). */
	for (;;) {
		if ((t = xs_transaction_start(n0->x.xs)) == XBT_NULL)
			die("starting a transaction");
		n0->x.t = t;
		if (nq > 1)
			xwrite(&n0->x, "multi-queue-num-queues", "%u", nq);
		for (i = 0; i < nq; i++) {
			struct nf *n = cq[i].n;

			/* io/netif.h: queue-N/ keys only with several queues */
			if (nq > 1)
				snprintf(pre, sizeof(pre), "queue-%u/", i);
			else
				pre[0] = '\0';
			qwrite(n0, pre, "tx-ring-ref", n->tx_ref);
			qwrite(n0, pre, "rx-ring-ref", n->rx_ref);
			if (split) {
				qwrite(n0, pre, "event-channel-tx", n->port);
				qwrite(n0, pre, "event-channel-rx",
				    cq[i].rxport);
			} else
				qwrite(n0, pre, "event-channel", n->port);
		}
		xwrite(&n0->x, "request-rx-copy", "1");
		xwrite(&n0->x, "feature-rx-notify", "1");
		if (sg)
			xwrite(&n0->x, "feature-sg", "1");
		if (gso)
			xwrite(&n0->x, "feature-gso-tcpv4", "1");
		/* io/netif.h: we take csum_blank IPv6 and TCPv6 GSO too */
		if (csum6)
			xwrite(&n0->x, "feature-ipv6-csum-offload", "1");
		if (gso6)
			xwrite(&n0->x, "feature-gso-tcpv6", "1");
		n0->x.t = XBT_NULL;
		if (xs_transaction_end(n0->x.xs, t, false))
			break;
		if (errno != EAGAIN)
			die("ending the transaction");
	}
	xwrite(&n0->x, "state", "%d", XenbusStateConnected);
	if ((st = wait_be(&n0->x, XenbusStateConnected, XenbusStateClosing)) !=
	    XenbusStateConnected)
		die("backend state %d, not Connected", st);
	/* The RX buffers were pushed before the keys: kick for them. */
	for (i = 0; i < nq; i++)
		xenevtchn_notify(n0->x.xce, cq[i].rxport);
	ok("connected: %u queue%s, %s event channels (queue 0 tx %u rx %u), "
	    "request-rx-copy, feature-rx-notify, sg %d, gso-tcpv4 %d, "
	    "gso-tcpv6 %d, csum offload on, ipv6 csum offload %d", nq,
	    nq > 1 ? "s" : "", split ? "split" : "shared", cq[0].n->port,
	    cq[0].rxport, sg, gso, gso6, csum6);
}

static void
c_close(struct nf *n0)
{
	unsigned int i;
	int st;

	xwrite(&n0->x, "state", "%d", XenbusStateClosing);
	st = wait_be(&n0->x, XenbusStateClosing, XenbusStateClosed);
	xwrite(&n0->x, "state", "%d", XenbusStateClosed);
	if (st != XenbusStateClosing && st != XenbusStateClosed)
		fail(&n0->x, "backend state %d after Closing", st);
	if ((st = wait_be(&n0->x, XenbusStateClosed, XenbusStateClosed)) !=
	    XenbusStateClosed)
		fail(&n0->x, "backend state %d, not Closed, after our Closed",
		    st);
	else
		ok("closed");
	for (i = 0; i < nq; i++) {
		struct nf *n = cq[i].n;

		if (n->tx_bad != 0)
			fail(&n0->x, "queue %u: %lu TX responses were not OKAY",
			    i, n->tx_bad);
		xenevtchn_unbind(n0->x.xce, n->port);
		if (split)
			xenevtchn_unbind(n0->x.xce, cq[i].rxport);
		nf_unshare(n);
	}
	if (n0->rx_err != 0)
		fail(&n0->x, "%lu RX responses were errors or out of their page",
		    n0->rx_err);
}

/* Take ARP as netfront.c's arp_peer does, but pumping every queue. */
static void
c_arp(struct nf *n0)
{
	int i;

	for (i = 0; i < 10 && !n0->have_peer; i++) {
		uint64_t end = now_ms() + 1000;

		send_arp(n0, 1, NULL, n0->peer);
		while (!n0->have_peer && now_ms() < end)
			cpump(10);
	}
	if (!n0->have_peer)
		die("no ARP reply from the peer after 10 requests");
	ok("arp: peer at %02x:%02x:%02x:%02x:%02x:%02x", n0->peer_mac[0],
	    n0->peer_mac[1], n0->peer_mac[2], n0->peer_mac[3], n0->peer_mac[4],
	    n0->peer_mac[5]);
}

static void
ne(const char *what)
{
	printf("not exercised %s\n", what);
	fflush(stdout);
}

int
net_conform(struct nf *n0)
{
	bool sg, gso, csum, csum6, gso6;
	unsigned long fr = 0, bl = 0, va = 0, gs = 0;
	unsigned int i;

	sg = be_flag(n0, "feature-sg");
	gso = sg && be_flag(n0, "feature-gso-tcpv4");
	csum = true;	/* io/netif.h: IPv4 checksum offload is the default */
	csum6 = be_flag(n0, "feature-ipv6-csum-offload");
	/* io/netif.h: GSO needs the partial checksum, and so SG */
	gso6 = sg && csum6 && be_flag(n0, "feature-gso-tcpv6");
	if (!be_flag(n0, "feature-rx-copy"))
		fail(&n0->x, "backend has no feature-rx-copy (io/netif.h: "
		    "request-rx-copy needs it)");
	/* fd58:6274::/64 ("Xbt"), the IPv4 address in the low 32 bits */
	ip6_me[0] = ip6_peer[0] = 0xfd;
	ip6_me[1] = ip6_peer[1] = 0x58;
	ip6_me[2] = ip6_peer[2] = 0x62;
	ip6_me[3] = ip6_peer[3] = 0x74;
	memcpy(ip6_me + 12, &n0->ip, 4);
	memcpy(ip6_peer + 12, &n0->peer, 4);
	c_connect(n0, sg, gso, csum6, gso6);
	if (nq < 2)
		ne("multi-queue: the backend offers no multi-queue-max-queues "
		    ">= 2");
	if (!split)
		ne("split event channels: feature-split-event-channels not "
		    "offered");
	c_arp(n0);
	check_queues(n0);
	if (sg)
		check_sg(n0);
	else
		ne("sg: feature-sg not offered");
	if (csum)
		check_csum(n0, false);
	if (gso)
		check_gso(n0, false);
	else
		ne("gso: feature-gso-tcpv4 not offered");
	if (csum6)
		check_csum(n0, true);
	else
		ne("csum6: feature-ipv6-csum-offload not offered");
	if (gso6)
		check_gso(n0, true);
	else
		ne("gso6: feature-gso-tcpv6 (with sg and ipv6 csum offload) "
		    "not offered");
	if (sg)
		check_rx_inject(n0, gso, gso6);
	else
		ne("rx over a page, rx gso: feature-sg not offered");
	ne("multicast control: net-minios covers it");
	cpump(200);
	for (i = 0; i < nq; i++) {
		fr += cq[i].rx_frames;
		bl += cq[i].rx_blank;
		va += cq[i].rx_valid;
		gs += cq[i].rx_gso;
		ok("queue %u: %lu frames sent, %lu received", i,
		    cq[i].tx_frames, cq[i].rx_frames);
	}
	ok("rx flags read: %lu frames, csum_blank %lu, data_validated %lu, "
	    "gso extras %lu", fr, bl, va, gs);
	c_close(n0);
	printf("%s: %d failure%s\n", n0->x.failures ? "FAIL" : "DONE",
	    n0->x.failures, n0->x.failures == 1 ? "" : "s");
	return n0->x.failures ? 1 : 0;
}
