/*
 * netquiesce.c - format, parse and check netbackd's clean-stop record
 * (netquiesce.h) on common/quiesce.h's syntax.  Pure: no xenstore, no Xen; unit-tested in
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
	struct xbq_out o = { buf, len, 0 };
	unsigned int i, k;

	if (r->nq < 1 || r->nq > NET_MAX_QUEUES || r->mcast.n > NB_MCAST_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (xbq_put(&o, "%u %u %u", XBQ_VERSION, r->nq, r->mcast.n) == -1)
		return -1;
	for (i = 0; i < r->nq; i++) {
		const struct netq_queue *q = &r->q[i];

		if (q->evtchn_tx == 0 || q->evtchn_rx == 0) {
			errno = EINVAL;
			return -1;
		}
		if (xbq_put(&o, " %u:%u:%u:%u:%u:%u", q->tx_ref, q->rx_ref,
		    q->evtchn_tx, q->evtchn_rx, q->tx_rsp, q->rx_rsp) == -1)
			return -1;
	}
	for (i = 0; i < r->mcast.n; i++) {
		if (xbq_put(&o, " ") == -1)
			return -1;
		for (k = 0; k < NB_ETH_ALEN; k++)
			if (xbq_put(&o, "%s%02x", k > 0 ? ":" : "",
			    r->mcast.addr[i][k]) == -1)
				return -1;
	}
	return (int)o.off;
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
	const char *p;
	uint32_t nq, nm;
	unsigned int i, k;

	memset(r, 0, sizeof(*r));
	if (xbq_head(s, NETQ_MAX_LEN, &p, why) == -1 ||
	    xbq_nq(&p, max_queues, NET_MAX_QUEUES, &nq, why) == -1)
		return -1;
	if (*p++ != ' ') {
		*why = "bad number of queues";
		return -1;
	}
	if (xbq_num(&p, " ", &nm) == -1 || nm > NB_MCAST_MAX) {
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
		if (xbq_num(&p, ": ", &q->tx_ref) == -1 || *p++ != ':' ||
		    xbq_num(&p, ": ", &q->rx_ref) == -1 || *p++ != ':') {
			*why = "bad ring ref";
			return -1;
		}
		if (xbq_num(&p, ": ", &q->evtchn_tx) == -1 || *p++ != ':' ||
		    xbq_num(&p, ": ", &q->evtchn_rx) == -1 || *p++ != ':' ||
		    q->evtchn_tx == 0 || q->evtchn_rx == 0) {
			*why = "bad event channel";
			return -1;
		}
		if (xbq_num(&p, ": ", &q->tx_rsp) == -1 || *p++ != ':' ||
		    xbq_num(&p, " ", &q->rx_rsp) == -1) {
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
	if (xbq_end(p, why) == -1)
		return -1;
	*why = "";
	return 0;
}

int
netq_match(const struct netq_rec *r, xbq_read_fn *rd, void *arg,
    const char **why)
{
	char key[64], *s;
	unsigned int i;

	if (xbq_match_nq(rd, arg, r->nq, NET_MAX_QUEUES, why) != 1)
		return 0;
	for (i = 0; i < r->nq; i++) {
		const struct netq_queue *q = &r->q[i];

		/* One queue: keys at the top (io/netif.h "Multi-queue"). */
		xbq_qkey(key, sizeof(key), r->nq, i, "tx-ring-ref");
		if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->tx_ref)) {
			*why = "tx ring ref differs";
			return 0;
		}
		xbq_qkey(key, sizeof(key), r->nq, i, "rx-ring-ref");
		if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->rx_ref)) {
			*why = "rx ring ref differs";
			return 0;
		}
		if (q->evtchn_tx != q->evtchn_rx) {
			xbq_qkey(key, sizeof(key), r->nq, i, "event-channel-tx");
			if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->evtchn_tx)) {
				*why = "event channel differs";
				return 0;
			}
			xbq_qkey(key, sizeof(key), r->nq, i, "event-channel-rx");
			if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->evtchn_rx)) {
				*why = "event channel differs";
				return 0;
			}
			continue;
		}
		/* A connect takes event-channel-tx, if present, as split. */
		xbq_qkey(key, sizeof(key), r->nq, i, "event-channel-tx");
		if ((s = rd(arg, key)) != NULL) {
			free(s);
			*why = "event channels now split";
			return 0;
		}
		xbq_qkey(key, sizeof(key), r->nq, i, "event-channel");
		if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->evtchn_tx)) {
			*why = "event channel differs";
			return 0;
		}
	}
	*why = "";
	return 1;
}
