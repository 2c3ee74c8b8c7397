/*
 * consoled.c - the consoled process: options, the xen handles, finding
 * domains and their primary consoles, signals.
 *
 * Domains (consoled.md 1.2): @introduceDomain and @releaseDomain are only
 * triggers; the truth is a full xc_domain_getinfolist() sweep.  A domain
 * that is dying, or missing from a sweep, is gone (xen 2b5fb80ff7: HVM
 * domains never showed as dying long enough and leaked).  A domid seen
 * with a different handle (UUID) is a new domain that reused the id: the
 * old one's console is closed first, so one tenant's log never continues
 * as another's.
 *
 * Primary console (consoled.md 1.3, 1.4): /local/domain/<id>/console/
 * {ring-ref,port,type}.  type set and not "xenconsoled" means QEMU serves
 * it.  The ring is mapped through the reserved grant entry 0
 * (GNTTAB_RESERVED_CONSOLE, which libxenguest fills; xen f12696a8c0), and
 * only if that fails by a foreign map of ring-ref (an MFN/GFN).  A watch on
 * the console directory re-evaluates: nothing happens unless ring-ref or
 * port changed.
 */
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <paths.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <xen/grant_table.h>

#include "conf.h"
#include "conslog.h"
#include "consctl.h"
#include "console.h"
#include "consoled.h"
#include "ev.h"
#include "handover.h"
#include "log.h"
#include "parse.h"
#include "xs.h"

#define SWEEP_BATCH	256

struct dom {
	TAILQ_ENTRY(dom)	 entry;
	struct consd		*d;
	unsigned int		 domid;
	xen_domain_handle_t	 handle;
	unsigned int		 pass;
	char			 name[128];
	struct xsc_watch	*w;
	struct console		*c;
	uint64_t		 ring_ref;	/* what c is attached with */
	uint64_t		 port;
	bool			 skip_logged;
};

struct portent {
	struct portent		*next;
	uint32_t		 port;
	struct console		*c;
};

static TAILQ_HEAD(, dom) doms = TAILQ_HEAD_INITIALIZER(doms);
static struct portent *portmap[CONS_PORT_BUCKETS];
static unsigned int sweep_pass;

/* ---- event channel dispatch ---- */

void
consd_port_add(struct consd *d, struct console *c, uint32_t lport)
{
	struct portent *p;

	(void)d;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("console d%u/%u: port map", console_domid(c),
		    console_num(c));
		return;
	}
	p->port = lport;
	p->c = c;
	p->next = portmap[lport % CONS_PORT_BUCKETS];
	portmap[lport % CONS_PORT_BUCKETS] = p;
}

void
consd_port_del(struct consd *d, struct console *c)
{
	struct portent **pp, *p;
	uint32_t lport = console_lport(c);

	(void)d;
	for (pp = &portmap[lport % CONS_PORT_BUCKETS]; (p = *pp) != NULL;
	    pp = &p->next) {
		if (p->c == c) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

static void
xce_readable(int fd, void *arg)
{
	struct consd *d = arg;
	struct portent *p;
	xenevtchn_port_or_error_t port;
	uint64_t t0 = console_cpu_ns();

	(void)fd;
	/* One per callback: the fd blocks when nothing is pending. */
	if ((port = xenevtchn_pending(d->xce)) < 0)
		return;
	if (d->hv != NULL && (uint32_t)port == hvlog_port(d->hv)) {
		hvlog_event(d->hv);
		return;
	}
	for (p = portmap[(uint32_t)port % CONS_PORT_BUCKETS]; p != NULL;
	    p = p->next)
		if (p->port == (uint32_t)port) {
			struct console *c = p->c;	/* p goes if c breaks */

			console_event(c);	/* unmasks when it is done */
			console_charge_cpu(c, console_cpu_ns() - t0);
			return;
		}
	xenevtchn_unmask(d->xce, (evtchn_port_t)port);
}

xenforeignmemory_handle *
consd_fmem(struct consd *d)
{
	if (d->xfm == NULL && (d->xfm = xenforeignmemory_open(NULL, 0)) == NULL)
		log_warn("xenforeignmemory_open");
	return d->xfm;
}

void
consd_dom_name(struct consd *d, unsigned int domid, char *dst, size_t len)
{
	char *s;

	s = xsc_readf(d->xsc, XBT_NULL, "/local/domain/%u/name", domid);
	if (s != NULL && *s != '\0')
		snprintf(dst, len, "%s", s);
	else
		snprintf(dst, len, "%u", domid);
	free(s);
}

void
consd_log_opts(const struct consd *d, bool timestamps, struct conslog_opts *lo)
{
	memset(lo, 0, sizeof(*lo));
	lo->rotate_size = d->o.rotate_size;
	lo->keep = d->o.keep;
	lo->timestamps = timestamps;
	lo->raw = d->o.raw;
	lo->mode = 0640;	/* guests type secrets at consoles */
}

/* ---- domains ---- */

static void
dom_free(struct dom *dm, const char *why)
{
	char note[256], esc[128];

	TAILQ_REMOVE(&doms, dm, entry);
	xsc_unwatch(dm->d->xsc, dm->w);
	if (dm->c != NULL) {
		if (why != NULL)
			snprintf(note, sizeof(note), "domain %u (%s) %s",
			    dm->domid, log_escape(esc, sizeof(esc), dm->name),
			    why);
		else
			snprintf(note, sizeof(note), "consoled %s",
			    dm->d->reexec ? "re-executing" : "stopped");
		log_info("console d%u/0: %s", dm->domid, note);
		console_free(dm->c, note);
	}
	free(dm);
}

/* (Re)connect the primary console if its keys say so. */
static void
dom_eval(struct dom *dm)
{
	struct consd *d = dm->d;
	struct xencons_interface *intf;
	enum cons_map map = CONS_MAP_GRANT;
	uint64_t ref, port;
	char *type, tty[96], esc[64], path[96];
	xen_pfn_t pfn;
	int err = 0;

	type = xsc_readf(d->xsc, XBT_NULL, "/local/domain/%u/console/type",
	    dm->domid);
	if (type != NULL && strcmp(type, "xenconsoled") != 0) {
		if (!dm->skip_logged)
			log_info("console d%u/0: type \"%s\": not ours",
			    dm->domid, log_escape(esc, sizeof(esc), type));
		dm->skip_logged = true;
		free(type);
		return;
	}
	free(type);
	snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref",
	    dm->domid);
	if (xsc_read_uint(d->xsc, XBT_NULL, path, UINT64_MAX, &ref) == -1)
		return;		/* not written yet: the watch brings us back */
	snprintf(path, sizeof(path), "/local/domain/%u/console/port",
	    dm->domid);
	if (xsc_read_uint(d->xsc, XBT_NULL, path, UINT32_MAX, &port) == -1)
		return;
	if (dm->c != NULL && (console_attached(dm->c) ||
	    console_broken(dm->c)) && ref == dm->ring_ref && port == dm->port)
		return;		/* our own tty write, or nothing new */
	if (dm->name[0] == '\0' || strspn(dm->name, "0123456789") ==
	    strlen(dm->name))
		consd_dom_name(d, dm->domid, dm->name, sizeof(dm->name));
	if (dm->c == NULL) {
		snprintf(tty, sizeof(tty), "/local/domain/%u/console/tty",
		    dm->domid);
		if ((dm->c = console_new(d, dm->domid, 0, tty)) == NULL)
			return;
	} else if (console_attached(dm->c)) {
		log_info("console d%u/0: ring-ref or port changed, reconnecting",
		    dm->domid);
		console_detach(dm->c);
	}
	console_clear_broken(dm->c);

	intf = xengnttab_map_grant_ref(d->xgt, dm->domid,
	    GNTTAB_RESERVED_CONSOLE, PROT_READ | PROT_WRITE);
	if (intf == NULL) {
		err = errno;
		pfn = (xen_pfn_t)ref;
		map = CONS_MAP_FOREIGN;
		intf = consd_fmem(d) == NULL ? NULL : xenforeignmemory_map(
		    d->xfm, dm->domid, PROT_READ | PROT_WRITE, 1, &pfn, NULL);
		if (intf == NULL) {
			log_warnx("console d%u/0: cannot map the ring: grant "
			    "entry %u: %s; ring-ref %llu: %s", dm->domid,
			    GNTTAB_RESERVED_CONSOLE, strerror(err),
			    (unsigned long long)ref, strerror(errno));
			return;
		}
	}
	if (console_attach(dm->c, intf, map, (uint32_t)port) == -1) {
		if (map == CONS_MAP_GRANT)
			xengnttab_unmap(d->xgt, intf, 1);
		else
			xenforeignmemory_unmap(d->xfm, intf, 1);
		return;
	}
	dm->ring_ref = ref;
	dm->port = port;
}

static void
dom_watch(const char *path, void *arg)
{
	(void)path;
	dom_eval(arg);
}

static struct dom *
dom_new(struct consd *d, unsigned int domid, const xen_domain_handle_t h)
{
	struct dom *dm;
	char path[64];

	if ((dm = calloc(1, sizeof(*dm))) == NULL) {
		log_warn("domain %u", domid);
		return NULL;
	}
	dm->d = d;
	dm->domid = domid;
	memcpy(dm->handle, h, sizeof(dm->handle));
	consd_dom_name(d, domid, dm->name, sizeof(dm->name));
	TAILQ_INSERT_TAIL(&doms, dm, entry);
	snprintf(path, sizeof(path), "/local/domain/%u/console", domid);
	/* The first watch event evaluates the console. */
	if ((dm->w = xsc_watch(d->xsc, path, dom_watch, dm)) == NULL) {
		log_warn("watch %s", path);
		dom_eval(dm);
	}
	return dm;
}

static struct dom *
dom_find(unsigned int domid)
{
	struct dom *dm;

	TAILQ_FOREACH(dm, &doms, entry)
		if (dm->domid == domid)
			return dm;
	return NULL;
}

/* Bring the domain list in line with the hypervisor's. */
static void
sweep(struct consd *d)
{
	xc_domaininfo_t info[SWEEP_BATCH];
	struct dom *dm, *next;
	uint32_t first = 0;
	int n, i;

	sweep_pass++;
	for (;;) {
		n = xc_domain_getinfolist(d->xc, first, SWEEP_BATCH, info);
		if (n < 0) {
			/* Keep what we have: a failed sweep must not drop consoles. */
			log_warn("xc_domain_getinfolist");
			return;
		}
		for (i = 0; i < n; i++) {
			unsigned int domid = info[i].domain;

			if (domid == d->self)
				continue;	/* our own console is not a ring */
			dm = dom_find(domid);
			if (dm != NULL && memcmp(dm->handle, info[i].handle,
			    sizeof(dm->handle)) != 0) {
				dom_free(dm, "gone (domain id reused)");
				dm = NULL;
			}
			if (info[i].flags & XEN_DOMINF_dying) {
				if (dm != NULL)
					dom_free(dm, "gone");
				continue;
			}
			if (dm == NULL && (dm = dom_new(d, domid,
			    info[i].handle)) == NULL)
				continue;
			dm->pass = sweep_pass;
		}
		if (n < SWEEP_BATCH)
			break;
		first = info[n - 1].domain + 1;
	}
	for (dm = TAILQ_FIRST(&doms); dm != NULL; dm = next) {
		next = TAILQ_NEXT(dm, entry);
		if (dm->pass != sweep_pass)
			dom_free(dm, "gone");
	}
}

static void
domlist_watch(const char *path, void *arg)
{
	(void)path;
	sweep(arg);
}

/* ---- signals ---- */

void
consd_foreach(struct consd *d, void (*fn)(struct console *, void *),
    void *arg)
{
	struct dom *dm;

	TAILQ_FOREACH(dm, &doms, entry)
		if (dm->c != NULL)
			fn(dm->c, arg);
	if (d->sec != NULL)
		secondary_foreach(d->sec, fn, arg);
}

static void
on_hup(int sig, void *arg)
{
	struct consd *d = arg;

	(void)sig;
	log_info("SIGHUP: reopening logs");
	consd_foreach(d, console_reopen, NULL);
	hvlog_reopen(d->hv);
}

static void
on_usr1(int sig, void *arg)
{
	(void)sig;
	consd_foreach(arg, console_stats, NULL);
	log_heap();
}

/* Our file, for SIGUSR2 (read at start: it names the new file after an upgrade). */
static char cons_exe[PATH_MAX];

/*
 * SIGUSR2: upgrade.  As SIGTERM (every ring drained into its log), then
 * exec our path: crash-only, the new image rebuilds every console from
 * xenstore as after a restart (cons-restart); what the guests write in
 * between waits in their rings.
 */
static void
on_usr2(int sig, void *arg)
{
	struct consd *d = arg;

	(void)sig;
	if (cons_exe[0] == '\0' || access(cons_exe, X_OK) == -1) {
		log_warn("SIGUSR2: cannot re-execute %s; serving on",
		    cons_exe[0] != '\0' ? cons_exe : "(our path is unknown)");
		return;
	}
	log_info("SIGUSR2: draining every console and re-executing %s",
	    cons_exe);
	sd_notify(0, "RELOADING=1");
	d->reexec = true;
	d->stopping = true;
	ev_break(d->base);
}

static void
on_term(int sig, void *arg)
{
	struct consd *d = arg;

	log_info("signal %d: draining every console and stopping", sig);
	sd_notify(0, "STOPPING=1");
	d->stopping = true;
	ev_break(d->base);
}

/* ---- start ---- */

/* Refuse to run beside xenconsoled: two backends on one ring lose bytes. */
static int
xenconsoled_running(void)
{
	static const char *pidfiles[] = {
		"/run/xenconsoled.pid", "/var/run/xen/xenconsoled.pid",
		"/run/xen/xenconsoled.pid",
	};
	char buf[64], path[64];
	unsigned int i;
	FILE *f;
	long pid;

	for (i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		if ((f = fopen(pidfiles[i], "r")) == NULL)
			continue;
		pid = fgets(buf, sizeof(buf), f) != NULL ? strtol(buf, NULL, 10) : 0;
		fclose(f);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		buf[0] = '\0';
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
		if (strncmp(buf, "xenconsoled", 11) == 0)
			return 1;
	}
	return 0;
}

static int
mkdirs(const char *dir, mode_t mode)
{
	char p[PATH_MAX], *s;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, mode) == 0)
		return chmod(p, mode);	/* whatever the umask */
	return errno == EEXIST ? 0 : -1;
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: consoled [-dFhnRv] [-b size] [-c percent] "
	    "[-f file] [-K keep] [-L dir]\n"
	    "                [-l what] [-M size] [-r rate] [-S size] [-s dir] "
	    "[-t what]\n"
	    "                [--print-capabilities]\n"
	    "       consoled --reexec\n");
	exit(1);
}

/* "none", "guest", "hv" or "all" into two flags. */
static int
parse_what(const char *s, bool *guest, bool *hv)
{
	if (strcmp(s, "none") == 0)
		*guest = false, *hv = false;
	else if (strcmp(s, "guest") == 0)
		*guest = true, *hv = false;
	else if (strcmp(s, "hv") == 0)
		*guest = false, *hv = true;
	else if (strcmp(s, "all") == 0)
		*guest = true, *hv = true;
	else
		return -1;
	return 0;
}

static void
optsize(int ch, const char *arg, uint64_t max, uint64_t *out)
{
	if (parse_size(arg, max, out) == -1)
		errx(1, "-%c %s: %s (a number with an optional K, M or G "
		    "suffix, at most %llu)", ch, arg, strerror(errno),
		    (unsigned long long)max);
}

int
main(int argc, char *argv[])
{
	struct consd d;
	struct ev *ev_sig[5];
	struct consctl *ctl = NULL;
	char ctlpath[PATH_MAX];
	uint64_t v;
	int ch, foreground = 0, force = 0, checkonly = 0, verbose = 0;
	int request = 0, caps = 0;
	unsigned int i;
	const char *conf = NULL;
	bool set[128];			/* flags given: they win over the file */
	char why[512];
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "reexec", no_argument, NULL, 'E' },	/* -r is the rate */
		{ "print-capabilities", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};

	memset(&d, 0, sizeof(d));
	d.o.log_guest = true;
	d.o.logdir = CONS_LOGDIR;
	d.o.sockdir = CONS_SOCKDIR;
	d.o.rotate_size = 16ULL << 20;
	d.o.keep = 4;
	d.o.rate = 8ULL << 20;
	d.o.cpu_pct = 25;
	d.o.memcap = 1ULL << 20;
	d.o.scrollback = 16ULL << 10;
	memset(set, 0, sizeof(set));
	while ((ch = getopt_long(argc, argv, "b:c:df:FhK:L:l:M:nRr:S:s:t:v",
	    longopts, NULL)) != -1) {
		if (ch > 0 && ch < 128)
			set[ch] = true;
		switch (ch) {
		case 'b':
			optsize(ch, optarg, 1ULL << 20, &d.o.scrollback);
			if (d.o.scrollback < 1024)
				errx(1, "-b %s: at least 1K", optarg);
			break;
		case 'C':
			caps = 1;
			break;
		case 'c':
			if (parse_uint(optarg, 100, &d.o.cpu_pct) == -1)
				errx(1, "-c %s: expected 0 to 100 (%% of one "
				    "CPU per console; 0: no limit)", optarg);
			break;
		case 'd':
			foreground = 1;
			break;
		case 'E':
			request = 1;
			break;
		case 'F':
			force = 1;
			break;
		case 'f':
			conf = optarg;
			break;
		case 'K':
			if (parse_uint(optarg, 1000, &v) == -1)
				errx(1, "-K %s: expected 0 to 1000 files", optarg);
			d.o.keep = (unsigned int)v;
			break;
		case 'L':
			d.o.logdir = optarg;
			break;
		case 'l':
			if (parse_what(optarg, &d.o.log_guest, &d.o.log_hv) == -1)
				errx(1, "-l %s: expected none, guest, hv or all",
				    optarg);
			break;
		case 'M':
			optsize(ch, optarg, 1ULL << 30, &d.o.memcap);
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'R':
			d.o.raw = true;
			break;
		case 'r':
			optsize(ch, optarg, 1ULL << 40, &d.o.rate);
			break;
		case 'S':
			optsize(ch, optarg, 1ULL << 50, &d.o.rotate_size);
			if (d.o.rotate_size != 0 && d.o.rotate_size < 4096)
				errx(1, "-S %s: at least 4K (or 0: never)", optarg);
			break;
		case 's':
			d.o.sockdir = optarg;
			break;
		case 't':
			if (parse_what(optarg, &d.o.ts_guest, &d.o.ts_hv) == -1)
				errx(1, "-t %s: expected none, guest, hv or all",
				    optarg);
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (request)
		return ho_request("consoled");
	log_init("consoled", foreground || checkonly || caps ||
	    isatty(STDERR_FILENO), verbose);
	if (consd_conf(&d.o, conf, set, why, sizeof(why)) == -1) {
		if (checkonly)
			errx(1, "%s", why);	/* as sshd -t: the message alone */
		fatalx("%s", why);
	}
	if (d.o.memcap < CONS_PTYQ + d.o.scrollback + CONS_CLIENTQ)
		fatalx("-M or memory %llu: too small: the pty queue (%u), the scrollback "
		    "(%llu) and one client (%u) need %llu",
		    (unsigned long long)d.o.memcap, CONS_PTYQ,
		    (unsigned long long)d.o.scrollback, CONS_CLIENTQ,
		    (unsigned long long)(CONS_PTYQ + d.o.scrollback +
		    CONS_CLIENTQ));
	d.o.max_clients = (unsigned int)((d.o.memcap - CONS_PTYQ -
	    d.o.scrollback) / CONS_CLIENTQ);
	if (checkonly) {
		printf("consoled: %s%s: options ok (logs %s in %s, sockets in "
		    "%s, rate %llu B/s, CPU %llu%%, %u clients per console)\n",
		    conf != NULL ? conf : XB_CONF_FILE, d.o.conf_found ? "" :
		    " (absent: the defaults)",
		    d.o.log_guest ? (d.o.log_hv ? "all" : "guest") :
		    (d.o.log_hv ? "hv" : "none"), d.o.logdir, d.o.sockdir,
		    (unsigned long long)d.o.rate,
		    (unsigned long long)d.o.cpu_pct, d.o.max_clients);
		return 0;
	}
	if (caps) {
		consd_print_caps(&d.o);
		return 0;
	}
	if (!force && xenconsoled_running())
		fatalx("xenconsoled is running: stop it first (two backends "
		    "on one ring each get part of the output), or use -F");
	if (ho_exe_path(cons_exe, sizeof(cons_exe)) == -1)
		cons_exe[0] = '\0';
	if (ho_pidfile("consoled") == -1)
		log_warn("pid file %sconsoled.pid", _PATH_VARRUN);
	if ((d.o.log_guest || d.o.log_hv) && mkdirs(d.o.logdir, 0750) == -1)
		fatal("log directory %s", d.o.logdir);
	if (mkdirs(d.o.sockdir, 0700) == -1)
		fatal("socket directory %s", d.o.sockdir);
	signal(SIGPIPE, SIG_IGN);

	if ((d.base = ev_base_new()) == NULL)
		fatal("event base");
	if ((d.xsc = xsc_open(d.base)) == NULL)
		fatal("xenstore");
	if (xsc_self_domid(d.xsc, &d.self) == -1)
		d.self = 0;
	if ((d.xc = xc_interface_open(NULL, NULL, 0)) == NULL)
		fatal("xc_interface_open");
	if ((d.xgt = xengnttab_open(NULL, 0)) == NULL)
		fatal("xengnttab_open");
	if ((d.xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open");
	if ((d.ev_xce = ev_read(d.base, xenevtchn_fd(d.xce), true,
	    xce_readable, &d)) == NULL)
		fatal("event channel event");
	ev_sig[0] = ev_signal(d.base, SIGHUP, on_hup, &d);
	ev_sig[1] = ev_signal(d.base, SIGUSR1, on_usr1, &d);
	ev_sig[2] = ev_signal(d.base, SIGTERM, on_term, &d);
	ev_sig[3] = ev_signal(d.base, SIGINT, on_term, &d);
	ev_sig[4] = ev_signal(d.base, SIGUSR2, on_usr2, &d);
	for (i = 0; i < 5; i++)
		if (ev_sig[i] == NULL)
			fatal("signal events");

	if (d.o.log_hv)
		d.hv = hvlog_new(&d);	/* logged on failure; consoles go on */
	sweep(&d);
	if (xsc_watch(d.xsc, "@introduceDomain", domlist_watch, &d) == NULL ||
	    xsc_watch(d.xsc, "@releaseDomain", domlist_watch, &d) == NULL)
		fatal("watch @introduceDomain/@releaseDomain");
	if ((d.sec = secondary_new(&d)) == NULL)
		log_warnx("secondary consoles are not served");
	else
		secondary_scan(d.sec);
	/* Status for xbctl(8); the consoles are served without it too. */
	if (snprintf(ctlpath, sizeof(ctlpath), "%s/%s", d.o.sockdir,
	    CONS_CTL_SOCK) >= (int)sizeof(ctlpath) ||
	    (ctl = consctl_new(&d, ctlpath)) == NULL)
		log_warn("control socket %s/%s", d.o.sockdir, CONS_CTL_SOCK);
	log_info("serving consoles (logs in %s, sockets in %s)",
	    d.o.log_guest ? d.o.logdir : "(none)", d.o.sockdir);
	sd_notify(0, "READY=1\nSTATUS=serving consoles");

	while (!d.stopping)
		if (ev_dispatch(d.base) == -1)
			fatal("event loop");

	consctl_free(ctl);
	/* Everything the guests wrote goes to the logs before we leave. */
	while (!TAILQ_EMPTY(&doms))
		dom_free(TAILQ_FIRST(&doms), NULL);
	secondary_free(d.sec);
	hvlog_free(d.hv);
	for (i = 0; i < 5; i++)
		ev_free(ev_sig[i]);
	ev_free(d.ev_xce);
	xenevtchn_close(d.xce);
	xengnttab_close(d.xgt);
	if (d.xfm != NULL)
		xenforeignmemory_close(d.xfm);
	xc_interface_close(d.xc);
	xsc_close(d.xsc);
	ev_base_free(d.base);
	if (d.reexec) {
		/* Same pid, same argv: systemd and pid files see no change. */
		ho_exec(cons_exe, -1, NULL, 0);
		fatal("re-executing %s", cons_exe);	/* Restart=on-failure */
	}
	log_info("stopped");
	return 0;
}
