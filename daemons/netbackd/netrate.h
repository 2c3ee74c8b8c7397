/*
 * netrate.h - the vif's "rate" limit (guest TX), with Linux xen-netback's
 * credit semantics (netback.c tx_credit_exceeded/tx_add_credit): every
 * interval the credit is topped up by the configured bytes, up to
 * max(bytes + 64 KiB, 128 KiB) so a 64 KiB GSO packet can always pass and
 * the credit a waiting packet could not use is not lost (see netrate.c).  Unlike
 * Linux there is one bucket per vif, shared by its queues, so the cap is
 * what the administrator wrote whatever the number of queues.  Pure.
 */
#ifndef NETRATE_H
#define NETRATE_H

#include <stdbool.h>
#include <stdint.h>

/* Linux: "a burst big enough to transmit a jumbo packet of up to 128kB". */
#define NB_RATE_MIN_BURST	(128u * 1024u)
/* The largest packet a guest can send (a 64 KiB GSO frame). */
#define NB_RATE_PKT_MAX		65536u

struct nb_rate {
	uint64_t	bytes;		/* per interval; 0: unlimited */
	uint64_t	usec;		/* interval */
	uint64_t	remaining;	/* credit left */
	uint64_t	window_start;	/* us, monotonic; while limited: the
					   top-up Linux's credit timer is set for */
	bool		limited;	/* refused a packet, top-up pending */
};

/*
 * Parse the backend's "rate" key as libxl writes it,
 * "<bytes per interval>,<interval in microseconds>" (libxl_nic.c).
 * Returns 0, or -1 with errno EINVAL (caller: unlimited, with a warning).
 */
int		nb_rate_parse(const char *, uint64_t *bytes, uint64_t *usec);

/*
 * Set the limit (bytes 0 or usec 0: unlimited); the credit starts full
 * and nothing is pending.  Also for a live change of "rate".
 */
void		nb_rate_set(struct nb_rate *, uint64_t bytes, uint64_t usec,
		    uint64_t now_us);

/*
 * May a packet of size bytes leave now?  If yes the credit is charged and
 * true returned.  If not, *wait_us says in how many microseconds (from
 * now_us, always > 0) to try again - the start of the next window - and
 * nothing is charged; wait_us may be NULL.  As in Linux the credit is
 * looked at only when the packet does not fit, and a refused packet
 * arms a top-up at the end of the window (Linux credit_timeout): the
 * retry gets it whenever it comes, so windows stay aligned under load.
 * Unlike Linux, a top-up that just happened and still leaves too little
 * waits a whole window (Linux re-arms its timer at the old window end, in
 * the past, and tops up twice at once).
 */
bool		nb_rate_take(struct nb_rate *, uint64_t now_us, uint32_t size,
		    uint64_t *wait_us);

#endif
