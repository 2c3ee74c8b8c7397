/*
 * supervise.c - the parent role every backend daemon shares: one watch on
 * backend/<type>, a table of devices (running workers and failed devices),
 * worker start with fd hand-off, reaping, stop, and the parent's loop
 * with its signals.  See supervise.h.
 *
 * A device's entry lives from its worker's start (or its failure) until the
 * worker exits 0, or, for a device without a worker, until its directory
 * goes away: while it exists the device is not started again, so a device
 * that failed is not retried on every watch event its directory causes.
 *
 * Crash-only restart (supervise.h, docs/ARCHITECTURE.md "Restart
 * protocol"): the entry also holds the fds its workers must find again
 * (held[]), the argv to start a successor with, and the restart budget.
 * Between a death and the successor the entry has pid -1 and restarting
 * set; the fence (fence.h) and the SUP_GAP_MS spacing run on timers, so
 * the parent never blocks on one device.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "fence.h"
#include "handover.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "supervise.h"
#include "xenbus.h"
#include "xs.h"
#include "xsproxy.h"

/* Bounds of the <domid>/<devid> directory names under backend/<type>. */
#define SUP_DOMID_MAX	0x7fef			/* DOMID_FIRST_RESERVED - 1 */
#define SUP_DEVID_MAX	((1u << 28) - 1)	/* xvd extended numbering */

/* stop(): how long workers get to exit after SHUTDOWN, in 100 ms polls. */
#define SUP_STOP_POLLS	20
/* How often a running fence looks at the dead worker's ring. */
#define SUP_FENCE_POLL_MS	2
/* PROC_DENIED: syscalls counted per worker; lines logged per syscall. */
#define SUP_DENIED_NR	8
#define SUP_DENIED_LOG	5
/* Room for argv: the daemon's, "-R", NULL. */
#define SUP_ARGV_MAX	32

struct child {
	TAILQ_ENTRY(child)	 entry;
	struct sup		*sup;
	unsigned int		 domid, devid;
	pid_t			 pid;		/* -1: no worker (failed or restarting) */
	int			 chan;
	struct ev		*ev;
	struct xsproxy		*px;		/* the worker's xenstore */
	bool			 ready;		/* this incarnation sent READY */
	bool			 errored;	/* ... sent ERROR, or lost its fds */
	char			 seccomp[48];	/* PROC_SECCOMP "<nr> <name>" */
	struct {
		int		 nr;
		unsigned int	 n;
	}			 denied[SUP_DENIED_NR];	/* PROC_DENIED counts */

	/* Crash-only restart. */
	char			*argv[SUP_ARGV_MAX];	/* copy; "-R" added for successors */
	struct sup_held		 held[SUP_HELD_MAX];
	unsigned int		 nheld;
	bool			 restartable;	/* every fd was kept */
	bool			 resumed;	/* some incarnation was READY: use -R */
	bool			 restarting;	/* between a death and the successor */
	unsigned int		 unready;	/* deaths before READY in a row */
	uint64_t		 deaths[SUP_BUDGET];	/* ms, own deaths, ring */
	unsigned int		 ndeaths;
	uint64_t		 t_reap, t_spawn;	/* ms */
	pid_t			 dead_pid;	/* the predecessor, for the log */
	unsigned int		 restarts;	/* unasked successors (sup_devinfo) */
	char			 last_why[192];	/* the last death, any kind */
	char			 dead_why[160];
	struct ev		*ev_restart;	/* gap and fence timer */
	struct fence		*fence;		/* the dead worker's io_uring */
	uint64_t		 t_fence;	/* ms, fence start */
	int			 uring_fd;	/* PROC_FD "uring" of the worker */
	char			 uring_params[FENCE_PARAMS_MAX];
	size_t			 uring_len;
};

struct sup {
	struct ev_base		*base;
	struct xsc		*xsc;
	char			 type[16];
	unsigned int		 self;
	char			 root[64];	/* /local/domain/<self>/backend/<type> */
	const struct sup_ops	*ops;
	void			*arg;
	struct xsc_watch	*watch;
	struct ev		*ev_chld;
	TAILQ_HEAD(, child)	 children;
	bool			 stopping;
	bool			 scanned;	/* sup_ops.scanned was called */
	sup_msg_fn		*stats_fn;	/* sup_on_stats() */
	void			*stats_arg;
	char			 exe[PATH_MAX];	/* to re-exec (handover.h) */
	struct ev		*ev_hup, *ev_usr2, *ev_reexec;
};

static void	check_device(struct sup *, unsigned int, unsigned int);
static void	restart_cb(int, void *);
static void	reexec_cb(int, void *);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct child *
child_find(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c;

	TAILQ_FOREACH(c, &s->children, entry)
		if (c->domid == domid && c->devid == devid)
			return c;
	return NULL;
}

static struct child *
child_new(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->sup = s;
	c->domid = domid;
	c->devid = devid;
	c->pid = -1;
	c->chan = -1;
	c->uring_fd = -1;
	TAILQ_INSERT_TAIL(&s->children, c, entry);
	return c;
}

/* Close what the device's workers shared: it is destroyed or failed. */
static void
child_drop(struct child *c)
{
	unsigned int i;

	for (i = 0; i < c->nheld; i++)
		if (c->held[i].fd >= 0)
			close(c->held[i].fd);
	c->nheld = 0;
	for (i = 0; i < SUP_ARGV_MAX && c->argv[i] != NULL; i++) {
		free(c->argv[i]);
		c->argv[i] = NULL;
	}
	fence_free(c->fence);
	c->fence = NULL;
	if (c->uring_fd >= 0)
		close(c->uring_fd);
	c->uring_fd = -1;
	ev_free(c->ev_restart);
	c->ev_restart = NULL;
	c->restarting = false;
	c->restartable = false;
}

static void
child_free(struct sup *s, struct child *c)
{
	TAILQ_REMOVE(&s->children, c, entry);
	ev_free(c->ev);
	xsproxy_free(c->px);
	if (c->chan >= 0)
		close(c->chan);
	child_drop(c);
	free(c);
}

void
sup_fail(struct sup *s, unsigned int domid, unsigned int devid, int err,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct child *c;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xb_backend_fail(s->xsc, s->type, s->self, domid, devid, err, msg);
	if ((c = child_find(s, domid, devid)) == NULL)
		child_new(s, domid, devid);
	else if (c->pid == -1)
		child_drop(c);		/* no successor will come */
}

/*
 * Why a worker ended, in one place, for the failure and the restart line
 * ("killed by signal 9 (Killed)").
 */
static const char *
child_death_str(const struct child *c, int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		/* The filter killed it (common/sandbox.h): say for what. */
		if (c->seccomp[0] != '\0')
			snprintf(buf, len, "killed by its seccomp filter "
			    "(syscall %s)", c->seccomp);
		else
			snprintf(buf, len, "killed by SIGSYS (seccomp; the "
			    "syscall is in the kernel log, audit type=1326)");
		return buf;
	}
	return proc_status_str(status, buf, len);
}

/*
 * "<nr> <name>" from the worker's SIGSYS handler, checked: a compromised
 * worker may send anything.  -1 if malformed.
 */
static int
child_syscall(const struct proc_msg *m, char *buf, size_t len)
{
	char name[32];
	unsigned int nr;
	int end = 0;

	if (sscanf(m->data, "%u %31[a-z0-9_]%n", &nr, name, &end) != 2 ||
	    (size_t)end != m->len || nr > 1023)
		return -1;
	snprintf(buf, len, "%s (syscall %u)", name, nr);
	return (int)nr;
}

/* PROC_DENIED: log the first SUP_DENIED_LOG per syscall, count the rest. */
static void
child_denied(struct child *c, const struct proc_msg *m)
{
	const char *type = c->sup->type;
	char what[64];
	unsigned int i;
	int nr;

	if ((nr = child_syscall(m, what, sizeof(what))) == -1) {
		log_devwarnx(type, c->domid, c->devid, "worker %ld sent a "
		    "malformed seccomp report", (long)c->pid);
		return;
	}
	for (i = 0; i < SUP_DENIED_NR; i++)
		if (c->denied[i].n == 0 || c->denied[i].nr == nr)
			break;
	if (i < SUP_DENIED_NR) {
		c->denied[i].nr = nr;
		if (++c->denied[i].n > SUP_DENIED_LOG) {
			if (c->denied[i].n == SUP_DENIED_LOG + 1)
				log_devwarnx(type, c->domid, c->devid, "worker "
				    "%ld: further denied %s calls are counted, "
				    "not logged", (long)c->pid, what);
			return;
		}
	}
	log_devwarnx(type, c->domid, c->devid, "worker %ld tried %s: denied",
	    (long)c->pid, what);
}

/* The worker handed us its io_uring for the fence (PROC_FD "uring"). */
static void
child_uring(struct child *c, struct proc_msg *m)
{
	size_t nl = strlen(m->data) + 1;

	if (c->uring_fd >= 0)
		close(c->uring_fd);
	c->uring_fd = m->fd;
	m->fd = -1;
	c->uring_len = m->len > nl ? m->len - nl : 0;
	if (c->uring_len > sizeof(c->uring_params))
		c->uring_len = sizeof(c->uring_params);
	memcpy(c->uring_params, m->data + nl, c->uring_len);
}

static void
chan_cb(int fd, void *arg)
{
	struct child *c = arg;
	const char *type = c->sup->type;
	struct proc_msg m;
	int rc, budget = 64;

	/*
	 * Bounded, so a worker flooding xenstore requests cannot starve the
	 * other devices: the channel stays readable and the loop comes back.
	 */
	while (budget-- > 0 && (rc = proc_recv(fd, &m)) == 1) {
		if (m.type == PROC_FD && m.fd >= 0 &&
		    strcmp(m.data, "uring") == 0)
			child_uring(c, &m);
		if (m.fd >= 0)
			close(m.fd);
		switch (m.type) {
		case PROC_READY:
			c->ready = true;
			c->resumed = true;
			c->unready = 0;
			if (c->t_reap == 0) {
				log_devinfo(type, c->domid, c->devid,
				    "worker %ld ready", (long)c->pid);
				break;
			}
			/* The gap the guest saw: reap -> READY. */
			log_devinfo(type, c->domid, c->devid, "worker %ld %s; "
			    "restarted as %ld after %.2f s", (long)c->dead_pid,
			    c->dead_why, (long)c->pid,
			    (double)(now_ms() - c->t_reap) / 1000.0);
			c->t_reap = 0;
			break;
		case PROC_FD:
			break;		/* "uring", taken above */
		case PROC_DENIED:
			child_denied(c, &m);
			break;
		case PROC_SECCOMP:
			/* It dies next (SIGSYS); child_death_str() says why. */
			if (child_syscall(&m, c->seccomp, sizeof(c->seccomp))
			    == -1)
				snprintf(c->seccomp, sizeof(c->seccomp), "?");
			else	/* as sent, "101 ptrace" (checked: short) */
				snprintf(c->seccomp, sizeof(c->seccomp), "%.40s",
				    m.data);
			break;
		case PROC_XS_REQ:
			if (c->px != NULL)
				xsproxy_request(c->px, &m);
			break;
		case PROC_STATS_RPL:
			if (c->sup->stats_fn != NULL)
				c->sup->stats_fn(c->domid, c->devid, c->pid,
				    &m, c->sup->stats_arg);
			break;
		case PROC_ERROR:
			c->errored = true;
			log_devwarnx(type, c->domid, c->devid,
			    "worker %ld failed: %s", (long)c->pid, m.data);
			break;
		default:
			log_devwarnx(type, c->domid, c->devid,
			    "worker %ld sent unknown message %u", (long)c->pid,
			    m.type);
			break;
		}
	}
	if (rc == 0 || (rc == -1 && errno != EAGAIN))
		ev_disable(c->ev);	/* worker closed it; SIGCHLD follows */
}

/*
 * Start a worker for c with argv and the fds, or with fds NULL the held
 * fds (c->held), in their order.  Returns 0, or -1 (nothing started).
 */
static int
child_exec(struct child *c, char *const argv[], const struct sup_fd *fds,
    unsigned int nfds)
{
	struct sup *s = c->sup;
	unsigned int i, n = nfds + (fds == NULL ? c->nheld : 0);
	struct xspx_dev xd = { s->type, s->self, c->domid, c->devid };

	if ((c->pid = proc_spawn("/proc/self/exe", argv, &c->chan)) == -1)
		return -1;
	/* Without it the worker's xenstore calls fail (and are not answered). */
	if ((c->px = xsproxy_new(s->xsc, &xd, c->pid, c->chan)) == NULL)
		log_devwarnx(s->type, c->domid, c->devid, "xenstore proxy for "
		    "worker %ld: %s", (long)c->pid, strerror(errno));
	c->ready = false;
	c->errored = false;
	c->seccomp[0] = '\0';
	memset(c->denied, 0, sizeof(c->denied));
	c->t_spawn = now_ms();
	for (i = 0; i < n; i++) {
		const char *name = fds != NULL ? fds[i].name : c->held[i].name;
		int fd = fds != NULL ? fds[i].fd : c->held[i].fd;

		if (proc_send(c->chan, PROC_FD, name, strlen(name), fd) == 0)
			continue;
		/* The worker waits for its fds: don't leave it waiting. */
		log_devwarnx(s->type, c->domid, c->devid, "sending fd %u of %u "
		    "to worker %ld: %s", i + 1, n, (long)c->pid,
		    strerror(errno));
		c->errored = true;	/* not restarted: fail when reaped */
		kill(c->pid, SIGKILL);
		break;
	}
	if ((c->ev = ev_read(s->base, c->chan, true, chan_cb, c)) == NULL)
		log_devwarnx(s->type, c->domid, c->devid, "watching worker "
		    "%ld's channel: %s", (long)c->pid, strerror(errno));
	return 0;
}

/* Keep argv and dups of the kept fds for successors.  Returns 0 or -1. */
static int
child_keep(struct child *c, char *const argv[], const struct sup_fd *fds,
    unsigned int nfds)
{
	unsigned int i, n = 0;

	c->restartable = true;
	for (i = 0; argv[i] != NULL; i++) {
		if (i + 2 >= SUP_ARGV_MAX) {
			errno = E2BIG;
			return -1;
		}
		if ((c->argv[i] = strdup(argv[i])) == NULL)
			return -1;
	}
	for (i = 0; i < nfds; i++) {
		bool reopen = !fds[i].keep && fds[i].reopen &&
		    c->sup->ops->reopen != NULL;

		if (!fds[i].keep && !reopen) {
			/* A successor would lack it: no restart. */
			c->restartable = false;
			continue;
		}
		if (n == SUP_HELD_MAX ||
		    strlen(fds[i].name) >= sizeof(c->held[n].name)) {
			errno = E2BIG;
			return -1;
		}
		/* -1: sup_ops.reopen() opens it again for each successor. */
		if (reopen)
			c->held[n].fd = -1;
		else if ((c->held[n].fd = fcntl(fds[i].fd, F_DUPFD_CLOEXEC,
		    0)) == -1)
			return -1;
		strcpy(c->held[n].name, fds[i].name);
		c->nheld = ++n;
	}
	return 0;
}

pid_t
sup_spawn(struct sup *s, unsigned int domid, unsigned int devid,
    char *const argv[], const struct sup_fd *fds, unsigned int nfds)
{
	struct child *c;

	if ((c = child_find(s, domid, devid)) != NULL && c->pid != -1) {
		/* Only start() calls this, for a device without a worker. */
		log_devwarnx(s->type, domid, devid, "worker %ld already "
		    "running; not starting another", (long)c->pid);
		errno = EBUSY;
		return -1;
	}
	if (c == NULL && (c = child_new(s, domid, devid)) == NULL) {
		sup_fail(s, domid, devid, errno, "allocating worker state: %s",
		    strerror(errno));
		return -1;
	}
	if (child_keep(c, argv, fds, nfds) == -1) {
		sup_fail(s, domid, devid, errno, "keeping the worker's fds: %s",
		    strerror(errno));
		return -1;
	}
	if (child_exec(c, argv, fds, nfds) == -1) {
		sup_fail(s, domid, devid, errno, "cannot start worker: %s",
		    strerror(errno));
		return -1;
	}
	return c->pid;
}

/*
 * Start the successor of a dead worker: same argv plus -R, the held fds,
 * those marked -1 opened again (sup_ops.reopen).
 */
static void
child_respawn(struct child *c)
{
	struct sup *s = c->sup;
	char *argv[SUP_ARGV_MAX], err[256];
	struct sup_fd fds[SUP_HELD_MAX];
	unsigned int i, j;
	int rc, saved;

	c->restarting = false;
	for (i = 0; c->argv[i] != NULL; i++)
		argv[i] = c->argv[i];
	if (c->resumed)
		argv[i++] = "-R";
	argv[i] = NULL;
	for (i = 0; i < c->nheld; i++) {
		fds[i].name = c->held[i].name;
		fds[i].fd = c->held[i].fd;
		if (fds[i].fd >= 0)
			continue;
		err[0] = '\0';
		if ((fds[i].fd = s->ops->reopen(s, c->domid, c->devid,
		    c->held[i].name, s->arg, err, sizeof(err))) == -1) {
			saved = errno;
			for (j = 0; j < i; j++)
				if (fds[j].fd != c->held[j].fd)
					close(fds[j].fd);
			/* Drops the held fds (child_drop): name them first. */
			sup_fail(s, c->domid, c->devid, saved, "worker %ld %s; "
			    "cannot open its %s again for the successor: %s",
			    (long)c->dead_pid, c->dead_why, c->held[i].name,
			    err[0] != '\0' ? err : strerror(saved));
			return;
		}
	}
	rc = child_exec(c, argv, fds, c->nheld);
	saved = errno;
	for (i = 0; i < c->nheld; i++)
		if (fds[i].fd != c->held[i].fd)
			close(fds[i].fd);	/* the successor has its own */
	if (rc == -1) {
		sup_fail(s, c->domid, c->devid, saved, "worker %ld %s; cannot "
		    "start its successor: %s", (long)c->dead_pid, c->dead_why,
		    strerror(saved));
		return;
	}
	if (c->t_reap == 0)
		c->t_reap = now_ms();	/* a quiesced restart: gap from here */
}

/*
 * The gap timer: run the fence while the dead worker's io_uring still has
 * writes in flight (they could land after the successor rewrote the same
 * sectors), then start the successor.
 */
static void
restart_cb(int fd, void *arg)
{
	struct child *c = arg;
	struct sup *s = c->sup;
	uint64_t now = now_ms();
	int rc;

	(void)fd;
	if (!c->restarting || s->stopping)
		return;
	if (c->fence != NULL) {
		if ((rc = fence_poll(c->fence)) == 0) {
			if (now - c->t_fence >= SUP_FENCE_MS) {
				sup_fail(s, c->domid, c->devid, ETIMEDOUT,
				    "worker %ld %s; fence timeout: its I/O did "
				    "not complete in %u ms", (long)c->dead_pid,
				    c->dead_why, SUP_FENCE_MS);
				return;
			}
			ev_timer_arm(c->ev_restart, SUP_FENCE_POLL_MS);
			return;
		}
		if (rc == -1) {
			sup_fail(s, c->domid, c->devid, errno, "worker %ld %s; "
			    "fence: %s", (long)c->dead_pid, c->dead_why,
			    strerror(errno));
			return;
		}
		fence_free(c->fence);
		c->fence = NULL;
	}
	if (now < c->t_spawn + SUP_GAP_MS) {
		ev_timer_arm(c->ev_restart, (unsigned int)(c->t_spawn +
		    SUP_GAP_MS - now));
		return;
	}
	child_respawn(c);
}

/*
 * A READY worker died (or quiesced): restart it, or fail the device when
 * it keeps dying.  status is the wait status.
 */
static void
child_died(struct child *c, pid_t pid, int status, const char *why)
{
	struct sup *s = c->sup;
	bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	bool quiesced = WIFEXITED(status) &&
	    WEXITSTATUS(status) == SUP_EX_RESTART;
	uint64_t now = now_ms();
	unsigned int n;

	if (!c->restartable || c->errored) {
		sup_fail(s, c->domid, c->devid, EIO, "worker %ld %s", (long)pid,
		    why);
		return;
	}
	/* SIGKILL comes from an admin or the OOM killer: not the worker's doing. */
	if (!c->ready && !killed && !quiesced && ++c->unready >= 2) {
		sup_fail(s, c->domid, c->devid, EIO, "worker %ld %s before it "
		    "was ready, twice in a row", (long)pid, why);
		return;
	}
	if (c->ready && !killed && !quiesced) {
		c->deaths[c->ndeaths++ % SUP_BUDGET] = now;
		n = c->ndeaths < SUP_BUDGET ? c->ndeaths : SUP_BUDGET;
		if (n == SUP_BUDGET && now - c->deaths[c->ndeaths % SUP_BUDGET] <
		    (uint64_t)SUP_BUDGET_S * 1000) {
			sup_fail(s, c->domid, c->devid, EIO, "worker %ld %s: %u "
			    "deaths within %u s, not restarted", (long)pid, why,
			    SUP_BUDGET, SUP_BUDGET_S);
			return;
		}
	}
	c->restarting = true;
	if (!quiesced)
		c->restarts++;
	/*
	 * A successor that died before READY: the guest has waited since the
	 * first death, so the gap and the reason stay that death's.
	 */
	if (c->ready || c->t_reap == 0) {
		c->dead_pid = pid;
		snprintf(c->dead_why, sizeof(c->dead_why), "%s", why);
		c->t_reap = quiesced ? 0 : now;
	}
	if (c->uring_fd >= 0) {
		c->fence = fence_new(c->uring_fd, c->uring_params,
		    c->uring_len);
		c->uring_fd = -1;	/* the fence owns it now */
		if (c->fence == NULL) {
			sup_fail(s, c->domid, c->devid, errno, "worker %ld %s; "
			    "fence: %s", (long)pid, why, strerror(errno));
			return;
		}
		c->t_fence = now;
	}
	if (c->ev_restart == NULL &&
	    (c->ev_restart = ev_timer(s->base, restart_cb, c)) == NULL) {
		sup_fail(s, c->domid, c->devid, errno, "worker %ld %s; "
		    "restart timer: %s", (long)pid, why, strerror(errno));
		return;
	}
	ev_timer_arm(c->ev_restart, 0);
}

/* Look at one device directory and start a worker if it is new. */
static void
check_device(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c = child_find(s, domid, devid);
	char *str;
	int state;

	str = xsc_readf(s->xsc, XBT_NULL, "%s/%u/%u/state", s->root, domid,
	    devid);
	if (str == NULL) {
		/*
		 * Directory gone: forget a failed device, or one whose
		 * successor had not started yet; workers see it themselves.
		 */
		if (c != NULL && c->pid == -1)
			child_free(s, c);
		return;
	}
	state = parse_xenbus_state(str);
	free(str);
	if (c != NULL || s->stopping)
		return;

	switch (state) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		s->ops->start(s, domid, devid, s->arg);
		break;
	case XenbusStateConnected:
		/* A daemon that stopped cleanly may have left a record. */
		if (s->ops->reattach != NULL &&
		    s->ops->reattach(s, domid, devid, s->arg) == 0)
			break;
		/* FALLTHROUGH */
	case XenbusStateInitialised:
	case XenbusStateClosing:
		/* Left by an earlier instance that crashed or left no record. */
		log_devwarnx(s->type, domid, devid, "found in state %s with no "
		    "worker; not adopted", xb_state_name(state));
		child_new(s, domid, devid);
		break;
	default:
		break;
	}
}

static void
scan_all(struct sup *s)
{
	char **doms, **devs, path[128];
	unsigned int nd, nv, i, j;
	uint64_t d, v;

	if ((doms = xsc_directory(s->xsc, XBT_NULL, s->root, &nd)) == NULL)
		return;
	for (i = 0; i < nd; i++) {
		if (parse_uint(doms[i], SUP_DOMID_MAX, &d) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->root, doms[i]);
		if ((devs = xsc_directory(s->xsc, XBT_NULL, path, &nv)) == NULL)
			continue;
		for (j = 0; j < nv; j++)
			if (parse_uint(devs[j], SUP_DEVID_MAX, &v) == 0)
				check_device(s, (unsigned int)d, (unsigned int)v);
		free(devs);
	}
	free(doms);
}

/* Watch callback for backend/<type>: look only at the device that changed. */
static void
root_cb(const char *path, void *arg)
{
	struct sup *s = arg;
	size_t rl = strlen(s->root);
	char buf[128], *dom, *dev, *end;
	uint64_t d, v;
	struct child *c, *tmp;

	if (strncmp(path, s->root, rl) != 0 || path[rl] != '/' ||
	    strlen(path + rl + 1) >= sizeof(buf)) {
		scan_all(s);
		/* Forget failed devices whose directory went away with the domain. */
		for (c = TAILQ_FIRST(&s->children); c != NULL; c = tmp) {
			tmp = TAILQ_NEXT(c, entry);
			if (c->pid == -1)
				check_device(s, c->domid, c->devid);
		}
		/* The first event (the watch fires once when set): all seen. */
		if (!s->scanned && !s->stopping) {
			s->scanned = true;
			if (s->ops->scanned != NULL)
				s->ops->scanned(s, s->arg);
		}
		return;
	}
	strcpy(buf, path + rl + 1);
	dom = buf;
	if ((dev = strchr(dom, '/')) == NULL) {
		scan_all(s);
		return;
	}
	*dev++ = '\0';
	if ((end = strchr(dev, '/')) != NULL)
		*end = '\0';
	if (parse_uint(dom, SUP_DOMID_MAX, &d) == 0 &&
	    parse_uint(dev, SUP_DEVID_MAX, &v) == 0)
		check_device(s, (unsigned int)d, (unsigned int)v);
	else
		scan_all(s);
}

static void
sigchld_cb(int signo, void *arg)
{
	struct sup *s = arg;
	struct child *c;
	char why[160];
	int status;
	pid_t pid;

	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid == pid)
				break;
		if (c == NULL)
			continue;
		/* What it said last (READY, ERROR, its uring) counts. */
		if (c->ev != NULL)
			chan_cb(c->chan, c);
		child_death_str(c, status, why, sizeof(why));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			log_devinfo(s->type, c->domid, c->devid,
			    "worker %ld %s", (long)pid, why);
			child_free(s, c);
			continue;
		}
		c->pid = -1;
		snprintf(c->last_why, sizeof(c->last_why), "worker %ld %s",
		    (long)pid, why);
		ev_free(c->ev);
		c->ev = NULL;
		/* Its watches and open transactions go with it. */
		xsproxy_free(c->px);
		c->px = NULL;
		close(c->chan);
		c->chan = -1;
		if (s->stopping)
			child_drop(c);
		else
			child_died(c, pid, status, why);
		check_device(s, c->domid, c->devid);
	}
}

struct sup *
sup_new(const char *type, const struct sup_ops *ops, void *arg)
{
	struct sup *s;

	if (strlen(type) >= sizeof(s->type) || ops == NULL ||
	    ops->start == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	strcpy(s->type, type);
	s->ops = ops;
	s->arg = arg;
	TAILQ_INIT(&s->children);
	if ((s->base = ev_base_new()) == NULL ||
	    (s->xsc = xsc_open(s->base)) == NULL ||
	    xsc_self_domid(s->xsc, &s->self) == -1)
		goto fail;
	snprintf(s->root, sizeof(s->root), "/local/domain/%u/backend/%s",
	    s->self, s->type);
	if ((s->ev_chld = ev_signal(s->base, SIGCHLD, sigchld_cb, s)) == NULL)
		goto fail;
	/* The path we run, while it names our file (handover.h). */
	if (ho_exe_path(s->exe, sizeof(s->exe)) == -1)
		s->exe[0] = '\0';
	if ((s->ev_hup = ev_signal(s->base, SIGHUP, reexec_cb, s)) == NULL ||
	    (s->ev_usr2 = ev_signal(s->base, SIGUSR2, reexec_cb, s)) == NULL ||
	    (s->ev_reexec = ev_timer(s->base, reexec_cb, s)) == NULL)
		goto fail;
	return s;
fail:
	sup_free(s);
	return NULL;
}

static void
stop_cb(int signo, void *arg)
{
	struct sup *s = arg;

	log_info("signal %d: stopping workers", signo);
	sd_notify(0, "STOPPING=1");
	sup_stop(s);
}

static void
usr1_cb(int signo, void *arg)
{
	log_heap();
	sup_signal(arg, signo);
}

int
sup_run(struct sup *s)
{
	struct ev *ev_term, *ev_int, *ev_usr1;
	int rc = -1, saved;

	signal(SIGPIPE, SIG_IGN);
	ev_term = ev_signal(s->base, SIGTERM, stop_cb, s);
	ev_int = ev_signal(s->base, SIGINT, stop_cb, s);
	ev_usr1 = ev_signal(s->base, SIGUSR1, usr1_cb, s);
	if (ev_term == NULL || ev_int == NULL || ev_usr1 == NULL)
		goto out;
	/* The first watch event scans everything already there. */
	if (s->watch == NULL &&
	    (s->watch = xsc_watch(s->xsc, s->root, root_cb, s)) == NULL)
		goto out;
	log_info("serving %s", s->root);
	/* systemd Type=notify: devices are being adopted from here on. */
	sd_notifyf(0, "READY=1\nSTATUS=serving %s", s->root);
	ev_dispatch(s->base);
	rc = 0;
out:
	saved = errno;
	ev_free(ev_term);
	ev_free(ev_int);
	ev_free(ev_usr1);
	errno = saved;
	return rc;
}

struct ev_base *
sup_base(const struct sup *s)
{
	return s->base;
}

struct xsc *
sup_xsc(const struct sup *s)
{
	return s->xsc;
}

const char *
sup_root(const struct sup *s)
{
	return s->root;
}

unsigned int
sup_self(const struct sup *s)
{
	return s->self;
}

void
sup_stop(struct sup *s)
{
	struct child *c;
	bool any;
	int i;

	s->stopping = true;
	/* Before any worker exits: what must outlive this parent (a TAP). */
	if (s->ops->stopping != NULL)
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid > 0)
				s->ops->stopping(s, c->domid, c->devid, c->held,
				    c->nheld, s->arg);
	TAILQ_FOREACH(c, &s->children, entry) {
		if (c->pid > 0)
			/* Quiesce and leave the rings to the next daemon. */
			proc_send(c->chan, PROC_SHUTDOWN, "stop", strlen("stop"),
			    -1);
		else if (c->restarting)
			child_drop(c);
	}
	/* Workers exit promptly; give them 2 s, then kill. */
	for (i = 0; i < SUP_STOP_POLLS; i++) {
		sigchld_cb(SIGCHLD, s);
		any = false;
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid > 0)
				any = true;
		if (!any)
			break;
		/* An exiting worker may still ask for xenstore: answer it. */
		TAILQ_FOREACH(c, &s->children, entry)
			if (c->pid > 0 && c->ev != NULL)
				chan_cb(c->chan, c);
		usleep(100 * 1000);
	}
	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0)
			kill(c->pid, SIGKILL);
	ev_break(s->base);
}

int
sup_restart(struct sup *s, unsigned int domid, unsigned int devid)
{
	struct child *c = child_find(s, domid, devid);

	if (c == NULL || c->pid <= 0 || !c->ready) {
		errno = ENOENT;
		return -1;
	}
	if (!c->restartable) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return proc_send(c->chan, PROC_SHUTDOWN, "restart", strlen("restart"),
	    -1);
}

void
sup_restart_all(struct sup *s)
{
	struct child *c;

	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0 && c->ready && c->restartable)
			sup_restart(s, c->domid, c->devid);
}

unsigned int
sup_devices(struct sup *s, struct sup_devinfo *devs, unsigned int max)
{
	struct sup_devinfo *d;
	struct child *c;
	unsigned int n = 0;

	TAILQ_FOREACH(c, &s->children, entry) {
		if (n < max) {
			d = &devs[n];
			memset(d, 0, sizeof(*d));
			d->domid = c->domid;
			d->devid = c->devid;
			d->pid = c->pid > 0 ? c->pid : -1;
			d->ready = c->pid > 0 && c->ready;
			d->restarting = c->restarting;
			d->restarts = c->restarts;
			snprintf(d->last_death, sizeof(d->last_death), "%s",
			    c->last_why);
		}
		n++;
	}
	return n;
}

const char *
sup_type(const struct sup *s)
{
	return s->type;
}

int
sup_send(struct sup *s, unsigned int domid, unsigned int devid, uint32_t type,
    const void *data, size_t len)
{
	struct child *c = child_find(s, domid, devid);

	if (c == NULL || c->pid <= 0 || !c->ready || c->chan < 0) {
		errno = ENOENT;
		return -1;
	}
	return proc_send(c->chan, type, data, len, -1);
}

void
sup_on_stats(struct sup *s, sup_msg_fn *fn, void *arg)
{
	s->stats_fn = fn;
	s->stats_arg = arg;
}

void
sup_signal(struct sup *s, int signo)
{
	struct child *c;

	TAILQ_FOREACH(c, &s->children, entry)
		if (c->pid > 0)
			kill(c->pid, signo);
}

/* ---- upgrade by re-exec (handover.h, docs/ARCHITECTURE.md "Upgrade") ---- */

/* How soon a re-exec put off by a device between two workers is tried again. */
#define SUP_REEXEC_RETRY_MS	100

/* SIGHUP, SIGUSR2 or the retry timer. */
static void
reexec_cb(int signo, void *arg)
{
	struct sup *s = arg;

	(void)signo;
	if (sup_reexec(s) == -1 && errno != EAGAIN)
		log_warn("re-exec of %s; serving on",
		    s->exe[0] != '\0' ? s->exe : "(our path is unknown)");
}

int
sup_reexec(struct sup *s)
{
	struct ho_child *ch, *h;
	struct child *c;
	unsigned int n = 0, i = 0, j, nkeep = 0;
	int hofd, *keep, saved;

	if (s->stopping) {
		errno = ECANCELED;
		return -1;
	}
	if (s->exe[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	TAILQ_FOREACH(c, &s->children, entry) {
		/* Between a death and its successor there is no pid to hand over. */
		if (c->restarting) {
			log_info("re-exec: %s d%u/%u is restarting; trying "
			    "again in %u ms", s->type, c->domid, c->devid,
			    SUP_REEXEC_RETRY_MS);
			ev_timer_arm(s->ev_reexec, SUP_REEXEC_RETRY_MS);
			errno = EAGAIN;
			return -1;
		}
		n++;
	}
	if ((ch = calloc(n + 1, sizeof(*ch))) == NULL ||
	    (keep = calloc(n * (SUP_HELD_MAX + 2) + 1, sizeof(*keep))) == NULL) {
		free(ch);
		return -1;
	}
	TAILQ_FOREACH(c, &s->children, entry) {
		h = &ch[i++];
		h->domid = c->domid;
		h->devid = c->devid;
		h->pid = c->pid;		/* -1: a failed device */
		h->uring_fd = -1;
		if (c->pid <= 0)
			continue;
		h->chan = c->chan;
		keep[nkeep++] = c->chan;
		h->flags = (c->ready ? HO_READY : 0) |
		    (c->errored ? HO_ERRORED : 0) |
		    (c->restartable ? HO_RESTARTABLE : 0) |
		    (c->resumed ? HO_RESUMED : 0);
		h->unready = c->unready;
		h->ndeaths = c->ndeaths;
		h->nring = SUP_BUDGET;
		for (j = 0; j < SUP_BUDGET; j++)
			h->deaths[j] = c->deaths[j];
		for (j = 0; j < SUP_ARGV_MAX && c->argv[j] != NULL; j++)
			h->argv[j] = c->argv[j];	/* read only */
		for (j = 0; j < c->nheld; j++) {
			h->held[j] = c->held[j];
			if (c->held[j].fd >= 0)		/* -1: reopened */
				keep[nkeep++] = c->held[j].fd;
		}
		h->nheld = c->nheld;
		if (c->uring_fd >= 0) {
			h->uring_fd = c->uring_fd;
			keep[nkeep++] = c->uring_fd;
			h->uring_len = c->uring_len;
			memcpy(h->uring_params, c->uring_params, c->uring_len);
		}
	}
	if ((hofd = ho_write(s->type, ch, n)) == -1) {
		saved = errno;
		free(ch);
		free(keep);
		errno = saved;
		return -1;
	}
	log_info("re-executing %s: %u device%s handed over", s->exe, n,
	    n == 1 ? "" : "s");
	sd_notify(0, "RELOADING=1");
	ho_exec(s->exe, hofd, keep, nkeep);
	saved = errno;
	sd_notify(0, "READY=1");
	close(hofd);
	free(ch);
	free(keep);
	errno = saved;
	return -1;
}

int
sup_adopt(struct sup *s, int fd)
{
	struct ho_child *ch, *h;
	struct child *c;
	struct xspx_dev xd = { s->type, s->self, 0, 0 };
	unsigned int n, i, j, nw = 0;
	char err[320];

	if (ho_read(fd, s->type, &ch, &n, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		h = &ch[i];
		if (child_find(s, h->domid, h->devid) != NULL)
			continue;	/* ho_read refuses duplicates */
		if ((c = child_new(s, h->domid, h->devid)) == NULL) {
			log_devwarnx(s->type, h->domid, h->devid, "adopting "
			    "worker %ld: %s", (long)h->pid, strerror(errno));
			continue;
		}
		if (h->pid <= 0)
			continue;	/* failed: not retried, as before */
		nw++;
		c->pid = h->pid;
		c->chan = h->chan;
		c->ready = (h->flags & HO_READY) != 0;
		c->errored = (h->flags & HO_ERRORED) != 0;
		c->restartable = (h->flags & HO_RESTARTABLE) != 0;
		c->resumed = (h->flags & HO_RESUMED) != 0;
		c->unready = h->unready;
		c->ndeaths = h->ndeaths;
		for (j = 0; j < h->nring && j < SUP_BUDGET; j++)
			c->deaths[j] = h->deaths[j];
		for (j = 0; j < HO_ARGV_MAX && h->argv[j] != NULL; j++) {
			c->argv[j] = h->argv[j];
			h->argv[j] = NULL;
		}
		for (j = 0; j < h->nheld; j++)
			c->held[j] = h->held[j];
		c->nheld = h->nheld;
		c->uring_fd = h->uring_fd;
		c->uring_len = h->uring_len < sizeof(c->uring_params) ?
		    h->uring_len : sizeof(c->uring_params);
		memcpy(c->uring_params, h->uring_params, c->uring_len);
		c->t_spawn = now_ms();
		/* Its watches went with the old connection: watch again. */
		xd.domid = c->domid;
		xd.devid = c->devid;
		if ((c->px = xsproxy_new(s->xsc, &xd, c->pid, c->chan)) == NULL ||
		    xsproxy_reset(c->px) == -1)
			log_devwarnx(s->type, c->domid, c->devid, "xenstore "
			    "proxy for worker %ld: %s", (long)c->pid,
			    strerror(errno));
		if ((c->ev = ev_read(s->base, c->chan, true, chan_cb, c)) == NULL)
			log_devwarnx(s->type, c->domid, c->devid, "watching "
			    "worker %ld's channel: %s", (long)c->pid,
			    strerror(errno));
	}
	ho_free(ch, n);
	log_info("adopted %u device%s (%u workers) from the previous image",
	    n, n == 1 ? "" : "s", nw);
	/* A worker that died during the exec: its SIGCHLD was discarded. */
	sigchld_cb(SIGCHLD, s);
	/* Every READY worker moves to this image: quiesce, then -R. */
	sup_restart_all(s);
	return 0;
}

void
sup_free(struct sup *s)
{
	struct child *c;
	int saved = errno;

	if (s == NULL)
		return;
	if (s->watch != NULL)
		xsc_unwatch(s->xsc, s->watch);
	ev_free(s->ev_chld);
	ev_free(s->ev_hup);
	ev_free(s->ev_usr2);
	ev_free(s->ev_reexec);
	while ((c = TAILQ_FIRST(&s->children)) != NULL)
		child_free(s, c);
	if (s->xsc != NULL)
		xsc_close(s->xsc);
	if (s->base != NULL)
		ev_base_free(s->base);
	free(s);
	errno = saved;
}
