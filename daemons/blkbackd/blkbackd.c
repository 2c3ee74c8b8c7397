/*
 * blkbackd.c - the blkbackd parent: watches backend/vbd in xenstore, opens
 * each device's backing store (the only privileged step) and fork+execs one
 * worker per device, handing it the fd.  It never touches a ring.
 *
 * Flow per device (libxl_device.c, docs/ARCHITECTURE.md):
 *   libxl writes backend/vbd/<domid>/<devid> with state 1 ->
 *   we open "params" (file, block device or NBD server: target.h) ->
 *   worker: InitWait (libxl waits <= 10 s) ->
 *   libxl runs the hotplug script, hotplug-status=connected ->
 *   frontend Initialised/Connected -> worker maps the ring, Connected.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <systemd/sd-daemon.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blkbackd.h"
#include "ev.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "target.h"
#include "xenbus.h"
#include "xs.h"

/* Present when the kernel's xen-blkback is bound to the vbd type. */
#define KERNEL_BLKBACK	"/sys/bus/xen-backend/drivers/vbd"

struct child {
	TAILQ_ENTRY(child)	 entry;
	unsigned int		 domid, devid;
	pid_t			 pid;		/* -1: no worker (device failed) */
	int			 chan;
	struct ev		*ev;
	bool			 ready;
};

struct parent {
	struct ev_base		*base;
	struct xsc		*xsc;
	unsigned int		 self;
	char			 root[64];	/* /local/domain/<self>/backend/vbd */
	TAILQ_HEAD(, child)	 children;
	int			 verbose, foreground;
	struct blk_opts		 opts;		/* handed to workers */
	bool			 stopping;
};

static struct child *
child_find(struct parent *p, unsigned int domid, unsigned int devid)
{
	struct child *c;

	TAILQ_FOREACH(c, &p->children, entry)
		if (c->domid == domid && c->devid == devid)
			return c;
	return NULL;
}

static struct child *
child_new(struct parent *p, unsigned int domid, unsigned int devid)
{
	struct child *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->domid = domid;
	c->devid = devid;
	c->pid = -1;
	c->chan = -1;
	TAILQ_INSERT_TAIL(&p->children, c, entry);
	return c;
}

static void
child_free(struct parent *p, struct child *c)
{
	TAILQ_REMOVE(&p->children, c, entry);
	ev_free(c->ev);
	if (c->chan >= 0)
		close(c->chan);
	free(c);
}

/* Give up on a device: error node, state Closed, remembered as failed. */
static void
device_fail(struct parent *p, unsigned int domid, unsigned int devid, int err,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
device_fail(struct parent *p, unsigned int domid, unsigned int devid, int err,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xb_backend_fail(p->xsc, BLK_TYPE, p->self, domid, devid, err, msg);
	if (child_find(p, domid, devid) == NULL)
		child_new(p, domid, devid);
}

static void
chan_cb(int fd, void *arg)
{
	struct child *c = arg;
	struct proc_msg m;
	int rc;

	while ((rc = proc_recv(fd, &m)) == 1) {
		if (m.fd >= 0)
			close(m.fd);
		switch (m.type) {
		case PROC_READY:
			c->ready = true;
			log_devinfo(BLK_TYPE, c->domid, c->devid,
			    "worker %ld ready", (long)c->pid);
			break;
		case PROC_ERROR:
			log_devwarnx(BLK_TYPE, c->domid, c->devid,
			    "worker %ld failed: %s", (long)c->pid, m.data);
			break;
		default:
			log_devwarnx(BLK_TYPE, c->domid, c->devid,
			    "worker %ld sent unknown message %u", (long)c->pid,
			    m.type);
			break;
		}
	}
	if (rc == 0 || (rc == -1 && errno != EAGAIN))
		ev_disable(c->ev);	/* worker closed it; SIGCHLD follows */
}

static void
spawn_worker(struct parent *p, unsigned int domid, unsigned int devid)
{
	char *params, *mode, title[64], dd[32], err[512];
	char store[PROC_MSG_MAX], desc[512];
	char *argv[12], qs[16], ps[16];
	struct target t;
	struct child *c;
	bool writable;
	int fd, i = 0;

	params = xsc_readf(p->xsc, XBT_NULL, "%s/%u/%u/params", p->root, domid,
	    devid);
	mode = xsc_readf(p->xsc, XBT_NULL, "%s/%u/%u/mode", p->root, domid,
	    devid);
	writable = parse_mode_writable(mode);
	free(mode);
	if (params == NULL || params[0] == '\0') {
		device_fail(p, domid, devid, ENOENT, "no \"params\" (empty "
		    "cdrom drives are not supported yet)");
		free(params);
		return;
	}
	/* params came from xenstore; target.c escapes it in messages. */
	if (target_parse(params, &t, err, sizeof(err)) == -1) {
		device_fail(p, domid, devid, errno, "%s", err);
		free(params);
		return;
	}
	free(params);
	/* The worker is told the store kind (and NBD export) with the fd. */
	if (target_store_arg(&t, store, sizeof(store)) == -1) {
		device_fail(p, domid, devid, errno, "NBD export name is %zu "
		    "bytes; at most %zu can be passed to the worker",
		    strlen(t.export_name), sizeof(store) - sizeof("nbd:"));
		return;
	}
	if ((fd = target_open(&t, writable, err, sizeof(err))) == -1) {
		device_fail(p, domid, devid, errno, "%s", err);
		return;
	}

	snprintf(title, sizeof(title), "blkbackd: d%u/%u", domid, devid);
	snprintf(dd, sizeof(dd), "%u/%u", domid, devid);
	argv[i++] = title;
	argv[i++] = "-W";
	argv[i++] = dd;
	if (p->verbose)
		argv[i++] = "-v";
	if (p->foreground)
		argv[i++] = "-d";
	snprintf(qs, sizeof(qs), "%u", p->opts.max_queues);
	snprintf(ps, sizeof(ps), "%u", p->opts.pgrants);
	argv[i++] = "-q";
	argv[i++] = qs;
	argv[i++] = "-p";
	argv[i++] = ps;
	argv[i] = NULL;

	if ((c = child_new(p, domid, devid)) == NULL) {
		close(fd);
		log_warn("allocating worker state");
		return;
	}
	if ((c->pid = proc_spawn("/proc/self/exe", argv, &c->chan)) == -1) {
		close(fd);
		device_fail(p, domid, devid, errno, "cannot start worker: %s",
		    strerror(errno));
		return;
	}
	if (proc_send(c->chan, PROC_FD, store, strlen(store), fd) == -1) {
		/* The worker waits for this fd: don't leave it waiting. */
		log_devwarnx(BLK_TYPE, domid, devid, "sending backing fd: %s",
		    strerror(errno));
		kill(c->pid, SIGKILL);	/* reaped; the device is failed then */
	}
	close(fd);
	c->ev = ev_read(p->base, c->chan, true, chan_cb, c);
	log_devinfo(BLK_TYPE, domid, devid, "started worker %ld (%s, %s)",
	    (long)c->pid, target_describe(&t, desc, sizeof(desc)),
	    writable ? "read-write" : "read-only");
}

/* Look at one device directory and start a worker if it is new. */
static void
check_device(struct parent *p, unsigned int domid, unsigned int devid)
{
	struct child *c = child_find(p, domid, devid);
	char *s;
	int state;

	s = xsc_readf(p->xsc, XBT_NULL, "%s/%u/%u/state", p->root, domid,
	    devid);
	if (s == NULL) {
		/* Directory gone: forget a failed device; workers see it themselves. */
		if (c != NULL && c->pid == -1)
			child_free(p, c);
		return;
	}
	state = parse_xenbus_state(s);
	free(s);
	if (c != NULL || p->stopping)
		return;

	switch (state) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		spawn_worker(p, domid, devid);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
		/* Left by an earlier instance; re-attaching is not done yet. */
		log_devwarnx(BLK_TYPE, domid, devid, "found in state %s with no "
		    "worker; not adopted", xb_state_name(state));
		child_new(p, domid, devid);
		break;
	default:
		break;
	}
}

static void
scan_all(struct parent *p)
{
	char **doms, **devs, path[128];
	unsigned int nd, nv, i, j;
	uint64_t d, v;

	if ((doms = xsc_directory(p->xsc, XBT_NULL, p->root, &nd)) == NULL)
		return;
	for (i = 0; i < nd; i++) {
		if (parse_uint(doms[i], 0x7fef, &d) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", p->root, doms[i]);
		if ((devs = xsc_directory(p->xsc, XBT_NULL, path, &nv)) == NULL)
			continue;
		for (j = 0; j < nv; j++)
			if (parse_uint(devs[j], (1u << 28) - 1, &v) == 0)
				check_device(p, (unsigned int)d, (unsigned int)v);
		free(devs);
	}
	free(doms);
}

/* Watch callback for backend/vbd: look only at the device that changed. */
static void
root_cb(const char *path, void *arg)
{
	struct parent *p = arg;
	size_t rl = strlen(p->root);
	char buf[128], *dom, *dev, *end;
	uint64_t d, v;
	struct child *c, *tmp;

	if (strncmp(path, p->root, rl) != 0 || path[rl] != '/' ||
	    strlen(path + rl + 1) >= sizeof(buf)) {
		scan_all(p);
		/* Forget failed devices whose directory went away with the domain. */
		for (c = TAILQ_FIRST(&p->children); c != NULL; c = tmp) {
			tmp = TAILQ_NEXT(c, entry);
			if (c->pid == -1)
				check_device(p, c->domid, c->devid);
		}
		return;
	}
	strcpy(buf, path + rl + 1);
	dom = buf;
	if ((dev = strchr(dom, '/')) == NULL) {
		scan_all(p);
		return;
	}
	*dev++ = '\0';
	if ((end = strchr(dev, '/')) != NULL)
		*end = '\0';
	if (parse_uint(dom, 0x7fef, &d) == 0 &&
	    parse_uint(dev, (1u << 28) - 1, &v) == 0)
		check_device(p, (unsigned int)d, (unsigned int)v);
	else
		scan_all(p);
}

static void
sigchld_cb(int signo, void *arg)
{
	struct parent *p = arg;
	struct child *c;
	char why[96];
	int status;
	pid_t pid;

	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		TAILQ_FOREACH(c, &p->children, entry)
			if (c->pid == pid)
				break;
		if (c == NULL)
			continue;
		proc_status_str(status, why, sizeof(why));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			log_devinfo(BLK_TYPE, c->domid, c->devid,
			    "worker %ld %s", (long)pid, why);
			child_free(p, c);
			continue;
		}
		/* Abnormal end: the guest's disk is gone; say so in xenstore. */
		c->pid = -1;
		ev_free(c->ev);
		c->ev = NULL;
		close(c->chan);
		c->chan = -1;
		if (!p->stopping)
			device_fail(p, c->domid, c->devid, EIO, "worker %ld %s",
			    (long)pid, why);
		check_device(p, c->domid, c->devid);
	}
}

static void
stop_cb(int signo, void *arg)
{
	struct parent *p = arg;
	struct child *c;
	int i;

	log_info("signal %d: stopping workers", signo);
	sd_notify(0, "STOPPING=1");
	p->stopping = true;
	TAILQ_FOREACH(c, &p->children, entry)
		if (c->pid > 0)
			proc_send(c->chan, PROC_SHUTDOWN, NULL, 0, -1);
	/* Workers exit promptly; give them 2 s, then kill. */
	for (i = 0; i < 20; i++) {
		bool any = false;

		sigchld_cb(SIGCHLD, p);
		TAILQ_FOREACH(c, &p->children, entry)
			if (c->pid > 0)
				any = true;
		if (!any)
			break;
		usleep(100 * 1000);
	}
	TAILQ_FOREACH(c, &p->children, entry)
		if (c->pid > 0)
			kill(c->pid, SIGKILL);
	ev_break(p->base);
}

static void
usage(void)
{
	fprintf(stderr, "usage: blkbackd [-dFhv] [-p pgrants] [-q queues]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct parent p;
	struct ev *ev_chld, *ev_term, *ev_int;
	const char *worker = NULL;
	int ch, force = 0;
	uint64_t v;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	memset(&p, 0, sizeof(p));
	p.opts.max_queues = BLK_DEF_QUEUES;
	p.opts.pgrants = BLK_DEF_PGRANTS;
	TAILQ_INIT(&p.children);
	while ((ch = getopt_long(argc, argv, "dFhp:q:vW:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			p.foreground = 1;
			break;
		case 'F':
			force = 1;
			break;
		case 'v':
			p.verbose++;
			break;
		case 'W':
			worker = optarg;
			break;
		case 'q':
			if (parse_uint(optarg, BLK_MAX_QUEUES, &v) == -1 || v == 0)
				errx(1, "-q %s: expected a number of queues from "
				    "1 to %u", optarg, BLK_MAX_QUEUES);
			p.opts.max_queues = (unsigned int)v;
			break;
		case 'p':
			if (parse_uint(optarg, BLK_MAX_PGRANTS, &v) == -1)
				errx(1, "-p %s: expected a number of persistent "
				    "grants from 0 to %u", optarg, BLK_MAX_PGRANTS);
			p.opts.pgrants = (unsigned int)v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("blkbackd", p.foreground || isatty(STDERR_FILENO), p.verbose);

	if (worker != NULL) {
		unsigned int domid, devid;

		if (parse_domdev(worker, &domid, &devid) == -1)
			fatalx("-W %s: expected <domid>/<devid>", worker);
		p.opts.verbose = p.verbose;
		p.opts.foreground = p.foreground;
		return worker_main(domid, devid, &p.opts);
	}

	if (access(KERNEL_BLKBACK, F_OK) == 0 && !force)
		fatalx("the kernel's xen-blkback is bound (%s exists): it would "
		    "serve the same vbd devices.  Unload it (rmmod xen-blkback) "
		    "or run with -F", KERNEL_BLKBACK);

	if ((p.base = ev_base_new()) == NULL)
		fatal("event base");
	if ((p.xsc = xsc_open(p.base)) == NULL)
		fatal("connecting to xenstore");
	if (xsc_self_domid(p.xsc, &p.self) == -1)
		fatal("reading own domid from xenstore");
	snprintf(p.root, sizeof(p.root), "/local/domain/%u/backend/%s",
	    p.self, BLK_TYPE);

	signal(SIGPIPE, SIG_IGN);
	ev_chld = ev_signal(p.base, SIGCHLD, sigchld_cb, &p);
	ev_term = ev_signal(p.base, SIGTERM, stop_cb, &p);
	ev_int = ev_signal(p.base, SIGINT, stop_cb, &p);
	if (ev_chld == NULL || ev_term == NULL || ev_int == NULL)
		fatal("signal events");
	/* The first watch event scans everything already there. */
	if (xsc_watch(p.xsc, p.root, root_cb, &p) == NULL)
		fatal("watching %s", p.root);
	log_info("serving %s", p.root);
	/* systemd Type=notify: devices are being adopted from here on. */
	sd_notifyf(0, "READY=1\nSTATUS=serving %s", p.root);

	ev_dispatch(p.base);

	ev_free(ev_chld);
	ev_free(ev_term);
	ev_free(ev_int);
	xsc_close(p.xsc);
	ev_base_free(p.base);
	return 0;
}
