/*
 * netbackd.c - the netbackd parent: watches backend/vif in xenstore,
 * creates each vif's TAP (the only privileged step) and fork+execs one
 * worker per vif, handing it the TAP's queue fds.  It never touches a ring.
 *
 * Flow per vif (libxl_device.c, libxl_nic.c, docs/ARCHITECTURE.md):
 *   libxl writes backend/vif/<domid>/<devid> with state 1 ->
 *   we create TAP vif<domid>.<devid> ->
 *   worker: feature keys, InitWait (libxl waits <= 10 s) ->
 *   libxl runs the hotplug script (vif-bridge: bridge port, link up),
 *   hotplug-status=connected ->
 *   frontend Connected -> worker maps the rings, Connected.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xen/io/xenbus.h>

#include "bkargs.h"
#include "conf.h"
#include "ctlsup.h"
#include "handover.h"
#include "journal.h"
#include "log.h"
#include "netbackd.h"
#include "netjournal.h"
#include "netquiesce.h"
#include "netstats.h"
#include "parse.h"
#include "proc.h"
#include "sandbox.h"
#include "supervise.h"
#include "supquiesce.h"
#include "tap.h"
#include "worker.h"
#include "xs.h"

/* Present when the kernel's xen-netback is bound to the vif type. */
#define KERNEL_NETBACK	"/sys/bus/xen-backend/drivers/vif"

/* Linux netback's MAC for the host side: never chosen as a bridge id. */
static const uint8_t host_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

struct parent {
	int			 verbose, foreground;
	struct net_opts		 opts;		/* handed to workers */
};

/*
 * Start the worker of a vif on the TAP queues tfd[0..nq) (closed here),
 * with a fresh event-channel handle and journal; reattach: with -A, to
 * take over the rings a cleanly stopped daemon left (netquiesce.h).
 * Returns the worker's pid, or -1 (the device is failed).
 */
static pid_t
spawn_vif(struct sup *sup, unsigned int domid, unsigned int devid,
    struct parent *p, int *tfd, unsigned int nq, bool reattach)
{
	struct sup_fd fds[NET_MAX_QUEUES + 2];
	char title[64], dd[32], qs[16], ug[32];
	char *argv[16];
	unsigned int i;
	xenevtchn_handle *xce = NULL;
	pid_t pid = -1;
	int ai = 0, jfd;

	snprintf(title, sizeof(title), "netbackd: d%u/%u", domid, devid);
	snprintf(dd, sizeof(dd), "%u/%u", domid, devid);
	snprintf(qs, sizeof(qs), "%u", nq);
	argv[ai++] = title;
	argv[ai++] = "-W";
	argv[ai++] = dd;
	if (p->verbose)
		argv[ai++] = "-v";
	if (p->foreground)
		argv[ai++] = "-d";
	argv[ai++] = "-q";
	argv[ai++] = qs;
	snprintf(ug, sizeof(ug), "%lu:%lu", (unsigned long)p->opts.uid,
	    (unsigned long)p->opts.gid);
	argv[ai++] = "-S";
	argv[ai++] = ug;
	if (p->opts.test)
		argv[ai++] = "-T";
	if (reattach)
		argv[ai++] = "-A";
	argv[ai] = NULL;
	/*
	 * The event-channel handle, restricted to the guest (Linux
	 * IOCTL_EVTCHN_RESTRICT_DOMID), so the worker never holds one that
	 * could bind another domain's port; and the restart journal.  Both
	 * are kept, with the TAP's queues: bound ports, the interface, its
	 * bridge port and the frames queued for the guest outlive a worker
	 * (docs/ARCHITECTURE.md "Restart protocol").
	 */
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    xenevtchn_restrict(xce, (domid_t)domid) == -1) {
		sup_fail(sup, domid, devid, errno, "event channel handle for "
		    "domain %u: %s", domid, strerror(errno));
		goto out;
	}
	if ((jfd = journal_create(NJ_OFFSET + sizeof(struct nj), JOURNAL_NET,
	    domid, devid)) == -1) {
		sup_fail(sup, domid, devid, errno, "restart journal: %s",
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < nq; i++) {
		fds[i].name = "tap";
		fds[i].fd = tfd[i];
		fds[i].keep = true;
		fds[i].reopen = false;
	}
	fds[nq].name = "evtchn";
	fds[nq].fd = xenevtchn_fd(xce);
	fds[nq].keep = true;
	fds[nq].reopen = false;
	fds[nq + 1].name = "journal";
	fds[nq + 1].fd = jfd;
	fds[nq + 1].keep = true;
	fds[nq + 1].reopen = false;
	pid = sup_spawn(sup, domid, devid, argv, fds, nq + 2);
	close(jfd);
out:
	if (xce != NULL)
		xenevtchn_close(xce);
	/* The parent holds dups now; the TAP goes away with the device. */
	for (i = 0; i < nq; i++)
		close(tfd[i]);
	return pid;
}

/* sup_ops.start: create the TAP and start the worker. */
static void
start_vif(struct sup *sup, unsigned int domid, unsigned int devid, void *arg)
{
	struct parent *p = arg;
	int tfd[NET_MAX_QUEUES];
	char ifname[32], err[256], esc[64], *s;
	uint64_t mtu = 0;
	unsigned int nq = p->opts.max_queues;

	s = xsc_readf(sup_xsc(sup), XBT_NULL, "%s/%u/%u/mtu", sup_root(sup),
	    domid, devid);
	/* libxl writes mtu only when it is not 1500 (xl-network-configuration(5)). */
	if (s != NULL && (parse_uint(s, 65535, &mtu) == -1 || mtu < 68)) {
		sup_fail(sup, domid, devid, EINVAL, "bad mtu \"%s\" (expected "
		    "68 to 65535)", log_escape(esc, sizeof(esc), s));
		free(s);
		return;
	}
	free(s);
	if (nq + 2 > SUP_HELD_MAX) {
		/* The parent keeps every queue fd, the evtchn and the journal. */
		sup_fail(sup, domid, devid, EINVAL, "%u queues: at most %u with "
		    "restart", nq, SUP_HELD_MAX - 2);
		return;
	}
	snprintf(ifname, sizeof(ifname), NET_IFNAME_FMT, domid, devid);
	if (tap_create(ifname, nq, tfd, host_mac, (unsigned int)mtu, err,
	    sizeof(err)) == -1) {
		sup_fail(sup, domid, devid, errno, "%s", err);
		return;
	}
	if (spawn_vif(sup, domid, devid, p, tfd, nq, false) != -1)
		log_devinfo(NET_TYPE, domid, devid, "created %s (%u queue%s%s)",
		    ifname, nq, nq > 1 ? "s" : "", mtu ? ", mtu set" : "");
}

/*
 * A persistent TAP the last daemon left for a vif this one does not take
 * back: delete it, so that no interface outlives its device.
 */
static void
drop_tap(unsigned int domid, unsigned int devid, const char *ifname)
{
	int rc = tap_delete(ifname);

	if (rc == 1)
		log_devinfo(NET_TYPE, domid, devid, "deleted %s, which the last "
		    "daemon left persistent", ifname);
	else if (rc == -1)
		log_devwarnx(NET_TYPE, domid, devid, "deleting the persistent "
		    "TAP %s: %s", ifname, strerror(errno));
}

/* supq_check() callbacks: the record is a struct netq_rec. */
static int
q_parse(const char *s, unsigned int max_queues, void *rec, const char **why)
{
	return netq_parse(s, max_queues, rec, why);
}

static int
q_match(const void *rec, xbq_read_fn *rd, void *arg, const char **why)
{
	return netq_match(rec, rd, arg, why);
}

/*
 * sup_ops.reattach: a Connected vif without a worker.  Only if its last
 * worker left a clean-stop record that still matches the frontend, and
 * its TAP is still there, persistent (stop_vif()): open the TAP again by
 * name and start a -A worker, which checks everything again, and the
 * rings, before it touches anything.  Otherwise the TAP is deleted and
 * the vif is left "not adopted", as after a crash.
 */
static int
reattach_vif(struct sup *sup, unsigned int domid, unsigned int devid,
    void *arg)
{
	struct parent *p = arg;
	struct netq_rec rec;
	int tfd[NET_MAX_QUEUES];
	char ifname[32], err[256];
	unsigned int nq = p->opts.max_queues;

	snprintf(ifname, sizeof(ifname), NET_IFNAME_FMT, domid, devid);
	if (supq_check(sup, domid, devid, nq, q_parse, q_match, &rec) == -1)
		goto refuse;
	if (nq + 2 > SUP_HELD_MAX) {
		log_devwarnx(NET_TYPE, domid, devid, "%u queues: at most %u "
		    "with restart", nq, SUP_HELD_MAX - 2);
		goto refuse;
	}
	/* The interface, its bridge port, what the hotplug script set. */
	if (tap_reopen(ifname, nq, tfd, err, sizeof(err)) == -1) {
		log_devwarnx(NET_TYPE, domid, devid, "%s record, but %s",
		    XB_QUIESCED_KEY, err);
		goto refuse;
	}
	if (spawn_vif(sup, domid, devid, p, tfd, nq, true) != -1)
		log_devinfo(NET_TYPE, domid, devid, "opened %s again (%u "
		    "queue%s), re-attaching after a clean stop", ifname, nq,
		    nq > 1 ? "s" : "");
	return 0;
refuse:
	drop_tap(domid, devid, ifname);
	return -1;
}

/*
 * sup_ops.stopping: the daemon stops (SIGTERM, not an upgrade).  The TAP
 * would go with the parent's fds: make it persistent so that the next
 * daemon finds it with its bridge port and link (reattach_vif()); the
 * worker leaves the ring record.  Every TAP is kept; the next daemon
 * deletes those it does not take back (scanned_vif()).
 */
static void
stop_vif(struct sup *sup, unsigned int domid, unsigned int devid,
    const struct sup_held *held, unsigned int nheld, void *arg)
{
	char ifname[32];
	unsigned int i;

	(void)sup;
	(void)arg;
	snprintf(ifname, sizeof(ifname), NET_IFNAME_FMT, domid, devid);
	for (i = 0; i < nheld; i++) {
		if (strcmp(held[i].name, "tap") != 0 || held[i].fd < 0)
			continue;
		if (tap_persist(held[i].fd, true) == -1)
			log_devwarnx(NET_TYPE, domid, devid, "%s: TUNSETPERSIST: "
			    "%s", ifname, strerror(errno));
		else
			log_devinfo(NET_TYPE, domid, devid, "%s kept for the "
			    "next daemon (persistent)", ifname);
		return;
	}
}

/*
 * sup_ops.scanned: every vif already there was looked at.  A persistent
 * vif<domid>.<devid> TAP now is one the last daemon left for a device
 * that went away meanwhile or that was not taken back (not Connected, no
 * record): delete it.  The TAPs this daemon uses are not persistent.
 */
static void
scanned_vif(struct sup *sup, void *arg)
{
	DIR *d;
	struct dirent *e;
	char name[32];
	unsigned int domid, devid;
	int n;

	(void)sup;
	(void)arg;
	if ((d = opendir("/sys/class/net")) == NULL) {
		log_warn("/sys/class/net");
		return;
	}
	while ((e = readdir(d)) != NULL) {
		n = 0;
		if (sscanf(e->d_name, "vif%u.%u%n", &domid, &devid, &n) != 2 ||
		    e->d_name[n] != '\0')
			continue;
		/* Only our own spelling (no sign, no leading zero). */
		snprintf(name, sizeof(name), NET_IFNAME_FMT, domid, devid);
		if (strcmp(name, e->d_name) != 0)
			continue;
		drop_tap(domid, devid, name);
	}
	closedir(d);
}

static const struct sup_ops net_sup_ops = {
	.start = start_vif,
	.reattach = reattach_vif,
	.stopping = stop_vif,
	.scanned = scanned_vif,
};

static void
usage(void)
{
	fprintf(stderr, "usage: netbackd [-dFhnrTv] [-f file] [-q queues] "
	    "[-u user]\n"
	    "                [--print-capabilities] [--print-sandbox]\n");
	exit(1);
}

/*
 * --print-capabilities: what a worker writes to backend/vif before
 * InitWait (worker.c nb_features_txn()) with these settings, as JSON.
 */
static void
print_caps(const struct net_opts *o)
{
	unsigned int i;

	printf("{\n"
	    "  \"daemon\": \"netbackd\",\n"
	    "  \"type\": \"%s\",\n"
	    "  \"features\": {\n", NET_TYPE);
	for (i = 0; net_features_on[i] != NULL; i++)
		printf("    \"%s\": 1,\n", net_features_on[i]);
	printf("    \"feature-rx-flip\": 0,\n"
	    "    \"multi-queue-max-queues\": %u\n"
	    "  }\n"
	    "}\n", o->max_queues);
}

/*
 * The parent's settings: the file under the command line.  Returns 0, or
 * -1 with the reason in err.
 */
static int
load_conf(struct bk_args *a, struct parent *p, char *err, size_t errlen)
{
	struct conf *c;

	if ((c = bk_conf(a, "netbackd", err, errlen)) == NULL)
		return -1;
	if (conf_unused(c, "netbackd") == -1) {
		snprintf(err, errlen, "%s", conf_error(c));
		conf_free(c);
		return -1;
	}
	/* The user's name may point into c: resolve it now. */
	if (!a->print_caps && sandbox_user(a->user, &p->opts.uid,
	    &p->opts.gid, err, errlen) == -1) {
		conf_free(c);
		return -1;
	}
	if (a->checkonly)
		printf("netbackd: %s%s: ok (max-queues %u, user %s)\n",
		    conf_name(c), conf_found(c) ? "" : " (absent: the defaults)",
		    a->max_queues, a->user);
	conf_free(c);
	return 0;
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

	memset(&p, 0, sizeof(p));
	bk_init(&a, NET_DEF_QUEUES, NET_MAX_QUEUES, NET_USER);
	while ((ch = getopt_long(argc, argv, BK_OPTSTRING, bk_longopts,
	    NULL)) != -1) {
		if ((r = bk_arg(&a, ch, optarg, why, sizeof(why))) == -1)
			errx(1, "%s", why);
		if (r == 0)
			usage();
	}
	if (optind != argc)
		usage();
	if (a.request)
		return ho_request("netbackd");
	if (a.print_sandbox) {
		sandbox_print(stdout, "netbackd", net_sandbox, net_sandbox_len);
		return 0;
	}
	p.verbose = a.verbose;
	p.foreground = a.foreground;
	p.opts.resume = a.resume;
	p.opts.reattach = a.reattach;
	p.opts.test = a.test;
	p.opts.uid = a.uid;
	p.opts.gid = a.gid;
	log_init("netbackd", a.foreground || a.checkonly || a.print_caps ||
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
	if (load_conf(&a, &p, why, sizeof(why)) == -1) {
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
	if (sandbox_empty_dir(NET_SANDBOX_ROOT, why, sizeof(why)) == -1)
		fatalx("%s", why);

	if (access(KERNEL_NETBACK, F_OK) == 0 && !a.force)
		fatalx("the kernel's xen-netback is bound (%s exists): it would "
		    "serve the same vif devices.  Unload it (rmmod xen-netback) "
		    "or run with -F", KERNEL_NETBACK);
	if (access("/dev/net/tun", R_OK | W_OK) == -1)
		fatal("/dev/net/tun (modprobe tun?)");

	if ((sup = sup_new(NET_TYPE, &net_sup_ops, &p)) == NULL)
		fatal("connecting to xenstore to serve %s devices", NET_TYPE);
	ho_parent_start(sup, "netbackd", a.handover);
	/* Status for xbctl(8); the devices are served without it too. */
	if ((ctl = ctlsup_new(sup, "netbackd", NET_CTL_SOCK, nb_stats_keys,
	    nb_stats_nkeys)) == NULL)
		log_warn("control socket %s", NET_CTL_SOCK);
	if (sup_run(sup) == -1)
		fatal("serving %s", sup_root(sup));
	ctlsup_free(ctl);
	sup_free(sup);
	return 0;
}
