/*
 * wproc.c - the worker side of a daemon process.  See wproc.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "proc.h"
#include "wproc.h"

struct wproc {
	struct ev_base	*base;
	int		 chan;
	struct ev	*ev_chan, *ev_term, *ev_int, *ev_usr1;
	wproc_hook	*usr1;
	void		*arg;
	int		 status;
	bool		 done;		/* leave the loop (may precede it) */
};

/* Log and send PROC_ERROR "<what>: <strerror(errno)>"; returns 1. */
static int
report(int chan, const char *what)
{
	char msg[PROC_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	log_warnx("%s", msg);
	proc_send(chan, PROC_ERROR, msg, strlen(msg), -1);
	return 1;
}

static void
chan_cb(int fd, void *arg)
{
	struct wproc *wp = arg;
	struct proc_msg m;
	int rc;

	rc = proc_recv(fd, &m);
	if (rc == 0) {
		/* The parent is gone; the guest still needs its device. */
		log_info("parent exited; still serving");
		ev_disable(wp->ev_chan);
		return;
	}
	if (rc == -1) {
		if (errno != EAGAIN)
			ev_disable(wp->ev_chan);
		return;
	}
	if (m.fd >= 0)
		close(m.fd);
	if (m.type == PROC_SHUTDOWN) {
		log_info("shutdown requested by the parent");
		wproc_exit(wp, 0);
	}
}

static void
signal_cb(int signo, void *arg)
{
	struct wproc *wp = arg;

	if (signo == SIGUSR1) {
		if (wp->usr1 != NULL)
			wp->usr1(wp->arg);
		return;
	}
	log_info("signal %d: exiting", signo);
	wproc_exit(wp, 0);
}

struct wproc *
wproc_new(int chan, wproc_hook *usr1, void *arg)
{
	struct wproc *wp;

	if ((wp = calloc(1, sizeof(*wp))) == NULL) {
		report(chan, "worker state");
		return NULL;
	}
	wp->chan = chan;
	wp->usr1 = usr1;
	wp->arg = arg;
	wp->status = 1;
	if ((wp->base = ev_base_new()) == NULL) {
		report(chan, "event base");
		goto fail;
	}
	wp->ev_chan = ev_read(wp->base, chan, true, chan_cb, wp);
	wp->ev_term = ev_signal(wp->base, SIGTERM, signal_cb, wp);
	wp->ev_int = ev_signal(wp->base, SIGINT, signal_cb, wp);
	wp->ev_usr1 = ev_signal(wp->base, SIGUSR1, signal_cb, wp);
	if (wp->ev_chan == NULL || wp->ev_term == NULL || wp->ev_int == NULL ||
	    wp->ev_usr1 == NULL) {
		report(chan, "registering events");
		goto fail;
	}
	/* A peer gone is an error return (EPIPE), never a signal. */
	signal(SIGPIPE, SIG_IGN);
	return wp;
fail:
	wproc_free(wp);
	return NULL;
}

struct ev_base *
wproc_base(const struct wproc *wp)
{
	return wp->base;
}

int
wproc_failed(struct wproc *wp, const char *what)
{
	return report(wp->chan, what);
}

void
wproc_ready(struct wproc *wp)
{
	proc_send(wp->chan, PROC_READY, NULL, 0, -1);
}

void
wproc_exit(struct wproc *wp, int status)
{
	wp->status = status;
	wp->done = true;
	ev_break(wp->base);
}

int
wproc_run(struct wproc *wp)
{
	if (!wp->done)
		ev_dispatch(wp->base);
	return wp->status;
}

void
wproc_free(struct wproc *wp)
{
	int saved = errno;

	if (wp == NULL)
		return;
	ev_free(wp->ev_chan);
	ev_free(wp->ev_term);
	ev_free(wp->ev_int);
	ev_free(wp->ev_usr1);
	if (wp->base != NULL)
		ev_base_free(wp->base);
	free(wp);
	errno = saved;
}
