/*
 * xsp.c - the worker's xenstore connection through its parent: each xs.h
 * call is one PROC_XS_REQ and the PROC_XS_RPL with the same sequence number
 * (xsmsg.h), waited for synchronously; watch events arrive as
 * PROC_XS_WATCH through the wproc hook, from the loop.  See xs.h
 * (xsc_open_proxy) and xsproxy.h (the parent's side).
 *
 * Why: a dom0 xenstore connection can write any node (XS_RESTRICT was
 * removed from xenstored, xen/include/public/io/xs_wire.h), so a worker
 * that holds one could rewrite another device's params.  Without it the
 * worker also has no libxenstore reader thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "wproc.h"
#include "xsmsg.h"
#include "xsops.h"

/* How long a call waits for the parent (libxl's own limit is 10 s too). */
#define XSP_TIMEOUT_MS	10000

struct xsp {
	struct wproc	*wp;
	struct xsc	*c;
	uint32_t	 seq;
	char		 probe[128];	/* -T: a neighbour's params (xsp_probe) */
};

/*
 * -T only: remember a path outside our device for the SIGRTMIN+3 probe,
 * from the first backend path we ask for (xb_dev_new() reads our
 * "frontend" first): the same type and guest, devid + 16 (the next xvd).
 */
static void
xsp_note_path(struct xsp *x, const char *path)
{
	unsigned int self, domid, devid;
	char type[16];

	if (x->probe[0] != '\0' || path == NULL ||
	    sscanf(path, "/local/domain/%u/backend/%15[a-z]/%u/%u", &self, type,
	    &domid, &devid) != 4)
		return;
	snprintf(x->probe, sizeof(x->probe),
	    "/local/domain/%u/backend/%s/%u/%u/params", self, type, domid,
	    devid + 16);
}

/* SIGRTMIN+3 with -T: a write the parent must refuse. */
static void
xsp_probe(void *arg)
{
	struct xsp *x = arg;

	if (x->probe[0] == '\0') {
		log_warnx("selftest: no backend path seen yet");
		return;
	}
	if (xsc_write(x->c, XBT_NULL, x->probe, "/etc/shadow") == -1)
		log_info("selftest: xenstore write %s: %s", x->probe,
		    strerror(errno));
	else
		log_warnx("selftest: xenstore write %s: succeeded", x->probe);
}

/*
 * One request and its reply.  r points into *m.  Returns 0, or -1 with
 * errno (the parent's error, or the channel's).
 */
static int
xsp_call(struct xsp *x, struct xsm_req *req, struct proc_msg *m,
    struct xsm_rpl *r)
{
	char buf[PROC_MSG_MAX];
	int len;

	req->seq = ++x->seq;
	xsp_note_path(x, req->path);
	if ((len = xsm_req_encode(buf, sizeof(buf), req)) == -1)
		return -1;
	if (wproc_send(x->wp, PROC_XS_REQ, buf, (size_t)len) == -1)
		return -1;
	for (;;) {
		if (wproc_wait(x->wp, PROC_XS_RPL, XSP_TIMEOUT_MS, m) == -1) {
			if (errno == ETIMEDOUT)
				log_warnx("xenstore %s: no answer from the parent "
				    "in %d s", xsm_op_name(req->op),
				    XSP_TIMEOUT_MS / 1000);
			return -1;
		}
		if (m->fd >= 0)
			close(m->fd);
		if (xsm_rpl_decode(m->data, m->len, r) == -1)
			return -1;
		if (r->seq != req->seq)
			continue;	/* the answer to a call that timed out */
		if (r->err != 0) {
			errno = r->err;
			return -1;
		}
		return 0;
	}
}

static char *
xsp_read(void *impl, xs_transaction_t t, const char *path, unsigned int *len)
{
	struct xsm_req req = { .op = XSM_READ, .txn = t, .path = path };
	struct proc_msg m;
	struct xsm_rpl r;
	char *v;

	if (xsp_call(impl, &req, &m, &r) == -1)
		return NULL;
	if ((v = malloc(r.len + 1)) == NULL)
		return NULL;
	memcpy(v, r.data, r.len);
	v[r.len] = '\0';
	*len = (unsigned int)r.len;
	return v;
}

static int
xsp_write(void *impl, xs_transaction_t t, const char *path,
    const char *value, size_t len)
{
	struct xsm_req req = { .op = XSM_WRITE, .txn = t, .path = path,
	    .value = value, .vlen = len };
	struct proc_msg m;
	struct xsm_rpl r;

	return xsp_call(impl, &req, &m, &r);
}

static int
xsp_rm(void *impl, xs_transaction_t t, const char *path)
{
	struct xsm_req req = { .op = XSM_RM, .txn = t, .path = path };
	struct proc_msg m;
	struct xsm_rpl r;

	return xsp_call(impl, &req, &m, &r);
}

static char **
xsp_directory(void *impl, xs_transaction_t t, const char *path,
    unsigned int *n)
{
	struct xsm_req req = { .op = XSM_DIRECTORY, .txn = t, .path = path };
	struct proc_msg m;
	struct xsm_rpl r;

	if (xsp_call(impl, &req, &m, &r) == -1)
		return NULL;
	return xsm_dir_split(r.data, r.len, n);
}

/* xs.c's tokens are "xb<N>"; the wire carries N. */
static int
xsp_token(const char *token, uint32_t *n)
{
	char *end;
	unsigned long v;

	if (strncmp(token, "xb", 2) != 0)
		return -1;
	errno = 0;
	v = strtoul(token + 2, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*n = (uint32_t)v;
	return 0;
}

static int
xsp_watch(void *impl, const char *path, const char *token)
{
	struct xsm_req req = { .op = XSM_WATCH, .path = path };
	struct proc_msg m;
	struct xsm_rpl r;

	if (xsp_token(token, &req.arg) == -1) {
		errno = EINVAL;
		return -1;
	}
	return xsp_call(impl, &req, &m, &r);
}

/*
 * Not waited for: nothing is learnt from the answer (events for a removed
 * token are ignored; the parent drops every watch when we die anyway),
 * and a worker that is exiting must not wait on a parent that is itself
 * stopping (sup_stop).  The answer is skipped by its seq.
 */
static void
xsp_unwatch(void *impl, const char *path, const char *token)
{
	struct xsp *x = impl;
	struct xsm_req req = { .op = XSM_UNWATCH };
	char buf[XSM_REQ_HDR];
	int len;

	(void)path;
	if (xsp_token(token, &req.arg) == -1)
		return;
	req.seq = ++x->seq;
	if ((len = xsm_req_encode(buf, sizeof(buf), &req)) > 0)
		wproc_send(x->wp, PROC_XS_REQ, buf, (size_t)len);
}

static xs_transaction_t
xsp_txn_begin(void *impl)
{
	struct xsm_req req = { .op = XSM_TXN_BEGIN };
	struct proc_msg m;
	struct xsm_rpl r;

	if (xsp_call(impl, &req, &m, &r) == -1)
		return XBT_NULL;
	if (r.val == XBT_NULL) {
		errno = EPROTO;
		return XBT_NULL;
	}
	return r.val;
}

static int
xsp_txn_end(void *impl, xs_transaction_t t, int abort)
{
	struct xsm_req req = { .op = XSM_TXN_END, .txn = t, .arg = !!abort };
	struct proc_msg m;
	struct xsm_rpl r;

	return xsp_call(impl, &req, &m, &r);
}

static int
xsp_domain_exists(void *impl, unsigned int domid)
{
	struct xsm_req req = { .op = XSM_DOMAIN_EXISTS, .arg = domid };
	struct proc_msg m;
	struct xsm_rpl r;

	/* Not known (parent gone) is not "gone": -1 tests true, as alive. */
	if (xsp_call(impl, &req, &m, &r) == -1)
		return -1;
	return r.val ? 1 : 0;
}

static int
xsp_self_domid(void *impl, unsigned int *domid)
{
	struct xsm_req req = { .op = XSM_SELF_DOMID };
	struct proc_msg m;
	struct xsm_rpl r;

	if (xsp_call(impl, &req, &m, &r) == -1)
		return -1;
	*domid = r.val;
	return 0;
}

static void
xsp_close(void *impl)
{
	struct xsp *x = impl;

	wproc_on_msg(x->wp, PROC_XS_WATCH, NULL, NULL);
	wproc_on_msg(x->wp, PROC_XS_RESET, NULL, NULL);
	wproc_on_xs_probe(x->wp, NULL, NULL);
	free(x);
}

/* PROC_XS_WATCH from the loop. */
static void
xsp_watch_msg(const struct proc_msg *m, void *arg)
{
	struct xsp *x = arg;
	const char *path;
	uint32_t token;
	char tok[16];

	if (xsm_watch_decode(m->data, m->len, &token, &path) == -1) {
		log_warnx("malformed watch event from the parent");
		return;
	}
	snprintf(tok, sizeof(tok), "xb%u", token);
	xsc_fire(x->c, tok, path);
}

/*
 * PROC_XS_RESET from the loop: a re-executed parent adopted us with a new
 * xenstore connection and none of our watches.
 */
static void
xsp_reset_msg(const struct proc_msg *m, void *arg)
{
	struct xsp *x = arg;

	(void)m;
	log_info("new parent: watching again");
	xsc_rewatch(x->c);
}

static const struct xsc_ops xsp_ops = {
	.read = xsp_read,
	.write = xsp_write,
	.rm = xsp_rm,
	.directory = xsp_directory,
	.watch = xsp_watch,
	.unwatch = xsp_unwatch,
	.txn_begin = xsp_txn_begin,
	.txn_end = xsp_txn_end,
	.domain_exists = xsp_domain_exists,
	.self_domid = xsp_self_domid,
	.close = xsp_close,
};

struct xsc *
xsc_open_proxy(struct wproc *wp)
{
	struct xsp *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->wp = wp;
	if ((x->c = xsc_new(wproc_base(wp), &xsp_ops, x)) == NULL) {
		free(x);
		return NULL;
	}
	wproc_on_msg(wp, PROC_XS_WATCH, xsp_watch_msg, x);
	wproc_on_msg(wp, PROC_XS_RESET, xsp_reset_msg, x);
	wproc_on_xs_probe(wp, xsp_probe, x);
	return x->c;
}
