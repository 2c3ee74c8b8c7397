/*
 * nethdr.h - between netif flags and the TAP's virtio-net header.
 *
 * The TAP is opened with IFF_VNET_HDR: every frame crossing it is preceded
 * by a struct virtio_net_hdr (linux/virtio_net.h) that carries checksum
 * offload (NEEDS_CSUM + csum_start/csum_offset, or DATA_VALID) and GSO
 * (type + gso_size + hdr_len).  netif carries the same facts as
 * NETTXF_/NETRXF_ flags and a GSO extra-info slot, but without offsets, so
 * the guest-TX direction parses the frame's Ethernet/IPv4/IPv6/TCP/UDP
 * headers to find them (Linux skb_checksum_setup does the same).  Pure:
 * unit-tested natively (tests/unit/test_nethdr.c).
 */
#ifndef NETHDR_H
#define NETHDR_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "netif.h"

/* Why a frame could not be converted (drop counters). */
enum nb_hdr_why {
	NB_HDRW_NONE,
	NB_HDRW_NOT_IP,		/* checksum/GSO asked for a frame that is not IPv4/IPv6 */
	NB_HDRW_BAD_L3,		/* truncated or malformed IP header */
	NB_HDRW_NOT_TCP_UDP,	/* checksum offload for another L4 protocol */
	NB_HDRW_BAD_L4,		/* truncated L4 header */
	NB_HDRW_GSO_MISMATCH,	/* GSO type does not match the frame (v4 vs v6, not TCP) */
	NB_HDRW_GSO_UNSUPPORTED,/* GSO type the guest did not negotiate / unknown,
				   GSO size 0 or 0xffff (GSO_BY_FRAGS, tun refuses it) */
	NB_HDRW_IP_FRAGMENT,	/* checksum/GSO asked for an IP fragment (Linux
				   skb_checksum_setup: -EPROTO, any fragment) */
	NB_HDRW_CSUM_UNSUPPORTED,/* NEEDS_CSUM for a guest without csum offload */
	NB_HDRW_COUNT
};

const char	*nb_hdr_why_str(enum nb_hdr_why);

/*
 * Guest TX: build the virtio-net header for a frame the guest sent with
 * netif flags (NETTXF_csum_blank / NETTXF_data_validated) and GSO
 * (gso_type XEN_NETIF_GSO_TYPE_*, gso_size), the whole frame being in
 * frame[0..len).  csum_blank -> VIRTIO_NET_HDR_F_NEEDS_CSUM with
 * csum_start/csum_offset of the TCP/UDP checksum; data_validated alone ->
 * VIRTIO_NET_HDR_F_DATA_VALID; GSO -> VIRTIO_NET_HDR_GSO_TCPV4/6 with
 * hdr_len up to the end of the TCP header.  A GSO frame without
 * csum_blank gets NEEDS_CSUM too and its TCP checksum field is rewritten
 * to the pseudo-header sum the kernel expects (Linux skb_checksum_setup
 * with recalculate), which is why frame is writable.  Returns 0, or -1
 * with *why set (the caller drops the frame).
 *
 * One 802.1Q tag is understood (csum_start counts from the frame start);
 * IPv6 extension headers (hop-by-hop, routing, destination options, AH,
 * fragment) are walked up to 256 bytes of IPv6 header (Linux
 * MAX_IPV6_HDR_LEN).  Values are in host order, the TAP's default
 * (legacy virtio) vnet header order.  hdr_len is 0 without GSO (tun then
 * copies the frame linear).
 */
int		nb_hdr_from_guest(uint8_t *frame, size_t len, uint16_t netif_flags,
		    uint8_t gso_type, uint16_t gso_size,
		    struct virtio_net_hdr *vh, enum nb_hdr_why *why);

/* What goes back to the guest for one frame read from the TAP. */
struct nb_rxmeta {
	uint16_t	flags;		/* NETRXF_csum_blank / NETRXF_data_validated */
	uint8_t		gso_type;	/* XEN_NETIF_GSO_TYPE_*, NONE if no extra */
	uint16_t	gso_size;
};

/*
 * Guest RX: translate the virtio-net header the TAP put before a frame
 * into netif flags and GSO: NEEDS_CSUM -> csum_blank|data_validated,
 * DATA_VALID -> data_validated, GSO TCPV4/TCPV6 -> a GSO extra (ECN bit
 * ignored, as Linux netback does).  The TAP only hands us what
 * TUNSETOFFLOAD allowed (nb_hdr_tun_offload), so anything the guest did
 * not negotiate is an error.  Returns 0, or -1 with *why set.
 */
int		nb_hdr_to_guest(const struct virtio_net_hdr *vh,
		    const struct nb_fe_feat *, struct nb_rxmeta *m,
		    enum nb_hdr_why *why);

/*
 * The TUN_F_* flags for TUNSETOFFLOAD given the guest's features: what we
 * may be handed by the kernel because the guest can take it (TUN_F_CSUM
 * only if the guest takes csum_blank for both IPv4 and IPv6; TSO4/TSO6
 * only with SG and the matching feature-gso key, and only with CSUM).
 */
unsigned int	nb_hdr_tun_offload(const struct nb_fe_feat *);

#endif
