/*
 * nethdr.c - see nethdr.h.
 *
 * Every offset below is derived from guest-written bytes, and the frame
 * length is the guest's too: each bound is tested as "need > len - off"
 * after off <= len is known, so no sum can wrap.
 */
#include <string.h>

#include <linux/if_tun.h>

#include "nethdr.h"

#define ETHERTYPE_IPV4		0x0800u
#define ETHERTYPE_IPV6		0x86ddu
#define ETHERTYPE_8021Q		0x8100u
#define VLAN_HLEN		4u

#define IPV4_HLEN_MIN		20u
#define IPV4_MF			0x2000u		/* frag_off: more fragments */
#define IPV4_OFFSET		0x1fffu		/* frag_off: fragment offset */
#define IPV6_HLEN		40u
/* Linux skbuff.c MAX_IPV6_HDR_LEN: headers beyond it are not looked at. */
#define IPV6_HLEN_MAX		256u
#define IPV6_FRAG_OFFSET	0xfff8u
#define IPV6_FRAG_MF		0x0001u

#define PROTO_HOPOPTS		0u
#define PROTO_TCP		6u
#define PROTO_UDP		17u
#define PROTO_ROUTING		43u
#define PROTO_FRAGMENT		44u
#define PROTO_AH		51u
#define PROTO_DSTOPTS		60u

#define TCP_HLEN_MIN		20u
#define TCP_CSUM_OFF		16u		/* offsetof(struct tcphdr, check) */
#define UDP_HLEN		8u
#define UDP_CSUM_OFF		6u		/* offsetof(struct udphdr, check) */

/* include/linux/netdevice.h GSO_BY_FRAGS: virtio_net_hdr_to_skb refuses it. */
#define GSO_BY_FRAGS		0xffffu

/* What the header walk found. */
struct l34 {
	unsigned int	ipver;		/* 4 or 6 */
	size_t		l3;		/* offset of the IP header */
	size_t		l4;		/* offset of the TCP/UDP header */
	size_t		l4hlen;		/* TCP header with options, or 8 */
	uint8_t		proto;		/* PROTO_TCP or PROTO_UDP */
};

const char *
nb_hdr_why_str(enum nb_hdr_why why)
{
	switch (why) {
	case NB_HDRW_NONE:
		return "no error";
	case NB_HDRW_NOT_IP:
		return "offload asked for a frame that is not IPv4 or IPv6";
	case NB_HDRW_BAD_L3:
		return "truncated or malformed IP header";
	case NB_HDRW_NOT_TCP_UDP:
		return "checksum offload for a protocol other than TCP or UDP";
	case NB_HDRW_BAD_L4:
		return "truncated or malformed TCP/UDP header";
	case NB_HDRW_GSO_MISMATCH:
		return "GSO type does not match the frame";
	case NB_HDRW_GSO_UNSUPPORTED:
		return "GSO type or size not supported";
	case NB_HDRW_IP_FRAGMENT:
		return "offload asked for an IP fragment";
	case NB_HDRW_CSUM_UNSUPPORTED:
		return "checksum offload the guest did not negotiate";
	case NB_HDRW_COUNT:
		break;
	}
	return "unknown reason";
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's complement sum of n (even) bytes in network order (RFC 1071). */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The IPv4 header at off.  Linux skb_checksum_setup_ipv4: any fragment
 * (offset or MF) is refused - the L4 checksum covers the whole datagram,
 * which a fragment does not hold.
 */
static int
walk_ipv4(const uint8_t *f, size_t len, struct l34 *h, enum nb_hdr_why *why)
{
	size_t off = h->l3, ihl;

	if (len - off < IPV4_HLEN_MIN || (f[off] >> 4) != 4) {
		*why = NB_HDRW_BAD_L3;
		return -1;
	}
	ihl = (size_t)(f[off] & 0x0f) * 4;
	if (ihl < IPV4_HLEN_MIN || ihl > len - off) {
		*why = NB_HDRW_BAD_L3;
		return -1;
	}
	if (get16(f + off + 6) & (IPV4_MF | IPV4_OFFSET)) {
		*why = NB_HDRW_IP_FRAGMENT;
		return -1;
	}
	h->ipver = 4;
	h->proto = f[off + 9];
	h->l4 = off + ihl;
	return 0;
}

/*
 * The IPv6 header at off and its extension headers, as Linux
 * skb_checksum_setup_ipv6 walks them: hop-by-hop, routing and destination
 * options ((len + 1) * 8 bytes), AH ((len + 2) * 4), fragment (8 bytes;
 * a real fragment is refused, an "atomic" one with offset 0 and no M bit,
 * which Windows sends, is not).  Each step is at least 8 bytes and all of
 * it must fit in IPV6_HLEN_MAX, so the walk is bounded.
 */
static int
walk_ipv6(const uint8_t *f, size_t len, struct l34 *h, enum nb_hdr_why *why)
{
	size_t off = h->l3, end, hl;
	uint8_t next;

	if (len - off < IPV6_HLEN || (f[off] >> 4) != 6) {
		*why = NB_HDRW_BAD_L3;
		return -1;
	}
	next = f[off + 6];
	end = off + IPV6_HLEN_MAX;
	off += IPV6_HLEN;
	for (;;) {
		switch (next) {
		case PROTO_HOPOPTS:
		case PROTO_ROUTING:
		case PROTO_DSTOPTS:
		case PROTO_AH:
			if (len - off < 2) {
				*why = NB_HDRW_BAD_L3;
				return -1;
			}
			if (next == PROTO_AH)
				hl = ((size_t)f[off + 1] + 2) * 4;
			else
				hl = ((size_t)f[off + 1] + 1) * 8;
			break;
		case PROTO_FRAGMENT:
			hl = 8;
			if (len - off >= hl && (get16(f + off + 2) &
			    (IPV6_FRAG_OFFSET | IPV6_FRAG_MF))) {
				*why = NB_HDRW_IP_FRAGMENT;
				return -1;
			}
			break;
		default:
			h->ipver = 6;
			h->proto = next;
			h->l4 = off;
			return 0;
		}
		if (hl > len - off || hl > end - off) {
			*why = NB_HDRW_BAD_L3;
			return -1;
		}
		next = f[off];
		off += hl;
	}
}

/* Ethernet (one 802.1Q tag), IP, and the TCP or UDP header. */
static int
walk(const uint8_t *f, size_t len, struct l34 *h, enum nb_hdr_why *why)
{
	uint16_t type;
	size_t l4room;

	memset(h, 0, sizeof(*h));
	if (len < NB_ETH_HLEN) {
		*why = NB_HDRW_NOT_IP;
		return -1;
	}
	h->l3 = NB_ETH_HLEN;
	type = get16(f + 12);
	if (type == ETHERTYPE_8021Q) {
		if (len < NB_ETH_HLEN + VLAN_HLEN) {
			*why = NB_HDRW_NOT_IP;
			return -1;
		}
		type = get16(f + 16);
		h->l3 += VLAN_HLEN;
	}
	if (type == ETHERTYPE_IPV4) {
		if (walk_ipv4(f, len, h, why) == -1)
			return -1;
	} else if (type == ETHERTYPE_IPV6) {
		if (walk_ipv6(f, len, h, why) == -1)
			return -1;
	} else {
		*why = NB_HDRW_NOT_IP;
		return -1;
	}

	/* Linux skb_checksum_setup_ip: TCP or UDP only. */
	l4room = len - h->l4;
	switch (h->proto) {
	case PROTO_TCP:
		if (l4room < TCP_HLEN_MIN) {
			*why = NB_HDRW_BAD_L4;
			return -1;
		}
		h->l4hlen = (size_t)(f[h->l4 + 12] >> 4) * 4;
		if (h->l4hlen < TCP_HLEN_MIN || h->l4hlen > l4room) {
			*why = NB_HDRW_BAD_L4;
			return -1;
		}
		return 0;
	case PROTO_UDP:
		if (l4room < UDP_HLEN) {
			*why = NB_HDRW_BAD_L4;
			return -1;
		}
		h->l4hlen = UDP_HLEN;
		return 0;
	default:
		*why = NB_HDRW_NOT_TCP_UDP;
		return -1;
	}
}

/*
 * The pseudo-header sum (not complemented) of the L4 segment at h->l4 to
 * the end of the frame: what a CHECKSUM_PARTIAL checksum field holds.
 * Linux skb_checksum_setup_ipv4/6 "recalculate": ~csum_tcpudp_magic /
 * ~csum_ipv6_magic over skb->len - off, the addresses of the IP header
 * (for IPv6 even with a routing header, as Linux does).
 */
static uint16_t
pseudo_sum(const uint8_t *f, size_t len, const struct l34 *h)
{
	uint32_t sum = 0, l4len = (uint32_t)(len - h->l4);

	if (h->ipver == 4)
		sum = sum16(sum, f + h->l3 + 12, 8);
	else
		sum = sum16(sum, f + h->l3 + 8, 32);
	sum += h->proto;
	sum += l4len >> 16;
	sum += l4len & 0xffff;
	return fold(sum);
}

int
nb_hdr_from_guest(uint8_t *frame, size_t len, uint16_t netif_flags,
    uint8_t gso_type, uint16_t gso_size, struct virtio_net_hdr *vh,
    enum nb_hdr_why *why)
{
	enum nb_hdr_why dummy;
	struct l34 h;
	uint16_t sum;
	bool gso;

	if (why == NULL)
		why = &dummy;
	*why = NB_HDRW_NONE;
	memset(vh, 0, sizeof(*vh));
	vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;

	switch (gso_type) {
	case XEN_NETIF_GSO_TYPE_NONE:
		gso = false;
		break;
	case XEN_NETIF_GSO_TYPE_TCPV4:
	case XEN_NETIF_GSO_TYPE_TCPV6:
		if (gso_size == 0 || gso_size == GSO_BY_FRAGS) {
			*why = NB_HDRW_GSO_UNSUPPORTED;
			return -1;
		}
		gso = true;
		break;
	default:
		*why = NB_HDRW_GSO_UNSUPPORTED;
		return -1;
	}

	/*
	 * Linux netback: csum_blank -> CHECKSUM_PARTIAL, else
	 * data_validated -> CHECKSUM_UNNECESSARY; a GSO frame is made
	 * PARTIAL even without csum_blank (checksum_setup "buggy peers").
	 */
	if (!(netif_flags & NETTXF_csum_blank) && !gso) {
		if (netif_flags & NETTXF_data_validated)
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}

	if (walk(frame, len, &h, why) == -1)
		return -1;
	if (gso && (h.proto != PROTO_TCP ||
	    h.ipver != (gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ? 4u : 6u))) {
		*why = NB_HDRW_GSO_MISMATCH;
		return -1;
	}

	/* virtio spec: csum_start from the frame start, offset within L4. */
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)h.l4;
	vh->csum_offset = (uint16_t)(h.proto == PROTO_TCP ? TCP_CSUM_OFF :
	    UDP_CSUM_OFF);
	if (gso) {
		vh->gso_type = gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
		    VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = gso_size;
		vh->hdr_len = (uint16_t)(h.l4 + h.l4hlen);
		if (!(netif_flags & NETTXF_csum_blank)) {
			sum = pseudo_sum(frame, len, &h);
			frame[h.l4 + TCP_CSUM_OFF] = (uint8_t)(sum >> 8);
			frame[h.l4 + TCP_CSUM_OFF + 1] = (uint8_t)sum;
		}
	}
	return 0;
}

int
nb_hdr_to_guest(const struct virtio_net_hdr *vh, const struct nb_fe_feat *fe,
    struct nb_rxmeta *m, enum nb_hdr_why *why)
{
	enum nb_hdr_why dummy;
	uint8_t type;

	if (why == NULL)
		why = &dummy;
	*why = NB_HDRW_NONE;
	memset(m, 0, sizeof(*m));
	m->gso_type = XEN_NETIF_GSO_TYPE_NONE;

	/* Linux netback RX: PARTIAL -> csum_blank|data_validated. */
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!fe->csum_v4 || !fe->csum_v6) {
			*why = NB_HDRW_CSUM_UNSUPPORTED;
			return -1;
		}
		m->flags = NETRXF_csum_blank | NETRXF_data_validated;
	} else if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		m->flags = NETRXF_data_validated;
	}

	type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!fe->sg || !fe->gso_v4)
			goto unsupported;
		m->gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!fe->sg || !fe->gso_v6)
			goto unsupported;
		m->gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
		break;
	default:
		goto unsupported;
	}
	/* Linux netfront: "GSO size must not be zero". */
	if (vh->gso_size == 0)
		goto unsupported;
	m->gso_size = vh->gso_size;
	return 0;

unsupported:
	m->gso_type = XEN_NETIF_GSO_TYPE_NONE;
	*why = NB_HDRW_GSO_UNSUPPORTED;
	return -1;
}

unsigned int
nb_hdr_tun_offload(const struct nb_fe_feat *fe)
{
	unsigned int f = 0;

	/*
	 * Linux xenvif_fix_features: no IP/IPv6 csum, no TSO without SG.
	 * TUN_F_CSUM covers both families, so it needs both.  No
	 * TUN_F_TSO_ECN, as Linux netback offers no NETIF_F_TSO_ECN: the
	 * kernel segments ECN-marked GSO frames itself.
	 */
	if (!fe->csum_v4 || !fe->csum_v6)
		return 0;
	f |= TUN_F_CSUM;
	if (fe->sg && fe->gso_v4)
		f |= TUN_F_TSO4;
	if (fe->sg && fe->gso_v6)
		f |= TUN_F_TSO6;
	return f;
}
