/*
 * inetsum.h - the Internet checksum (RFC 1071) for the test side: the
 * netif conformance frontend (netconform.c) and the test bed's packet
 * injector (tests/xen/tools/pktinject.c).  Kept apart from netbackd's own
 * (nethdr.c) on purpose: a conformance client must not share the code it
 * checks.
 */
#ifndef XB_INETSUM_H
#define XB_INETSUM_H

#include <stddef.h>
#include <stdint.h>

/* s plus the one's complement sum of len bytes at p, in network order
 * (an odd last byte counts as its high half). */
static inline uint32_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/* A 32-bit sum folded to 16 bits (not complemented). */
static inline uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
