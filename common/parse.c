/*
 * parse.c - see parse.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "parse.h"

int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9') {
			errno = EINVAL;
			return -1;
		}
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	/* "007" is accepted, like the kernel's simple_strtoul users do. */
	if (v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

const char *
parse_uint_why(const char *s, uint64_t max)
{
	uint64_t v;

	if (s == NULL)
		return "absent";
	if (parse_uint(s, max, &v) == 0)
		return NULL;
	if (*s == '\0')
		return "empty";
	if (*s == '-')
		return "negative";
	if (errno == ERANGE)
		return "greater than the maximum";
	return "not a decimal number";
}

int
parse_xenbus_state(const char *s)
{
	uint64_t v;

	if (parse_uint(s, XenbusStateReconfigured, &v) == -1)
		return XenbusStateUnknown;
	return (int)v;
}

int
parse_domdev(const char *s, unsigned int *domid, unsigned int *devid)
{
	char buf[32];
	char *slash;
	uint64_t d, n;

	if (s == NULL || strlen(s) >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL) {
		errno = EINVAL;
		return -1;
	}
	*slash = '\0';
	/* DOMID_FIRST_RESERVED is 0x7ff0 (xen.h); devids are < 2^28. */
	if (parse_uint(buf, 0x7fef, &d) == -1 ||
	    parse_uint(slash + 1, (1u << 28) - 1, &n) == -1) {
		errno = EINVAL;
		return -1;
	}
	*domid = (unsigned int)d;
	*devid = (unsigned int)n;
	return 0;
}

bool
parse_mode_writable(const char *s)
{
	return s != NULL && strchr(s, 'w') != NULL;
}

int
parse_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
parse_size(const char *s, uint64_t max, uint64_t *out)
{
	char num[32];
	size_t len;
	uint64_t v, mult = 1;

	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof(num)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; break;
	case 'm': case 'M': mult = 1ULL << 20; break;
	case 'g': case 'G': mult = 1ULL << 30; break;
	}
	if (mult != 1)
		num[len - 1] = '\0';
	if (parse_uint(num, UINT64_MAX, &v) == -1)
		return -1;
	if (v > UINT64_MAX / mult || v * mult > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mult;
	return 0;
}
