/*
 * ctlsup.c - the control socket of a supervised daemon.  See ctlsup.h.
 *
 * A request is a struct pending: a snapshot of the device table, the
 * xenbus states read once, and a slot per device for its worker's checked
 * counters.  Replies are matched by seq and by the worker's pid, so a late
 * answer to an earlier request, or one from a successor, lands nowhere.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlfmt.h"
#include "ctlsup.h"
#include "ev.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "supervise.h"
#include "xenbus.h"
#include "xs.h"

struct pdev {
	struct sup_devinfo	 info;
	int			 be_state, fe_state;
	bool			 asked, answered;
	char			 bad[128];	/* why its reply was refused */
	struct ctl_stats	*st;		/* its checked counters */
};

struct pending {
	TAILQ_ENTRY(pending)	 entry;
	struct ctlsup		*cs;
	struct ctl_conn		*conn;
	struct ctl_req		 req;
	uint32_t		 seq;
	struct pdev		*devs;
	unsigned int		 ndevs, nall, waiting;
	struct ev		*timer;
};

struct ctlsup {
	struct sup		*sup;
	const char		*daemon;
	const struct ctl_key	*keys;
	unsigned int		 nkeys;
	struct ctl		*ctl;
	uint32_t		 seq;
	TAILQ_HEAD(, pending)	 pending;
};

static void
pending_free(struct pending *p)
{
	unsigned int i;

	TAILQ_REMOVE(&p->cs->pending, p, entry);
	ev_free(p->timer);
	for (i = 0; i < p->ndevs; i++)
		free(p->devs[i].st);
	free(p->devs);
	free(p);
}

static const char *
worker_status(const struct pdev *d)
{
	if (d->info.restarting)
		return "restarting";
	if (d->info.pid == -1)
		return "no worker";
	if (!d->info.ready)
		return "starting";
	if (d->bad[0] != '\0')
		return "bad reply";
	if (!d->answered)
		return "worker not answering";
	return "running";
}

static void
status_json(struct pending *p, struct cbuf *b)
{
	struct ctlsup *cs = p->cs;
	unsigned int i;

	cbuf_puts(b, "{\"daemon\":");
	cbuf_json_str(b, cs->daemon);
	cbuf_printf(b, ",\"pid\":%ld,\"type\":", (long)getpid());
	cbuf_json_str(b, sup_type(cs->sup));
	cbuf_puts(b, ",\"devices\":[");
	for (i = 0; i < p->ndevs; i++) {
		const struct pdev *d = &p->devs[i];

		cbuf_printf(b, "%s{\"domid\":%u,\"devid\":%u,\"state\":",
		    i > 0 ? "," : "", d->info.domid, d->info.devid);
		cbuf_json_str(b, xb_state_name(d->be_state));
		cbuf_puts(b, ",\"frontend_state\":");
		cbuf_json_str(b, xb_state_name(d->fe_state));
		cbuf_puts(b, ",\"worker\":{\"pid\":");
		if (d->info.pid > 0)
			cbuf_printf(b, "%ld", (long)d->info.pid);
		else
			cbuf_puts(b, "null");
		cbuf_puts(b, ",\"status\":");
		cbuf_json_str(b, worker_status(d));
		cbuf_printf(b, ",\"restarts\":%u,\"last_death\":",
		    d->info.restarts);
		cbuf_json_str(b, d->info.last_death);
		cbuf_puts(b, "}");
		if (d->bad[0] != '\0') {
			cbuf_puts(b, ",\"stats_error\":");
			cbuf_json_str(b, d->bad);
		}
		if (d->st != NULL) {
			cbuf_puts(b, ",");
			ctl_stats_json(b, d->st, cs->keys, cs->nkeys);
		}
		cbuf_puts(b, "}");
	}
	cbuf_printf(b, "],\"devices_left_out\":%u}\n", p->nall - p->ndevs);
}

/* The parent's own families, then the workers' (ctl_prom_stats()). */
static void
metrics(struct pending *p, struct cbuf *b)
{
	struct ctlsup *cs = p->cs;
	struct ctl_prom_dev *pd;
	unsigned int i;

	ctl_prom_head(b, "worker_restarts", CTL_COUNTER, "Workers started "
	    "again after a death the parent did not ask for.");
	for (i = 0; i < p->ndevs; i++)
		ctl_prom_sample(b, "worker_restarts", CTL_COUNTER, cs->daemon,
		    p->devs[i].info.domid, p->devs[i].info.devid, NULL, NULL,
		    p->devs[i].info.restarts);
	ctl_prom_head(b, "worker_up", CTL_GAUGE, "1 if the device's worker "
	    "runs and answered this scrape.");
	for (i = 0; i < p->ndevs; i++)
		ctl_prom_sample(b, "worker_up", CTL_GAUGE, cs->daemon,
		    p->devs[i].info.domid, p->devs[i].info.devid, NULL, NULL,
		    p->devs[i].st != NULL);
	ctl_prom_head(b, "backend_state", CTL_GAUGE, "The backend's xenbus "
	    "state (io/xenbus.h: 4 Connected).");
	for (i = 0; i < p->ndevs; i++)
		ctl_prom_sample(b, "backend_state", CTL_GAUGE, cs->daemon,
		    p->devs[i].info.domid, p->devs[i].info.devid, NULL, NULL,
		    (uint64_t)p->devs[i].be_state);
	if ((pd = calloc(p->ndevs + 1, sizeof(*pd))) == NULL) {
		b->err = true;
		return;
	}
	for (i = 0; i < p->ndevs; i++) {
		pd[i].domid = p->devs[i].info.domid;
		pd[i].devid = p->devs[i].info.devid;
		pd[i].st = p->devs[i].st;
	}
	ctl_prom_stats(b, cs->daemon, cs->keys, cs->nkeys, pd, p->ndevs);
	free(pd);
}

static void
finish(struct pending *p)
{
	struct cbuf b;

	cbuf_init(&b, CTL_REPLY_MAX);
	if (p->req.kind == CTL_REQ_METRICS)
		metrics(p, &b);
	else
		status_json(p, &b);
	ctl_reply(p->conn, &b);
	pending_free(p);
}

static void
timeout_cb(int fd, void *arg)
{
	(void)fd;
	finish(arg);
}

/* A PROC_STATS_RPL from the worker of (domid, devid), pid. */
static void
stats_cb(unsigned int domid, unsigned int devid, pid_t pid,
    const struct proc_msg *m, void *arg)
{
	struct ctlsup *cs = arg;
	struct pending *p;
	struct pdev *d = NULL;
	const char *sp;
	uint64_t seq;
	char num[12];
	size_t nlen;
	unsigned int i;

	/* "<seq>" or "<seq> <tokens>"; the rest is checked below. */
	sp = memchr(m->data, ' ', m->len);
	nlen = sp != NULL ? (size_t)(sp - m->data) : m->len;
	if (nlen == 0 || nlen >= sizeof(num))
		return;
	memcpy(num, m->data, nlen);
	num[nlen] = '\0';
	if (parse_uint(num, UINT32_MAX, &seq) == -1)
		return;
	TAILQ_FOREACH(p, &cs->pending, entry)
		if (p->seq == (uint32_t)seq)
			break;
	if (p == NULL)
		return;			/* late: that reply has gone out */
	for (i = 0; i < p->ndevs; i++)
		if (p->devs[i].info.domid == domid &&
		    p->devs[i].info.devid == devid &&
		    p->devs[i].info.pid == pid)
			d = &p->devs[i];
	if (d == NULL || !d->asked || d->answered)
		return;
	d->answered = true;
	if ((d->st = malloc(sizeof(*d->st))) == NULL) {
		snprintf(d->bad, sizeof(d->bad), "out of memory");
	} else if (ctl_stats_parse(sp != NULL ? sp + 1 : "",
	    sp != NULL ? m->len - nlen - 1 : 0, cs->keys, cs->nkeys, d->st,
	    d->bad, sizeof(d->bad)) == -1) {
		free(d->st);
		d->st = NULL;
		log_devwarnx(sup_type(cs->sup), domid, devid, "worker %ld: "
		    "stats reply refused: %s", (long)pid, d->bad);
	}
	if (--p->waiting == 0)
		finish(p);
}

static void
request_cb(struct ctl_conn *conn, const struct ctl_req *req, void *arg)
{
	struct ctlsup *cs = arg;
	struct sup_devinfo *all;
	struct pending *p;
	struct cbuf b;
	char seq[12], *str;
	unsigned int n, i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (all = calloc(CTL_DEVS_MAX, sizeof(*all))) == NULL) {
		free(p);
		cbuf_init(&b, 0);
		b.err = true;
		ctl_reply(conn, &b);
		return;
	}
	p->cs = cs;
	p->conn = conn;
	p->req = *req;
	p->seq = ++cs->seq;
	TAILQ_INSERT_TAIL(&cs->pending, p, entry);
	n = sup_devices(cs->sup, all, CTL_DEVS_MAX);
	p->nall = n;
	if (n > CTL_DEVS_MAX)
		n = CTL_DEVS_MAX;
	if ((p->devs = calloc(n + 1, sizeof(*p->devs))) == NULL ||
	    (p->timer = ev_timer(sup_base(cs->sup), timeout_cb, p)) == NULL) {
		free(all);
		pending_free(p);
		cbuf_init(&b, 0);
		b.err = true;
		ctl_reply(conn, &b);
		return;
	}
	for (i = 0; i < n; i++) {
		if (req->has_domid && all[i].domid != req->domid) {
			p->nall--;
			continue;
		}
		p->devs[p->ndevs++].info = all[i];
	}
	free(all);
	snprintf(seq, sizeof(seq), "%u", p->seq);
	for (i = 0; i < p->ndevs; i++) {
		struct pdev *d = &p->devs[i];

		str = xsc_readf(sup_xsc(cs->sup), XBT_NULL, "%s/%u/%u/state",
		    sup_root(cs->sup), d->info.domid, d->info.devid);
		d->be_state = parse_xenbus_state(str);
		free(str);
		/* The guest writes this one: only its number is used. */
		str = xsc_readf(sup_xsc(cs->sup), XBT_NULL,
		    "/local/domain/%u/device/%s/%u/state", d->info.domid,
		    sup_type(cs->sup), d->info.devid);
		d->fe_state = parse_xenbus_state(str);
		free(str);
		if (d->info.pid > 0 && d->info.ready && sup_send(cs->sup,
		    d->info.domid, d->info.devid, PROC_STATS_REQ, seq,
		    strlen(seq)) == 0) {
			d->asked = true;
			p->waiting++;
		}
	}
	if (p->waiting == 0) {
		finish(p);
		return;
	}
	ev_timer_arm(p->timer, CTL_STATS_MS);
}

struct ctlsup *
ctlsup_new(struct sup *sup, const char *daemon, const char *path,
    const struct ctl_key *keys, unsigned int nkeys)
{
	struct ctlsup *cs;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return NULL;
	cs->sup = sup;
	cs->daemon = daemon;
	cs->keys = keys;
	cs->nkeys = nkeys;
	TAILQ_INIT(&cs->pending);
	if ((cs->ctl = ctl_new(sup_base(sup), path, request_cb, cs)) == NULL) {
		free(cs);
		return NULL;
	}
	sup_on_stats(sup, stats_cb, cs);
	return cs;
}

void
ctlsup_free(struct ctlsup *cs)
{
	if (cs == NULL)
		return;
	sup_on_stats(cs->sup, NULL, NULL);
	/* ctl_free() closes the connections the pending requests hold. */
	while (!TAILQ_EMPTY(&cs->pending))
		pending_free(TAILQ_FIRST(&cs->pending));
	ctl_free(cs->ctl);
	free(cs);
}
