/*
 * test_xsproxy.c - the xenstore proxy: the parent's path policy (prefix
 * tricks, "..", "//", relative paths), the wire format against hostile
 * bytes, and xsproxy_request() end to end over a socketpair with a fake
 * xenstore behind struct xsc_ops (what was refused never reaches it;
 * transactions and watches are bounded and dropped with the worker, and
 * nothing of a worker stays in the parent's heap).
 */
#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ev.h"
#include "proc.h"
#include "wproc.h"
#include "xsmsg.h"
#include "xsops.h"
#include "xsproxy.h"

static const struct xspx_dev vbd = { "vbd", 0, 3, 51712 };

#define ALLOWED(op, p)	assert_int_equal(xsproxy_allowed(&vbd, op, p), 1)
#define REFUSED(op, p)	assert_int_equal(xsproxy_allowed(&vbd, op, p), 0)

static void
test_policy_own_dirs(void **state)
{
	(void)state;
	ALLOWED(XSM_READ, "/local/domain/0/backend/vbd/3/51712/state");
	ALLOWED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/state");
	ALLOWED(XSM_RM, "/local/domain/0/backend/vbd/3/51712/sectors");
	ALLOWED(XSM_WATCH, "/local/domain/0/backend/vbd/3/51712");
	ALLOWED(XSM_READ, "/local/domain/0/backend/vbd/3/51712");
	ALLOWED(XSM_DIRECTORY, "/local/domain/0/backend/vbd/3/51712");
	/* The toolstack owns the directory itself. */
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712");
	REFUSED(XSM_RM, "/local/domain/0/backend/vbd/3/51712");
	/* The error node: removed at start, written on failure. */
	ALLOWED(XSM_RM, "/local/domain/0/error/backend/vbd/3/51712");
	ALLOWED(XSM_WRITE, "/local/domain/0/error/backend/vbd/3/51712/error");
	/* The frontend: read and watch only. */
	ALLOWED(XSM_READ, "/local/domain/3/device/vbd/51712/ring-ref");
	ALLOWED(XSM_READ, "/local/domain/3/device/vbd/51712/queue-1/ring-ref0");
	ALLOWED(XSM_WATCH, "/local/domain/3/device/vbd/51712/state");
	REFUSED(XSM_WRITE, "/local/domain/3/device/vbd/51712/state");
	REFUSED(XSM_RM, "/local/domain/3/device/vbd/51712");
	ALLOWED(XSM_WATCH, "@releaseDomain");
	REFUSED(XSM_READ, "@releaseDomain");
	REFUSED(XSM_WATCH, "@introduceDomain");
}

static void
test_policy_others(void **state)
{
	(void)state;
	/* Another device, domain, type or backend domain. */
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51728/params");
	REFUSED(XSM_READ, "/local/domain/0/backend/vbd/4/51712/params");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vif/3/51712/state");
	REFUSED(XSM_READ, "/local/domain/1/backend/vbd/3/51712/state");
	REFUSED(XSM_READ, "/local/domain/4/device/vbd/51712/ring-ref");
	REFUSED(XSM_READ, "/local/domain/3/device/vif/51712/ring-ref");
	REFUSED(XSM_READ, "/local/domain/3/name");
	REFUSED(XSM_READ, "/local/domain/0/backend/vbd");
	REFUSED(XSM_DIRECTORY, "/local/domain/0/backend/vbd/3");
	REFUSED(XSM_WATCH, "/local/domain/0/backend");
	REFUSED(XSM_WATCH, "/");
	REFUSED(XSM_READ, "/vm");
	REFUSED(XSM_WRITE, "/tool/xenstored/quota");
	/* Prefix tricks: 51712 is a prefix of 517120 and 51712x. */
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/517120/params");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712x");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/33/51712/params");
	REFUSED(XSM_READ, "/local/domain/3/device/vbd/517120/state");
	REFUSED(XSM_WRITE, "/local/domain/0/error/backend/vbd/3/517120/error");
	REFUSED(XSM_WRITE, "/local/domain/00/backend/vbd/3/51712/params");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/03/51712/params");
	/* Ops without a path are never decided by a path. */
	REFUSED(XSM_TXN_BEGIN, "/local/domain/0/backend/vbd/3/51712");
	REFUSED(0, "/local/domain/0/backend/vbd/3/51712/state");
	REFUSED(999, "/local/domain/0/backend/vbd/3/51712/state");
}

static void
test_policy_syntax(void **state)
{
	(void)state;
	/* Relative paths (xenstored would put them under the caller's home). */
	REFUSED(XSM_READ, "domid");
	REFUSED(XSM_WRITE, "backend/vbd/3/51712/state");
	REFUSED(XSM_WRITE, "local/domain/0/backend/vbd/3/51712/state");
	/* Dot components, doubled and trailing slashes. */
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/../51728/params");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/..");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/./state");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/.");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712//state");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3//51712/state");
	REFUSED(XSM_WRITE, "//local/domain/0/backend/vbd/3/51712/state");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/state/");
	REFUSED(XSM_READ, "/local/domain/0/backend/vbd/3/51712/");
	/* Characters xenstored does not take in a node name. */
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/st ate");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/st\nate");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/st\\ate");
	REFUSED(XSM_WRITE, "/local/domain/0/backend/vbd/3/51712/\xc3\xa9");
	REFUSED(XSM_READ, "");
	REFUSED(XSM_READ, "/");
	assert_int_equal(xsproxy_path_ok("/local/domain/0/backend/vbd/3/51712/"
	    "feature-max-indirect-segments"), 1);
	assert_int_equal(xsproxy_path_ok("/a/b_c/@d"), 1);
}

static void
test_policy_long_path(void **state)
{
	char *p = malloc(4000);

	(void)state;
	assert_non_null(p);
	strcpy(p, "/local/domain/0/backend/vbd/3/51712/");
	memset(p + strlen(p), 'a', 3999 - strlen(p));
	p[3999] = '\0';
	REFUSED(XSM_WRITE, p);
	p[3000] = '\0';
	ALLOWED(XSM_WRITE, p);
	free(p);
}

/* Encoding and decoding. */

static void
test_req_roundtrip(void **state)
{
	char buf[PROC_MSG_MAX];
	struct xsm_req in = { .op = XSM_WRITE, .seq = 7, .txn = 9,
	    .path = "/a/b", .value = "xyz", .vlen = 3 }, out;
	int n;

	(void)state;
	n = xsm_req_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, XSM_REQ_HDR + 5 + 3);
	assert_int_equal(xsm_req_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.op, XSM_WRITE);
	assert_int_equal(out.seq, 7);
	assert_int_equal(out.txn, 9);
	assert_string_equal(out.path, "/a/b");
	assert_int_equal(out.vlen, 3);
	assert_memory_equal(out.value, "xyz", 3);

	/* An empty value is a value. */
	in.vlen = 0;
	n = xsm_req_encode(buf, sizeof(buf), &in);
	assert_int_equal(xsm_req_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.vlen, 0);

	/* Ops without a path carry none. */
	in = (struct xsm_req){ .op = XSM_TXN_BEGIN, .seq = 1 };
	n = xsm_req_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, XSM_REQ_HDR);
	assert_int_equal(xsm_req_decode(buf, (size_t)n, &out), 0);
	assert_null(out.path);

	/* A path op without a path, an unknown op, and too big. */
	in = (struct xsm_req){ .op = XSM_READ };
	assert_int_equal(xsm_req_encode(buf, sizeof(buf), &in), -1);
	in.path = "";
	assert_int_equal(xsm_req_encode(buf, sizeof(buf), &in), -1);
	in = (struct xsm_req){ .op = 77 };
	assert_int_equal(xsm_req_encode(buf, sizeof(buf), &in), -1);
	in = (struct xsm_req){ .op = XSM_WRITE, .path = "/a", .value = buf,
	    .vlen = sizeof(buf) };
	assert_int_equal(xsm_req_encode(buf, sizeof(buf), &in), -1);
	assert_int_equal(errno, E2BIG);
}

static void
put32(char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
test_req_hostile(void **state)
{
	char buf[64];
	struct xsm_req r;
	size_t len;

	(void)state;
	memset(buf, 0, sizeof(buf));
	/* Short headers. */
	for (len = 0; len < XSM_REQ_HDR; len++)
		assert_int_equal(xsm_req_decode(buf, len, &r), -1);
	/* Unknown ops: 0, past the last, huge. */
	put32(buf, 0);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR, &r), -1);
	put32(buf, XSM_OP_MAX + 1);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR, &r), -1);
	put32(buf, UINT32_MAX);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR, &r), -1);
	/* A read with no path, an empty path, a path without its NUL. */
	put32(buf, XSM_READ);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR, &r), -1);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 1, &r), -1);
	memcpy(buf + XSM_REQ_HDR, "/abc", 4);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 4, &r), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 5, &r), 0);
	assert_string_equal(r.path, "/abc");
	/* Bytes after the path of a read: refused, not ignored. */
	memcpy(buf + XSM_REQ_HDR + 5, "zz", 2);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 7, &r), -1);
	/* A write takes them as the value, NULs and all. */
	put32(buf, XSM_WRITE);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 7, &r), 0);
	assert_int_equal(r.vlen, 2);
	/* Bytes after a pathless op. */
	put32(buf, XSM_TXN_BEGIN);
	assert_int_equal(xsm_req_decode(buf, XSM_REQ_HDR + 1, &r), -1);
}

static void
test_rpl_and_watch(void **state)
{
	char buf[PROC_MSG_MAX];
	struct xsm_rpl in = { .seq = 5, .val = 8, .data = "v", .len = 1 }, out;
	const char *path;
	uint32_t tok;
	int n;

	(void)state;
	n = xsm_rpl_encode(buf, sizeof(buf), &in);
	assert_int_equal(xsm_rpl_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.seq, 5);
	assert_int_equal(out.val, 8);
	assert_int_equal(out.len, 1);
	/* Over the limit: the parent answers E2BIG instead. */
	in.data = buf;
	in.len = XSM_PAYLOAD_MAX + 1;
	assert_int_equal(xsm_rpl_encode(buf, sizeof(buf), &in), -1);
	assert_int_equal(errno, E2BIG);
	/* Short, a negative or huge errno, an error with data. */
	assert_int_equal(xsm_rpl_decode(buf, XSM_RPL_HDR - 1, &out), -1);
	put32(buf + 4, (uint32_t)-1);
	assert_int_equal(xsm_rpl_decode(buf, XSM_RPL_HDR, &out), -1);
	put32(buf + 4, 100000);
	assert_int_equal(xsm_rpl_decode(buf, XSM_RPL_HDR, &out), -1);
	put32(buf + 4, EACCES);
	assert_int_equal(xsm_rpl_decode(buf, XSM_RPL_HDR, &out), 0);
	assert_int_equal(xsm_rpl_decode(buf, XSM_RPL_HDR + 1, &out), -1);

	n = xsm_watch_encode(buf, sizeof(buf), 42, "/x/y");
	assert_int_equal(xsm_watch_decode(buf, (size_t)n, &tok, &path), 0);
	assert_int_equal(tok, 42);
	assert_string_equal(path, "/x/y");
	/* Not NUL-ended, two strings, empty, short. */
	assert_int_equal(xsm_watch_decode(buf, (size_t)n - 1, &tok, &path), -1);
	buf[XSM_WATCH_HDR + 1] = '\0';
	assert_int_equal(xsm_watch_decode(buf, (size_t)n, &tok, &path), -1);
	assert_int_equal(xsm_watch_decode(buf, XSM_WATCH_HDR + 1, &tok, &path),
	    -1);
	assert_int_equal(xsm_watch_decode(buf, 2, &tok, &path), -1);
}

static void
test_dir_split(void **state)
{
	unsigned int n = 99;
	char **v;

	(void)state;
	v = xsm_dir_split("a\0bc\0", 5, &n);
	assert_non_null(v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "bc");
	assert_null(v[2]);
	free(v);
	v = xsm_dir_split("", 0, &n);
	assert_non_null(v);
	assert_int_equal(n, 0);
	free(v);
	assert_null(xsm_dir_split("a\0bc", 4, &n));	/* not NUL-ended */
	assert_null(xsm_dir_split("a\0\0", 3, &n));	/* an empty name */
	assert_null(xsm_dir_split("\0", 1, &n));
}

/*
 * xsproxy_request() over a socketpair, with a fake xenstore: it records
 * the last write and counts transactions and watches.
 */
static struct fake {
	char	 last_write[256];
	int	 writes, txn_open, watches;
	unsigned int next_txn;
} fk;

static char *
f_read(void *impl, xs_transaction_t t, const char *path, unsigned int *len)
{
	(void)impl; (void)t;
	if (strstr(path, "/big") != NULL) {
		char *v = malloc(PROC_MSG_MAX + 1);

		memset(v, 'b', PROC_MSG_MAX);
		v[PROC_MSG_MAX] = '\0';
		*len = PROC_MSG_MAX;
		return v;
	}
	*len = 3;
	return strdup("val");
}

static int
f_write(void *impl, xs_transaction_t t, const char *path, const char *value,
    size_t len)
{
	(void)impl; (void)t; (void)len;
	fk.writes++;
	snprintf(fk.last_write, sizeof(fk.last_write), "%s=%s", path, value);
	return 0;
}

static int
f_rm(void *impl, xs_transaction_t t, const char *path)
{
	(void)impl; (void)t; (void)path;
	return 0;
}

static char **
f_directory(void *impl, xs_transaction_t t, const char *path, unsigned int *n)
{
	char **v = malloc(3 * sizeof(char *) + 8);

	(void)impl; (void)t; (void)path;
	memcpy((char *)(v + 3), "a\0state", 8);
	v[0] = (char *)(v + 3);
	v[1] = v[0] + 2;
	v[2] = NULL;
	*n = 2;
	return v;
}

static int
f_watch(void *impl, const char *path, const char *token)
{
	(void)impl; (void)path; (void)token;
	fk.watches++;
	return 0;
}

static void
f_unwatch(void *impl, const char *path, const char *token)
{
	(void)impl; (void)path; (void)token;
	fk.watches--;
}

static xs_transaction_t
f_txn_begin(void *impl)
{
	(void)impl;
	fk.txn_open++;
	return ++fk.next_txn;
}

static int
f_txn_end(void *impl, xs_transaction_t t, int abort)
{
	(void)impl; (void)t; (void)abort;
	fk.txn_open--;
	return 0;
}

static int
f_domain_exists(void *impl, unsigned int domid)
{
	(void)impl;
	return domid == 3;
}

static void
f_close(void *impl)
{
	(void)impl;
}

static const struct xsc_ops fake_ops = {
	f_read, f_write, f_rm, f_directory, f_watch, f_unwatch, f_txn_begin,
	f_txn_end, f_domain_exists, NULL, f_close,
};

struct bed {
	int		 sv[2];
	struct ev_base	*base;
	struct xsc	*xsc;
	struct xsproxy	*px;
	uint32_t	 seq;
};

static int
bed_setup(void **state)
{
	struct bed *b = calloc(1, sizeof(*b));

	memset(&fk, 0, sizeof(fk));
	if (b == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, b->sv) == -1)
		return -1;
	b->base = ev_base_new();
	b->xsc = xsc_new(b->base, &fake_ops, NULL);
	b->px = xsproxy_new(b->xsc, &vbd, 412, b->sv[0]);
	if (b->base == NULL || b->xsc == NULL || b->px == NULL)
		return -1;
	*state = b;
	return 0;
}

static int
bed_teardown(void **state)
{
	struct bed *b = *state;

	xsproxy_free(b->px);
	xsc_close(b->xsc);
	ev_base_free(b->base);
	close(b->sv[0]);
	close(b->sv[1]);
	free(b);
	return 0;
}

/* Send a request as the worker and return the reply's errno (*out: it). */
static int
call(struct bed *b, struct xsm_req *req, struct xsm_rpl *out,
    struct proc_msg *m)
{
	char buf[PROC_MSG_MAX];
	struct proc_msg in;
	int n;

	req->seq = ++b->seq;
	n = xsm_req_encode(buf, sizeof(buf), req);
	assert_true(n > 0);
	assert_int_equal(proc_send(b->sv[1], PROC_XS_REQ, buf, (size_t)n, -1), 0);
	assert_int_equal(proc_recv(b->sv[0], &in), 1);
	xsproxy_request(b->px, &in);
	assert_int_equal(proc_recv(b->sv[1], m), 1);
	assert_int_equal(m->type, PROC_XS_RPL);
	assert_int_equal(xsm_rpl_decode(m->data, m->len, out), 0);
	assert_int_equal(out->seq, req->seq);
	return out->err;
}

static void
test_request_refused_not_written(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_WRITE,
	    .path = "/local/domain/0/backend/vbd/3/51728/params",
	    .value = "/etc/shadow", .vlen = 11 };
	struct xsm_rpl o;
	struct proc_msg m;

	assert_int_equal(call(b, &r, &o, &m), EACCES);
	assert_int_equal(fk.writes, 0);
	/* Twice: answered again (logged once). */
	assert_int_equal(call(b, &r, &o, &m), EACCES);
	r.path = "/local/domain/0/backend/vbd/3/51712/state";
	r.value = "4";
	r.vlen = 1;
	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(fk.writes, 1);
	assert_string_equal(fk.last_write,
	    "/local/domain/0/backend/vbd/3/51712/state=4");
	/* A NUL inside a value is not cut short silently. */
	r.value = "4\0x";
	r.vlen = 3;
	assert_int_equal(call(b, &r, &o, &m), EINVAL);
	assert_int_equal(fk.writes, 1);
}

static void
test_request_read_dir(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_READ,
	    .path = "/local/domain/3/device/vbd/51712/state" };
	struct xsm_rpl o;
	struct proc_msg m;
	unsigned int n;
	char **v;

	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(o.len, 3);
	assert_memory_equal(o.data, "val", 3);
	r.path = "/local/domain/3/device/vbd/51712/big";
	assert_int_equal(call(b, &r, &o, &m), E2BIG);
	r.op = XSM_DIRECTORY;
	r.path = "/local/domain/3/device/vbd/51712";
	assert_int_equal(call(b, &r, &o, &m), 0);
	v = xsm_dir_split(o.data, o.len, &n);
	assert_non_null(v);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "state");
	free(v);
}

static void
test_request_txn(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_TXN_BEGIN };
	struct xsm_rpl o;
	struct proc_msg m;
	uint32_t t1, t2;

	assert_int_equal(call(b, &r, &o, &m), 0);
	t1 = o.val;
	assert_int_equal(call(b, &r, &o, &m), 0);
	t2 = o.val;
	/* A third is refused: at most XSPX_TXN_MAX. */
	assert_int_equal(call(b, &r, &o, &m), EBUSY);
	assert_int_equal(fk.txn_open, 2);
	/* Someone else's transaction (the parent's connection is shared). */
	r = (struct xsm_req){ .op = XSM_READ, .txn = t2 + 100,
	    .path = "/local/domain/0/backend/vbd/3/51712/state" };
	assert_int_equal(call(b, &r, &o, &m), EACCES);
	r.txn = t1;
	assert_int_equal(call(b, &r, &o, &m), 0);
	r = (struct xsm_req){ .op = XSM_TXN_END, .txn = t1 };
	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(call(b, &r, &o, &m), EACCES);	/* ended */
	assert_int_equal(fk.txn_open, 1);
	/* The worker dies with t2 open: aborted. */
	xsproxy_free(b->px);
	b->px = NULL;
	assert_int_equal(fk.txn_open, 0);
}

static void
test_request_watch(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_WATCH, .arg = 1,
	    .path = "/local/domain/0/backend/vbd/3/51712" };
	struct xsm_rpl o;
	struct proc_msg m;
	unsigned int i;

	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(call(b, &r, &o, &m), EEXIST);	/* same token */
	r.path = "/local/domain/0/backend/vbd";
	r.arg = 2;
	assert_int_equal(call(b, &r, &o, &m), EACCES);
	r.path = "@releaseDomain";
	for (i = 2; i <= XSPX_WATCH_MAX; i++) {
		r.arg = i;
		assert_int_equal(call(b, &r, &o, &m), 0);
	}
	r.arg = 100;
	assert_int_equal(call(b, &r, &o, &m), ENOSPC);
	assert_int_equal(fk.watches, XSPX_WATCH_MAX);
	r = (struct xsm_req){ .op = XSM_UNWATCH, .arg = 1 };
	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(call(b, &r, &o, &m), ENOENT);
	assert_int_equal(fk.watches, XSPX_WATCH_MAX - 1);
	/* Dropped with the worker. */
	xsproxy_free(b->px);
	b->px = NULL;
	assert_int_equal(fk.watches, 0);
}

static void
break_cb(int fd, void *arg)
{
	(void)fd;
	ev_break(arg);
}

/*
 * A watch event that finds the worker's channel full is owed, not lost:
 * sent again (with the watched path) once there is room.
 */
static void
test_watch_event_channel_full(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_WATCH, .arg = 7,
	    .path = "/local/domain/3/device/vbd/51712/state" };
	struct xsm_rpl o;
	struct proc_msg m;
	struct ev *t;
	const char *path;
	uint32_t tok;
	char fill[1024];
	int n = 0, got = 0;

	assert_int_equal(call(b, &r, &o, &m), 0);
	memset(fill, 'f', sizeof(fill));
	while (proc_send(b->sv[0], PROC_ERROR, fill, sizeof(fill), -1) == 0)
		n++;
	assert_int_equal(errno, EAGAIN);
	/* The parent's connection fires the watch ("xb0": the first token). */
	xsc_fire(b->xsc, "xb0", "/local/domain/3/device/vbd/51712/state");
	while (proc_recv(b->sv[1], &m) == 1) {
		assert_int_equal(m.type, PROC_ERROR);	/* only the filler */
		n--;
	}
	assert_int_equal(n, 0);
	/* Room again: the retry timer sends what is owed. */
	assert_non_null(t = ev_timer(b->base, break_cb, b->base));
	ev_timer_arm(t, 300);
	ev_dispatch(b->base);
	ev_free(t);
	while (proc_recv(b->sv[1], &m) == 1) {
		assert_int_equal(m.type, PROC_XS_WATCH);
		assert_int_equal(xsm_watch_decode(m.data, m.len, &tok, &path), 0);
		assert_int_equal(tok, 7);
		assert_string_equal(path, "/local/domain/3/device/vbd/51712/state");
		got++;
	}
	assert_int_equal(got, 1);
}

static void
test_request_domain_and_self(void **state)
{
	struct bed *b = *state;
	struct xsm_req r = { .op = XSM_DOMAIN_EXISTS, .arg = 3 };
	struct xsm_rpl o;
	struct proc_msg m;

	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(o.val, 1);
	r.arg = 4;
	assert_int_equal(call(b, &r, &o, &m), EACCES);
	r = (struct xsm_req){ .op = XSM_SELF_DOMID };
	assert_int_equal(call(b, &r, &o, &m), 0);
	assert_int_equal(o.val, 0);
}

static void
test_request_garbage(void **state)
{
	struct bed *b = *state;
	struct proc_msg in, m;
	char junk[40];
	unsigned int i;

	/* Malformed: no answer (no seq to answer), nothing done, no crash. */
	for (i = 0; i < sizeof(junk); i++) {
		memset(junk, (int)(i * 37), sizeof(junk));
		memset(&in, 0, sizeof(in));
		in.type = PROC_XS_REQ;
		in.len = i;
		in.fd = -1;
		memcpy(in.data, junk, i);
		xsproxy_request(b->px, &in);
	}
	assert_int_equal(fk.writes, 0);
	assert_int_equal(proc_recv(b->sv[1], &m), -1);
	assert_int_equal(errno, EAGAIN);
}

static void
noop_cb(const char *path, void *arg)
{
	(void)path;
	(*(int *)arg)++;
}

/* After a parent's re-exec the worker registers its watches again. */
static void
test_rewatch(void **state)
{
	struct bed *b = *state;
	struct xsc_watch *w1, *w2;
	int fired = 0;

	w1 = xsc_watch(b->xsc, "/a", noop_cb, &fired);
	w2 = xsc_watch(b->xsc, "/b", noop_cb, &fired);
	assert_non_null(w1);
	assert_non_null(w2);
	assert_int_equal(fk.watches, 2);
	xsc_rewatch(b->xsc);
	assert_int_equal(fk.watches, 4);
	xsc_fire(b->xsc, "xb1", "/b/c");
	xsc_fire(b->xsc, "xb9", "/b/c");	/* unknown token: ignored */
	assert_int_equal(fired, 1);
	xsc_unwatch(b->xsc, w1);
	xsc_unwatch(b->xsc, w2);
}

#ifdef __SANITIZE_ADDRESS__
/* sanitizer/allocator_interface.h, which gcc 12 does not install */
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

/* Bytes malloc has handed out and not had back. */
static size_t
heap_in_use(void)
{
#ifdef __SANITIZE_ADDRESS__
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * What the parent keeps per worker goes with it (the lifecycle-100 RSS
 * question): 300 worker lifetimes, each of another domain, with watches
 * (one fired), a transaction left open, refusals remembered and reads,
 * then the worker's end (xsproxy_free); the heap in use afterwards is
 * what it was after the first two, and the shared connection holds no
 * watch or transaction of theirs.
 */
static void
test_worker_cycles(void **state)
{
	struct bed *b = *state;
	struct xspx_dev d = vbd;
	struct xsm_req r;
	struct xsm_rpl o;
	struct proc_msg m;
	char be[96], fe[96], tok[24];
	size_t base = 0;
	unsigned int i, ntok = 0;
	int err;

	xsproxy_free(b->px);
	b->px = NULL;
	/* 600 refusals are logged: not on the test's output. */
	assert_true((err = dup(2)) != -1);
	assert_non_null(freopen("/dev/null", "w", stderr));
	for (i = 0; i < 300; i++) {
		if (i == 2)
			base = heap_in_use();
		d.domid = 1 + i % 0x7fef;
		assert_non_null(b->px = xsproxy_new(b->xsc, &d, 1000 + (pid_t)i,
		    b->sv[0]));
		snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/51712",
		    d.domid);
		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/51712/state",
		    d.domid);
		r = (struct xsm_req){ .op = XSM_WATCH, .arg = 1, .path = be };
		assert_int_equal(call(b, &r, &o, &m), 0);
		r = (struct xsm_req){ .op = XSM_WATCH, .arg = 2, .path = fe };
		assert_int_equal(call(b, &r, &o, &m), 0);
		r = (struct xsm_req){ .op = XSM_WATCH, .arg = 3,
		    .path = "@releaseDomain" };
		assert_int_equal(call(b, &r, &o, &m), 0);
		/* The frontend's state changes: the event reaches the worker. */
		snprintf(tok, sizeof(tok), "xb%u", ntok + 1);
		xsc_fire(b->xsc, tok, fe);
		assert_int_equal(proc_recv(b->sv[1], &m), 1);
		assert_int_equal(m.type, PROC_XS_WATCH);
		ntok += 3;
		r = (struct xsm_req){ .op = XSM_READ, .path = fe };
		assert_int_equal(call(b, &r, &o, &m), 0);
		r = (struct xsm_req){ .op = XSM_WRITE, .path = "/tool/x",
		    .value = "1", .vlen = 1 };
		assert_int_equal(call(b, &r, &o, &m), EACCES);
		r = (struct xsm_req){ .op = XSM_DOMAIN_EXISTS, .arg = 0 };
		assert_int_equal(call(b, &r, &o, &m), EACCES);
		r = (struct xsm_req){ .op = XSM_TXN_BEGIN };
		assert_int_equal(call(b, &r, &o, &m), 0);
		assert_int_equal(fk.watches, 3);
		assert_int_equal(fk.txn_open, 1);
		/* The worker is gone. */
		xsproxy_free(b->px);
		b->px = NULL;
		assert_int_equal(fk.watches, 0);
		assert_int_equal(fk.txn_open, 0);
	}
	fflush(stderr);
	dup2(err, 2);
	close(err);
	assert_int_equal(heap_in_use(), base);
}

/*
 * The worker's side of a call: what arrives while it waits for a reply is
 * queued and handled from the loop afterwards, in order; SHUTDOWN too.
 */
static char seen[64];

static void
watch_hook(const struct proc_msg *m, void *arg)
{
	(void)arg;
	strncat(seen, m->data, sizeof(seen) - strlen(seen) - 1);
}

static void
test_wproc_wait_queues(void **state)
{
	struct proc_msg m;
	struct wproc *wp;
	int sv[2];

	(void)state;
	seen[0] = '\0';
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_non_null(wp = wproc_new(sv[1], NULL, NULL));
	wproc_on_msg(wp, PROC_XS_WATCH, watch_hook, NULL);
	assert_int_equal(proc_send(sv[0], PROC_XS_WATCH, "a", 1, -1), 0);
	assert_int_equal(proc_send(sv[0], PROC_XS_WATCH, "b", 1, -1), 0);
	assert_int_equal(proc_send(sv[0], PROC_XS_RPL, "r", 1, -1), 0);
	assert_int_equal(proc_send(sv[0], PROC_XS_WATCH, "c", 1, -1), 0);
	assert_int_equal(proc_send(sv[0], PROC_SHUTDOWN, NULL, 0, -1), 0);
	assert_int_equal(wproc_wait(wp, PROC_XS_RPL, 1000, &m), 1);
	assert_string_equal(m.data, "r");
	assert_string_equal(seen, "");		/* not from inside the wait */
	/* Nothing else for the reply type: a timeout, nothing lost. */
	assert_int_equal(wproc_wait(wp, PROC_XS_RPL, 50, &m), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(wproc_run(wp), 0);	/* SHUTDOWN, after the events */
	assert_string_equal(seen, "abc");
	/* The parent gone: at once, and from then on. */
	close(sv[0]);
	assert_int_equal(wproc_wait(wp, PROC_XS_RPL, 1000, &m), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(wproc_send(wp, PROC_XS_REQ, "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	wproc_free(wp);
	close(sv[1]);
}

#define BED(t)	cmocka_unit_test_setup_teardown(t, bed_setup, bed_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_own_dirs),
		cmocka_unit_test(test_policy_others),
		cmocka_unit_test(test_policy_syntax),
		cmocka_unit_test(test_policy_long_path),
		cmocka_unit_test(test_req_roundtrip),
		cmocka_unit_test(test_req_hostile),
		cmocka_unit_test(test_rpl_and_watch),
		cmocka_unit_test(test_dir_split),
		cmocka_unit_test(test_wproc_wait_queues),
		BED(test_request_refused_not_written),
		BED(test_request_read_dir),
		BED(test_request_txn),
		BED(test_request_watch),
		BED(test_request_domain_and_self),
		BED(test_watch_event_channel_full),
		BED(test_request_garbage),
		BED(test_rewatch),
		BED(test_worker_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
