/*
 * netquiesce.c - format, parse and check netbackd's clean-stop record
 * (netquiesce.h).  Pure: no xenstore, no Xen; unit-tested in
 * tests/unit/test_netquiesce.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netquiesce.h"
#include "parse.h"

int
netq_format(const struct netq_rec *r, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i, k;
	int n;

	if (r->nq < 1 || r->nq > NET_MAX_QUEUES || r->mcast.n > NB_MCAST_MAX) {
		errno = EINVAL;
		return -1;
	}
#define PUT(...) do {							\
	n = snprintf(buf + off, len - off, __VA_ARGS__);		\
	if (n < 0 || (size_t)n >= len - off) {				\
		errno = ENOSPC;						\
		return -1;						\
	}								\
	off += (size_t)n;						\
} while (0)
	if (len == 0) {
		errno = ENOSPC;
		return -1;
	}
	PUT("%u %u %u", NETQ_VERSION, r->nq, r->mcast.n);
	for (i = 0; i < r->nq; i++) {
		const struct netq_queue *q = &r->q[i];

		if (q->evtchn_tx == 0 || q->evtchn_rx == 0) {
			errno = EINVAL;
			return -1;
		}
		PUT(" %u:%u:%u:%u:%u:%u", q->tx_ref, q->rx_ref, q->evtchn_tx,
		    q->evtchn_rx, q->tx_rsp, q->rx_rsp);
	}
	for (i = 0; i < r->mcast.n; i++) {
		PUT(" ");
		for (k = 0; k < NB_ETH_ALEN; k++)
			PUT("%s%02x", k > 0 ? ":" : "", r->mcast.addr[i][k]);
	}
#undef PUT
	return (int)off;
}

/*
 * One decimal uint32 at *p ending at one of the characters in ends (or
 * NUL); advances *p past the number.  Canonical only: what netq_format()
 * writes, no sign, no leading zero.
 */
static int
num(const char **p, const char *ends, uint32_t *out)
{
	char tmp[16];
	size_t n = strcspn(*p, ends);
	uint64_t v;

	if (n == 0 || n >= sizeof(tmp) || ((*p)[0] == '0' && n > 1))
		return -1;
	memcpy(tmp, *p, n);
	tmp[n] = '\0';
	if (parse_uint(tmp, UINT32_MAX, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	*p += n;
	return 0;
}

/* "aa:bb:cc:dd:ee:ff" at *p, lower-case hex only; advances *p. */
static int
mac(const char **p, uint8_t out[NB_ETH_ALEN])
{
	const char *s = *p;
	unsigned int i;

	for (i = 0; i < NB_ETH_ALEN; i++) {
		int hi = parse_hexdigit(s[0]), lo;

		if (hi < 0 || (s[0] >= 'A' && s[0] <= 'F') ||
		    (lo = parse_hexdigit(s[1])) < 0 ||
		    (s[1] >= 'A' && s[1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < NB_ETH_ALEN - 1 && *s++ != ':')
			return -1;
	}
	*p = s;
	return 0;
}

int
netq_parse(const char *s, unsigned int max_queues, struct netq_rec *r,
    const char **why)
{
	const char *p = s;
	uint32_t v, nq, nm;
	unsigned int i, k;

	memset(r, 0, sizeof(*r));
	if (s == NULL) {
		*why = "absent";
		return -1;
	}
	if (strlen(s) > NETQ_MAX_LEN) {
		*why = "too long";
		return -1;
	}
	if (num(&p, " ", &v) == -1 || *p != ' ' || v != NETQ_VERSION) {
		*why = "unknown version";
		return -1;
	}
	p++;
	if (num(&p, " ", &nq) == -1 || *p != ' ' || nq < 1 ||
	    nq > max_queues || nq > NET_MAX_QUEUES) {
		*why = "bad number of queues";
		return -1;
	}
	p++;
	if (num(&p, " ", &nm) == -1 || nm > NB_MCAST_MAX) {
		*why = "bad number of multicast addresses";
		return -1;
	}
	r->nq = nq;
	for (i = 0; i < nq; i++) {
		struct netq_queue *q = &r->q[i];

		if (*p++ != ' ') {
			*why = "fewer queues than announced";
			return -1;
		}
		if (num(&p, ": ", &q->tx_ref) == -1 || *p++ != ':' ||
		    num(&p, ": ", &q->rx_ref) == -1 || *p++ != ':') {
			*why = "bad ring ref";
			return -1;
		}
		if (num(&p, ": ", &q->evtchn_tx) == -1 || *p++ != ':' ||
		    num(&p, ": ", &q->evtchn_rx) == -1 || *p++ != ':' ||
		    q->evtchn_tx == 0 || q->evtchn_rx == 0) {
			*why = "bad event channel";
			return -1;
		}
		if (num(&p, ": ", &q->tx_rsp) == -1 || *p++ != ':' ||
		    num(&p, " ", &q->rx_rsp) == -1) {
			*why = "bad response producer";
			return -1;
		}
	}
	for (i = 0; i < nm; i++) {
		if (*p++ != ' ' || mac(&p, r->mcast.addr[i]) == -1) {
			*why = "bad multicast address";
			return -1;
		}
		for (k = 0; k < i; k++)
			if (memcmp(r->mcast.addr[k], r->mcast.addr[i],
			    NB_ETH_ALEN) == 0) {
				*why = "multicast address twice";
				return -1;
			}
		r->mcast.n = i + 1;
	}
	if (*p != '\0') {
		*why = "trailing characters";
		return -1;
	}
	*why = "";
	return 0;
}

/* Frontend key equals v (a plain decimal)? */
static bool
key_is(netq_read_fn *rd, void *arg, const char *key, uint64_t max,
    uint64_t v)
{
	char *s = rd(arg, key);
	uint64_t got;
	bool ok = s != NULL && parse_uint(s, max, &got) == 0 && got == v;

	free(s);
	return ok;
}

int
netq_match(const struct netq_rec *r, netq_read_fn *rd, void *arg,
    const char **why)
{
	char key[64], pre[32] = "", *s;
	unsigned int i;

	s = rd(arg, "multi-queue-num-queues");
	if (s == NULL ? r->nq != 1 :
	    !key_is(rd, arg, "multi-queue-num-queues", NET_MAX_QUEUES, r->nq)) {
		free(s);
		*why = "number of queues differs";
		return 0;
	}
	free(s);
	for (i = 0; i < r->nq; i++) {
		const struct netq_queue *q = &r->q[i];

		/* One queue: keys at the top (io/netif.h "Multi-queue"). */
		if (r->nq > 1)
			snprintf(pre, sizeof(pre), "queue-%u/", i);
		snprintf(key, sizeof(key), "%stx-ring-ref", pre);
		if (!key_is(rd, arg, key, UINT32_MAX, q->tx_ref)) {
			*why = "tx ring ref differs";
			return 0;
		}
		snprintf(key, sizeof(key), "%srx-ring-ref", pre);
		if (!key_is(rd, arg, key, UINT32_MAX, q->rx_ref)) {
			*why = "rx ring ref differs";
			return 0;
		}
		if (q->evtchn_tx != q->evtchn_rx) {
			snprintf(key, sizeof(key), "%sevent-channel-tx", pre);
			if (!key_is(rd, arg, key, UINT32_MAX, q->evtchn_tx)) {
				*why = "event channel differs";
				return 0;
			}
			snprintf(key, sizeof(key), "%sevent-channel-rx", pre);
			if (!key_is(rd, arg, key, UINT32_MAX, q->evtchn_rx)) {
				*why = "event channel differs";
				return 0;
			}
			continue;
		}
		/* A connect takes event-channel-tx, if present, as split. */
		snprintf(key, sizeof(key), "%sevent-channel-tx", pre);
		if ((s = rd(arg, key)) != NULL) {
			free(s);
			*why = "event channels now split";
			return 0;
		}
		snprintf(key, sizeof(key), "%sevent-channel", pre);
		if (!key_is(rd, arg, key, UINT32_MAX, q->evtchn_tx)) {
			*why = "event channel differs";
			return 0;
		}
	}
	*why = "";
	return 1;
}
