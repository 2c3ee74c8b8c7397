/*
 * netfront.h - what the three files of xbfront-net share: the connection to
 * one vif (rings, buffers, event channel), the frame plumbing and the
 * checks.  netfront.c is the conforming Mini-OS-shaped client and main();
 * netconform.c the every-feature client of "-C"; nethostile.c the attacks
 * of "-H MODE".
 */
#ifndef XB_NETFRONT_H
#define XB_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"		/* io/ring.h with our barriers */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "front.h"

#define PAGE		4096u
#define NRX		256u	/* RX buffers: one per ring slot */
#define NTX		64u	/* TX buffers (frames in flight) */
#define ETH_HLEN	14
#define ICMP_ID		0x5842
#define MAX_SEQ		1024
#define TX_PENDING	1000	/* txstatus[] of a request not answered yet */

struct nf {
	struct xfront		 x;	/* xenstore, grants, evtchn */
	netif_tx_front_ring_t	 tx;
	netif_rx_front_ring_t	 rx;
	void			*txs, *rxs;	/* shared ring pages */
	uint32_t		 tx_ref, rx_ref;
	evtchn_port_t		 port;
	uint8_t			*rxbuf, *txbuf;
	uint32_t		 rxgref[NRX], txgref[NTX];
	bool			 rx_posted[NRX];
	unsigned int		 rx_npost;	/* buffers posted at connect */
	uint16_t		 txfree[NTX];
	unsigned int		 ntxfree;
	bool			 txbusy[NTX];	/* id given to the backend */
	int			 txstatus[NTX];	/* last, per id */
	uint8_t			 mac[6], peer_mac[6];
	uint32_t		 ip, peer;	/* network order */
	bool			 have_peer;
	/* what arrived */
	unsigned long		 rx_frames, rx_err, tx_bad, tx_null;
	bool			 warned_flags, warned_csum;
	/* multicast frames since connecting: flood, registered, others */
	unsigned int		 mc_flood_n, mc_reg_n, mc_other_n;
	unsigned int		 mc_unreg_n;	/* of the others: mc_unreg */
	uint8_t			 mc_other[6];	/* the last other group */
	uint8_t			 seen[MAX_SEQ];	/* 1 ok, 2 bad */
	uint16_t		 sent_len[MAX_SEQ]; /* payload bytes */
	unsigned int		 seen_n, bad_n, dup_n;
};

void		 put16(uint8_t *, uint16_t);

/* Post RX buffer id (no notification: we have no rx-notify). */
void		 rx_post(struct nf *, uint16_t id);
/* Wait up to ms for an event, then take what both rings hold. */
void		 pump(struct nf *, int ms);
/* A free TX buffer's id, waiting up to 5 s for one; -1 if none. */
int		 tx_get(struct nf *);
/* Publish the TX requests queued, notify if the backend asks. */
void		 tx_push(struct nf *);
/* Send one frame in one slot. */
void		 send_frame(struct nf *, const uint8_t *, size_t);
void		 send_arp(struct nf *, uint16_t op, const uint8_t *tha,
		    uint32_t tpa);
/* An ICMP echo request of plen payload bytes to the peer into f; its length. */
size_t		 build_echo(struct nf *, uint8_t *f, unsigned int seq,
		    size_t plen);
void		 send_echo(struct nf *, unsigned int seq, size_t plen);
/* ARP for the peer; dies without an answer. */
void		 arp_peer(struct nf *);
/* Take the TX responses (ids back to the free list, status per id). */
void		 reap_tx(struct nf *);
/* One received frame: ARP, ICMP echo (requests answered, replies checked). */
void		 handle_frame(struct nf *, const uint8_t *, size_t);
/* Share ring pages and buffers, init the rings, post rx_npost buffers. */
void		 nf_share(struct nf *);
void		 nf_unshare(struct nf *);
/* Connect (rings, n->rx_npost RX buffers, event channel, Connected). */
void		 connect_dev(struct nf *, bool mcast, bool rx_notify);
/* Closing, Closed, both answered; unshare everything; judge the counters. */
void		 close_dev(struct nf *);

/* The checks of -C (netconform.c); the exit status. */
int		 net_conform(struct nf *);

/* The attacks of -H MODE (nethostile.c); the exit status. */
int		 net_hostile(struct nf *, const char *mode);
void		 net_hostile_usage(void);

#endif
