/*
 * sandbox.c - what a blkbackd worker may call once it serves a guest: the
 * rows added to common/sandbox.c's common ones (`blkbackd
 * --print-sandbox` prints both).  docs/design/isolation-restart.md 2 has
 * the code path behind each row; docs/SECURITY.md the whole picture.
 * Anything not here traps: open/exec/socket calls fail with EACCES and are
 * logged by the parent, any other call kills the worker.
 */
#include <sys/ioctl.h>

#include <linux/fs.h>
#include <stdint.h>
#include <xen/xen.h>		/* domid_t, for xen/sys/evtchn.h */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>

#include <seccomp.h>

#include "sandbox.h"
#include "worker.h"

const struct sandbox_rule blk_sandbox[] = {
	/* Event channels: the handle the parent restricted to the guest. */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ,
	    IOCTL_EVTCHN_BIND_INTERDOMAIN, "bind the guest's ports at connect "
	    "(xen/sys/evtchn.h; RESTRICT_DOMID limits it to the guest)"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ, IOCTL_EVTCHN_UNBIND,
	    "unbind at disconnect"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ, IOCTL_EVTCHN_NOTIFY,
	    "notify the guest of responses"),
	/* Grants: rings, persistent grants, batched copies (gntdev.h). */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_MAP_GRANT_REF, "map rings and persistent grants"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_UNMAP_GRANT_REF, "unmap them"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, "xengnttab_unmap finds the "
	    "map of an address"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_GRANT_COPY, "batched grant copy of request data"),
	/* The backing store the parent opened. */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_STORE, 1, SB_EQ, BLKGETSIZE64,
	    "resize tick on a block device (size())"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_STORE, 1, SB_EQ, BLKDISCARD,
	    "discard on a block device (linux/fs.h)"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_STORE, 1, SB_EQ, BLKSECDISCARD,
	    "secure discard on a block device"),
	SB_ALLOW1(preadv, 0, SB_FD, SB_STORE, "inline I/O on a memory file "
	    "system, short-transfer completion (backing_raw.c)"),
	SB_ALLOW1(pwritev, 0, SB_FD, SB_STORE, "as preadv"),
	SB_ALLOW1(fdatasync, 0, SB_FD, SB_STORE, "inline flush"),
	SB_ALLOW1(fsync, 0, SB_FD, SB_STORE, "inline flush"),
	SB_ALLOW1(fallocate, 0, SB_FD, SB_STORE, "inline discard (punch "
	    "hole)"),
	SB_ALLOW1(recvmsg, 0, SB_FD, SB_STORE, "NBD socket (libnbd)"),
	SB_ALLOW1(sendmsg, 0, SB_FD, SB_STORE, "NBD socket (libnbd)"),
	/*
	 * Any fd, not only SB_STORE: nbd_check_dead() shuts down its dup of
	 * the socket (another number) so the server sees the end; shutting
	 * one of its own sockets harms nothing but the worker.
	 */
	SB_ALLOW(shutdown, "NBD disconnect: libnbd's socket and our dup "
	    "(backing_nbd.c)"),
	/*
	 * io_uring: the ring was set up before the filter with its opcodes
	 * restricted (backing_raw.c); io_uring_setup is not allowed, so no
	 * other ring can exist.
	 */
	SB_ALLOW(io_uring_enter, "submit and reap (liburing)"),
};

const size_t blk_sandbox_len = sizeof(blk_sandbox) / sizeof(blk_sandbox[0]);
