/*
 * tap.c - TAP devices for vifs (see tap.h).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define TUN_DEV	"/dev/net/tun"
/* What tap_open_queue() asks for; a TAP opened again must have them. */
#define TAP_FLAGS	(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)

/* One ioctl on an AF_INET datagram socket (interface settings). */
static int
tap_sock_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s, rc;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = ioctl(s, req, ifr);
	if (rc == -1) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	close(s);
	return 0;
}

static int
tap_open_queue(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdrlen = TAP_VNET_HDR_LEN;

	if ((fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: opening %s: %s", name, TUN_DEV,
		    strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = TAP_FLAGS;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "%s: creating the TAP: %s", name,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrlen) == -1) {
		snprintf(err, errlen, "%s: TUNSETVNETHDRSZ: %s", name,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Close the queues of a failed open (-1: not opened), keeping errno. */
static void
tap_close_all(int *fds, unsigned int nq)
{
	unsigned int i;
	int e = errno;

	for (i = 0; i < nq; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = e;
}

int
tap_create(const char *name, unsigned int nq, int *fds, const uint8_t mac[6],
    unsigned int mtu, char *err, size_t errlen)
{
	struct ifreq ifr;
	unsigned int i;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "%s: interface name too long", name);
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < nq; i++)
		fds[i] = -1;
	for (i = 0; i < nq; i++)
		if ((fds[i] = tap_open_queue(name, err, errlen)) == -1)
			goto fail;
	/*
	 * A leftover of a stopped daemon (tap_persist()) was attached to, not
	 * created: it must go with this device like a new one.
	 */
	if (tap_persist(fds[0], false) == -1) {
		snprintf(err, errlen, "%s: TUNSETPERSIST 0: %s", name,
		    strerror(errno));
		goto fail;
	}
	/* No offloads until the guest says what it takes (worker.c connect). */
	if (tap_set_offload(fds[0], 0) == -1) {
		snprintf(err, errlen, "%s: TUNSETOFFLOAD: %s", name,
		    strerror(errno));
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (tap_sock_ioctl(SIOCSIFHWADDR, &ifr) == -1) {
		snprintf(err, errlen, "%s: setting MAC address: %s", name,
		    strerror(errno));
		goto fail;
	}
	if (mtu != 0) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_mtu = (int)mtu;
		if (tap_sock_ioctl(SIOCSIFMTU, &ifr) == -1) {
			snprintf(err, errlen, "%s: setting MTU %u: %s", name,
			    mtu, strerror(errno));
			goto fail;
		}
	}
	return 0;
fail:
	tap_close_all(fds, nq);
	return -1;
}

int
tap_set_offload(int fd, unsigned int tun_flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_flags);
}

int
tap_queue_enable(int fd, bool on)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(fd, TUNSETQUEUE, &ifr) == -1) {
		/* tun.c answers EINVAL when already in the wanted state. */
		if (errno == EINVAL)
			return 0;
		return -1;
	}
	return 0;
}

int
tap_ifname(int fd, char name[16])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) == -1)
		return -1;
	snprintf(name, 16, "%s", ifr.ifr_name);
	return 0;
}

int
tap_persist(int fd, bool on)
{
	/*
	 * linux/if_tun.h TUNSETPERSIST (_IOW('T', 203, int)): with IFF_PERSIST
	 * the interface is not unregistered when its last queue fd closes
	 * (drivers/net/tun.c __tun_detach), so its ifindex, bridge port,
	 * MTU and link state survive until it is cleared again.
	 */
	return ioctl(fd, TUNSETPERSIST, (unsigned long)(on ? 1 : 0));
}

int
tap_flags(const char *name)
{
	char path[64], buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd;

	/* drivers/net/tun.c tun_flags_show(): "0x%x\n" of tun_flags(). */
	if (strlen(name) >= IFNAMSIZ || strchr(name, '/') != NULL) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = EIO;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    v > 0xffff) {
		errno = EIO;
		return -1;
	}
	return (int)v;
}

/* The ifindex of name (SIOCGIFINDEX), or 0. */
static int
tap_ifindex(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (tap_sock_ioctl(SIOCGIFINDEX, &ifr) == -1)
		return 0;
	return ifr.ifr_ifindex;
}

int
tap_reopen(const char *name, unsigned int nq, int *fds, char *err,
    size_t errlen)
{
	unsigned int i;
	int flags, idx;

	for (i = 0; i < nq; i++)
		fds[i] = -1;
	/*
	 * It must be there already, left by the stopped daemon: TUNSETIFF on
	 * a name that does not exist would create a TAP that no hotplug
	 * script configured (no bridge port).
	 */
	if ((flags = tap_flags(name)) == -1) {
		snprintf(err, errlen, "%s: no TAP left by the last daemon (%s)",
		    name, errno == ENOENT ? "no such interface" :
		    strerror(errno));
		errno = ENOENT;
		return -1;
	}
	if ((flags & (TAP_FLAGS | IFF_PERSIST)) != (TAP_FLAGS | IFF_PERSIST)) {
		snprintf(err, errlen, "%s: not a persistent multi-queue TAP of "
		    "ours (tun_flags 0x%x)", name, (unsigned int)flags);
		errno = EINVAL;
		return -1;
	}
	if ((idx = tap_ifindex(name)) == 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < nq; i++)
		if ((fds[i] = tap_open_queue(name, err, errlen)) == -1)
			goto fail;
	if (tap_ifindex(name) != idx) {
		snprintf(err, errlen, "%s: the interface was replaced while it "
		    "was opened", name);
		errno = ESTALE;
		goto fail;
	}
	/* Ours again: it goes with the device (the parent's fds). */
	if (tap_persist(fds[0], false) == -1) {
		snprintf(err, errlen, "%s: TUNSETPERSIST 0: %s", name,
		    strerror(errno));
		goto fail;
	}
	return 0;
fail:
	tap_close_all(fds, nq);
	return -1;
}

int
tap_delete(const char *name)
{
	char err[128];
	int flags, fd;

	if ((flags = tap_flags(name)) == -1)
		return errno == ENOENT ? 0 : -1;
	/* Only a persistent TAP of ours: any other lives on its own fds. */
	if ((flags & (TAP_FLAGS | IFF_PERSIST)) != (TAP_FLAGS | IFF_PERSIST))
		return 0;
	if ((fd = tap_open_queue(name, err, sizeof(err))) == -1)
		return -1;
	/* The last fd of a TAP without IFF_PERSIST unregisters it. */
	if (tap_persist(fd, false) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 1;
}
