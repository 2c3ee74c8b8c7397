/*
 * consctl.c - consoled's control socket.  See consctl.h.
 *
 * The same reply shape as blkbackd's and netbackd's (common/ctlsup.c), so
 * that xbctl(8) reads one format: a console is a device of type "console"
 * whose devid is its number (0 the primary).  Its log path and domain
 * name come from the guest's domain name: they go out JSON-escaped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consctl.h"
#include "console.h"
#include "consoled.h"
#include "ctl.h"
#include "ctlfmt.h"

/* Consoles per reply; the rest are counted. */
#define CONSCTL_MAX	4096

struct consctl {
	struct consd	*d;
	struct ctl	*ctl;
};

struct collect {
	struct cons_info	*ci;
	unsigned int		 n, all;
	const struct ctl_req	*req;
};

static void
collect_one(struct console *c, void *arg)
{
	struct collect *col = arg;

	if (col->req->has_domid && console_domid(c) != col->req->domid)
		return;
	if (col->n < CONSCTL_MAX)
		console_info(c, &col->ci[col->n++]);
	col->all++;
}

static void
status_json(struct consctl *cc, const struct collect *col, struct cbuf *b)
{
	char name[128];
	unsigned int i;

	cbuf_printf(b, "{\"daemon\":\"consoled\",\"pid\":%ld,\"type\":"
	    "\"console\",\"devices\":[", (long)getpid());
	for (i = 0; i < col->n; i++) {
		const struct cons_info *ci = &col->ci[i];

		consd_dom_name(cc->d, ci->domid, name, sizeof(name));
		cbuf_printf(b, "%s{\"domid\":%u,\"devid\":%u,\"state\":",
		    i > 0 ? "," : "", ci->domid, ci->num);
		cbuf_json_str(b, ci->state);
		cbuf_puts(b, ",\"info\":{\"kind\":");
		cbuf_json_str(b, ci->num == 0 ? "primary" : "secondary");
		cbuf_puts(b, ",\"name\":");
		cbuf_json_str(b, name);
		cbuf_puts(b, ",\"log\":");
		cbuf_json_str(b, ci->log);
		cbuf_puts(b, ",\"pty\":");
		cbuf_json_str(b, ci->pty);
		cbuf_printf(b, "},\"gauges\":{\"readers\":%u},\"counters\":{"
		    "\"bytes_out\":%llu,\"bytes_in\":%llu,\"events\":%llu,"
		    "\"empty_events\":%llu,\"throttled\":{\"rate\":%llu,"
		    "\"cpu\":%llu},\"dropped_bytes\":{\"pty\":%llu,"
		    "\"readers\":%llu,\"log\":%llu},\"log_bytes\":%llu,"
		    "\"log_rotations\":%llu}}", ci->readers,
		    (unsigned long long)ci->bytes_out,
		    (unsigned long long)ci->bytes_in,
		    (unsigned long long)ci->events,
		    (unsigned long long)ci->empty_events,
		    (unsigned long long)ci->throttled_rate,
		    (unsigned long long)ci->throttled_cpu,
		    (unsigned long long)ci->dropped_pty,
		    (unsigned long long)ci->dropped_readers,
		    (unsigned long long)ci->log_lost,
		    (unsigned long long)ci->log_bytes,
		    (unsigned long long)ci->log_rotations);
	}
	cbuf_printf(b, "],\"devices_left_out\":%u}\n", col->all - col->n);
}

/* One family: its head, then body (SAMPLE()s) for every console. */
#define FAMILY(name, kind, help, body) do {			\
	ctl_prom_head(b, name, kind, help);				\
	for (i = 0; i < col->n; i++) {					\
		const struct cons_info *ci = &col->ci[i];		\
		body							\
	}								\
} while (0)
#define SAMPLE(name, kind, lname, lval, v)				\
	ctl_prom_sample(b, name, kind, "consoled", ci->domid, ci->num,	\
	    lname, lval, v)

static void
metrics(const struct collect *col, struct cbuf *b)
{
	unsigned int i;

	FAMILY("cons_attached", CTL_GAUGE, "1 while the console's ring is "
	    "served.",
	    SAMPLE("cons_attached", CTL_GAUGE, NULL, NULL,
	    strcmp(ci->state, "attached") == 0););
	FAMILY("cons_readers", CTL_GAUGE, "Clients attached to the console's "
	    "socket.",
	    SAMPLE("cons_readers", CTL_GAUGE, NULL, NULL, ci->readers););
	FAMILY("cons_bytes", CTL_COUNTER, "Bytes moved: out from the guest, "
	    "in to it.",
	    SAMPLE("cons_bytes", CTL_COUNTER, "dir", "out", ci->bytes_out);
	    SAMPLE("cons_bytes", CTL_COUNTER, "dir", "in", ci->bytes_in););
	FAMILY("cons_dropped_bytes", CTL_COUNTER, "Guest output bytes a sink "
	    "lost: pty (nobody reading), readers (a slow client), log (write "
	    "errors).",
	    SAMPLE("cons_dropped_bytes", CTL_COUNTER, "reason", "pty",
	    ci->dropped_pty);
	    SAMPLE("cons_dropped_bytes", CTL_COUNTER, "reason", "readers",
	    ci->dropped_readers);
	    SAMPLE("cons_dropped_bytes", CTL_COUNTER, "reason", "log",
	    ci->log_lost););
	FAMILY("cons_throttled", CTL_COUNTER, "Times the drain was paused by "
	    "the rate (-r) or CPU (-c) limit.",
	    SAMPLE("cons_throttled", CTL_COUNTER, "reason", "rate",
	    ci->throttled_rate);
	    SAMPLE("cons_throttled", CTL_COUNTER, "reason", "cpu",
	    ci->throttled_cpu););
	FAMILY("cons_events", CTL_COUNTER, "Event-channel notifications.",
	    SAMPLE("cons_events", CTL_COUNTER, NULL, NULL, ci->events););
	FAMILY("cons_log_bytes", CTL_COUNTER, "Guest bytes written to the "
	    "log.",
	    SAMPLE("cons_log_bytes", CTL_COUNTER, NULL, NULL, ci->log_bytes););
	FAMILY("cons_log_rotations", CTL_COUNTER, "Log rotations.",
	    SAMPLE("cons_log_rotations", CTL_COUNTER, NULL, NULL,
	    ci->log_rotations););
}

static void
request_cb(struct ctl_conn *conn, const struct ctl_req *req, void *arg)
{
	struct consctl *cc = arg;
	struct collect col;
	struct cbuf b;

	cbuf_init(&b, CTL_REPLY_MAX);
	memset(&col, 0, sizeof(col));
	col.req = req;
	if ((col.ci = calloc(CONSCTL_MAX, sizeof(*col.ci))) == NULL) {
		b.err = true;
		ctl_reply(conn, &b);
		return;
	}
	consd_foreach(cc->d, collect_one, &col);
	if (req->kind == CTL_REQ_METRICS)
		metrics(&col, &b);
	else
		status_json(cc, &col, &b);
	free(col.ci);
	ctl_reply(conn, &b);
}

struct consctl *
consctl_new(struct consd *d, const char *path)
{
	struct consctl *cc;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return NULL;
	cc->d = d;
	if ((cc->ctl = ctl_new(d->base, path, request_cb, cc)) == NULL) {
		free(cc);
		return NULL;
	}
	return cc;
}

void
consctl_free(struct consctl *cc)
{
	if (cc == NULL)
		return;
	ctl_free(cc->ctl);
	free(cc);
}
