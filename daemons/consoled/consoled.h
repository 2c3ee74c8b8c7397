/*
 * consoled.h - what the consoled files share: the options and the daemon
 * context (one per process, passed by pointer, never a global).
 *
 * consoled is one event-driven process serving every console of every
 * guest (docs/ARCHITECTURE.md "consoled" says why it is not split per
 * console like blkbackd/netbackd): consoled.c finds domains and their
 * primary consoles, secondary.c the xenbus console devices, console.c
 * serves one console, readers.c its attach socket, hvlog.c the
 * hypervisor's own console ring.
 */
#ifndef CONS_CONSOLED_H
#define CONS_CONSOLED_H

#include <stdbool.h>
#include <stdint.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenforeignmemory.h>

#define CONS_LOGDIR	"/var/log/xen/console"	/* as xenconsoled */
#define CONS_SOCKDIR	"/run/consoled"
#define CONS_CTL_SOCK	"control.sock"	/* in the socket directory (consctl.h) */
#define CONS_PTYQ	(64 * 1024)	/* pty queue per console */
#define CONS_CLIENTQ	(64 * 1024)	/* queue per attached client */
#define CONS_PORT_BUCKETS 256

struct console;
struct ev;
struct ev_base;
struct xsc;
struct secondary;
struct hvlog;

struct cons_opts {
	bool		 log_guest, log_hv;	/* -l */
	bool		 ts_guest, ts_hv;	/* -t */
	bool		 raw;			/* -R */
	const char	*logdir;		/* -L */
	const char	*sockdir;		/* -s */
	uint64_t	 rotate_size;		/* -S */
	unsigned int	 keep;			/* -K */
	uint64_t	 rate;			/* -r, bytes/s, 0 = none */
	uint64_t	 cpu_pct;		/* -c, % of a CPU per console, 0 = none */
	uint64_t	 memcap;		/* -M */
	uint64_t	 scrollback;		/* -b */
	unsigned int	 max_clients;		/* from memcap */
	bool		 conf_found;		/* the file was there */
};

struct consd {
	struct cons_opts	 o;
	unsigned int		 self;		/* our domain id */
	struct ev_base		*base;
	struct xsc		*xsc;
	xc_interface		*xc;
	xengnttab_handle	*xgt;
	xenforeignmemory_handle	*xfm;		/* opened on first use */
	xenevtchn_handle	*xce;		/* one handle for every console */
	struct ev		*ev_xce;
	struct console		*ports[CONS_PORT_BUCKETS];	/* by local port */
	struct hvlog		*hv;
	struct secondary	*sec;
	bool			 stopping;
	bool			 reexec;	/* SIGUSR2: exec again after the drain */
};

/* Call fn(c, arg) on every console, primary and secondary. */
void	consd_foreach(struct consd *, void (*fn)(struct console *, void *),
	    void *arg);

/* Foreign-memory handle, opened on first use (fallback mapping only). */
xenforeignmemory_handle *consd_fmem(struct consd *);

/* Route events of local port lport to c (console.c binds, we dispatch). */
void	consd_port_add(struct consd *, struct console *, uint32_t lport);
void	consd_port_del(struct consd *, struct console *);

struct conslog_opts;

/*
 * consconf.c: take consoled's section of the configuration file at path
 * (NULL: XB_CONF_FILE, which may be absent) into o, except the settings
 * whose flag letter is set[] (given on the command line).  Returns 0, or
 * -1 with the reason, naming the file, line and key, in err.
 */
int	consd_conf(struct cons_opts *o, const char *path, const bool set[128],
	    char *err, size_t errlen);
/* --print-capabilities: what o serves and logs, as JSON on stdout. */
void	consd_print_caps(const struct cons_opts *o);

/* The log options from -S, -K, -R and mode 0640; timestamps as given. */
void	consd_log_opts(const struct consd *, bool timestamps,
	    struct conslog_opts *);

/* Domain name from /local/domain/<domid>/name (raw: escape it for logs); the id if absent. */
void	consd_dom_name(struct consd *, unsigned int domid, char *dst, size_t len);

/* hvlog.c: the hypervisor console ring (VIRQ_CON_RING) into hypervisor.log. */
struct hvlog	*hvlog_new(struct consd *);
/* The local port its VIRQ is bound to. */
uint32_t	 hvlog_port(const struct hvlog *);
/* The VIRQ fired (or at start): read everything new and log it. */
void		 hvlog_event(struct hvlog *);
void		 hvlog_reopen(struct hvlog *);
void		 hvlog_free(struct hvlog *);

/* secondary.c: backend/console/<domid>/<N>, N >= 1, via common/xenbus. */
struct secondary *secondary_new(struct consd *);
/* Scan the backend directory now (startup, and on its watch). */
void		  secondary_scan(struct secondary *);
/* Call fn on every secondary console (SIGHUP, SIGUSR1). */
void		  secondary_foreach(struct secondary *,
		    void (*fn)(struct console *, void *), void *arg);
/* Final drain and close of every secondary console (stopping). */
void		  secondary_free(struct secondary *);

#endif
