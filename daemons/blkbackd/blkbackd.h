/*
 * blkbackd.h - what the two roles of blkbackd share.
 */
#ifndef BLKBACKD_H
#define BLKBACKD_H

#define BLK_TYPE	"vbd"		/* xenstore backend type libxl writes for phy disks */

/*
 * Worker role: serve backend/vbd/<domid>/<devid>.  The backing store's fd
 * arrives on PROC_CHAN_FD as a PROC_FD message.  Returns the exit status.
 */
int	worker_main(unsigned int domid, unsigned int devid, int verbose,
	    int foreground);

#endif
