/*
 * netbackd.h - what the two roles of netbackd share.
 */
#ifndef NETBACKD_H
#define NETBACKD_H

#include <sys/types.h>

#include <stdbool.h>

#define NET_TYPE	"vif"		/* xenstore backend type libxl writes for vifs */

/*
 * Default multi-queue-max-queues.  Linux netback offers min(8, dom0 CPUs);
 * netfront then uses one queue per guest vCPU up to that.  The queues
 * exist for the guest (one ring per vCPU, no shared lock there) and for
 * flow spreading in the TAP; one worker serves a vif's queues from one
 * loop, so 4 covers the common guest sizes.
 */
#define NET_DEF_QUEUES	4u
#define NET_MAX_QUEUES	16u

/* The name of the TAP for a vif: Linux netback's "vif%u.%u" (libxl_linux.c). */
#define NET_IFNAME_FMT	"vif%u.%u"

/* The sandbox: workers run as this user, chrooted to an empty directory. */
#define NET_USER		"_xbnet"
#define NET_SANDBOX_ROOT	"/run/netbackd/empty"
/* The control socket (ctlsup.h): beside the chroot, never in it. */
#define NET_CTL_SOCK	"/run/netbackd/control.sock"

/*
 * The features every vif advertises as "1" before InitWait (worker.c,
 * Linux netback_probe()), NULL-terminated.
 */
extern const char *const net_features_on[];

/* Settings the parent hands to each worker on its command line. */
struct net_opts {
	unsigned int	max_queues;	/* -q: multi-queue-max-queues */
	int		verbose;
	int		foreground;
	bool		resume;		/* -R: a successor; try the journal */
	bool		reattach;	/* -A: after a clean stop (netquiesce.h) */
	bool		test;		/* -T: test hooks (wproc_test_hooks) */
	uid_t		uid;		/* -S uid:gid: the sandbox's user */
	gid_t		gid;
};

/*
 * Worker role: serve backend/vif/<domid>/<devid>.  Its fds arrive on
 * PROC_CHAN_FD as PROC_FD messages: max_queues named "tap", then
 * "evtchn" (restricted to the guest) and "journal" (netjournal.h), all
 * held by the parent for the device's life.  Returns the exit status.
 */
int	worker_main(unsigned int domid, unsigned int devid,
	    const struct net_opts *);

#endif
