/*
 * xs.c - see xs.h.
 *
 * Watches: libxenstore queues fired watches and makes xs_fileno() readable;
 * we drain them with the non-blocking xs_check_watch() and look the token up
 * in our own list, so a watch removed meanwhile is simply ignored.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "xs.h"

struct xsc_watch {
	TAILQ_ENTRY(xsc_watch)	 entry;
	char			*path;
	char			 token[32];
	xsc_watch_cb		*cb;
	void			*arg;
};

struct xsc {
	struct xs_handle		*xsh;
	struct ev_base			*base;
	struct ev			*ev;
	TAILQ_HEAD(, xsc_watch)		 watches;
	unsigned long			 next_token;
};

static void
xsc_readable(int fd, void *arg)
{
	struct xsc *c = arg;
	struct xsc_watch *w;
	char **vec;
	int budget = 64;

	(void)fd;
	/*
	 * Bounded: the fd stays readable while events are queued, so the loop
	 * comes back to us after serving its other events (a device's ring).
	 */
	while (budget-- > 0 && (vec = xs_check_watch(c->xsh)) != NULL) {
		TAILQ_FOREACH(w, &c->watches, entry) {
			if (strcmp(w->token, vec[XS_WATCH_TOKEN]) == 0) {
				w->cb(vec[XS_WATCH_PATH], w->arg);
				break;
			}
		}
		free(vec);
	}
}

struct xsc *
xsc_open(struct ev_base *base)
{
	struct xsc *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->watches);
	c->base = base;
	if ((c->xsh = xs_open(0)) == NULL) {
		free(c);
		return NULL;
	}
	c->ev = ev_read(base, xs_fileno(c->xsh), true, xsc_readable, c);
	if (c->ev == NULL) {
		xs_close(c->xsh);
		free(c);
		return NULL;
	}
	return c;
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
	ev_free(c->ev);
	xs_close(c->xsh);
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
	if (!xs_watch(c->xsh, path, w->token)) {
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
	xs_unwatch(c->xsh, w->path, w->token);
	TAILQ_REMOVE(&c->watches, w, entry);
	free(w->path);
	free(w);
}

int
xsc_self_domid(struct xsc *c, unsigned int *domid)
{
	uint64_t v;

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

	return xs_read(c->xsh, t, path, &len);
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
	return xs_write(c->xsh, t, path, value, strlen(value)) ? 0 : -1;
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
	return xs_rm(c->xsh, t, path) ? 0 : -1;
}

char **
xsc_directory(struct xsc *c, xs_transaction_t t, const char *path,
    unsigned int *n)
{
	return xs_directory(c->xsh, t, path, n);
}

int
xsc_domain_exists(struct xsc *c, unsigned int domid)
{
	return xs_is_domain_introduced(c->xsh, domid) ? 1 : 0;
}

xs_transaction_t
xsc_txn_begin(struct xsc *c)
{
	return xs_transaction_start(c->xsh);
}

int
xsc_txn_end(struct xsc *c, xs_transaction_t t, int abort)
{
	return xs_transaction_end(c->xsh, t, abort ? true : false) ? 0 : -1;
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
