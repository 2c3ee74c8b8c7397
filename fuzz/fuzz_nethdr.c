/*
 * fuzz_nethdr.c - the netif code that parses guest-written frames and
 * control requests: nb_hdr_from_guest() (nethdr.c: Ethernet, 802.1Q,
 * IPv4, IPv6 extension headers, TCP/UDP, for the TAP's virtio-net
 * header), nb_hdr_to_guest()/nb_rx_slots() (what a guest RX packet
 * needs), and the control ring (netctrl.c: hash algorithm, key, mapping,
 * XSA-270) followed by nb_hash_frame() over the same frame.
 *
 * Input: netif flags, GSO type and size, the frontend's feature bits, a
 * virtio-net header as the TAP would hand it, the number of queues, up to
 * four control requests, then the frame.  The frame is allocated at its
 * exact length; the control requests' granted page is the frame's bytes
 * (repeated) in a page of its own.
 */
#include <stdbool.h>

#include "netctrl.h"
#include "netif.h"
#include "nethdr.h"
#include "nethdr_check.h"
#include "fuzz.h"

static uint8_t *cpage;

/* nb_ctrl_copy_fn: GNTTABOP_copy from the start of a granted page. */
static int
fake_copy(void *arg, uint32_t gref, void *dst, size_t len)
{
	(void)arg;
	FUZZ_CHECK(len <= XB_PAGE_SIZE);
	if (gref == 0 || gref >= 0xfff00000u)
		return -1;	/* not granted */
	memcpy(dst, cpage, len);
	return 0;
}

static void
check_hash(const struct nb_hash *h)
{
	uint32_t i;

	FUZZ_CHECK(h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE ||
	    h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
	FUZZ_CHECK((h->flags & ~(uint32_t)NB_HASH_TYPES_ALL) == 0);
	FUZZ_CHECK(h->size <= NB_HASH_MAPPING_MAX);
	/* Every queue a frame can be steered to exists. */
	for (i = 0; i < h->size; i++)
		FUZZ_CHECK(h->mapping[i] < h->nqueues);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct virtio_net_hdr vh, tapvh;
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response rsp;
	struct nb_fe_feat fe;
	struct nb_rxmeta m;
	struct nb_hash h;
	enum nb_hdr_why why = NB_HDRW_NONE;
	uint8_t gso_type, feat, nctrl, *frame, *orig, htype;
	uint16_t nflags, gso_size;
	uint32_t hash;
	unsigned int i, nslots;
	size_t len;
	int rc;

	nflags = fuzz_u16(&in);
	gso_type = fuzz_u8(&in);
	gso_size = fuzz_u16(&in);
	feat = fuzz_u8(&in);
	fuzz_take(&in, &tapvh, sizeof(tapvh));
	nb_hash_init(&h, (fuzz_u8(&in) & 7) + 1);
	nctrl = fuzz_u8(&in) & 3;

	memset(&fe, 0, sizeof(fe));
	fe.sg = feat & 1;
	fe.gso_v4 = feat & 2;
	fe.gso_v6 = feat & 4;
	fe.csum_v4 = feat & 8;
	fe.csum_v6 = feat & 16;

	/* Guest RX: what the TAP hands us, against what the guest accepts. */
	rc = nb_hdr_to_guest(&tapvh, &fe, &m, &why);
	if (rc == 0) {
		FUZZ_CHECK(why == NB_HDRW_NONE);
		FUZZ_CHECK(m.gso_type == XEN_NETIF_GSO_TYPE_NONE ||
		    (m.gso_type == XEN_NETIF_GSO_TYPE_TCPV4 && fe.sg &&
		    fe.gso_v4 && m.gso_size > 0) ||
		    (m.gso_type == XEN_NETIF_GSO_TYPE_TCPV6 && fe.sg &&
		    fe.gso_v6 && m.gso_size > 0));
		FUZZ_CHECK(!(m.flags & NETRXF_csum_blank) ||
		    (fe.csum_v4 && fe.csum_v6));
	} else
		FUZZ_CHECK(why > NB_HDRW_NONE && why < NB_HDRW_COUNT);

	/* Control requests, as the control ring hands them over (a copy). */
	cpage = malloc(XB_PAGE_SIZE);
	FUZZ_CHECK(cpage != NULL);
	for (i = 0; i < nctrl; i++) {
		fuzz_take(&in, &req, sizeof(req));
		if (i == 0) {
			struct fuzz_in rest = in;

			fuzz_fill(&rest, cpage, XB_PAGE_SIZE);
		}
		memset(&rsp, 0xa5, sizeof(rsp));
		nb_ctrl_handle(&h, &req, &rsp, fake_copy, NULL);
		FUZZ_CHECK(rsp.id == req.id && rsp.type == req.type);
		FUZZ_CHECK(rsp.status <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
		check_hash(&h);
	}

	/* The frame, at its exact length. */
	len = in.n;
	frame = malloc(len ? len : 1);
	orig = malloc(len ? len : 1);
	FUZZ_CHECK(frame != NULL && orig != NULL);
	memcpy(frame, in.p, len);
	memcpy(orig, in.p, len);

	if (nb_hash_frame(&h, frame, len, &hash, &htype)) {
		FUZZ_CHECK(h.alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
		FUZZ_CHECK(htype < 32 && (h.flags & (1u << htype)));
		FUZZ_CHECK(nb_hash_queue(&h, hash) < h.nqueues);
	}

	nslots = nb_rx_slots((uint32_t)len, gso_type, &fe);
	FUZZ_CHECK(nslots <= (NB_MAX_PKT + XB_PAGE_SIZE - 1) / XB_PAGE_SIZE + 1);
	if (nslots > 1 && gso_type == XEN_NETIF_GSO_TYPE_NONE)
		FUZZ_CHECK(fe.sg);

	rc = nb_hdr_from_guest(frame, len, nflags, gso_type, gso_size, &vh,
	    &why);
	check_hdr_from_guest(orig, frame, len, nflags, gso_type, gso_size, rc,
	    &vh, why);

	free(orig);
	free(frame);
	free(cpage);
	return 0;
}
