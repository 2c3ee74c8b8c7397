/*
 * tap.h - the vif's host side: a TAP device named like Linux netback's
 * netdev (vif<domid>.<devid>) so libxl's stock hotplug scripts
 * (vif-bridge, vif-openvswitch, vif-route) find and attach it.
 *
 * It is opened with IFF_VNET_HDR, so every frame crossing it carries a
 * struct virtio_net_hdr (checksum offload and GSO cross unchanged), and
 * IFF_MULTI_QUEUE, one fd per netif queue: the kernel spreads frames for
 * the guest over the attached queues by flow hash.  Creating it needs
 * CAP_NET_ADMIN (the parent); the rest works on the fds (the worker).
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of the virtio-net header on every frame (TUNSETVNETHDRSZ). */
#define TAP_VNET_HDR_LEN	10u

/*
 * Create (or attach to) TAP name with nq queues: fds[0..nq) are
 * non-blocking and close-on-exec.  The interface gets MAC mac (Linux
 * netback: fe:ff:ff:ff:ff:ff, so a bridge never takes it as its id) and,
 * if mtu is not 0, that MTU; it stays down (the hotplug script brings it
 * up).  Returns 0, or -1 with a message in err naming the interface.
 */
int	tap_create(const char *name, unsigned int nq, int *fds,
	    const uint8_t mac[6], unsigned int mtu, char *err, size_t errlen);

/* Tell the kernel which offloads we accept from it (TUNSETOFFLOAD, TUN_F_*). */
int	tap_set_offload(int fd, unsigned int tun_flags);

/*
 * Attach (on) or detach a queue fd (TUNSETQUEUE): frames for the guest
 * are only spread over attached queues.  Returns 0 or -1.
 */
int	tap_queue_enable(int fd, bool on);

/* The interface name of a TAP fd (TUNGETIFF) into name[16]. Returns 0 or -1. */
int	tap_ifname(int fd, char name[16]);

/*
 * Stop and start (docs/ARCHITECTURE.md "Stop and start").  tap_persist:
 * set or clear IFF_PERSIST on the TAP of fd (TUNSETPERSIST): a persistent
 * TAP outlives its last fd, and with it its bridge port and whatever the
 * hotplug script set.  tap_create() clears it.  Returns 0 or -1.
 */
int	tap_persist(int fd, bool on);

/*
 * The tun_flags of interface name (IFF_TAP, IFF_PERSIST ... from sysfs),
 * or -1 (errno ENOENT: no such interface, or not a TUN/TAP).
 */
int	tap_flags(const char *name);

/*
 * Open the nq queues of a TAP a stopped daemon left persistent, with the
 * flags tap_create() uses, and clear IFF_PERSIST so that it goes with
 * the device again.  Nothing is created: an interface that is missing, or
 * is not a persistent multi-queue TAP, is refused (errno ENOENT or
 * EINVAL).  MAC, MTU, link and offloads are left as they are.  Returns 0,
 * or -1 with a message in err (the TAP is left as it was).
 */
int	tap_reopen(const char *name, unsigned int nq, int *fds, char *err,
	    size_t errlen);

/*
 * Delete a persistent TAP a stopped daemon left behind: open it, clear
 * IFF_PERSIST, close.  A TAP that is not persistent, or not there, is
 * not touched.  Returns 1 (deleted), 0 (nothing to do) or -1.
 */
int	tap_delete(const char *name);

#endif
