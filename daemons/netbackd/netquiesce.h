/*
 * netquiesce.h - the record a netbackd worker leaves in its backend
 * directory when the daemon stops cleanly (docs/ARCHITECTURE.md "Stop and
 * start"), so that the next daemon's worker can re-attach to the live
 * rings without the guest reconnecting.  The TAP itself survives as a
 * persistent interface (netbackd.c).
 *
 * Key XB_QUIESCED_KEY (quiesce.h) in backend/vif/<domid>/<devid>, one
 * line:
 *
 *   1 <nq> <nmcast> <q0> ... <q(nq-1)> [<mac0> ... <mac(nmcast-1)>]
 *   <q> = <tx-ring-ref>:<rx-ring-ref>:<evtchn-tx>:<evtchn-rx>:<tx-rsp>:<rx-rsp>
 *
 * evtchn-tx/-rx are the frontend's ports (equal: one shared channel, the
 * key event-channel; different: event-channel-tx/-rx, io/netif.h "Split
 * event channels").  tx-rsp and rx-rsp are the rings' response producers
 * when the worker left: every slot it consumed was answered and pushed
 * (req_cons equal), so a successor starts there.  The macs are the
 * multicast list the guest registered (request-multicast-control), as
 * "aa:bb:cc:dd:ee:ff", lower case.
 *
 * Anyone with write access to the backend directory could have written it
 * (a compromised worker, through the proxy): it is parsed like guest input
 * and only trusted if the frontend's keys and rings still agree.
 */
#ifndef NETQUIESCE_H
#define NETQUIESCE_H

#include <stddef.h>
#include <stdint.h>

#include "netbackd.h"
#include "netif.h"
#include "quiesce.h"

/*
 * 16 queues of six 10-digit numbers (1056 bytes) and 64 multicast
 * addresses (1152): 2220 at most, inside a xenstore write's 4096
 * (XENSTORE_PAYLOAD_MAX) with the path.
 */
#define NETQ_MAX_LEN		2400u

struct netq_queue {
	uint32_t	tx_ref, rx_ref;		/* the rings' grant refs */
	uint32_t	evtchn_tx, evtchn_rx;	/* the frontend's ports */
	uint32_t	tx_rsp, rx_rsp;		/* rsp_prod of each ring */
};

struct netq_rec {
	unsigned int		nq;
	struct nb_mcast		mcast;
	struct netq_queue	q[NET_MAX_QUEUES];
};

/*
 * Format rec into buf (len bytes).  Returns the length, or -1 with errno
 * EINVAL (rec out of bounds) or ENOSPC.
 */
int	netq_format(const struct netq_rec *, char *buf, size_t len);

/*
 * Parse s strictly: version, 1 <= nq <= max_queues, nmcast <=
 * NB_MCAST_MAX, every number a canonical decimal uint32, ports not 0,
 * exactly nq queues and nmcast distinct lower-case addresses, single
 * spaces, nothing after.  Returns 0, or -1 with *why naming the first
 * problem (a static string).
 */
int	netq_parse(const char *s, unsigned int max_queues, struct netq_rec *,
	    const char **why);

/*
 * Does the frontend (read through rd, quiesce.h) still describe the rings
 * of rec: its multi-queue-num-queues (absent: 1), and per queue (keys at the top for
 * one queue, under queue-<i>/ otherwise, as netfront writes them)
 * tx-ring-ref, rx-ring-ref and event-channel, or event-channel-tx and
 * -rx if the record's ports differ (then event-channel-tx must be absent
 * for a shared one, as a connect would read it)?  Returns 1 (matches), 0
 * (does not: *why says what differs).
 */
int	netq_match(const struct netq_rec *, xbq_read_fn *, void *arg,
	    const char **why);

#endif
