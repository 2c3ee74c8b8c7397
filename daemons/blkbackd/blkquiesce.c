/*
 * blkquiesce.c - format, parse and check the clean-stop record
 * (blkquiesce.h) on common/quiesce.h's syntax.  Pure: no xenstore, no Xen;
 * unit-tested in tests/unit/test_blkquiesce.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkquiesce.h"

static bool
npages_ok(uint32_t n)
{
	return n >= 1 && n <= XB_RING_MAX_PAGES && (n & (n - 1)) == 0;
}

int
blkq_format(const struct blkq_rec *r, char *buf, size_t len)
{
	struct xbq_out o = { buf, len, 0 };
	unsigned int i, k;

	if (r->nq < 1 || r->nq > BLK_MAX_QUEUES ||
	    (r->abi != BLK_ABI_X86_32 && r->abi != BLK_ABI_X86_64)) {
		errno = EINVAL;
		return -1;
	}
	if (xbq_put(&o, "%u %u %u", XBQ_VERSION, (unsigned int)r->abi,
	    r->nq) == -1)
		return -1;
	for (i = 0; i < r->nq; i++) {
		const struct blkq_queue *q = &r->q[i];

		if (!npages_ok(q->npages)) {
			errno = EINVAL;
			return -1;
		}
		if (xbq_put(&o, " %u:%u:", q->evtchn, q->rsp_prod) == -1)
			return -1;
		for (k = 0; k < q->npages; k++)
			if (xbq_put(&o, "%s%u", k > 0 ? "," : "",
			    q->refs[k]) == -1)
				return -1;
	}
	return (int)o.off;
}

int
blkq_parse(const char *s, unsigned int max_queues, struct blkq_rec *r,
    const char **why)
{
	const char *p;
	uint32_t abi, nq;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (xbq_head(s, BLKQ_MAX_LEN, &p, why) == -1)
		return -1;
	if (xbq_num(&p, " ", &abi) == -1 || *p != ' ' ||
	    (abi != BLK_ABI_X86_32 && abi != BLK_ABI_X86_64)) {
		*why = "bad protocol";
		return -1;
	}
	p++;
	if (xbq_nq(&p, max_queues, BLK_MAX_QUEUES, &nq, why) == -1)
		return -1;
	r->abi = (enum blk_abi)abi;
	r->nq = nq;
	for (i = 0; i < nq; i++) {
		struct blkq_queue *q = &r->q[i];

		if (*p != ' ') {
			*why = "fewer queues than announced";
			return -1;
		}
		p++;
		if (xbq_num(&p, ":", &q->evtchn) == -1 || *p++ != ':' ||
		    xbq_num(&p, ":", &q->rsp_prod) == -1 || *p++ != ':') {
			*why = "bad event channel or rsp_prod";
			return -1;
		}
		for (;;) {
			if (q->npages == XB_RING_MAX_PAGES) {
				*why = "too many ring refs";
				return -1;
			}
			if (xbq_num(&p, ", ", &q->refs[q->npages]) == -1) {
				*why = "bad ring ref";
				return -1;
			}
			q->npages++;
			if (*p != ',')
				break;
			p++;
		}
		if (!npages_ok(q->npages)) {
			*why = "ring pages not a power of two";
			return -1;
		}
	}
	return xbq_end(p, why);
}

int
blkq_match(const struct blkq_rec *r, xbq_read_fn *rd, void *arg,
    const char **why)
{
	char key[64], name[32], *s;
	enum blk_abi abi;
	unsigned int i, k, order;
	int rc;

	s = rd(arg, "protocol");
	rc = blk_abi_parse(s, &abi);
	free(s);
	if (rc == -1 || abi != r->abi) {
		*why = "protocol differs";
		return 0;
	}
	if (xbq_match_nq(rd, arg, r->nq, BLK_MAX_QUEUES, why) != 1)
		return 0;
	for (i = 0; i < r->nq; i++) {
		const struct blkq_queue *q = &r->q[i];

		xbq_qkey(key, sizeof(key), r->nq, i, "event-channel");
		if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->evtchn)) {
			*why = "event channel differs";
			return 0;
		}
		for (order = 0; (1u << order) < q->npages; order++)
			;
		if (q->npages == 1) {
			/* Linux writes ring-ref for order 0 (ring_read_refs). */
			xbq_qkey(key, sizeof(key), r->nq, i, "ring-ref");
			if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->refs[0])) {
				*why = "ring ref differs";
				return 0;
			}
			continue;
		}
		/* ring-page-order is at the top, for every queue (io/blkif.h). */
		if (!xbq_key_is(rd, arg, "ring-page-order", XB_RING_MAX_ORDER,
		    order)) {
			*why = "ring page order differs";
			return 0;
		}
		for (k = 0; k < q->npages; k++) {
			snprintf(name, sizeof(name), "ring-ref%u", k);
			xbq_qkey(key, sizeof(key), r->nq, i, name);
			if (!xbq_key_is(rd, arg, key, UINT32_MAX, q->refs[k])) {
				*why = "ring ref differs";
				return 0;
			}
		}
	}
	*why = "";
	return 1;
}
