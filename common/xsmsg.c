/*
 * xsmsg.c - see xsmsg.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsmsg.h"

static void
put32(char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t
get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int
xsm_op_has_path(uint32_t op)
{
	return op == XSM_READ || op == XSM_WRITE || op == XSM_RM ||
	    op == XSM_DIRECTORY || op == XSM_WATCH;
}

const char *
xsm_op_name(uint32_t op)
{
	static const char *names[] = {
		[XSM_READ] = "read", [XSM_WRITE] = "write", [XSM_RM] = "rm",
		[XSM_DIRECTORY] = "directory", [XSM_WATCH] = "watch",
		[XSM_UNWATCH] = "unwatch", [XSM_TXN_BEGIN] = "transaction start",
		[XSM_TXN_END] = "transaction end",
		[XSM_DOMAIN_EXISTS] = "domain check",
		[XSM_SELF_DOMID] = "domid",
	};

	if (op == 0 || op > XSM_OP_MAX)
		return "unknown";
	return names[op];
}

int
xsm_req_encode(char *buf, size_t cap, const struct xsm_req *r)
{
	size_t plen = 0, len = XSM_REQ_HDR;

	if (r->op == 0 || r->op > XSM_OP_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (xsm_op_has_path(r->op)) {
		if (r->path == NULL || r->path[0] == '\0') {
			errno = EINVAL;
			return -1;
		}
		plen = strlen(r->path) + 1;
		len += plen;
		if (r->op == XSM_WRITE)
			len += r->vlen;
	}
	if (len > cap) {
		errno = E2BIG;
		return -1;
	}
	put32(buf, r->op);
	put32(buf + 4, r->seq);
	put32(buf + 8, r->txn);
	put32(buf + 12, r->arg);
	if (plen > 0)
		memcpy(buf + XSM_REQ_HDR, r->path, plen);
	if (r->op == XSM_WRITE && r->vlen > 0)
		memcpy(buf + XSM_REQ_HDR + plen, r->value, r->vlen);
	return (int)len;
}

int
xsm_req_decode(const char *buf, size_t len, struct xsm_req *r)
{
	const char *nul;

	memset(r, 0, sizeof(*r));
	if (len < XSM_REQ_HDR)
		goto bad;
	r->op = get32(buf);
	r->seq = get32(buf + 4);
	r->txn = get32(buf + 8);
	r->arg = get32(buf + 12);
	if (r->op == 0 || r->op > XSM_OP_MAX)
		goto bad;
	buf += XSM_REQ_HDR;
	len -= XSM_REQ_HDR;
	if (!xsm_op_has_path(r->op)) {
		if (len != 0)
			goto bad;
		return 0;
	}
	if ((nul = memchr(buf, '\0', len)) == NULL || nul == buf)
		goto bad;
	r->path = buf;
	len -= (size_t)(nul - buf) + 1;
	if (r->op == XSM_WRITE) {
		r->value = nul + 1;
		r->vlen = len;
	} else if (len != 0)
		goto bad;
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	errno = EPROTO;
	return -1;
}

int
xsm_rpl_encode(char *buf, size_t cap, const struct xsm_rpl *r)
{
	size_t len = XSM_RPL_HDR + r->len;

	if (len > cap || r->len > XSM_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	put32(buf, r->seq);
	put32(buf + 4, (uint32_t)r->err);
	put32(buf + 8, r->val);
	if (r->len > 0)
		memcpy(buf + XSM_RPL_HDR, r->data, r->len);
	return (int)len;
}

int
xsm_rpl_decode(const char *buf, size_t len, struct xsm_rpl *r)
{
	memset(r, 0, sizeof(*r));
	if (len < XSM_RPL_HDR) {
		errno = EPROTO;
		return -1;
	}
	r->seq = get32(buf);
	r->err = (int32_t)get32(buf + 4);
	r->val = get32(buf + 8);
	r->data = buf + XSM_RPL_HDR;
	r->len = len - XSM_RPL_HDR;
	/* An error reply carries no data, and a bad errno is not passed on. */
	if (r->err < 0 || r->err > 4095 || (r->err != 0 && r->len != 0)) {
		memset(r, 0, sizeof(*r));
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
xsm_watch_encode(char *buf, size_t cap, uint32_t token, const char *path)
{
	size_t plen = strlen(path) + 1;

	if (plen == 1) {
		errno = EINVAL;
		return -1;
	}
	if (XSM_WATCH_HDR + plen > cap) {
		errno = E2BIG;
		return -1;
	}
	put32(buf, token);
	memcpy(buf + XSM_WATCH_HDR, path, plen);
	return (int)(XSM_WATCH_HDR + plen);
}

int
xsm_watch_decode(const char *buf, size_t len, uint32_t *token,
    const char **path)
{
	/* Exactly one non-empty NUL-terminated path after the token. */
	if (len < XSM_WATCH_HDR + 2 || buf[len - 1] != '\0' ||
	    memchr(buf + XSM_WATCH_HDR, '\0', len - XSM_WATCH_HDR) !=
	    buf + len - 1) {
		errno = EPROTO;
		return -1;
	}
	*token = get32(buf);
	*path = buf + XSM_WATCH_HDR;
	return 0;
}

char **
xsm_dir_split(const char *data, size_t len, unsigned int *n)
{
	const char *p, *end = data + len;
	unsigned int count = 0, i;
	char **vec, *strs;

	if (len > 0 && data[len - 1] != '\0') {
		errno = EPROTO;
		return NULL;
	}
	for (p = data; p < end; p += strlen(p) + 1) {
		if (*p == '\0') {
			errno = EPROTO;
			return NULL;
		}
		count++;
	}
	/* One block: the pointers, then the strings (as libxenstore). */
	if ((vec = malloc((count + 1) * sizeof(*vec) + len + 1)) == NULL)
		return NULL;
	strs = (char *)(vec + count + 1);
	if (len > 0)
		memcpy(strs, data, len);
	for (i = 0; i < count; i++, strs += strlen(strs) + 1)
		vec[i] = strs;
	vec[count] = NULL;
	*n = count;
	return vec;
}
