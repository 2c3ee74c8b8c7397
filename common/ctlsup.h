/*
 * ctlsup.h - the control socket of a supervised daemon (blkbackd,
 * netbackd): ctl.h's listener answered from supervise.h's device table
 * and the workers' counters.
 *
 * On a request every READY worker gets PROC_STATS_REQ "<seq>" and answers
 * PROC_STATS_RPL "<seq> <tokens>" (ctlfmt.h); the reply goes out when all
 * have answered or after CTL_STATS_MS, whichever comes first, with the
 * silent ones marked "not answering".  Each reply is checked against the
 * daemon's key table before any of it is used.  The parent itself never
 * waits: requests run side by side, each on its own timer.
 */
#ifndef XB_CTLSUP_H
#define XB_CTLSUP_H

struct ctl_key;
struct ctlsup;
struct sup;

/* How long the workers get to answer. */
#define CTL_STATS_MS	500
/* Devices reported per reply; more are counted ("devices_left_out"). */
#define CTL_DEVS_MAX	1024

/*
 * Serve the control socket at path for sup, naming the daemon as daemon
 * (a static string), with the workers' key table keys[0..nkeys) (static).
 * Returns NULL on failure (errno).
 */
struct ctlsup	*ctlsup_new(struct sup *, const char *daemon, const char *path,
		    const struct ctl_key *keys, unsigned int nkeys);

/* Answer nothing more: pending requests are dropped, the socket removed. */
void		 ctlsup_free(struct ctlsup *);

/* The worker's side: PROC_STATS_REQ -> reply (wproc.h wproc_on_stats()). */

#endif
