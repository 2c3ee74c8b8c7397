/*
 * wproc.c - the worker side of a daemon process.  See wproc.h.
 */
#include <sys/ptrace.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlfmt.h"
#include "ev.h"
#include "log.h"
#include "proc.h"
#include "wproc.h"

/* A message that arrived while the worker waited for a reply (wproc_wait). */
struct wmsg {
	TAILQ_ENTRY(wmsg)	 entry;
	struct proc_msg		 m;
};

struct wproc {
	struct ev_base	*base;
	int		 chan;
	struct ev	*ev_chan, *ev_term, *ev_int, *ev_usr1;
	struct ev	*ev_queue;	/* delivers queued messages */
	TAILQ_HEAD(, wmsg) queue;
	bool		 chan_eof;
	struct {
		uint32_t	 type;
		wproc_msg_hook	*fn;
		void		*arg;
	}		 hooks[WPROC_MSG_HOOKS];	/* wproc_on_msg() */
	wproc_hook	*usr1;
	void		*arg;
	wproc_hook	*quiesce;	/* wproc_on_quiesce() */
	struct ev	*ev_test[WPROC_TEST_HOOKS];	/* wproc_test_hooks() */
	wproc_hook	*xs_probe;	/* wproc_on_xs_probe() */
	void		*xs_probe_arg;
	void		*quiesce_arg;
	wproc_stats_fn	*stats;		/* wproc_on_stats() */
	void		*stats_arg;
	wproc_hook	*stop;		/* wproc_on_stop() */
	void		*stop_arg;
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

/* PROC_STATS_REQ: answer "<seq> <tokens>" (ctlsup.h). */
static void
stats(struct wproc *wp, const struct proc_msg *m)
{
	static struct ctl_kvw w;	/* 4 KiB: not on the stack */
	char out[PROC_MSG_MAX];
	size_t i;
	int n;

	/* The seq goes back as sent, if it is one. */
	if (m->len == 0 || m->len > 10)
		return;
	for (i = 0; i < m->len; i++)
		if (m->data[i] < '0' || m->data[i] > '9')
			return;
	ctl_kvw_init(&w);
	if (wp->stats != NULL)
		wp->stats(&w, wp->stats_arg);
	n = snprintf(out, sizeof(out), "%s%s%s", m->data, w.len > 0 ? " " : "",
	    w.buf);
	if (n > 0 && (size_t)n < sizeof(out))
		wproc_send(wp, PROC_STATS_RPL, out, (size_t)n);
}

/* One message from the parent, from the loop. */
static void
handle(struct wproc *wp, const struct proc_msg *m)
{
	unsigned int i;

	if (m->fd >= 0)
		close(m->fd);
	if (m->type == PROC_SHUTDOWN && strcmp(m->data, "restart") == 0) {
		/* sup_restart(): quiesce, exit WPROC_EX_RESTART, be restarted. */
		log_info("restart requested by the parent: quiescing");
		if (wp->quiesce != NULL)
			wp->quiesce(wp->quiesce_arg);
		else
			wproc_exit(wp, WPROC_EX_RESTART);
	} else if (m->type == PROC_SHUTDOWN && strcmp(m->data, "stop") == 0 &&
	    wp->stop != NULL) {
		/* sup_stop(): the daemon stops; quiesce, leave a record, exit 0. */
		log_info("daemon stopping: quiescing");
		wp->stop(wp->stop_arg);
	} else if (m->type == PROC_SHUTDOWN) {
		log_info("shutdown requested by the parent");
		wproc_exit(wp, 0);
	} else if (m->type == PROC_STATS_REQ) {
		stats(wp, m);
	} else {
		for (i = 0; i < WPROC_MSG_HOOKS; i++)
			if (wp->hooks[i].fn != NULL &&
			    wp->hooks[i].type == m->type) {
				wp->hooks[i].fn(m, wp->hooks[i].arg);
				break;
			}
	}
}

/*
 * Handle what wproc_wait() queued, oldest first.  A hook may wait again and
 * queue more behind; those are handled in this pass too.
 */
static void
queue_cb(int fd, void *arg)
{
	struct wproc *wp = arg;
	struct wmsg *q;

	(void)fd;
	while (!wp->done && (q = TAILQ_FIRST(&wp->queue)) != NULL) {
		TAILQ_REMOVE(&wp->queue, q, entry);
		handle(wp, &q->m);
		free(q);
	}
}

static void
parent_gone(struct wproc *wp)
{
	/* The guest still needs its device; xenstore is out of reach now. */
	log_info("parent exited; still serving");
	wp->chan_eof = true;
	ev_disable(wp->ev_chan);
}

static void
chan_cb(int fd, void *arg)
{
	struct wproc *wp = arg;
	struct proc_msg m;
	int rc;

	rc = proc_recv(fd, &m);
	if (rc == 0) {
		parent_gone(wp);
		return;
	}
	if (rc == -1) {
		if (errno != EAGAIN)
			ev_disable(wp->ev_chan);
		return;
	}
	queue_cb(-1, wp);	/* keep the order: older messages first */
	if (!wp->done)
		handle(wp, &m);
	else if (m.fd >= 0)
		close(m.fd);
}

void
wproc_on_stats(struct wproc *wp, wproc_stats_fn *fn, void *arg)
{
	wp->stats = fn;
	wp->stats_arg = arg;
}

void
wproc_on_msg(struct wproc *wp, uint32_t type, wproc_msg_hook *hook,
    void *arg)
{
	unsigned int i, slot = WPROC_MSG_HOOKS;

	/* The type's own slot, else the first free one. */
	for (i = 0; i < WPROC_MSG_HOOKS; i++) {
		if (wp->hooks[i].fn != NULL && wp->hooks[i].type == type) {
			slot = i;
			break;
		}
		if (wp->hooks[i].fn == NULL && slot == WPROC_MSG_HOOKS)
			slot = i;
	}
	if (slot == WPROC_MSG_HOOKS) {
		log_warnx("no room for a hook for message type %u", type);
		return;
	}
	wp->hooks[slot].type = type;
	wp->hooks[slot].fn = hook;
	wp->hooks[slot].arg = arg;
}

int
wproc_send(struct wproc *wp, uint32_t type, const void *data, size_t len)
{
	if (wp->chan_eof) {
		errno = EPIPE;
		return -1;
	}
	return proc_send(wp->chan, type, data, len, -1);
}

int
wproc_wait(struct wproc *wp, uint32_t type, int ms, struct proc_msg *m)
{
	struct pollfd pfd;
	struct wmsg *q;
	int rc;

	for (;;) {
		if (wp->chan_eof) {
			errno = EPIPE;
			return -1;
		}
		pfd.fd = wp->chan;
		pfd.events = POLLIN;
		/* ms is per message: the parent answers promptly or not at all. */
		if ((rc = poll(&pfd, 1, ms)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((rc = proc_recv(wp->chan, m)) == 0) {
			parent_gone(wp);
			errno = EPIPE;
			return -1;
		}
		if (rc == -1) {
			if (errno == EAGAIN || errno == EPROTO)
				continue;
			return -1;
		}
		if (m->type == type)
			return 1;
		if ((q = malloc(sizeof(*q))) == NULL) {
			/* Cannot keep it; SHUTDOWN at least is not lost. */
			handle(wp, m);
			continue;
		}
		q->m = *m;
		TAILQ_INSERT_TAIL(&wp->queue, q, entry);
		ev_timer_arm(wp->ev_queue, 0);
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
	TAILQ_INIT(&wp->queue);
	if ((wp->base = ev_base_new()) == NULL) {
		report(chan, "event base");
		goto fail;
	}
	wp->ev_chan = ev_read(wp->base, chan, true, chan_cb, wp);
	wp->ev_term = ev_signal(wp->base, SIGTERM, signal_cb, wp);
	wp->ev_int = ev_signal(wp->base, SIGINT, signal_cb, wp);
	wp->ev_usr1 = ev_signal(wp->base, SIGUSR1, signal_cb, wp);
	wp->ev_queue = ev_timer(wp->base, queue_cb, wp);
	if (wp->ev_chan == NULL || wp->ev_term == NULL || wp->ev_int == NULL ||
	    wp->ev_usr1 == NULL || wp->ev_queue == NULL) {
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
wproc_on_quiesce(struct wproc *wp, wproc_hook *hook, void *arg)
{
	wp->quiesce = hook;
	wp->quiesce_arg = arg;
}

void
wproc_on_stop(struct wproc *wp, wproc_hook *hook, void *arg)
{
	wp->stop = hook;
	wp->stop_arg = arg;
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
	struct wmsg *q;
	int saved = errno;

	if (wp == NULL)
		return;
	ev_free(wp->ev_chan);
	ev_free(wp->ev_term);
	ev_free(wp->ev_int);
	ev_free(wp->ev_usr1);
	ev_free(wp->ev_queue);
	for (unsigned int i = 0; i < WPROC_TEST_HOOKS; i++)
		ev_free(wp->ev_test[i]);
	while ((q = TAILQ_FIRST(&wp->queue)) != NULL) {
		TAILQ_REMOVE(&wp->queue, q, entry);
		if (q->m.fd >= 0)
			close(q->m.fd);
		free(q);
	}
	if (wp->base != NULL)
		ev_base_free(wp->base);
	free(wp);
	errno = saved;
}

/* ---- test hooks (-T): the sandbox-* scenarios ------------------------------- */

/* SIGRTMIN+1: each of these must fail (EACCES) and reach the parent's log. */
static void
test_denied(struct wproc *wp)
{
	char *const av[] = { "true", NULL }, *const env[] = { NULL };
	int fd;

	(void)wp;
	if ((fd = open("/etc/passwd", O_RDONLY)) == -1)
		log_info("selftest: open /etc/passwd: %s", strerror(errno));
	else {
		log_warnx("selftest: open /etc/passwd: succeeded");
		close(fd);
	}
	execve("/bin/true", av, env);
	log_info("selftest: execve /bin/true: %s", strerror(errno));
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		log_info("selftest: socket AF_INET: %s", strerror(errno));
	else {
		log_warnx("selftest: socket AF_INET: succeeded");
		close(fd);
	}
}

/* SIGRTMIN+2: a syscall of the kill class; the worker dies by SIGSYS. */
static void
test_killed(struct wproc *wp)
{
	(void)wp;
	log_info("selftest: ptrace(PTRACE_TRACEME)");
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	log_warnx("selftest: ptrace returned: %s", strerror(errno));
}

/* SIGRTMIN+3: a xenstore write the parent must refuse (xsp.c). */
static void
test_xenstore(struct wproc *wp)
{
	if (wp->xs_probe != NULL)
		wp->xs_probe(wp->xs_probe_arg);
	else
		log_warnx("selftest: no xenstore proxy to probe");
}

void
wproc_on_xs_probe(struct wproc *wp, wproc_hook *fn, void *arg)
{
	wp->xs_probe = fn;
	wp->xs_probe_arg = arg;
}

/* SIGRTMIN + off -> hook.  Add a row for a new probe. */
static const struct {
	int		 off;
	void		(*fn)(struct wproc *);
} test_hooks[WPROC_TEST_HOOKS] = {
	{ 1, test_denied },
	{ 2, test_killed },
	{ 3, test_xenstore },
};

static void
test_cb(int signo, void *arg)
{
	unsigned int i;

	for (i = 0; i < WPROC_TEST_HOOKS; i++)
		if (test_hooks[i].fn != NULL && signo == SIGRTMIN + test_hooks[i].off)
			test_hooks[i].fn(arg);
}

int
wproc_test_hooks(struct wproc *wp)
{
	unsigned int i;

	for (i = 0; i < WPROC_TEST_HOOKS; i++) {
		if (test_hooks[i].fn == NULL || wp->ev_test[i] != NULL)
			continue;
		if ((wp->ev_test[i] = ev_signal(wp->base,
		    SIGRTMIN + test_hooks[i].off, test_cb, wp)) == NULL)
			return -1;
	}
	return 0;
}
