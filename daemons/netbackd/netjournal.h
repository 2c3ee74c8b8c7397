/*
 * netjournal.h - netbackd's restart journal (docs/design/isolation-restart.md
 * 3.6): what a successor worker needs to take over a live vif without the
 * guest noticing.  It lives in a memfd the parent keeps (MAP_SHARED), so it
 * outlives a worker killed at any instruction.
 *
 * netif answers every TX and RX request in the ring slot of the request,
 * in slot order, so per queue and direction the journal holds only the
 * consumer index (cons), the responses published (rsp) and, per consumed
 * slot, the response it gets if the worker dies before answering it: the
 * request id, or for a TX extra-info slot NETIF_RSP_NULL.  A successor
 * answers [published, cons) with NETIF_RSP_ERROR: a frame lost or already
 * sent is the network's ordinary business, a missing or doubled response
 * is not (netfront marks the device broken on an unexpected id, XSA-391).
 *
 * Write order (single writer; a SIGKILL may fall between any two stores,
 * and stores made are in the page cache, so only compiler order matters):
 *   ids of the slots taken -> cons (release) -> the worker's req_cons ->
 *   responses -> RING_PUSH (sring->rsp_prod) -> rsp (release).
 *
 * The successor checks the journal like guest input (nj_check()) and
 * falls back to a normal connect if anything is out of bounds.  Pure: no
 * I/O, unit-tested in tests/unit/test_netjournal.c.
 */
#ifndef NETJOURNAL_H
#define NETJOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netbackd.h"
#include "netif.h"

/* Where struct nj starts in the journal memfd (after struct journal_hdr). */
#define NJ_OFFSET		64u
#define NJ_MAGIC		0x314a4e58u	/* "XNJ1" */
#define NJ_VERSION		1u
/* Both netif rings are one page: 256 slots each (io/netif.h). */
#define NJ_SLOTS		256u
/* ids[]: a TX extra-info slot, answered NETIF_RSP_NULL. */
#define NJ_ID_EXTRA		0x10000u

/* flags */
#define NJ_CONNECTED		0x1u	/* the record below describes live rings */
#define NJ_CLEAN		0x2u	/* quiesced: nothing unanswered */

/* feat bits (struct nb_fe_feat) */
#define NJ_FEAT_SG		0x01u
#define NJ_FEAT_GSO_V4		0x02u
#define NJ_FEAT_GSO_V6		0x04u
#define NJ_FEAT_CSUM_V4		0x08u
#define NJ_FEAT_CSUM_V6		0x10u
#define NJ_FEAT_RX_NOTIFY	0x20u
#define NJ_FEAT_MCAST_CTRL	0x40u
#define NJ_FEAT_ALL		0x7fu

/* One direction of one queue. */
struct nj_dir {
	uint32_t	cons;		/* slots consumed */
	uint32_t	rsp;		/* responses published (<= sring->rsp_prod) */
	uint32_t	ids[NJ_SLOTS];	/* response of slot i at [i % NJ_SLOTS] */
};

struct nj_queue {
	uint32_t	tx_ref, rx_ref;		/* the rings' grant refs */
	uint32_t	rport_tx, rport_rx;	/* the frontend's ports */
	uint32_t	lport_tx, lport_rx;	/* ours, bound on the kept evtchn fd */
	struct nj_dir	tx, rx;
};

/* The net part of the journal (after the common header, if any). */
struct nj {
	uint32_t	magic, version;
	uint32_t	flags;
	uint32_t	nq;
	uint32_t	feat;
	uint32_t	nmcast;
	uint8_t		mcast[NB_MCAST_MAX][NB_ETH_ALEN];
	struct nj_queue	q[NET_MAX_QUEUES];
};

/* Zero *j and stamp magic and version: not connected. */
void		 nj_init(struct nj *);

/*
 * Record a connection: nq queues (refs and ports already in j->q[]),
 * the features and an empty multicast list; each direction starts at
 * the ring's rsp_prod (cons = rsp).  Sets NJ_CONNECTED last (release).
 */
void		 nj_connect(struct nj *, const struct nb_fe_feat *);

/* The device disconnected: clear NJ_CONNECTED (release). */
void		 nj_disconnect(struct nj *);

/* Copy the multicast list in (after every change; n <= NB_MCAST_MAX). */
void		 nj_set_mcast(struct nj *, const struct nb_mcast *);

/* Unpack the features / multicast list of a checked journal. */
void		 nj_get_feat(const struct nj *, struct nb_fe_feat *);
void		 nj_get_mcast(const struct nj *, struct nb_mcast *);

/*
 * Is j a connection record a successor may resume, for a worker with
 * ntap TAP queues?  Checks magic, version, NJ_CONNECTED, 1 <= nq <= ntap,
 * the feature bits, nmcast, and per direction cons - rsp <= NJ_SLOTS and
 * every pending id in range.  Returns 0, or -1 with the reason in why.
 */
int		 nj_check(const struct nj *, unsigned int ntap, char *why,
		    size_t whylen);

/*
 * Guest TX: packet p was taken at slot cons (p->nreq slots).  Records
 * the response each slot gets, in the order nettx.c answers them (first
 * id, one NULL per extra, the other ids), then d->cons = cons + nreq.
 * Call before the worker's req_cons moves and before any response of
 * the packet is written.
 */
void		 nj_tx_take(struct nj_dir *, uint32_t cons,
		    const struct nb_txpkt *p);

/* Guest RX: n slots taken at start with ids[]; then d->cons = start + n. */
void		 nj_rx_take(struct nj_dir *, uint32_t start, const uint16_t *ids,
		    unsigned int n);

/* Responses up to rsp are published (after RING_PUSH_RESPONSES). */
void		 nj_pushed(struct nj_dir *, uint32_t rsp);

/* What a recovery did, for the "resumed:" log line. */
struct nj_recovered {
	unsigned int	answered;	/* slots answered ERROR / NULL now */
	unsigned int	published;	/* published but not journaled (skipped) */
	bool		bad_rsp;	/* the guest's rsp_prod was out of range */
};

/*
 * Successor, after nj_check(): answer what the dead worker left
 * unanswered on a TX ring.  r must be attached to the mapped ring; on
 * return r->req_cons == r->rsp_prod_pvt == d->cons, the responses are
 * pushed (not notified: the caller notifies every port once) and d->rsp
 * == d->cons.  Slots the dead worker already published (sring->rsp_prod
 * past d->rsp) are never written again: the guest may have reused them.
 */
void		 nj_tx_recover(struct nj_dir *, netif_tx_back_ring_t *r,
		    struct nj_recovered *);

/* The same for an RX ring: one-slot {id, ERROR, flags 0} responses. */
void		 nj_rx_recover(struct nj_dir *, netif_rx_back_ring_t *r,
		    struct nj_recovered *);

#endif
