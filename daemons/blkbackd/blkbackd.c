/*
 * blkbackd.c - the blkbackd parent: common/supervise.c watches backend/vbd
 * in xenstore and runs the workers; this file opens each device's backing
 * store (the only privileged step) and has one worker started per device,
 * handing it the fd.  It never touches a ring.
 *
 * Flow per device (libxl_device.c, docs/ARCHITECTURE.md):
 *   libxl writes backend/vbd/<domid>/<devid> with state 1 ->
 *   we open "params" (file, block device or NBD server: target.h) ->
 *   worker: InitWait (libxl waits <= 10 s) ->
 *   libxl runs the hotplug script, hotplug-status=connected ->
 *   frontend Initialised/Connected -> worker maps the ring, Connected.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xen/io/xenbus.h>

#include "backing.h"
#include "bkargs.h"
#include "blkbackd.h"
#include "blkif.h"
#include "blkjournal.h"
#include "blkquiesce.h"
#include "blkstats.h"
#include "conf.h"
#include "ctlsup.h"
#include "handover.h"
#include "journal.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "ring.h"
#include "sandbox.h"
#include "supervise.h"
#include "supquiesce.h"
#include "target.h"
#include "worker.h"
#include "xs.h"

/* Present when the kernel's xen-blkback is bound to the vbd type. */
#define KERNEL_BLKBACK	"/sys/bus/xen-backend/drivers/vbd"

struct parent {
	int			 verbose, foreground;
	struct blk_opts		 opts;		/* handed to workers */
};

/*
 * The device's "params" (malloc'd, NULL if absent) and whether its "mode"
 * allows writing, as start and reopen both read them.
 */
static char *
read_params(struct sup *sup, unsigned int domid, unsigned int devid,
    bool *writable)
{
	char *params, *mode;

	params = xsc_readf(sup_xsc(sup), XBT_NULL, "%s/%u/%u/params",
	    sup_root(sup), domid, devid);
	mode = xsc_readf(sup_xsc(sup), XBT_NULL, "%s/%u/%u/mode",
	    sup_root(sup), domid, devid);
	*writable = parse_mode_writable(mode);
	free(mode);
	return params;
}

/*
 * Open the backing store and start the worker; reattach: with -A, to take
 * over the rings a cleanly stopped daemon left (blkquiesce.h).
 */
static void
spawn_vbd(struct sup *sup, unsigned int domid, unsigned int devid,
    struct parent *p, bool reattach)
{
	char *params, title[64], dd[32], err[512];
	char store[PROC_MSG_MAX], desc[512];
	char *argv[16], qs[16], ps[16], ug[32];
	struct sup_fd sfd[3];
	xenevtchn_handle *xce;
	struct target t;
	bool writable;
	pid_t pid;
	int fd, jfd, i = 0;

	params = read_params(sup, domid, devid, &writable);
	if (params == NULL || params[0] == '\0') {
		sup_fail(sup, domid, devid, ENOENT, "no \"params\" (empty "
		    "cdrom drives are not supported yet)");
		free(params);
		return;
	}
	/* params came from xenstore; target.c escapes it in messages. */
	if (target_parse(params, &t, err, sizeof(err)) == -1) {
		sup_fail(sup, domid, devid, errno, "%s", err);
		free(params);
		return;
	}
	free(params);
	/* The worker is told the store kind (and NBD export) with the fd. */
	if (target_store_arg(&t, store, sizeof(store)) == -1) {
		sup_fail(sup, domid, devid, errno, "NBD export name is %zu "
		    "bytes; at most %zu can be passed to the worker",
		    strlen(t.export_name), sizeof(store) - sizeof("nbd:"));
		return;
	}
	if ((fd = target_open(&t, writable, err, sizeof(err))) == -1) {
		sup_fail(sup, domid, devid, errno, "%s", err);
		return;
	}
	/* What outlives a worker (docs/ARCHITECTURE.md "Restart protocol"). */
	if ((jfd = journal_create(blkj_size(p->opts.max_queues), JOURNAL_BLK,
	    domid, devid)) == -1) {
		sup_fail(sup, domid, devid, errno, "creating the restart "
		    "journal: %s", strerror(errno));
		close(fd);
		return;
	}
	/*
	 * The worker may bind only this guest's ports (IOCTL_EVTCHN_RESTRICT_DOMID,
	 * Linux drivers/xen/evtchn.c); bound ports live as long as the file,
	 * which we keep, so a successor finds them bound.
	 */
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    xenevtchn_restrict(xce, (domid_t)domid) == -1) {
		sup_fail(sup, domid, devid, errno, "opening the event channel "
		    "device for the guest: %s", strerror(errno));
		if (xce != NULL)
			xenevtchn_close(xce);
		close(jfd);
		close(fd);
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
	snprintf(ug, sizeof(ug), "%lu:%lu", (unsigned long)p->opts.uid,
	    (unsigned long)p->opts.gid);
	argv[i++] = "-S";
	argv[i++] = ug;
	if (p->opts.test)
		argv[i++] = "-T";
	if (reattach)
		argv[i++] = "-A";
	argv[i] = NULL;

	/*
	 * An NBD connection's stream state dies with the worker: not kept,
	 * but opened again for each successor (reopen_vbd()).
	 */
	memset(sfd, 0, sizeof(sfd));
	sfd[0].name = store;
	sfd[0].fd = fd;
	sfd[0].keep = t.kind != TARGET_NBD;
	sfd[0].reopen = t.kind == TARGET_NBD;
	sfd[1].name = "journal";
	sfd[1].fd = jfd;
	sfd[1].keep = true;
	sfd[2].name = "evtchn";
	sfd[2].fd = xenevtchn_fd(xce);
	sfd[2].keep = true;
	pid = sup_spawn(sup, domid, devid, argv, sfd, 3);
	close(fd);
	close(jfd);
	xenevtchn_close(xce);
	if (pid != -1)
		log_devinfo(BLK_TYPE, domid, devid, "started worker %ld (%s, %s%s)",
		    (long)pid, target_describe(&t, desc, sizeof(desc)),
		    writable ? "read-write" : "read-only",
		    reattach ? ", re-attaching after a clean stop" : "");
}

/* sup_ops.start: a new device. */
static void
start_vbd(struct sup *sup, unsigned int domid, unsigned int devid, void *arg)
{
	spawn_vbd(sup, domid, devid, arg, false);
}

/* supq_check() callbacks: the record is a struct blkq_rec. */
static int
q_parse(const char *s, unsigned int max_queues, void *rec, const char **why)
{
	return blkq_parse(s, max_queues, rec, why);
}

static int
q_match(const void *rec, xbq_read_fn *rd, void *arg, const char **why)
{
	return blkq_match(rec, rd, arg, why);
}

/*
 * sup_ops.reattach: a Connected vbd without a worker.  Only if its last
 * worker left a clean-stop record that still matches the frontend; the
 * worker checks again, and the ring, before it touches anything.
 */
static int
reattach_vbd(struct sup *sup, unsigned int domid, unsigned int devid,
    void *arg)
{
	struct parent *p = arg;
	struct blkq_rec rec;

	if (supq_check(sup, domid, devid, p->opts.max_queues, q_parse, q_match,
	    &rec) == -1)
		return -1;
	spawn_vbd(sup, domid, devid, p, true);
	return 0;
}

/*
 * sup_ops.reopen: a fresh NBD connection for a successor (the old stream's
 * state is unknown).  params is read again, as start_vbd() reads it: the
 * parent keeps no per-device copy, so this also works after an upgrade
 * re-exec.  It must still name the export the device was started with
 * (name is the store argument, "nbd:<export>"): the journal's requests
 * are for that disk.
 */
static int
reopen_vbd(struct sup *sup, unsigned int domid, unsigned int devid,
    const char *name, void *arg, char *err, size_t errlen)
{
	char *params, store[PROC_MSG_MAX];
	struct target t;
	bool writable;
	int fd;

	(void)arg;
	params = read_params(sup, domid, devid, &writable);
	if (params == NULL) {
		snprintf(err, errlen, "no \"params\"");
		errno = ENOENT;
		return -1;
	}
	if (target_parse(params, &t, err, errlen) == -1) {
		free(params);
		return -1;
	}
	free(params);
	if (t.kind != TARGET_NBD ||
	    target_store_arg(&t, store, sizeof(store)) == -1 ||
	    strcmp(store, name) != 0) {
		snprintf(err, errlen, "\"params\" no longer names the NBD "
		    "export the device was started with");
		errno = ESTALE;
		return -1;
	}
	if ((fd = target_open(&t, writable, err, errlen)) == -1)
		return -1;
	return fd;
}

static const struct sup_ops blk_sup_ops = {
	.start = start_vbd,
	.reopen = reopen_vbd,
	.reattach = reattach_vbd,
};

static void
usage(void)
{
	fprintf(stderr, "usage: blkbackd [-dFhnrTv] [-f file] [-p pgrants] "
	    "[-q queues] [-u user]\n"
	    "                [--print-capabilities] [--print-sandbox]\n");
	exit(1);
}

/*
 * --print-capabilities: what a worker writes to backend/vbd (worker.c
 * blk_probe(), blk_connect_keys_txn()) with these settings, as JSON.
 * Flush and discard also depend on each device's store ("per-device").
 */
static void
print_caps(const struct blk_opts *o)
{
	printf("{\n"
	    "  \"daemon\": \"blkbackd\",\n"
	    "  \"type\": \"%s\",\n"
	    "  \"stores\": [\"%s\", \"%s\"],\n"
	    "  \"features\": {\n"
	    "    \"multi-queue-max-queues\": %u,\n"
	    "    \"max-ring-page-order\": %u,\n"
	    "    \"feature-max-indirect-segments\": %u,\n"
	    "    \"feature-persistent\": %d,\n"
	    "    \"feature-flush-cache\": 1,\n"
	    "    \"feature-barrier\": 1,\n"
	    "    \"feature-discard\": 1\n"
	    "  },\n"
	    "  \"per-device\": [\"feature-flush-cache\", \"feature-barrier\", "
	    "\"feature-discard\"],\n"
	    "  \"persistent-grants\": %u\n"
	    "}\n", BLK_TYPE, backing_raw.name, backing_nbd.name,
	    o->max_queues, XB_RING_MAX_ORDER, BLK_MAX_SEGS, o->pgrants > 0,
	    o->pgrants);
}

/*
 * The parent's settings: the file under the command line.  pgrants_set:
 * -p was given.  Returns 0, or -1 with the reason in err.
 */
static int
load_conf(struct bk_args *a, struct parent *p, bool pgrants_set, char *err,
    size_t errlen)
{
	struct conf *c;
	uint64_t v;
	int r;

	if ((c = bk_conf(a, "blkbackd", err, errlen)) == NULL)
		return -1;
	if ((r = conf_uint(c, "blkbackd", "persistent-grants", 0,
	    BLK_MAX_PGRANTS, &v)) == 1 && !pgrants_set)
		p->opts.pgrants = (unsigned int)v;
	if (r == -1 || conf_unused(c, "blkbackd") == -1)
		goto bad;
	/* The user's name may point into c: resolve it now. */
	if (!a->print_caps && sandbox_user(a->user, &p->opts.uid, &p->opts.gid, err,
	    errlen) == -1) {
		conf_free(c);
		return -1;
	}
	if (a->checkonly)
		printf("blkbackd: %s%s: ok (max-queues %u, persistent-grants "
		    "%u, user %s)\n", conf_name(c), conf_found(c) ? "" :
		    " (absent: the defaults)", a->max_queues, p->opts.pgrants,
		    a->user);
	conf_free(c);
	return 0;
bad:
	snprintf(err, errlen, "%s", conf_error(c));
	conf_free(c);
	return -1;
}

int
main(int argc, char *argv[])
{
	struct parent p;
	struct bk_args a;
	struct sup *sup;
	struct ctlsup *ctl;
	char why[512];
	int ch, r;
	bool pgrants_set = false;
	uint64_t v;

	memset(&p, 0, sizeof(p));
	bk_init(&a, BLK_DEF_QUEUES, BLK_MAX_QUEUES, BLK_USER);
	p.opts.pgrants = BLK_DEF_PGRANTS;
	while ((ch = getopt_long(argc, argv, BK_OPTSTRING "p:", bk_longopts,
	    NULL)) != -1) {
		if ((r = bk_arg(&a, ch, optarg, why, sizeof(why))) == 1)
			continue;
		if (r == -1)
			errx(1, "%s", why);
		switch (ch) {
		case 'p':
			if (parse_uint(optarg, BLK_MAX_PGRANTS, &v) == -1)
				errx(1, "-p %s: expected a number of persistent "
				    "grants from 0 to %u", optarg, BLK_MAX_PGRANTS);
			p.opts.pgrants = (unsigned int)v;
			pgrants_set = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (a.request)
		return ho_request("blkbackd");
	if (a.print_sandbox) {
		sandbox_print(stdout, "blkbackd", blk_sandbox, blk_sandbox_len);
		return 0;
	}
	p.verbose = a.verbose;
	p.foreground = a.foreground;
	p.opts.resume = a.resume;
	p.opts.reattach = a.reattach;
	p.opts.test = a.test;
	p.opts.uid = a.uid;
	p.opts.gid = a.gid;
	log_init("blkbackd", a.foreground || a.checkonly || a.print_caps ||
	    isatty(STDERR_FILENO), a.verbose);

	if (a.worker != NULL) {
		unsigned int domid, devid;

		/* Everything a worker needs is on its command line. */
		if (parse_domdev(a.worker, &domid, &devid) == -1)
			fatalx("-W %s: expected <domid>/<devid>", a.worker);
		p.opts.max_queues = a.max_queues;
		p.opts.verbose = p.verbose;
		p.opts.foreground = p.foreground;
		return worker_main(domid, devid, &p.opts);
	}

	/* Workers drop to the configured user (common/sandbox.h). */
	if (load_conf(&a, &p, pgrants_set, why, sizeof(why)) == -1) {
		if (a.checkonly)
			errx(1, "%s", why);	/* as sshd -t: the message alone */
		fatalx("%s", why);
	}
	p.opts.max_queues = a.max_queues;
	if (a.checkonly)
		return 0;
	if (a.print_caps) {
		print_caps(&p.opts);
		return 0;
	}
	/* ... in an empty root. */
	if (sandbox_empty_dir(BLK_SANDBOX_ROOT, why, sizeof(why)) == -1)
		fatalx("%s", why);

	if (access(KERNEL_BLKBACK, F_OK) == 0 && !a.force)
		fatalx("the kernel's xen-blkback is bound (%s exists): it would "
		    "serve the same vbd devices.  Unload it (rmmod xen-blkback) "
		    "or run with -F", KERNEL_BLKBACK);

	if ((sup = sup_new(BLK_TYPE, &blk_sup_ops, &p)) == NULL)
		fatal("connecting to xenstore to serve %s devices", BLK_TYPE);
	ho_parent_start(sup, "blkbackd", a.handover);
	/* Status for xbctl(8); the devices are served without it too. */
	if ((ctl = ctlsup_new(sup, "blkbackd", BLK_CTL_SOCK, blk_stats_keys,
	    blk_stats_nkeys)) == NULL)
		log_warn("control socket %s", BLK_CTL_SOCK);
	if (sup_run(sup) == -1)
		fatal("serving %s", sup_root(sup));
	ctlsup_free(ctl);
	sup_free(sup);
	return 0;
}
