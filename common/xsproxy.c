/*
 * xsproxy.c - the parent's side of the xenstore proxy.  See xsproxy.h.
 *
 * Calls run synchronously on the parent's connection, straight from the
 * channel callback: they are on the device's connect path, and libxl waits
 * only 10 s for InitWait (libxl_device.c, LIBXL_INIT_TIMEOUT).
 */
#include <sys/queue.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "proc.h"
#include "xs.h"
#include "xsmsg.h"
#include "xsproxy.h"

/* xenstored's limit on an absolute path (XENSTORE_ABS_PATH_MAX). */
#define XSPX_PATH_MAX		3072
/* Refusals remembered for "logged once"; more are counted, not logged. */
#define XSPX_REFUSED_MAX	16
/* A watch event that did not fit in the channel is sent again after this. */
#define XSPX_RETRY_MS		100

struct xspx_watch {
	TAILQ_ENTRY(xspx_watch)	 entry;
	struct xsproxy		*px;
	uint32_t		 token;
	char			*path;
	struct xsc_watch	*w;
	bool			 lost;	/* an event is owed (channel was full) */
};

struct xsproxy {
	struct xsc		*xsc;
	char			 type[16];
	struct xspx_dev		 dev;
	pid_t			 pid;
	int			 chan;
	struct ev		*ev_retry;
	TAILQ_HEAD(, xspx_watch) watches;
	unsigned int		 nwatch;
	xs_transaction_t	 txn[XSPX_TXN_MAX];	/* XBT_NULL: free */
	char			*refused[XSPX_REFUSED_MAX];
	unsigned int		 nrefused;
	bool			 refused_more;
	bool			 malformed_logged;
};

int
xsproxy_path_ok(const char *path)
{
	size_t i, len = strlen(path);

	if (len < 2 || len >= XSPX_PATH_MAX || path[0] != '/' ||
	    path[len - 1] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		char ch = path[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
		    ch == '_' || ch == '@'))
			return 0;
		if (ch == '/' && path[i + 1] == '/')
			return 0;
	}
	/*
	 * '.' is not a node character, so "." and ".." cannot occur; say so
	 * anyway, in case the character rule is ever widened.
	 */
	return strstr(path, "/./") == NULL && strstr(path, "/../") == NULL;
}

/* Is path prefix itself (if self_ok) or below it? */
static int
under(const char *path, const char *prefix, int self_ok)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return 0;
	if (path[n] == '\0')
		return self_ok;
	return path[n] == '/';
}

int
xsproxy_allowed(const struct xspx_dev *d, uint32_t op, const char *path)
{
	char be[128], err[128], fe[128];
	int rw = op == XSM_WRITE || op == XSM_RM;
	int ro = op == XSM_READ || op == XSM_DIRECTORY || op == XSM_WATCH;

	if (!rw && !ro)
		return 0;
	if (strcmp(path, "@releaseDomain") == 0)
		return op == XSM_WATCH;
	if (!xsproxy_path_ok(path))
		return 0;
	snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u/%u", d->self,
	    d->type, d->domid, d->devid);
	snprintf(err, sizeof(err), "/local/domain/%u/error/backend/%s/%u/%u",
	    d->self, d->type, d->domid, d->devid);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", d->domid,
	    d->type, d->devid);
	if (under(path, err, 1))
		return 1;
	if (under(path, be, !rw))
		return 1;
	return ro && under(path, fe, 1);
}

/* Log a refusal once per operation and path. */
static void
refuse_log(struct xsproxy *px, uint32_t op, const char *path)
{
	char key[XSPX_PATH_MAX + 32], esc[512];
	unsigned int i;

	snprintf(key, sizeof(key), "%u %s", op, path);
	for (i = 0; i < px->nrefused; i++)
		if (strcmp(px->refused[i], key) == 0)
			return;
	if (px->nrefused == XSPX_REFUSED_MAX) {
		if (!px->refused_more)
			log_devwarnx(px->type, px->dev.domid, px->dev.devid,
			    "worker %ld: more xenstore requests refused; not "
			    "logged", (long)px->pid);
		px->refused_more = true;
		return;
	}
	if ((px->refused[px->nrefused] = strdup(key)) != NULL)
		px->nrefused++;
	log_devwarnx(px->type, px->dev.domid, px->dev.devid,
	    "worker %ld: xenstore %s %s refused", (long)px->pid,
	    xsm_op_name(op), log_escape(esc, sizeof(esc), path));
}

/*
 * Send on the non-blocking channel; a full channel gets up to 1 s (the
 * worker waits for this answer and reads everything meanwhile).
 */
static int
send_wait(struct xsproxy *px, uint32_t type, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = px->chan, .events = POLLOUT };

	if (proc_send(px->chan, type, buf, len, -1) == 0)
		return 0;
	if (errno != EAGAIN)
		return -1;
	if (poll(&pfd, 1, 1000) != 1)
		return -1;
	return proc_send(px->chan, type, buf, len, -1);
}

static void
reply(struct xsproxy *px, uint32_t seq, int err, uint32_t val,
    const char *data, size_t len)
{
	char buf[PROC_MSG_MAX];
	struct xsm_rpl r = { .seq = seq, .err = err, .val = val,
	    .data = data, .len = len };
	int n;

	if ((n = xsm_rpl_encode(buf, sizeof(buf), &r)) == -1) {
		r.err = E2BIG;
		r.len = 0;
		n = xsm_rpl_encode(buf, sizeof(buf), &r);
	}
	/* A worker that died with a request pending needs no log line. */
	if (send_wait(px, PROC_XS_RPL, buf, (size_t)n) == -1 &&
	    errno != EPIPE && errno != ECONNRESET && errno != ECONNREFUSED)
		log_devwarnx(px->type, px->dev.domid, px->dev.devid,
		    "worker %ld: xenstore reply: %s", (long)px->pid,
		    strerror(errno));
}

static int
send_event(struct xspx_watch *pw, const char *path)
{
	char buf[PROC_MSG_MAX];
	int n;

	if ((n = xsm_watch_encode(buf, sizeof(buf), pw->token, path)) == -1)
		return 0;	/* cannot happen: xenstore paths are short */
	if (proc_send(pw->px->chan, PROC_XS_WATCH, buf, (size_t)n, -1) == 0)
		return 0;
	return -1;
}

/*
 * The parent's watch fired: pass the event on.  If the channel is full,
 * one event with the watched path is owed: the workers' callbacks re-read
 * what they need (xenbus is level-triggered), so the fired path may go.
 */
static void
watch_cb(const char *path, void *arg)
{
	struct xspx_watch *pw = arg;

	if (send_event(pw, path) == -1 && errno == EAGAIN) {
		pw->lost = true;
		ev_timer_arm(pw->px->ev_retry, XSPX_RETRY_MS);
	}
}

static void
retry_cb(int fd, void *arg)
{
	struct xsproxy *px = arg;
	struct xspx_watch *pw;

	(void)fd;
	TAILQ_FOREACH(pw, &px->watches, entry) {
		if (!pw->lost)
			continue;
		if (send_event(pw, pw->path) == -1 && errno == EAGAIN) {
			ev_timer_arm(px->ev_retry, XSPX_RETRY_MS);
			return;
		}
		pw->lost = false;
	}
}

static struct xspx_watch *
watch_find(struct xsproxy *px, uint32_t token)
{
	struct xspx_watch *pw;

	TAILQ_FOREACH(pw, &px->watches, entry)
		if (pw->token == token)
			return pw;
	return NULL;
}

static void
watch_free(struct xsproxy *px, struct xspx_watch *pw)
{
	TAILQ_REMOVE(&px->watches, pw, entry);
	px->nwatch--;
	xsc_unwatch(px->xsc, pw->w);
	free(pw->path);
	free(pw);
}

static int
do_watch(struct xsproxy *px, const struct xsm_req *r)
{
	struct xspx_watch *pw;

	if (watch_find(px, r->arg) != NULL)
		return EEXIST;
	if (px->nwatch >= XSPX_WATCH_MAX)
		return ENOSPC;
	if ((pw = calloc(1, sizeof(*pw))) == NULL ||
	    (pw->path = strdup(r->path)) == NULL) {
		free(pw);
		return ENOMEM;
	}
	pw->px = px;
	pw->token = r->arg;
	/* Before xsc_watch: the initial event may be queued at once. */
	TAILQ_INSERT_TAIL(&px->watches, pw, entry);
	px->nwatch++;
	if ((pw->w = xsc_watch(px->xsc, r->path, watch_cb, pw)) == NULL) {
		int err = errno;

		TAILQ_REMOVE(&px->watches, pw, entry);
		px->nwatch--;
		free(pw->path);
		free(pw);
		return err;
	}
	return 0;
}

/* The slot of transaction t of this worker, or -1. */
static int
txn_slot(struct xsproxy *px, xs_transaction_t t)
{
	int i;

	for (i = 0; i < XSPX_TXN_MAX; i++)
		if (t != XBT_NULL && px->txn[i] == t)
			return i;
	return -1;
}

static void
do_read(struct xsproxy *px, const struct xsm_req *r)
{
	char *v;

	if ((v = xsc_read(px->xsc, r->txn, r->path)) == NULL) {
		reply(px, r->seq, errno, 0, NULL, 0);
		return;
	}
	/* reply() turns a value over XSM_PAYLOAD_MAX into E2BIG. */
	reply(px, r->seq, 0, 0, v, strlen(v));
	free(v);
}

static void
do_directory(struct xsproxy *px, const struct xsm_req *r)
{
	char **names, buf[XSM_PAYLOAD_MAX];
	unsigned int n, i;
	size_t len = 0, l;

	if ((names = xsc_directory(px->xsc, r->txn, r->path, &n)) == NULL) {
		reply(px, r->seq, errno, 0, NULL, 0);
		return;
	}
	for (i = 0; i < n; i++) {
		l = strlen(names[i]) + 1;
		if (l > sizeof(buf) - len) {
			free(names);
			reply(px, r->seq, E2BIG, 0, NULL, 0);
			return;
		}
		memcpy(buf + len, names[i], l);
		len += l;
	}
	free(names);
	reply(px, r->seq, 0, 0, buf, len);
}

static void
do_write(struct xsproxy *px, const struct xsm_req *r)
{
	char *v;
	int err = 0;

	/* xs.h values are strings: a NUL inside is a broken request. */
	if (memchr(r->value, '\0', r->vlen) != NULL) {
		reply(px, r->seq, EINVAL, 0, NULL, 0);
		return;
	}
	if ((v = malloc(r->vlen + 1)) == NULL) {
		reply(px, r->seq, ENOMEM, 0, NULL, 0);
		return;
	}
	memcpy(v, r->value, r->vlen);
	v[r->vlen] = '\0';
	if (xsc_write(px->xsc, r->txn, r->path, v) == -1)
		err = errno;
	free(v);
	reply(px, r->seq, err, 0, NULL, 0);
}

void
xsproxy_request(struct xsproxy *px, const struct proc_msg *m)
{
	struct xsm_req r;
	struct xspx_watch *pw;
	xs_transaction_t t;
	int slot, err = 0;
	uint32_t val = 0;
	char what[48];

	if (xsm_req_decode(m->data, m->len, &r) == -1) {
		/* No sequence number to answer: the worker times out. */
		if (!px->malformed_logged)
			log_devwarnx(px->type, px->dev.domid, px->dev.devid,
			    "worker %ld: malformed xenstore request (%u bytes)",
			    (long)px->pid, m->len);
		px->malformed_logged = true;
		return;
	}
	if (r.txn != XBT_NULL && txn_slot(px, r.txn) == -1) {
		/* Not one of its own: the parent's connection is shared. */
		snprintf(what, sizeof(what), "in transaction %u", r.txn);
		refuse_log(px, r.op, what);
		reply(px, r.seq, EACCES, 0, NULL, 0);
		return;
	}
	if (xsm_op_has_path(r.op) && !xsproxy_allowed(&px->dev, r.op, r.path)) {
		refuse_log(px, r.op, r.path);
		reply(px, r.seq, EACCES, 0, NULL, 0);
		return;
	}
	switch (r.op) {
	case XSM_READ:
		do_read(px, &r);
		return;
	case XSM_DIRECTORY:
		do_directory(px, &r);
		return;
	case XSM_WRITE:
		do_write(px, &r);
		return;
	case XSM_RM:
		if (xsc_rm(px->xsc, r.txn, r.path) == -1)
			err = errno;
		break;
	case XSM_WATCH:
		err = do_watch(px, &r);
		break;
	case XSM_UNWATCH:
		if ((pw = watch_find(px, r.arg)) == NULL)
			err = ENOENT;
		else
			watch_free(px, pw);
		break;
	case XSM_TXN_BEGIN:
		for (slot = 0; slot < XSPX_TXN_MAX; slot++)
			if (px->txn[slot] == XBT_NULL)
				break;
		if (slot == XSPX_TXN_MAX) {
			err = EBUSY;
			break;
		}
		if ((t = xsc_txn_begin(px->xsc)) == XBT_NULL) {
			err = errno ? errno : EIO;
			break;
		}
		px->txn[slot] = t;
		val = t;
		break;
	case XSM_TXN_END:
		if ((slot = txn_slot(px, r.txn)) == -1) {
			err = EINVAL;	/* XBT_NULL: nothing to end */
			break;
		}
		/* Ended either way, also when xenstore says EAGAIN. */
		px->txn[slot] = XBT_NULL;
		if (xsc_txn_end(px->xsc, r.txn, r.arg != 0) == -1)
			err = errno;
		break;
	case XSM_DOMAIN_EXISTS:
		if (r.arg != px->dev.domid) {
			snprintf(what, sizeof(what), "of d%u", r.arg);
			refuse_log(px, r.op, what);
			err = EACCES;
			break;
		}
		val = xsc_domain_exists(px->xsc, r.arg) ? 1 : 0;
		break;
	case XSM_SELF_DOMID:
		val = px->dev.self;
		break;
	default:
		err = EINVAL;
		break;
	}
	reply(px, r.seq, err, val, NULL, 0);
}

int
xsproxy_reset(struct xsproxy *px)
{
	return send_wait(px, PROC_XS_RESET, NULL, 0);
}

struct xsproxy *
xsproxy_new(struct xsc *xsc, const struct xspx_dev *dev, pid_t pid, int chan)
{
	struct xsproxy *px;

	if (strlen(dev->type) >= sizeof(px->type)) {
		errno = EINVAL;
		return NULL;
	}
	if ((px = calloc(1, sizeof(*px))) == NULL)
		return NULL;
	px->xsc = xsc;
	strcpy(px->type, dev->type);
	px->dev = *dev;
	px->dev.type = px->type;
	px->pid = pid;
	px->chan = chan;
	TAILQ_INIT(&px->watches);
	if ((px->ev_retry = ev_timer(xsc_base(xsc), retry_cb, px)) == NULL) {
		free(px);
		return NULL;
	}
	return px;
}

void
xsproxy_free(struct xsproxy *px)
{
	struct xspx_watch *pw;
	unsigned int i;

	if (px == NULL)
		return;
	while ((pw = TAILQ_FIRST(&px->watches)) != NULL)
		watch_free(px, pw);
	for (i = 0; i < XSPX_TXN_MAX; i++)
		if (px->txn[i] != XBT_NULL)
			xsc_txn_end(px->xsc, px->txn[i], 1);
	for (i = 0; i < px->nrefused; i++)
		free(px->refused[i]);
	ev_free(px->ev_retry);
	free(px);
}
