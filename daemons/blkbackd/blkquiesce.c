/*
 * blkquiesce.c - format, parse and check the clean-stop record
 * (blkquiesce.h).  Pure: no xenstore, no Xen; unit-tested in
 * tests/unit/test_blkquiesce.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkquiesce.h"
#include "parse.h"

static bool
npages_ok(uint32_t n)
{
	return n >= 1 && n <= XB_RING_MAX_PAGES && (n & (n - 1)) == 0;
}

int
blkq_format(const struct blkq_rec *r, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i, k;
	int n;

	if (r->nq < 1 || r->nq > BLK_MAX_QUEUES ||
	    (r->abi != BLK_ABI_X86_32 && r->abi != BLK_ABI_X86_64)) {
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
	PUT("%u %u %u", BLKQ_VERSION, (unsigned int)r->abi, r->nq);
	for (i = 0; i < r->nq; i++) {
		const struct blkq_queue *q = &r->q[i];

		if (!npages_ok(q->npages)) {
			errno = EINVAL;
			return -1;
		}
		PUT(" %u:%u:", q->evtchn, q->rsp_prod);
		for (k = 0; k < q->npages; k++)
			PUT("%s%u", k > 0 ? "," : "", q->refs[k]);
	}
#undef PUT
	return (int)off;
}

/*
 * One decimal uint32 at *p ending at one of the characters in ends (or
 * NUL if ends contains none); advances *p past the number.
 */
static int
num(const char **p, const char *ends, uint32_t *out)
{
	char tmp[16];
	size_t n = strcspn(*p, ends);
	uint64_t v;

	/* Canonical only: what blkq_format() writes, no leading zero. */
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

int
blkq_parse(const char *s, unsigned int max_queues, struct blkq_rec *r,
    const char **why)
{
	const char *p = s;
	uint32_t v, abi, nq;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (s == NULL) {
		*why = "absent";
		return -1;
	}
	if (strlen(s) > BLKQ_MAX_LEN) {
		*why = "too long";
		return -1;
	}
	if (num(&p, " ", &v) == -1 || *p != ' ' || v != BLKQ_VERSION) {
		*why = "unknown version";
		return -1;
	}
	p++;
	if (num(&p, " ", &abi) == -1 || *p != ' ' ||
	    (abi != BLK_ABI_X86_32 && abi != BLK_ABI_X86_64)) {
		*why = "bad protocol";
		return -1;
	}
	p++;
	if (num(&p, " ", &nq) == -1 || nq < 1 || nq > max_queues ||
	    nq > BLK_MAX_QUEUES) {
		*why = "bad number of queues";
		return -1;
	}
	r->abi = (enum blk_abi)abi;
	r->nq = nq;
	for (i = 0; i < nq; i++) {
		struct blkq_queue *q = &r->q[i];

		if (*p != ' ') {
			*why = "fewer queues than announced";
			return -1;
		}
		p++;
		if (num(&p, ":", &q->evtchn) == -1 || *p++ != ':' ||
		    num(&p, ":", &q->rsp_prod) == -1 || *p++ != ':') {
			*why = "bad event channel or rsp_prod";
			return -1;
		}
		for (;;) {
			if (q->npages == XB_RING_MAX_PAGES) {
				*why = "too many ring refs";
				return -1;
			}
			if (num(&p, ", ", &q->refs[q->npages]) == -1) {
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
	if (*p != '\0') {
		*why = "trailing characters";
		return -1;
	}
	return 0;
}

/* Frontend key equals v (a plain decimal)? */
static bool
key_is(blkq_read_fn *rd, void *arg, const char *key, uint64_t max,
    uint64_t v)
{
	char *s = rd(arg, key);
	uint64_t got;
	bool ok = s != NULL && parse_uint(s, max, &got) == 0 && got == v;

	free(s);
	return ok;
}

int
blkq_match(const struct blkq_rec *r, blkq_read_fn *rd, void *arg,
    const char **why)
{
	char key[64], pre[32] = "", *s;
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
	s = rd(arg, "multi-queue-num-queues");
	if (s == NULL ? r->nq != 1 :
	    !key_is(rd, arg, "multi-queue-num-queues", BLK_MAX_QUEUES, r->nq)) {
		free(s);
		*why = "number of queues differs";
		return 0;
	}
	free(s);
	for (i = 0; i < r->nq; i++) {
		const struct blkq_queue *q = &r->q[i];

		if (r->nq > 1)
			snprintf(pre, sizeof(pre), "queue-%u/", i);
		snprintf(key, sizeof(key), "%sevent-channel", pre);
		if (!key_is(rd, arg, key, UINT32_MAX, q->evtchn)) {
			*why = "event channel differs";
			return 0;
		}
		for (order = 0; (1u << order) < q->npages; order++)
			;
		if (q->npages == 1) {
			/* Linux writes ring-ref for order 0 (ring_read_refs). */
			snprintf(key, sizeof(key), "%sring-ref", pre);
			if (!key_is(rd, arg, key, UINT32_MAX, q->refs[0])) {
				*why = "ring ref differs";
				return 0;
			}
			continue;
		}
		/* ring-page-order is at the top, for every queue (io/blkif.h). */
		if (!key_is(rd, arg, "ring-page-order", XB_RING_MAX_ORDER,
		    order)) {
			*why = "ring page order differs";
			return 0;
		}
		for (k = 0; k < q->npages; k++) {
			snprintf(key, sizeof(key), "%sring-ref%u", pre, k);
			if (!key_is(rd, arg, key, UINT32_MAX, q->refs[k])) {
				*why = "ring ref differs";
				return 0;
			}
		}
	}
	*why = "";
	return 1;
}
