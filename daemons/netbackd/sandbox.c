/*
 * sandbox.c - what a netbackd worker may call once it serves a guest: the
 * rows added to common/sandbox.c's common ones (`netbackd
 * --print-sandbox` prints both).  docs/design/isolation-restart.md 2 has
 * the code path behind each row; docs/SECURITY.md the whole picture.
 * Anything not here traps: open/exec/socket calls fail with EACCES and are
 * logged by the parent, any other call kills the worker.
 */
#include <sys/ioctl.h>

#include <linux/if_tun.h>
#include <stdint.h>
#include <xen/xen.h>		/* domid_t, for xen/sys/evtchn.h */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>

#include <seccomp.h>

#include "sandbox.h"
#include "worker.h"

const struct sandbox_rule net_sandbox[] = {
	/* Event channels: the handle the parent restricted to the guest. */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ,
	    IOCTL_EVTCHN_BIND_INTERDOMAIN, "bind the guest's tx/rx ports at "
	    "connect (RESTRICT_DOMID limits it to the guest)"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ, IOCTL_EVTCHN_UNBIND,
	    "unbind at disconnect"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_EVTCHN, 1, SB_EQ, IOCTL_EVTCHN_NOTIFY,
	    "notify the guest"),
	/* Grants: rings and batched copies of packet data (gntdev.h). */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_MAP_GRANT_REF, "map the tx/rx (and ctrl) rings"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_UNMAP_GRANT_REF, "unmap them"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, "xengnttab_unmap finds the "
	    "map of an address"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_GNTDEV, 1, SB_EQ,
	    IOCTL_GNTDEV_GRANT_COPY, "batched grant copy of packets"),
	/* The TAP queues the parent created (linux/if_tun.h). */
	SB_ALLOW2(ioctl, 0, SB_FD, SB_TAP, 1, SB_EQ, TUNSETOFFLOAD,
	    "offloads the frontend asked for, at connect (tap_set_offload)"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_TAP, 1, SB_EQ, TUNSETQUEUE,
	    "attach/detach a queue at connect (tap_queue_enable; no "
	    "capability needed on an attached queue fd)"),
	SB_ALLOW2(ioctl, 0, SB_FD, SB_TAP, 1, SB_EQ, TUNGETIFF,
	    "the interface name (tap_ifname)"),
};

const size_t net_sandbox_len = sizeof(net_sandbox) / sizeof(net_sandbox[0]);
