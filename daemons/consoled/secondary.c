/*
 * secondary.c - secondary PV consoles: backend/console/<domid>/<N>, N >= 1,
 * frontend device/console/<N> (docs/misc/console.txt).  xenconsoled serves
 * console 0 only and leaves these to a dom0 QEMU (libxl_dm.c); here they go
 * through the common xenbus state machine:
 *
 *   backend dir appears (state 1) -> InitWait ->
 *   Linux hvc_xen (xencons_connect_backend) writes ring-ref (a grant
 *   reference, unlike console 0's MFN) and port, state Initialised ->
 *   we map the grant, bind the port, Connected; the frontend follows.
 *
 * Devices whose frontend "type" is set and is not "xenconsoled" (libxl
 * writes "ioemu" for channels) are QEMU's and are left alone.  No hotplug
 * script runs for consoles, so the hotplug gate is off; a restarted
 * consoled re-attaches to rings found Connected (the ring's whole state is
 * in the shared page).
 */
#include <sys/mman.h>
#include <sys/queue.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "console.h"
#include "consoled.h"
#include "log.h"
#include "parse.h"
#include "xenbus.h"
#include "xs.h"

#define SEC_TYPE	"console"

struct sdev {
	TAILQ_ENTRY(sdev)	 entry;
	struct secondary	*s;
	unsigned int		 domid, devid;
	struct xb_dev		*xb;
	struct console		*c;
};

/*
 * A device we released whose backend directory is still there (nobody
 * removes hand-made ones): not taken again until the directory goes, or
 * every scan would find it, probe it and release it again.
 */
struct sdone {
	TAILQ_ENTRY(sdone)	 entry;
	unsigned int		 domid, devid;
	unsigned int		 pass;		/* last scan that saw it */
};

/*
 * A backend directory whose frontend is not written yet (a toolstack that
 * writes the backend first): its frontend "type" decides whether it is
 * ours, so nothing is taken until the frontend's state node appears,
 * which this watch reports.
 */
struct spend {
	TAILQ_ENTRY(spend)	 entry;
	unsigned int		 domid, devid;
	unsigned int		 pass;
	struct xsc_watch	*w;
};

struct secondary {
	struct consd		*d;
	char			 root[96];
	struct xsc_watch	*w;
	TAILQ_HEAD(, sdev)	 devs;
	TAILQ_HEAD(, sdone)	 done;
	TAILQ_HEAD(, spend)	 pending;
	unsigned int		 pass;
};

static void sec_watch(const char *, void *);

static int
sec_probe(struct xb_dev *xb, void *arg)
{
	(void)xb;
	(void)arg;
	return 0;	/* hvc_xen reads no feature keys */
}

/*
 * The guest broke the ring (console.c detached it): the device is broken
 * too, so it goes Closing with the reason (the one log line) and the
 * error node, as netbackd and blkbackd close a broken ring's device.
 */
static void
sec_broken(void *arg, const char *why)
{
	struct sdev *sd = arg;

	xb_dev_fatal(sd->xb, EPROTO, "%s", why);
}

static int
sec_connect(struct xb_dev *xb, void *arg)
{
	struct sdev *sd = arg;
	struct consd *d = sd->s->d;
	struct xencons_interface *intf;
	uint64_t ref, port;
	char tty[PATH_MAX];

	/* Guest-written values: strict parse, bounded (parse.h). */
	if (xb_dev_fe_need(xb, "ring-ref", UINT32_MAX, &ref) == -1 ||
	    xb_dev_fe_need(xb, "port", UINT32_MAX, &port) == -1)
		return -1;	/* logged with the key, value and why */
	if (sd->c == NULL) {
		snprintf(tty, sizeof(tty), "%s/tty", xb_dev_fepath(xb));
		if ((sd->c = console_new(d, sd->domid, sd->devid, tty)) == NULL) {
			xb_dev_fatal(xb, ENOMEM, "cannot set up the console");
			return -1;
		}
		console_set_on_broken(sd->c, sec_broken, sd);
	}
	console_clear_broken(sd->c);
	intf = xengnttab_map_grant_ref(d->xgt, sd->domid, (uint32_t)ref,
	    PROT_READ | PROT_WRITE);
	if (intf == NULL) {
		xb_dev_fatal(xb, errno, "frontend ring-ref %llu: cannot map "
		    "the grant: %s", (unsigned long long)ref, strerror(errno));
		return -1;
	}
	if (console_attach(sd->c, intf, CONS_MAP_GRANT, (uint32_t)port) == -1) {
		xengnttab_unmap(d->xgt, intf, 1);
		xb_dev_fatal(xb, errno, "cannot serve ring-ref %llu port %llu: "
		    "%s", (unsigned long long)ref, (unsigned long long)port,
		    strerror(errno));
		return -1;
	}
	if (!console_attached(sd->c))
		return -1;	/* broke in its first drain: sec_broken closed it */
	return 0;
}

static int
sec_disconnect(struct xb_dev *xb, void *arg)
{
	struct sdev *sd = arg;

	(void)xb;
	if (sd->c != NULL) {
		/* As netbackd at a disconnect: what this connection did. */
		console_stats(sd->c, NULL);
		console_detach(sd->c);
	}
	return 0;
}

static void
sec_destroy(struct xb_dev *xb, void *arg)
{
	struct sdev *sd = arg;

	struct sdone *dn;

	(void)xb;
	TAILQ_REMOVE(&sd->s->devs, sd, entry);
	if ((dn = calloc(1, sizeof(*dn))) != NULL) {
		dn->domid = sd->domid;
		dn->devid = sd->devid;
		dn->pass = sd->s->pass;
		TAILQ_INSERT_TAIL(&sd->s->done, dn, entry);
	}
	console_free(sd->c, "console closed");
	xb_dev_free(sd->xb);
	free(sd);
}

static const struct xb_dev_ops sec_ops = {
	.probe = sec_probe,
	.connect = sec_connect,
	.disconnect = sec_disconnect,
	.destroy = sec_destroy,
};

static struct sdev *
sec_find(struct secondary *s, unsigned int domid, unsigned int devid)
{
	struct sdev *sd;

	TAILQ_FOREACH(sd, &s->devs, entry)
		if (sd->domid == domid && sd->devid == devid)
			return sd;
	return NULL;
}

/*
 * Is the device ready to be judged: 1 if its frontend is written, 0 if
 * not yet (a watch on the frontend's state then rescans), -1 if there is
 * no frontend key (xb_dev_new() reports it).  *theirs: the frontend's
 * type is set and not "xenconsoled" (QEMU's).
 */
static int
sec_frontend(struct secondary *s, unsigned int domid, unsigned int devid,
    bool *theirs)
{
	char *fe, *type, *state, path[256];
	struct spend *sp;

	*theirs = false;
	fe = xsc_readf(s->d->xsc, XBT_NULL, "%s/%u/%u/frontend", s->root,
	    domid, devid);
	if (fe == NULL)
		return -1;
	state = xsc_readf(s->d->xsc, XBT_NULL, "%s/state", fe);
	TAILQ_FOREACH(sp, &s->pending, entry)
		if (sp->domid == domid && sp->devid == devid)
			break;
	if (state == NULL) {
		if (sp == NULL && (sp = calloc(1, sizeof(*sp))) != NULL) {
			sp->domid = domid;
			sp->devid = devid;
			snprintf(path, sizeof(path), "%s/state", fe);
			sp->w = xsc_watch(s->d->xsc, path, sec_watch, s);
			TAILQ_INSERT_TAIL(&s->pending, sp, entry);
		}
		if (sp != NULL)
			sp->pass = s->pass;
		free(fe);
		return 0;
	}
	free(state);
	if (sp != NULL) {
		TAILQ_REMOVE(&s->pending, sp, entry);
		xsc_unwatch(s->d->xsc, sp->w);
		free(sp);
	}
	type = xsc_readf(s->d->xsc, XBT_NULL, "%s/type", fe);
	if (type != NULL && strcmp(type, "xenconsoled") != 0)
		*theirs = true;
	free(type);
	free(fe);
	return 1;
}

static void
sec_add(struct secondary *s, unsigned int domid, unsigned int devid)
{
	struct sdev *sd;
	struct sdone *dn;
	bool theirs;

	if (sec_find(s, domid, devid) != NULL)
		return;
	TAILQ_FOREACH(dn, &s->done, entry)
		if (dn->domid == domid && dn->devid == devid) {
			dn->pass = s->pass;
			return;
		}
	if (sec_frontend(s, domid, devid, &theirs) == 0)
		return;		/* frontend not written yet */
	if (theirs) {
		log_debug("console d%u/%u: frontend type is not xenconsoled, "
		    "left to its backend", domid, devid);
		return;
	}
	if ((sd = calloc(1, sizeof(*sd))) == NULL) {
		log_warn("console d%u/%u", domid, devid);
		return;
	}
	sd->s = s;
	sd->domid = domid;
	sd->devid = devid;
	sd->xb = xb_dev_new(s->d->xsc, SEC_TYPE, s->d->self, domid, devid,
	    &sec_ops, sd);
	if (sd->xb == NULL) {
		/* No frontend key yet (being written) or a bad one (logged). */
		free(sd);
		return;
	}
	xb_dev_set_no_hotplug(sd->xb);
	xb_dev_set_reattach(sd->xb);
	xb_dev_set_ready(sd->xb, true);
	TAILQ_INSERT_TAIL(&s->devs, sd, entry);
	log_info("console d%u/%u: secondary console found", domid, devid);
	xb_dev_start(sd->xb);	/* may destroy sd at once */
}

void
secondary_scan(struct secondary *s)
{
	char **doms, **devs, path[256];
	unsigned int nd, nv, i, j;
	uint64_t domid, devid;
	struct sdone *dn, *next;
	struct spend *sp, *spn;

	s->pass++;
	doms = xsc_directory(s->d->xsc, XBT_NULL, s->root, &nd);
	if (doms == NULL)
		nd = 0;
	for (i = 0; i < nd; i++) {
		if (parse_uint(doms[i], DOMID_FIRST_RESERVED - 1, &domid) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->root, doms[i]);
		if ((devs = xsc_directory(s->d->xsc, XBT_NULL, path, &nv)) == NULL)
			continue;
		for (j = 0; j < nv; j++) {
			/* Console 0 is the primary: consoled.c serves it. */
			if (parse_uint(devs[j], INT_MAX, &devid) == -1 ||
			    devid == 0)
				continue;
			sec_add(s, (unsigned int)domid, (unsigned int)devid);
		}
		free(devs);
	}
	free(doms);
	for (sp = TAILQ_FIRST(&s->pending); sp != NULL; sp = spn) {
		spn = TAILQ_NEXT(sp, entry);
		if (sp->pass != s->pass) {
			TAILQ_REMOVE(&s->pending, sp, entry);
			xsc_unwatch(s->d->xsc, sp->w);
			free(sp);
		}
	}
	/* Directories gone: a new device there is new again. */
	for (dn = TAILQ_FIRST(&s->done); dn != NULL; dn = next) {
		next = TAILQ_NEXT(dn, entry);
		if (dn->pass != s->pass) {
			TAILQ_REMOVE(&s->done, dn, entry);
			free(dn);
		}
	}
}

static void
sec_watch(const char *path, void *arg)
{
	(void)path;
	secondary_scan(arg);
}

struct secondary *
secondary_new(struct consd *d)
{
	struct secondary *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->d = d;
	TAILQ_INIT(&s->devs);
	TAILQ_INIT(&s->done);
	TAILQ_INIT(&s->pending);
	snprintf(s->root, sizeof(s->root), "/local/domain/%u/backend/%s",
	    d->self, SEC_TYPE);
	if ((s->w = xsc_watch(d->xsc, s->root, sec_watch, s)) == NULL) {
		log_warn("watch %s", s->root);
		free(s);
		return NULL;
	}
	return s;
}

void
secondary_foreach(struct secondary *s, void (*fn)(struct console *, void *),
    void *arg)
{
	struct sdev *sd;

	if (s == NULL)
		return;
	TAILQ_FOREACH(sd, &s->devs, entry)
		if (sd->c != NULL)
			fn(sd->c, arg);
}

void
secondary_free(struct secondary *s)
{
	struct sdev *sd;
	struct sdone *dn;
	struct spend *sp;

	if (s == NULL)
		return;
	xsc_unwatch(s->d->xsc, s->w);
	while ((sd = TAILQ_FIRST(&s->devs)) != NULL) {
		TAILQ_REMOVE(&s->devs, sd, entry);
		/* Leave the xenstore state as it is: a new consoled re-attaches. */
		console_free(sd->c, "consoled stopped");
		xb_dev_free(sd->xb);
		free(sd);
	}
	while ((dn = TAILQ_FIRST(&s->done)) != NULL) {
		TAILQ_REMOVE(&s->done, dn, entry);
		free(dn);
	}
	while ((sp = TAILQ_FIRST(&s->pending)) != NULL) {
		TAILQ_REMOVE(&s->pending, sp, entry);
		xsc_unwatch(s->d->xsc, sp->w);
		free(sp);
	}
	free(s);
}
