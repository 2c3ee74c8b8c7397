/*
 * blkbackd.h - what the two roles of blkbackd share.
 */
#ifndef BLKBACKD_H
#define BLKBACKD_H

#include <sys/types.h>

#include <stdbool.h>

#define BLK_TYPE	"vbd"		/* xenstore backend type libxl writes for phy disks */

/*
 * Default multi-queue-max-queues.  Linux blkback offers one queue per dom0
 * CPU; the queues exist for the guest's vCPUs (one ring each, no shared
 * lock in the guest), and one worker serves all of a disk's rings from
 * one loop, so the guest's side decides: 4, as many as blkfront uses by
 * default on a 4-vCPU guest.
 */
#define BLK_DEF_QUEUES		4u
#define BLK_MAX_QUEUES		16u
/* Persistent grants kept mapped per ring (Linux max_persistent_grants). */
#define BLK_DEF_PGRANTS		1056u
#define BLK_MAX_PGRANTS		65536u

/* The sandbox: workers run as this user, chrooted to an empty directory. */
#define BLK_USER		"_xbblk"
#define BLK_SANDBOX_ROOT	"/run/blkbackd/empty"
/* The control socket (ctlsup.h): beside the chroot, never in it. */
#define BLK_CTL_SOCK	"/run/blkbackd/control.sock"

/* Settings the parent hands to each worker on its command line. */
struct blk_opts {
	unsigned int	max_queues;	/* -q: multi-queue-max-queues */
	unsigned int	pgrants;	/* -p: persistent grants per ring, 0: off */
	int		verbose;
	int		foreground;
	bool		resume;		/* -R: a successor (restart protocol) */
	bool		reattach;	/* -A: after a clean stop (blkquiesce.h) */
	bool		test;		/* -T: test hooks (wproc_test_hooks) */
	uid_t		uid;		/* -S uid:gid: the sandbox's user */
	gid_t		gid;
};

/*
 * Worker role: serve backend/vbd/<domid>/<devid>.  Its fds arrive on
 * PROC_CHAN_FD as PROC_FD messages, in this order: the backing store
 * (data names it: "raw", or "nbd:" followed by the export name), the
 * restart journal ("journal", blkjournal.h) and the event-channel handle
 * restricted to the guest ("evtchn").  With -R it resumes a live ring
 * from the journal (docs/ARCHITECTURE.md "Restart protocol").  Returns
 * the exit status.
 */
int	worker_main(unsigned int domid, unsigned int devid,
	    const struct blk_opts *);

#endif
