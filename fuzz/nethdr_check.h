/*
 * nethdr_check.h - what nb_hdr_from_guest() promises, checked after each
 * call by fuzz_netif.c and fuzz_nethdr.c.  orig is the frame as it was
 * before the call.  The virtio-net header goes to the host kernel's tun
 * driver: its offsets must lie inside the frame.
 */
#ifndef XB_NETHDR_CHECK_H
#define XB_NETHDR_CHECK_H

#include "nethdr.h"
#include "fuzz.h"

static inline void
check_hdr_from_guest(const uint8_t *orig, const uint8_t *frame, size_t len,
    uint16_t nflags, uint8_t gso_type, uint16_t gso_size, int rc,
    const struct virtio_net_hdr *vh, enum nb_hdr_why why)
{
	size_t sum_at;

	if (rc == -1) {
		FUZZ_CHECK(why > NB_HDRW_NONE && why < NB_HDRW_COUNT);
		FUZZ_CHECK(memcmp(orig, frame, len) == 0);
		return;
	}
	FUZZ_CHECK(rc == 0 && why == NB_HDRW_NONE);
	if (vh->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* Nothing to offload: the frame is untouched. */
		FUZZ_CHECK(vh->flags == 0 ||
		    vh->flags == VIRTIO_NET_HDR_F_DATA_VALID);
		FUZZ_CHECK(vh->gso_type == VIRTIO_NET_HDR_GSO_NONE);
		FUZZ_CHECK(gso_type == XEN_NETIF_GSO_TYPE_NONE &&
		    !(nflags & NETTXF_csum_blank));
		FUZZ_CHECK(memcmp(orig, frame, len) == 0);
		return;
	}
	/* The checksum field tun will fill lies inside the frame. */
	FUZZ_CHECK(vh->csum_start >= NB_ETH_HLEN);
	FUZZ_CHECK(vh->csum_offset == 16 || vh->csum_offset == 6);
	sum_at = (size_t)vh->csum_start + vh->csum_offset;
	FUZZ_CHECK(sum_at + 2 <= len);
	if (gso_type == XEN_NETIF_GSO_TYPE_NONE) {
		FUZZ_CHECK(vh->gso_type == VIRTIO_NET_HDR_GSO_NONE &&
		    vh->hdr_len == 0);
		FUZZ_CHECK(memcmp(orig, frame, len) == 0);
		return;
	}
	FUZZ_CHECK(vh->gso_type == (gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
	    VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6));
	FUZZ_CHECK(vh->gso_size == gso_size && gso_size != 0 &&
	    gso_size != 0xffff);
	/* TCP: hdr_len covers at least the 20-byte header, inside the frame. */
	FUZZ_CHECK(vh->csum_offset == 16);
	FUZZ_CHECK(vh->hdr_len >= (size_t)vh->csum_start + 20);
	FUZZ_CHECK(vh->hdr_len <= len);
	/* Only the TCP checksum field may have been rewritten. */
	FUZZ_CHECK(memcmp(orig, frame, sum_at) == 0);
	FUZZ_CHECK(memcmp(orig + sum_at + 2, frame + sum_at + 2,
	    len - sum_at - 2) == 0);
	if (nflags & NETTXF_csum_blank)
		FUZZ_CHECK(memcmp(orig + sum_at, frame + sum_at, 2) == 0);
}

#endif
