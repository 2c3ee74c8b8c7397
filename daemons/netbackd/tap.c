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
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define TUN_DEV	"/dev/net/tun"

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
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
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

int
tap_create(const char *name, unsigned int nq, int *fds, const uint8_t mac[6],
    unsigned int mtu, char *err, size_t errlen)
{
	struct ifreq ifr;
	unsigned int i;
	int e;

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
	e = errno;
	for (i = 0; i < nq; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = e;
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
