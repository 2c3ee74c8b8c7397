/*
 * xs.c - see xs.h.
 *
 * Two implementations behind struct xsc_ops (xsops.h): libxenstore here,
 * and the worker's proxy to its parent in xsp.c.
 *
 * Watches: libxenstore queues fired watches and makes xs_fileno() readable;
 * we drain them with the non-blocking xs_check_watch() and look the token up
 * in our own list, so a watch removed meanwhile is simply ignored.  The
 * proxy delivers its events through the same lookup (xsc_fire).
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "xs.h"
#include "xsops.h"

struct xsc_watch {
	TAILQ_ENTRY(xsc_watch)	 entry;
	char			*path;
	char			 token[32];
	xsc_watch_cb		*cb;
	void			*arg;
};

struct xsc {
	const struct xsc_ops		*ops;
	void				*impl;
	struct ev_base			*base;
	TAILQ_HEAD(, xsc_watch)		 watches;
	unsigned long			 next_token;
};

/* libxenstore behind xsc_ops. */
struct xsh {
	struct xs_handle	*xsh;
	struct ev		*ev;
	struct xsc		*c;
};

void
xsc_fire(struct xsc *c, const char *token, const char *path)
{
	struct xsc_watch *w;

	TAILQ_FOREACH(w, &c->watches, entry) {
		if (strcmp(w->token, token) == 0) {
			w->cb(path, w->arg);
			return;
		}
	}
}

static void
xsh_readable(int fd, void *arg)
{
	struct xsh *h = arg;
	char **vec;
	int budget = 64;

	(void)fd;
	/*
	 * Bounded: the fd stays readable while events are queued, so the loop
	 * comes back to us after serving its other events (a device's ring).
	 */
	while (budget-- > 0 && (vec = xs_check_watch(h->xsh)) != NULL) {
		xsc_fire(h->c, vec[XS_WATCH_TOKEN], vec[XS_WATCH_PATH]);
		free(vec);
	}
}

static char *
xsh_read(void *impl, xs_transaction_t t, const char *path, unsigned int *len)
{
	return xs_read(((struct xsh *)impl)->xsh, t, path, len);
}

static int
xsh_write(void *impl, xs_transaction_t t, const char *path, const char *value,
    size_t len)
{
	return xs_write(((struct xsh *)impl)->xsh, t, path, value,
	    (unsigned int)len) ? 0 : -1;
}

static int
xsh_rm(void *impl, xs_transaction_t t, const char *path)
{
	return xs_rm(((struct xsh *)impl)->xsh, t, path) ? 0 : -1;
}

static char **
xsh_directory(void *impl, xs_transaction_t t, const char *path,
    unsigned int *n)
{
	return xs_directory(((struct xsh *)impl)->xsh, t, path, n);
}

static int
xsh_watch(void *impl, const char *path, const char *token)
{
	return xs_watch(((struct xsh *)impl)->xsh, path, token) ? 0 : -1;
}

static void
xsh_unwatch(void *impl, const char *path, const char *token)
{
	xs_unwatch(((struct xsh *)impl)->xsh, path, token);
}

static xs_transaction_t
xsh_txn_begin(void *impl)
{
	return xs_transaction_start(((struct xsh *)impl)->xsh);
}

static int
xsh_txn_end(void *impl, xs_transaction_t t, int abort)
{
	return xs_transaction_end(((struct xsh *)impl)->xsh, t,
	    abort ? true : false) ? 0 : -1;
}

static int
xsh_domain_exists(void *impl, unsigned int domid)
{
	return xs_is_domain_introduced(((struct xsh *)impl)->xsh, domid) ? 1 : 0;
}

static void
xsh_close(void *impl)
{
	struct xsh *h = impl;

	ev_free(h->ev);
	xs_close(h->xsh);
	free(h);
}

static const struct xsc_ops xsh_ops = {
	.read = xsh_read,
	.write = xsh_write,
	.rm = xsh_rm,
	.directory = xsh_directory,
	.watch = xsh_watch,
	.unwatch = xsh_unwatch,
	.txn_begin = xsh_txn_begin,
	.txn_end = xsh_txn_end,
	.domain_exists = xsh_domain_exists,
	.self_domid = NULL,
	.close = xsh_close,
};

struct xsc *
xsc_new(struct ev_base *base, const struct xsc_ops *ops, void *impl)
{
	struct xsc *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->watches);
	c->base = base;
	c->ops = ops;
	c->impl = impl;
	return c;
}

struct xsc *
xsc_open(struct ev_base *base)
{
	struct xsh *h;
	struct xsc *c;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->xsh = xs_open(0)) == NULL) {
		free(h);
		return NULL;
	}
	if ((c = xsc_new(base, &xsh_ops, h)) == NULL) {
		xs_close(h->xsh);
		free(h);
		return NULL;
	}
	h->c = c;
	if ((h->ev = ev_read(base, xs_fileno(h->xsh), true, xsh_readable,
	    h)) == NULL) {
		xsc_close(c);
		return NULL;
	}
	return c;
}

void
xsc_rewatch(struct xsc *c)
{
	struct xsc_watch *w;

	TAILQ_FOREACH(w, &c->watches, entry)
		if (c->ops->watch(c->impl, w->path, w->token) == -1)
			log_warn("watching %s again", w->path);
}

struct ev_base *
xsc_base(struct xsc *c)
{
	return c->base;
}

void
xsc_close(struct xsc *c)
{
	struct xsc_watch *w;

	if (c == NULL)
		return;
	while ((w = TAILQ_FIRST(&c->watches)) != NULL)
		xsc_unwatch(c, w);
	c->ops->close(c->impl);
	free(c);
}

struct xsc_watch *
xsc_watch(struct xsc *c, const char *path, xsc_watch_cb *cb, void *arg)
{
	struct xsc_watch *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->path = strdup(path)) == NULL) {
		free(w);
		return NULL;
	}
	snprintf(w->token, sizeof(w->token), "xb%lu", c->next_token++);
	w->cb = cb;
	w->arg = arg;
	TAILQ_INSERT_TAIL(&c->watches, w, entry);
	if (c->ops->watch(c->impl, path, w->token) == -1) {
		int saved = errno;

		TAILQ_REMOVE(&c->watches, w, entry);
		free(w->path);
		free(w);
		errno = saved;
		return NULL;
	}
	return w;
}

void
xsc_unwatch(struct xsc *c, struct xsc_watch *w)
{
	if (w == NULL)
		return;
	c->ops->unwatch(c->impl, w->path, w->token);
	TAILQ_REMOVE(&c->watches, w, entry);
	free(w->path);
	free(w);
}

int
xsc_self_domid(struct xsc *c, unsigned int *domid)
{
	uint64_t v;

	if (c->ops->self_domid != NULL)
		return c->ops->self_domid(c->impl, domid);
	/* dom0's xenstored may not have "domid" for dom0 before xen-init-dom0. */
	if (xsc_read_uint(c, XBT_NULL, "domid", 0x7fef, &v) == -1) {
		if (errno != ENOENT)
			return -1;
		v = 0;
	}
	*domid = (unsigned int)v;
	return 0;
}

char *
xsc_read(struct xsc *c, xs_transaction_t t, const char *path)
{
	unsigned int len;

	return c->ops->read(c->impl, t, path, &len);
}

char *
xsc_readf(struct xsc *c, xs_transaction_t t, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return xsc_read(c, t, path);
}

int
xsc_read_uint(struct xsc *c, xs_transaction_t t, const char *path,
    uint64_t max, uint64_t *out)
{
	char *s;
	int rc;

	if ((s = xsc_read(c, t, path)) == NULL)
		return -1;
	rc = parse_uint(s, max, out);
	free(s);
	return rc;
}

int
xsc_write(struct xsc *c, xs_transaction_t t, const char *path,
    const char *value)
{
	return c->ops->write(c->impl, t, path, value, strlen(value));
}

int
xsc_printf(struct xsc *c, xs_transaction_t t, const char *path,
    const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	return xsc_write(c, t, path, buf);
}

int
xsc_rm(struct xsc *c, xs_transaction_t t, const char *path)
{
	return c->ops->rm(c->impl, t, path);
}

char **
xsc_directory(struct xsc *c, xs_transaction_t t, const char *path,
    unsigned int *n)
{
	return c->ops->directory(c->impl, t, path, n);
}

int
xsc_domain_exists(struct xsc *c, unsigned int domid)
{
	return c->ops->domain_exists(c->impl, domid);
}

xs_transaction_t
xsc_txn_begin(struct xsc *c)
{
	return c->ops->txn_begin(c->impl);
}

int
xsc_txn_end(struct xsc *c, xs_transaction_t t, int abort)
{
	return c->ops->txn_end(c->impl, t, abort);
}

int
xsc_txn_run(struct xsc *c, int (*fn)(struct xsc *, xs_transaction_t, void *),
    void *arg)
{
	int tries;

	for (tries = 0; tries < 10; tries++) {
		xs_transaction_t t;

		if ((t = xsc_txn_begin(c)) == XBT_NULL)
			return -1;
		if (fn(c, t, arg) == -1) {
			int saved = errno;

			xsc_txn_end(c, t, 1);
			errno = saved;
			return -1;
		}
		if (xsc_txn_end(c, t, 0) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}
