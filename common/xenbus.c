/*
 * xenbus.c - see xenbus.h.
 *
 * State rules follow io/xenbus.h and Linux's xen-blkback frontend_changed()
 * (drivers/block/xen-blkback/xenbus.c), plus QEMU's xen-bus.c rule that a
 * toolstack-initiated close with an inactive frontend goes straight to
 * Closed.  docs/ARCHITECTURE.md has the table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "xenbus.h"

#define XB_PATH_MAX	160
#define XB_EVAL_MAX	16	/* actions applied per evaluation, a loop guard */

struct xb_dev {
	struct xsc		*xsc;
	const struct xb_dev_ops	*ops;
	void			*arg;
	char			 type[16];
	unsigned int		 self, domid, devid;
	char			 bepath[XB_PATH_MAX];
	char			 fepath[XB_PATH_MAX];
	char			 errpath[XB_PATH_MAX];
	struct xsc_watch	*w_be, *w_fe, *w_rel;
	int			 be_state;
	bool			 ready;
	bool			 started;
	bool			 probed;
	bool			 in_eval, again;
	bool			 dead;		/* destroyed: ignore every event */
	bool			 no_hotplug;	/* no hotplug script runs for this type */
	bool			 reattach;	/* may connect to a ring already Connected */
	bool			 connected;	/* connect() succeeded, no disconnect() since */
	struct log_limit	 lim;		/* this device's lifecycle lines */
	struct ev		*ev_lim;	/* logs the limiter's summary when due */
};

static const char *xb_state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

const char *
xb_state_name(int state)
{
	if (state < 0 || state > XenbusStateReconfigured)
		return "Unknown";
	return xb_state_names[state];
}

const char *
xb_action_name(enum xb_action a)
{
	switch (a) {
	case XB_NONE:		return "none";
	case XB_INITWAIT:	return "initwait";
	case XB_CONNECT:	return "connect";
	case XB_CLOSING:	return "closing";
	case XB_CLOSE:		return "close";
	case XB_DESTROY:	return "destroy";
	case XB_FATAL:		return "fatal";
	}
	return "?";
}

#define WHY(s)	do { if (why != NULL) *why = (s); } while (0)

enum xb_action
xb_next(const struct xb_view *v, const char **why)
{
	WHY("");
	if (!v->be_present) {
		WHY("backend directory removed");
		return XB_DESTROY;
	}
	if (!v->fe_present) {
		/*
		 * libxl writes both ends in one transaction; a toolstack that
		 * writes the backend first gets a new device that waits.
		 */
		if (v->fe_unwritten && (v->be_state == XenbusStateInitialising ||
		    v->be_state == XenbusStateUnknown))
			return XB_NONE;
		WHY("frontend gone");
		return XB_DESTROY;
	}
	if (v->be_state == XenbusStateClosed && !v->online) {
		/* libxl detach finished its part: we are done. */
		WHY("closed and offline");
		return XB_DESTROY;
	}
	/* First thing a backend does is advertise and wait (libxl: 10 s). */
	if (v->be_state == XenbusStateInitialising ||
	    v->be_state == XenbusStateUnknown) {
		if (!v->online) {
			/* Removed before it ever started: nothing to wait for. */
			WHY("offline before InitWait");
			return XB_CLOSE;
		}
		WHY("new device");
		return XB_INITWAIT;
	}

	if (!v->online) {
		/*
		 * Toolstack detach (libxl writes online=0 and state=Closing).
		 * An inactive frontend will never answer: close at once (QEMU
		 * xen-bus.c).  An active one must see Closing first.
		 */
		switch (v->fe_state) {
		case XenbusStateInitialised:
		case XenbusStateConnected:
		case XenbusStateClosing:
			if (v->be_state != XenbusStateClosing) {
				WHY("toolstack detach, frontend active");
				return XB_CLOSING;
			}
			return XB_NONE;
		default:
			WHY("toolstack detach, frontend inactive");
			return XB_CLOSE;
		}
	}

	switch (v->fe_state) {
	case XenbusStateInitialising:
		/* Frontend reconnects (kexec, module reload) after Closed. */
		if (v->be_state == XenbusStateClosed) {
			WHY("frontend reconnecting");
			return XB_INITWAIT;
		}
		return XB_NONE;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* Connected straight from Initialising is legal (Mini-OS). */
		if (v->be_state == XenbusStateConnected && v->reattach &&
		    v->ready && v->hotplug_ok) {
			/* We restarted: the ring is live, nobody serves it. */
			WHY("re-attach to a live ring");
			return XB_CONNECT;
		}
		if (v->be_state == XenbusStateConnected ||
		    v->be_state == XenbusStateClosing)
			return XB_NONE;
		if (!v->ready || !v->hotplug_ok)
			return XB_NONE;
		WHY("frontend ready");
		return XB_CONNECT;
	case XenbusStateClosing:
		/* Keep serving until Closed: the frontend may still flush. */
		if (v->be_state != XenbusStateClosing &&
		    v->be_state != XenbusStateClosed) {
			WHY("frontend closing");
			return XB_CLOSING;
		}
		return XB_NONE;
	case XenbusStateClosed:
		if (v->be_state != XenbusStateClosed) {
			WHY("frontend closed");
			return XB_CLOSE;
		}
		return XB_NONE;
	case XenbusStateUnknown:
		WHY("frontend state unknown");
		return XB_DESTROY;
	default:
		/* InitWait, Reconfiguring, Reconfigured: not a blkif/netif frontend state. */
		if (v->be_state == XenbusStateClosing ||
		    v->be_state == XenbusStateClosed)
			return XB_NONE;
		WHY("unexpected frontend state");
		return XB_FATAL;
	}
}

static void xb_eval(struct xb_dev *);

/*
 * Everything logged while the device handles a change (our state lines,
 * the device model's connect/disconnect lines, errors) goes through its
 * limiter: a frontend cycling connect/close must not flood dom0's log.
 */
static struct log_limit *
xb_log_enter(struct xb_dev *dev)
{
	return log_limit_scope(&dev->lim);
}

/* Back to the caller's scope; a summary not yet due gets the timer. */
static void
xb_log_leave(struct xb_dev *dev, struct log_limit *prev)
{
	long due;

	log_limit_scope(prev);
	if ((due = log_limit_due(&dev->lim, log_now_ms())) == 0)
		log_limit_flush(&dev->lim);
	else if (due > 0 && dev->ev_lim != NULL)
		ev_timer_arm(dev->ev_lim, (unsigned int)due);
}

static void
xb_lim_cb(int fd, void *arg)
{
	struct xb_dev *dev = arg;

	(void)fd;
	log_limit_flush(&dev->lim);
}

static void
xb_watch_cb(const char *path, void *arg)
{
	struct xb_dev *dev = arg;

	(void)path;
	if (dev->started && !dev->dead)
		xb_eval(dev);
}

static void
xb_release_cb(const char *path, void *arg)
{
	struct xb_dev *dev = arg;

	(void)path;
	/* A domain died; it may be our frontend's. */
	if (dev->started && !dev->dead)
		xb_eval(dev);
}

struct xb_dev *
xb_dev_new(struct xsc *xsc, const char *type, unsigned int self,
    unsigned int domid, unsigned int devid, const struct xb_dev_ops *ops,
    void *arg)
{
	struct xb_dev *dev;
	char *fe, path[XB_PATH_MAX + 16];
	char expect[XB_PATH_MAX];

	if ((dev = calloc(1, sizeof(*dev))) == NULL)
		return NULL;
	dev->xsc = xsc;
	dev->ops = ops;
	dev->arg = arg;
	dev->self = self;
	dev->domid = domid;
	dev->devid = devid;
	dev->be_state = XenbusStateUnknown;
	snprintf(dev->type, sizeof(dev->type), "%s", type);
	snprintf(path, sizeof(path), "%s d%u/%u", type, domid, devid);
	log_limit_init(&dev->lim, path, LOG_LIMIT_BURST, LOG_LIMIT_INTERVAL_MS,
	    LOG_LIMIT_SUMMARY_MS);
	snprintf(dev->bepath, sizeof(dev->bepath),
	    "/local/domain/%u/backend/%s/%u/%u", self, type, domid, devid);
	snprintf(dev->errpath, sizeof(dev->errpath),
	    "/local/domain/%u/error/backend/%s/%u/%u", self, type, domid, devid);

	/*
	 * The toolstack writes "frontend"; it must point into the frontend
	 * domain's own tree, or a confused toolstack could make us watch and
	 * trust another domain's keys.
	 */
	snprintf(path, sizeof(path), "%s/%s", dev->bepath, XB_KEY_FRONTEND);
	if ((fe = xsc_read(xsc, XBT_NULL, path)) == NULL) {
		free(dev);
		return NULL;
	}
	snprintf(expect, sizeof(expect), "/local/domain/%u/", domid);
	if (strncmp(fe, expect, strlen(expect)) != 0 ||
	    strlen(fe) >= sizeof(dev->fepath) || strstr(fe, "..") != NULL) {
		char esc[256];

		log_devwarnx(type, domid, devid, "frontend path %s is not "
		    "under %s, refusing the device",
		    log_escape(esc, sizeof(esc), fe), expect);
		free(fe);
		free(dev);
		errno = EINVAL;
		return NULL;
	}
	snprintf(dev->fepath, sizeof(dev->fepath), "%s", fe);
	free(fe);
	return dev;
}

void
xb_dev_start(struct xb_dev *dev)
{
	char path[XB_PATH_MAX + 16];

	/* A stale error node from an earlier device at this path misleads admins. */
	xsc_rm(dev->xsc, XBT_NULL, dev->errpath);
	snprintf(path, sizeof(path), "%s/%s", dev->fepath, XB_KEY_STATE);
	dev->w_be = xsc_watch(dev->xsc, dev->bepath, xb_watch_cb, dev);
	dev->w_fe = xsc_watch(dev->xsc, path, xb_watch_cb, dev);
	dev->w_rel = xsc_watch(dev->xsc, "@releaseDomain", xb_release_cb, dev);
	dev->ev_lim = ev_timer(xsc_base(dev->xsc), xb_lim_cb, dev);
	if (dev->w_be == NULL || dev->w_fe == NULL || dev->w_rel == NULL ||
	    dev->ev_lim == NULL)
		log_devwarnx(dev->type, dev->domid, dev->devid,
		    "xenstore watch: %s", strerror(errno));
	dev->started = true;
	xb_eval(dev);
}

void
xb_dev_free(struct xb_dev *dev)
{
	if (dev == NULL)
		return;
	log_limit_flush(&dev->lim);
	ev_free(dev->ev_lim);
	xsc_unwatch(dev->xsc, dev->w_be);
	xsc_unwatch(dev->xsc, dev->w_fe);
	xsc_unwatch(dev->xsc, dev->w_rel);
	free(dev);
}

void
xb_dev_kick(struct xb_dev *dev)
{
	if (dev->started && !dev->dead)
		xb_eval(dev);
}

void
xb_dev_set_ready(struct xb_dev *dev, bool ready)
{
	dev->ready = ready;
}

void
xb_dev_set_no_hotplug(struct xb_dev *dev)
{
	dev->no_hotplug = true;
}

void
xb_dev_set_reattach(struct xb_dev *dev)
{
	dev->reattach = true;
}

static int
xb_read_view(struct xb_dev *dev, struct xb_view *v)
{
	char *s;
	int alive;

	memset(v, 0, sizeof(*v));
	v->ready = dev->ready;

	s = xb_dev_be_read(dev, XB_KEY_STATE);
	v->be_present = (s != NULL);
	v->be_state = parse_xenbus_state(s);
	free(s);

	s = xb_dev_be_read(dev, XB_KEY_ONLINE);
	v->online = (s != NULL && strcmp(s, "1") == 0);
	free(s);

	s = xb_dev_be_read(dev, XB_KEY_HOTPLUG_STATUS);
	v->hotplug_ok = dev->no_hotplug ||
	    (s != NULL && strcmp(s, "connected") == 0);
	free(s);
	v->reattach = dev->reattach && !dev->connected;

	s = xb_dev_fe_read(dev, XB_KEY_STATE);
	alive = xsc_domain_exists(dev->xsc, dev->domid);
	v->fe_present = (s != NULL) && alive;
	v->fe_unwritten = (s == NULL) && alive;
	v->fe_state = parse_xenbus_state(s);
	free(s);
	return 0;
}

/*
 * Write a state node, but never recreate a directory the toolstack has
 * removed: check and write in one transaction.
 */
struct xb_state_write {
	const char	*path;
	int		 state;
};

static int
xb_write_state_txn(struct xsc *xsc, xs_transaction_t t, void *arg)
{
	struct xb_state_write *sw = arg;
	char *old;

	if ((old = xsc_read(xsc, t, sw->path)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	free(old);
	return xsc_printf(xsc, t, sw->path, "%d", sw->state);
}

/*
 * Write a state node, but never recreate a directory the toolstack has
 * removed: check and write in one transaction.
 */
static int
xb_write_state(struct xsc *xsc, const char *statepath, int state)
{
	struct xb_state_write sw = { statepath, state };

	return xsc_txn_run(xsc, xb_write_state_txn, &sw);
}

/*
 * Switch the backend state; one log line says from what, to what and why
 * (a guest that flaps its state gets one line per change of ours, not
 * two).
 */
static int
xb_switch(struct xb_dev *dev, int state, const char *why)
{
	char path[XB_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dev->bepath, XB_KEY_STATE);
	if (xb_write_state(dev->xsc, path, state) == -1)
		return -1;
	if (dev->be_state != state)
		log_devinfo(dev->type, dev->domid, dev->devid, "state %s -> %s%s%s%s",
		    xb_state_name(dev->be_state), xb_state_name(state),
		    why != NULL && *why != '\0' ? " (" : "",
		    why != NULL ? why : "", why != NULL && *why != '\0' ? ")" : "");
	dev->be_state = state;
	return 0;
}

int
xb_backend_fail(struct xsc *xsc, const char *type, unsigned int self,
    unsigned int domid, unsigned int devid, int err, const char *msg)
{
	char path[XB_PATH_MAX + 32];

	log_devwarnx(type, domid, devid, "%s", msg);
	snprintf(path, sizeof(path), "/local/domain/%u/error/backend/%s/%u/%u/error",
	    self, type, domid, devid);
	xsc_printf(xsc, XBT_NULL, path, "%d %s", err, msg);
	snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u/%u/state",
	    self, type, domid, devid);
	return xb_write_state(xsc, path, XenbusStateClosed);
}

static void
xb_eval(struct xb_dev *dev)
{
	struct xb_view v;
	struct log_limit *prev;
	enum xb_action act;
	const char *why;
	int i;

	if (dev->in_eval) {
		dev->again = true;
		return;
	}
	dev->in_eval = true;
	prev = xb_log_enter(dev);
	for (i = 0; i < XB_EVAL_MAX; i++) {
		dev->again = false;
		xb_read_view(dev, &v);
		act = xb_next(&v, &why);
		if (act == XB_NONE) {
			if (!dev->again)
				break;
			continue;
		}
		switch (act) {
		case XB_NONE:
			break;
		case XB_INITWAIT:
			if (!dev->probed) {
				if (dev->ops->probe(dev, dev->arg) == -1) {
					xb_switch(dev, XenbusStateClosed,
					    "probe failed");
					goto out;
				}
				dev->probed = true;
			}
			if (xb_switch(dev, XenbusStateInitWait, why) == -1)
				goto out;
			break;
		case XB_CONNECT:
			if (dev->ops->connect(dev, dev->arg) == -1)
				goto out;	/* connect reported it */
			dev->connected = true;
			/*
			 * A re-attach writes nothing: rewriting Connected would
			 * fire the frontend's watch (blkfront re-reads the
			 * size, as for a resize).
			 */
			if (v.be_state == XenbusStateConnected) {
				dev->be_state = XenbusStateConnected;
				log_devinfo(dev->type, dev->domid, dev->devid,
				    "re-attached (%s)", why);
				break;
			}
			if (xb_switch(dev, XenbusStateConnected, why) == -1)
				goto out;
			break;
		case XB_CLOSING:
			if (xb_switch(dev, XenbusStateClosing, why) == -1)
				goto out;
			break;
		case XB_CLOSE:
			if (dev->ops->disconnect(dev, dev->arg) == -1)
				goto out;	/* busy: kicked again when drained */
			dev->connected = false;
			if (xb_switch(dev, XenbusStateClosed, why) == -1)
				goto out;
			break;
		case XB_DESTROY:
			/* Once per device: unlimited, after the summary. */
			log_limit_scope(prev);
			log_limit_flush(&dev->lim);
			log_devinfo(dev->type, dev->domid, dev->devid,
			    "releasing device: %s", why);
			if (dev->ops->disconnect(dev, dev->arg) == -1) {
				dev->in_eval = false;
				return;	/* busy: kicked again when drained */
			}
			/*
			 * Lets libxl finish its removal without its 10 s
			 * timeout.  Our own write fires our watch again:
			 * dead makes sure that is the end of it.
			 */
			dev->dead = true;
			if (v.be_present && v.be_state != XenbusStateClosed)
				xb_switch(dev, XenbusStateClosed, why);
			dev->in_eval = false;
			dev->ops->destroy(dev, dev->arg);	/* may free dev */
			return;
		case XB_FATAL:
			xb_dev_fatal(dev, EINVAL, "%s (frontend state %d)", why,
			    v.fe_state);
			break;
		}
	}
out:
	xb_log_leave(dev, prev);
	dev->in_eval = false;
}

static void
xb_verror(struct xb_dev *dev, int err, const char *fmt, va_list ap)
{
	char msg[512], path[XB_PATH_MAX + 16];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_devwarnx(dev->type, dev->domid, dev->devid, "%s", msg);
	/* Same node and "<errno> <text>" format as Linux xenbus_dev_error(). */
	snprintf(path, sizeof(path), "%s/error", dev->errpath);
	xsc_printf(dev->xsc, XBT_NULL, path, "%d %s", err, msg);
}

void
xb_dev_error(struct xb_dev *dev, int err, const char *fmt, ...)
{
	struct log_limit *prev;
	va_list ap;

	prev = xb_log_enter(dev);
	va_start(ap, fmt);
	xb_verror(dev, err, fmt, ap);
	va_end(ap);
	xb_log_leave(dev, prev);
}

void
xb_dev_fatal(struct xb_dev *dev, int err, const char *fmt, ...)
{
	struct log_limit *prev;
	va_list ap;

	prev = xb_log_enter(dev);
	va_start(ap, fmt);
	xb_verror(dev, err, fmt, ap);
	va_end(ap);
	/*
	 * From Closed too (a frontend may go Initialised straight after
	 * Closed, and a failed connect must not leave it waiting on a
	 * backend that looks as if it had not looked yet): Linux
	 * xenbus_dev_fatal() switches to Closing from any state.
	 */
	if (dev->be_state != XenbusStateClosing && !dev->dead)
		xb_switch(dev, XenbusStateClosing, "frontend error");
	xb_log_leave(dev, prev);
}

struct xsc *
xb_dev_xsc(struct xb_dev *dev)
{
	return dev->xsc;
}

const char *
xb_dev_bepath(struct xb_dev *dev)
{
	return dev->bepath;
}

const char *
xb_dev_fepath(struct xb_dev *dev)
{
	return dev->fepath;
}

unsigned int
xb_dev_domid(struct xb_dev *dev)
{
	return dev->domid;
}

unsigned int
xb_dev_devid(struct xb_dev *dev)
{
	return dev->devid;
}

int
xb_dev_state(struct xb_dev *dev)
{
	return dev->be_state;
}

int
xb_dev_printf(struct xb_dev *dev, xs_transaction_t t, const char *key,
    const char *fmt, ...)
{
	char path[XB_PATH_MAX + 64], val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val)) {
		errno = EOVERFLOW;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dev->bepath, key);
	return xsc_write(dev->xsc, t, path, val);
}

char *
xb_dev_fe_read(struct xb_dev *dev, const char *key)
{
	return xsc_readf(dev->xsc, XBT_NULL, "%s/%s", dev->fepath, key);
}

int
xb_dev_fe_uint(struct xb_dev *dev, const char *key, uint64_t max,
    uint64_t *out)
{
	char path[XB_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dev->fepath, key);
	return xsc_read_uint(dev->xsc, XBT_NULL, path, max, out);
}

int
xb_dev_fe_need(struct xb_dev *dev, const char *key, uint64_t max,
    uint64_t *out)
{
	if (xb_dev_fe_uint(dev, key, max, out) == 0)
		return 0;
	xb_dev_fe_bad(dev, key, max);
	return -1;
}

void
xb_dev_fe_bad(struct xb_dev *dev, const char *key, uint64_t max)
{
	char esc[64], ekey[64], *v;
	const char *why;
	uint64_t n;

	log_escape(ekey, sizeof(ekey), key);
	if ((v = xb_dev_fe_read(dev, key)) == NULL) {
		xb_dev_fatal(dev, ENOENT, "frontend %s: absent", ekey);
		return;
	}
	why = parse_uint_why(v, max);
	if (why != NULL && v[0] != '-' && parse_uint(v, max, &n) == -1 &&
	    errno == ERANGE) {
		if (strlen(v) > 40)
			strcpy(v + 37, "...");	/* enough to recognise it */
		xb_dev_fatal(dev, ERANGE, "frontend %s \"%s\": greater than %llu",
		    ekey, log_escape(esc, sizeof(esc), v),
		    (unsigned long long)max);
	} else {
		if (strlen(v) > 40)
			strcpy(v + 37, "...");
		/* why NULL: good now, changed since the caller read it */
		xb_dev_fatal(dev, EINVAL, "frontend %s \"%s\": %s", ekey,
		    log_escape(esc, sizeof(esc), v),
		    why != NULL ? why : "changed while being read");
	}
	free(v);
}

char *
xb_dev_be_read(struct xb_dev *dev, const char *key)
{
	return xsc_readf(dev->xsc, XBT_NULL, "%s/%s", dev->bepath, key);
}
