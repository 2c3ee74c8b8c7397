/*
 * netif.h - the pure rules of the netif protocol (io/netif.h): taking a
 * guest TX packet apart, planning a guest RX packet into slots, and the
 * multicast filter.  No I/O, no xenstore: the worker feeds these functions
 * copies of ring slots and acts on the verdicts, so every rule here is
 * unit-tested natively (tests/unit/test_netif*.c).
 *
 * The validation rules are Linux xen-netback's (netback.c
 * xenvif_tx_build_gops, xenvif_count_requests, xenvif_get_extras) with the
 * lessons of XSA-39, -155, -423, -432 and -448; each is cited where it is
 * applied and listed in docs/ARCHITECTURE.md ("netif rules").
 */
#ifndef NETIF_H
#define NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "ring.h"		/* io/ring.h with our barriers */
#include <xen/io/netif.h>

#define NB_ETH_HLEN		14u
#define NB_ETH_ALEN		6u
/*
 * Slot limits, counted as Linux xenvif_count_requests counts them: over
 * the fragments after the first slot, checked each time one more follows.
 * A packet whose fragments number more than NB_TX_DROP_SLOTS (18, Linux
 * XEN_NETBK_LEGACY_SLOTS_MAX = XEN_NETIF_NR_SLOTS_MIN) is dropped, more
 * than NB_TX_FATAL_SLOTS (20, Linux fatal_skb_slots) breaks the frontend.
 * In slots per packet (first + fragments): up to 19 forwarded, 20 and 21
 * dropped, 22 or more fatal.
 */
#define NB_TX_DROP_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define NB_TX_FATAL_SLOTS	20u
/* Data slots a packet can have when nb_tx_take answers (DROP: 1 + 20). */
#define NB_TX_MAX_DATA		(NB_TX_FATAL_SLOTS + 1u)
/* Extra-info slots one packet may carry: one per type at most. */
#define NB_TX_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* Largest packet either direction (first->size is 16 bits). */
#define NB_MAX_PKT		XEN_NETIF_MAX_TX_SIZE
/* Multicast addresses a frontend may register (Linux XEN_NETBK_MCAST_MAX). */
#define NB_MCAST_MAX		64u
/* TX/RX ring entries: netif rings are always one page. */
#define NB_TX_RING_SIZE		__CONST_RING_SIZE(netif_tx, XB_PAGE_SIZE)
#define NB_RX_RING_SIZE		__CONST_RING_SIZE(netif_rx, XB_PAGE_SIZE)

/* ---- guest TX ------------------------------------------------------------------ */

enum nb_tx_verdict {
	NB_TX_PKT,	/* a packet to forward: nb_txpkt.seg[] describes it */
	NB_TX_DUMMY,	/* consumed and answered OKAY, nothing to forward
			   (multicast control request; a zero-length
			   packet is NB_TX_DROP TOO_SHORT, as in Linux) */
	NB_TX_DROP,	/* answer every slot with XEN_NETIF_RSP_ERROR, go on */
	NB_TX_FATAL,	/* the frontend broke the protocol: close this vif */
	NB_TX_SHORT,	/* the packet runs past the slots given: see nb_tx_take */
};

/* Why a packet was dropped or the vif closed (counters are per reason). */
enum nb_tx_why {
	NB_TXW_NONE,
	NB_TXW_TOO_SHORT,	/* drop: first slot's data < ETH_HLEN */
	NB_TXW_TOO_MANY_SLOTS,	/* drop: > 18 fragments (20, 21 slots) */
	NB_TXW_FRAG_TOO_BIG,	/* drop: fragment larger than what remains */
	NB_TXW_FATAL_SLOTS,	/* fatal: > 20 fragments (22+ slots) */
	NB_TXW_CROSS_PAGE,	/* fatal: offset + size > 4096 */
	NB_TXW_INCOMPLETE,	/* fatal: packet runs past req_prod */
	NB_TXW_BAD_EXTRA,	/* fatal: extra type 0 or >= MAX, or repeated */
	NB_TXW_BAD_GSO,		/* fatal: GSO size 0 or unknown GSO type */
	NB_TXW_MCAST_FULL,	/* dummy answered ERROR: list full */
	NB_TXW_COUNT
};

/* Printable reason ("first slot shorter than 14 bytes"). */
const char	*nb_tx_why_str(enum nb_tx_why);

/* One data slot of a TX packet (a copy: nothing is read twice, XSA-155). */
struct nb_txseg {
	uint32_t	gref;
	uint16_t	offset;
	uint16_t	len;		/* bytes of packet data in this slot */
	uint16_t	id;		/* request id, for the response */
};

struct nb_txpkt {
	unsigned int	nreq;		/* ring slots consumed (data + extras) */
	unsigned int	nseg;		/* data slots with len > 0, in seg[] */
	struct nb_txseg	seg[NB_TX_FATAL_SLOTS];
	/* Slots whose response is OKAY regardless (zero-length fragments,
	   XSA-448): their ids. */
	unsigned int	nzero;
	uint16_t	zero_id[NB_TX_FATAL_SLOTS];
	unsigned int	nextra;		/* extra-info slots: XEN_NETIF_RSP_NULL each */
	uint32_t	len;		/* total packet length (first->size) */
	uint16_t	flags;		/* NETTXF_csum_blank / NETTXF_data_validated */
	uint8_t		gso_type;	/* XEN_NETIF_GSO_TYPE_*, NONE if no GSO */
	uint16_t	gso_size;
	/* Multicast control carried by this request (NB_TX_DUMMY). */
	bool		mcast_add, mcast_del;
	uint8_t		mcast_addr[NB_ETH_ALEN];
	/* Ids of every data slot (incl. zero-length), in ring order, for
	   DROP answers: nids entries (DUMMY: the one request). */
	unsigned int	nids;
	uint16_t	ids[NB_TX_MAX_DATA];
	enum nb_tx_why	why;
};

/*
 * Take the packet that starts at slots[0].  slots[] are copies of the
 * nslots requests between req_cons and req_prod (extra-info slots are
 * struct netif_extra_info overlaid on the same 12 bytes, as io/netif.h
 * lays them out).  Fills *p and returns the verdict; p->nreq says how many
 * slots the packet used (for NB_TX_DROP too, so the ring moves on).
 * NB_TX_FATAL and NB_TX_DROP set p->why.  NB_TX_SHORT: the packet (or
 * its extras) continues past slots[nslots - 1]; if nslots was everything
 * up to req_prod the frontend published half a packet, which the caller
 * treats as fatal (NB_TXW_INCOMPLETE, Linux "Missing extra info" / "Asked
 * for N slots"); p->why is NB_TXW_INCOMPLETE.  Nothing is forwarded for
 * DROP/FATAL/DUMMY/SHORT.  DROP answers ids[0..nids) ERROR (zero-length
 * slots too, as Linux xenvif_tx_err does) and nextra NULLs after ids[0];
 * PKT answers every slot OKAY once forwarded (seg[] and zero_id[]).
 * A DUMMY consumes the request and its extras only (nreq = 1 + nextra):
 * like Linux, slots after it are a new packet even if it set more_data.
 * Stricter than Linux: a second extra of one type is BAD_EXTRA (Linux
 * keeps the last), which bounds the chain to NB_TX_MAX_EXTRAS.
 * A prefix of the slots gives NB_TX_SHORT or the same answer as the whole.
 * Pure: the same input gives the same output.
 */
enum nb_tx_verdict nb_tx_take(const netif_tx_request_t *slots,
		    unsigned int nslots, struct nb_txpkt *p);

/* ---- guest RX ------------------------------------------------------------------ */

/* What the frontend accepts (its feature-* keys, read at connect). */
struct nb_fe_feat {
	bool	sg;		/* feature-sg: a packet may span several slots */
	bool	gso_v4;		/* feature-gso-tcpv4 */
	bool	gso_v6;		/* feature-gso-tcpv6 */
	bool	csum_v4;	/* !feature-no-csum-offload: csum_blank IPv4 */
	bool	csum_v6;	/* feature-ipv6-csum-offload */
	bool	rx_notify;	/* feature-rx-notify */
	bool	mcast_ctrl;	/* request-multicast-control */
};

/*
 * Slots a packet of len bytes needs in the guest's RX ring: one per 4096
 * bytes (each response carries up to a page at offset 0), one more for a
 * GSO extra.  Returns 0 if the guest cannot take it at all (len 0, longer
 * than one page without feature-sg, GSO the guest did not ask for or
 * without feature-sg (Linux offers TSO only with SG), an unknown GSO
 * type, longer than NB_MAX_PKT).
 */
unsigned int	nb_rx_slots(uint32_t len, uint8_t gso_type,
		    const struct nb_fe_feat *);

/* ---- multicast control ----------------------------------------------------------- */

struct nb_mcast {
	unsigned int	n;
	uint8_t		addr[NB_MCAST_MAX][NB_ETH_ALEN];
};

/* Add an address (idempotent).  Returns 0, or -1 if the list is full. */
int		nb_mcast_add(struct nb_mcast *, const uint8_t addr[NB_ETH_ALEN]);

/* Remove an address if present. */
void		nb_mcast_del(struct nb_mcast *, const uint8_t addr[NB_ETH_ALEN]);

/*
 * Should a frame to dst reach a guest with multicast control enabled?
 * Unicast and broadcast always; multicast only if registered (Linux
 * xenvif_start_xmit with vif->multicast_control).
 */
bool		nb_mcast_pass(const struct nb_mcast *, const uint8_t dst[NB_ETH_ALEN]);

/* ---- xenstore values ------------------------------------------------------------ */

/* Parse "aa:bb:cc:dd:ee:ff" (the backend's "mac").  Returns 0 or -1. */
int		nb_mac_parse(const char *, uint8_t mac[NB_ETH_ALEN]);

#endif
