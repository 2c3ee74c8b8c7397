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

#endif
