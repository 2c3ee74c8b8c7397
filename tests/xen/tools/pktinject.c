/*
 * pktinject - write one Ethernet frame onto an interface through an
 * AF_PACKET socket with PACKET_VNET_HDR, so that the frame enters the
 * device's transmit path as the stack would hand it: with a GSO type and
 * size and a partial checksum if asked.  On a TAP (netbackd's vif<D>.<N>)
 * that has TSO on, the frame reaches the TAP's reader as one GSO packet
 * with its virtio_net_hdr; otherwise the kernel segments it first.
 *
 *	pktinject -i ifname -d dstmac [-6] [-u] [-l len] [-g gso_size]
 *	    src dst
 *
 * Default: a TCP segment (ACK|PSH, sport 40001, dport 33436, first
 * payload byte at sequence 0x10000) of -l payload bytes (default 6000)
 * from src to dst (IPv4, or IPv6 with -6).  With -g it is a GSO packet
 * (VIRTIO_NET_HDR_GSO_TCPV4/TCPV6, gso_size, VIRTIO_NET_HDR_F_NEEDS_CSUM
 * with csum_start/csum_offset and only the pseudo-header sum in the
 * checksum field, as Linux's TCP leaves it); without, it is checksummed.
 * -u: a UDP datagram (sport 40001, dport 33437) instead, -l its whole
 * frame length (default 9000), checksummed, no offload at all.
 * Payload byte i is (uint8_t)(i * 11 + (i >> 8) + 3): the pattern
 * frontends/netconform.c checks.  The source MAC is the interface's.
 *
 * Exit status 0 when the kernel took the frame, 1 otherwise (the reason
 * on stderr).  Built by tests/xen/build.sh for dom0 (libc only).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inetsum.h"	/* frontends/: build.sh passes -I */

#define SPORT		40001
#define TPORT		33436
#define UPORT		33437
#define ISN		0x10000u
#define FRAME_MAX	65536

static uint8_t frame[sizeof(struct virtio_net_hdr) + FRAME_MAX];

static void
usage(void)
{
	fprintf(stderr, "usage: pktinject -i ifname -d dstmac [-6] [-u] "
	    "[-l len] [-g gso_size] src dst\n");
	exit(1);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

int
main(int argc, char *argv[])
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)frame;
	uint8_t *f = frame + sizeof(*vh), *ip = f + ETH_HLEN, *l4, dst[6];
	uint8_t sa[16], da[16];
	const char *ifname = NULL, *dmac = NULL;
	struct sockaddr_ll ll;
	struct ifreq ifr;
	size_t len = 0, iphl, l4hl, plen, i;
	unsigned long gso = 0;
	int ch, s, v6 = 0, udp = 0, one = 1, af;
	uint32_t ps;
	uint8_t proto;

	while ((ch = getopt(argc, argv, "6d:g:i:l:u")) != -1) {
		switch (ch) {
		case '6':
			v6 = 1;
			break;
		case 'd':
			dmac = optarg;
			break;
		case 'g':
			gso = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'l':
			len = strtoul(optarg, NULL, 10);
			break;
		case 'u':
			udp = 1;
			break;
		default:
			usage();
		}
	}
	af = v6 ? AF_INET6 : AF_INET;
	if (argc - optind != 2 || ifname == NULL || dmac == NULL ||
	    sscanf(dmac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst[0], &dst[1],
	    &dst[2], &dst[3], &dst[4], &dst[5]) != 6 ||
	    inet_pton(af, argv[optind], sa) != 1 ||
	    inet_pton(af, argv[optind + 1], da) != 1 ||
	    (udp && gso != 0) || gso > 65535)
		usage();
	iphl = v6 ? 40 : 20;
	l4hl = udp ? 8 : 20;
	if (len == 0)
		len = udp ? 9000 : 6000;
	/* -l: the UDP frame's length, the TCP segment's payload */
	plen = udp ? len - ETH_HLEN - iphl - l4hl : len;
	if ((udp && len < ETH_HLEN + iphl + l4hl) ||
	    ETH_HLEN + iphl + l4hl + plen > FRAME_MAX ||
	    (gso != 0 && plen <= gso))
		usage();
	len = ETH_HLEN + iphl + l4hl + plen;
	proto = udp ? 17 : 6;

	if ((s = socket(AF_PACKET, SOCK_RAW, 0)) == -1) {
		perror("pktinject: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFINDEX, &ifr) == -1) {
		fprintf(stderr, "pktinject: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = ifr.ifr_ifindex;
	ll.sll_protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == -1) {
		fprintf(stderr, "pktinject: %s: SIOCGIFHWADDR: %s\n", ifname,
		    strerror(errno));
		return 1;
	}
	/* packet(7): every send then starts with a struct virtio_net_hdr */
	if (setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one,
	    sizeof(one)) == -1) {
		perror("pktinject: PACKET_VNET_HDR");
		return 1;
	}

	memcpy(f, dst, 6);
	memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);
	put16(f + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint32_t)(l4hl + plen));
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, sa, 16);
		memcpy(ip + 24, da, 16);
		ps = sum16(ip + 8, 32, 0);
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint32_t)(20 + l4hl + plen));
		put16(ip + 4, 0x5849);
		ip[6] = 0x40;		/* DF, as TCP sends */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, sa, 4);
		memcpy(ip + 16, da, 4);
		put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
		ps = sum16(ip + 12, 8, 0);
	}
	/* RFC 768/793/8200 pseudo-header: addresses, protocol, L4 length */
	ps += proto + (uint32_t)(l4hl + plen);
	l4 = ip + iphl;
	memset(l4, 0, l4hl);
	put16(l4, SPORT);
	for (i = 0; i < plen; i++)
		l4[l4hl + i] = (uint8_t)(i * 11 + (i >> 8) + 3);
	memset(vh, 0, sizeof(*vh));
	vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	if (udp) {
		put16(l4 + 2, UPORT);
		put16(l4 + 4, (uint32_t)(8 + plen));
		put16(l4 + 6, (uint16_t)~fold(sum16(l4, 8 + plen, ps)));
	} else {
		put16(l4 + 2, TPORT);
		put32(l4 + 4, ISN);
		put32(l4 + 8, 1);
		l4[12] = 5 << 4;
		l4[13] = 0x18;		/* ACK|PSH */
		put16(l4 + 14, 512);
		if (gso != 0) {
			/*
			 * virtio spec "Packet Transmission": NEEDS_CSUM,
			 * the checksum field holds the pseudo-header sum;
			 * GSO needs it (Linux virtio_net_hdr_to_skb).
			 */
			vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			vh->csum_start = (uint16_t)(ETH_HLEN + iphl);
			vh->csum_offset = 16;
			vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
			    VIRTIO_NET_HDR_GSO_TCPV4;
			vh->gso_size = (uint16_t)gso;
			vh->hdr_len = (uint16_t)(ETH_HLEN + iphl + l4hl);
			put16(l4 + 16, fold(ps));
		} else
			put16(l4 + 16, (uint16_t)~fold(sum16(l4, l4hl + plen,
			    ps)));
	}
	if (sendto(s, frame, sizeof(*vh) + len, 0, (struct sockaddr *)&ll,
	    sizeof(ll)) != (ssize_t)(sizeof(*vh) + len)) {
		fprintf(stderr, "pktinject: sending %zu bytes on %s: %s\n", len,
		    ifname, strerror(errno));
		return 1;
	}
	printf("pktinject: %zu-byte %s/%s frame on %s, %zu payload bytes, "
	    "gso %lu\n", len, v6 ? "IPv6" : "IPv4", udp ? "UDP" : "TCP",
	    ifname, plen, gso);
	close(s);
	return 0;
}
