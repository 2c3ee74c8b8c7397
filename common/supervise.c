/*
 * supervise.c - the parent role every backend daemon shares: one watch on
 * backend/<type>, a table of devices (running workers and failed devices),
 * worker start with fd hand-off, reaping, stop, and the parent's loop
 * with its signals.  See supervise.h.
 *
 * A device's entry lives from its worker's start (or its failure) until the
 * worker exits 0, or, for a device without a worker, until its directory
 * goes away: while it exists the device is not started again, so a device
 * that failed is not retried on every watch event its directory causes.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <systemd/sd-daemon.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "supervise.h"
#include "xenbus.h"
#include "xs.h"

/* Bounds of the <domid>/<devid> directory names under backend/<type>. */
#define SUP_DOMID_MAX	0x7fef			/* DOMID_FIRST_RESERVED - 1 */
#define SUP_DEVID_MAX	((1u << 28) - 1)	/* xvd extended numbering */

/* stop(): how long workers get to exit after SHUTDOWN, in 100 ms polls. */
#define SUP_STOP_POLLS	20

struct child {
	TAILQ_ENTRY(child)	 entry;
	struct sup		*sup;
	unsigned int		 domid, devid;
	pid_t			 pid;		/* -1: no worker (device failed) */
	int			 chan;
	struct ev		*ev;
	bool			 ready;
};

struct sup {
	struct ev_base		*base;
	struct xsc		*xsc;
	char			 type[16];
	unsigned int		 self;
	char			 root[64];	/* /local/domain/<self>/backend/<type> */
	const struct sup_ops	*ops;
	void			*arg;
	struct xsc_watch	*watch;
	struct ev		*ev_chld;
	TAILQ_HEAD(, child)	 children;
	bool			 stopping;
};

static void	check_device(struct sup *, unsigned int, unsigned int);

static struct child *
child_find(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c;

	TAILQ_FOREACH(c, &s->children, entry)
		if (c->domid == domid && c->devid == devid)
			return c;
	return NULL;
}

static struct child *
child_new(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->sup = s;
	c->domid = domid;
	c->devid = devid;
	c->pid = -1;
	c->chan = -1;
	TAILQ_INSERT_TAIL(&s->children, c, entry);
	return c;
}

static void
child_free(struct sup *s, struct child *c)
{
	TAILQ_REMOVE(&s->children, c, entry);
	ev_free(c->ev);
	if (c->chan >= 0)
		close(c->chan);
	free(c);
}

void
sup_fail(struct sup *s, unsigned int domid, unsigned int devid, int err,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xb_backend_fail(s->xsc, s->type, s->self, domid, devid, err, msg);
	if (child_find(s, domid, devid) == NULL)
		child_new(s, domid, devid);
}

static void
chan_cb(int fd, void *arg)
{
	struct child *c = arg;
	const char *type = c->sup->type;
	struct proc_msg m;
	int rc;

	while ((rc = proc_recv(fd, &m)) == 1) {
		if (m.fd >= 0)
			close(m.fd);
		switch (m.type) {
		case PROC_READY:
			c->ready = true;
			log_devinfo(type, c->domid, c->devid,
			    "worker %ld ready", (long)c->pid);
			break;
		case PROC_ERROR:
			log_devwarnx(type, c->domid, c->devid,
			    "worker %ld failed: %s", (long)c->pid, m.data);
			break;
		default:
			log_devwarnx(type, c->domid, c->devid,
			    "worker %ld sent unknown message %u", (long)c->pid,
			    m.type);
			break;
		}
	}
	if (rc == 0 || (rc == -1 && errno != EAGAIN))
		ev_disable(c->ev);	/* worker closed it; SIGCHLD follows */
}

pid_t
sup_spawn(struct sup *s, unsigned int domid, unsigned int devid,
    char *const argv[], const struct sup_fd *fds, unsigned int nfds)
{
	struct child *c;
	unsigned int i;

	if ((c = child_find(s, domid, devid)) != NULL && c->pid != -1) {
		/* Only start() calls this, for a device without a worker. */
		log_devwarnx(s->type, domid, devid, "worker %ld already "
		    "running; not starting another", (long)c->pid);
		errno = EBUSY;
		return -1;
	}
	if (c == NULL && (c = child_new(s, domid, devid)) == NULL) {
		sup_fail(s, domid, devid, errno, "allocating worker state: %s",
		    strerror(errno));
		return -1;
	}
	if ((c->pid = proc_spawn("/proc/self/exe", argv, &c->chan)) == -1) {
		sup_fail(s, domid, devid, errno, "cannot start worker: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < nfds; i++) {
		if (proc_send(c->chan, PROC_FD, fds[i].name,
		    strlen(fds[i].name), fds[i].fd) == 0)
			continue;
		/* The worker waits for its fds: don't leave it waiting. */
		log_devwarnx(s->type, domid, devid, "sending fd %u of %u "
		    "to worker %ld: %s", i + 1, nfds, (long)c->pid,
		    strerror(errno));
		kill(c->pid, SIGKILL);	/* reaped; the device is failed then */
		break;
	}
	if ((c->ev = ev_read(s->base, c->chan, true, chan_cb, c)) == NULL)
		log_devwarnx(s->type, domid, devid, "watching worker %ld's "
		    "channel: %s", (long)c->pid, strerror(errno));
	return c->pid;
}

/* Look at one device directory and start a worker if it is new. */
static void
check_device(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c = child_find(s, domid, devid);
	char *str;
	int state;

	str = xsc_readf(s->xsc, XBT_NULL, "%s/%u/%u/state", s->root, domid,
	    devid);
	if (str == NULL) {
		/* Directory gone: forget a failed device; workers see it themselves. */
		if (c != NULL && c->pid == -1)
			child_free(s, c);
		return;
	}
	state = parse_xenbus_state(str);
	free(str);
	if (c != NULL || s->stopping)
		return;

	switch (state) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		s->ops->start(s, domid, devid, s->arg);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
		/* Left by an earlier instance; re-attaching is not done yet. */
		log_devwarnx(s->type, domid, devid, "found in state %s with no "
		    "worker; not adopted", xb_state_name(state));
		child_new(s, domid, devid);
		break;
	default:
		break;
	}
}

static void
scan_all(struct sup *s)
{
	char **doms, **devs, path[128];
	unsigned int nd, nv, i, j;
	uint64_t d, v;

	if ((doms = xsc_directory(s->xsc, XBT_NULL, s->root, &nd)) == NULL)
		return;
	for (i = 0; i < nd; i++) {
		if (parse_uint(doms[i], SUP_DOMID_MAX, &d) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->root, doms[i]);
		if ((devs = xsc_directory(s->xsc, XBT_NULL, path, &nv)) == NULL)
			continue;
		for (j = 0; j < nv; j++)
			if (parse_uint(devs[j], SUP_DEVID_MAX, &v) == 0)
				check_device(s, (unsigned int)d, (unsigned int)v);
		free(devs);
	}
	free(doms);
}

/* Watch callback for backend/<type>: look only at the device that changed. */
static void
root_cb(const char *path, void *arg)
{
	struct sup *s = arg;
	size_t rl = strlen(s->root);
	char buf[128], *dom, *dev, *end;
	uint64_t d, v;
	struct child *c, *tmp;

	if (strncmp(path, s->root, rl) != 0 || path[rl] != '/' ||
	    strlen(path + rl + 1) >= sizeof(buf)) {
		scan_all(s);
		/* Forget failed devices whose directory went away with the domain. */
		for (c = TAILQ_FIRST(&s->children); c != NULL; c = tmp) {
			tmp = TAILQ_NEXT(c, entry);
			if (c->pid == -1)
				check_device(s, c->domid, c->devid);
		}
		return;
	}
	strcpy(buf, path + rl + 1);
	dom = buf;
	if ((dev = strchr(dom, '/')) == NULL) {
		scan_all(s);
		return;
	}
	*dev++ = '\0';
	if ((end = strchr(dev, '/')) != NULL)
		*end = '\0';
	if (parse_uint(dom, SUP_DOMID_MAX, &d) == 0 &&
	    parse_uint(dev, SUP_DEVID_MAX, &v) == 0)
		check_device(s, (unsigned int)d, (unsigned int)v);
	else
		scan_all(s);
}

static void
sigchld_cb(int signo, void *arg)
{
	struct sup *s = arg;
	struct child *c;
	char why[96];
	int status;
	pid_t pid;

	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid == pid)
				break;
		if (c == NULL)
			continue;
		proc_status_str(status, why, sizeof(why));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			log_devinfo(s->type, c->domid, c->devid,
			    "worker %ld %s", (long)pid, why);
			child_free(s, c);
			continue;
		}
		/* Abnormal end: the guest's device is gone; say so in xenstore. */
		c->pid = -1;
		ev_free(c->ev);
		c->ev = NULL;
		close(c->chan);
		c->chan = -1;
		if (!s->stopping)
			sup_fail(s, c->domid, c->devid, EIO, "worker %ld %s",
			    (long)pid, why);
		check_device(s, c->domid, c->devid);
	}
}

struct sup *
sup_new(const char *type, const struct sup_ops *ops, void *arg)
{
	struct sup *s;

	if (strlen(type) >= sizeof(s->type) || ops == NULL ||
	    ops->start == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	strcpy(s->type, type);
	s->ops = ops;
	s->arg = arg;
	TAILQ_INIT(&s->children);
	if ((s->base = ev_base_new()) == NULL ||
	    (s->xsc = xsc_open(s->base)) == NULL ||
	    xsc_self_domid(s->xsc, &s->self) == -1)
		goto fail;
	snprintf(s->root, sizeof(s->root), "/local/domain/%u/backend/%s",
	    s->self, s->type);
	if ((s->ev_chld = ev_signal(s->base, SIGCHLD, sigchld_cb, s)) == NULL)
		goto fail;
	return s;
fail:
	sup_free(s);
	return NULL;
}

static void
stop_cb(int signo, void *arg)
{
	struct sup *s = arg;

	log_info("signal %d: stopping workers", signo);
	sd_notify(0, "STOPPING=1");
	sup_stop(s);
}

static void
usr1_cb(int signo, void *arg)
{
	sup_signal(arg, signo);
}

int
sup_run(struct sup *s)
{
	struct ev *ev_term, *ev_int, *ev_usr1;
	int rc = -1, saved;

	signal(SIGPIPE, SIG_IGN);
	ev_term = ev_signal(s->base, SIGTERM, stop_cb, s);
	ev_int = ev_signal(s->base, SIGINT, stop_cb, s);
	ev_usr1 = ev_signal(s->base, SIGUSR1, usr1_cb, s);
	if (ev_term == NULL || ev_int == NULL || ev_usr1 == NULL)
		goto out;
	/* The first watch event scans everything already there. */
	if (s->watch == NULL &&
	    (s->watch = xsc_watch(s->xsc, s->root, root_cb, s)) == NULL)
		goto out;
	log_info("serving %s", s->root);
	/* systemd Type=notify: devices are being adopted from here on. */
	sd_notifyf(0, "READY=1\nSTATUS=serving %s", s->root);
	ev_dispatch(s->base);
	rc = 0;
out:
	saved = errno;
	ev_free(ev_term);
	ev_free(ev_int);
	ev_free(ev_usr1);
	errno = saved;
	return rc;
}

struct ev_base *
sup_base(const struct sup *s)
{
	return s->base;
}

struct xsc *
sup_xsc(const struct sup *s)
{
	return s->xsc;
}

const char *
sup_root(const struct sup *s)
{
	return s->root;
}

unsigned int
sup_self(const struct sup *s)
{
	return s->self;
}

void
sup_stop(struct sup *s)
{
	struct child *c;
	bool any;
	int i;

	s->stopping = true;
	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0)
			proc_send(c->chan, PROC_SHUTDOWN, NULL, 0, -1);
	/* Workers exit promptly; give them 2 s, then kill. */
	for (i = 0; i < SUP_STOP_POLLS; i++) {
		sigchld_cb(SIGCHLD, s);
		any = false;
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid > 0)
				any = true;
		if (!any)
			break;
		usleep(100 * 1000);
	}
	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0)
			kill(c->pid, SIGKILL);
	ev_break(s->base);
}

void
sup_signal(struct sup *s, int signo)
{
	struct child *c;

	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0)
			kill(c->pid, signo);
}

void
sup_free(struct sup *s)
{
	struct child *c;
	int saved = errno;

	if (s == NULL)
		return;
	if (s->watch != NULL)
		xsc_unwatch(s->xsc, s->watch);
	ev_free(s->ev_chld);
	while ((c = TAILQ_FIRST(&s->children)) != NULL)
		child_free(s, c);
	if (s->xsc != NULL)
		xsc_close(s->xsc);
	if (s->base != NULL)
		ev_base_free(s->base);
	free(s);
	errno = saved;
}
