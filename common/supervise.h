/*
 * supervise.h - the parent role every backend daemon shares (after OpenBSD
 * vmd's parent): watch /local/domain/<self>/backend/<type>, hand each new
 * device to the daemon to prepare (open its disk, create its TAP: the
 * privileged steps), start one worker process per device with the fds it
 * needs, reap workers and say why each one ended, and stop them all.
 *
 * It never exits and picks no policy: what a device needs is the daemon's
 * start() callback.  A worker that dies abnormally leaves its device failed
 * (error node, state Closed) and the failure logged; nothing else changes.
 */
#ifndef XB_SUPERVISE_H
#define XB_SUPERVISE_H

#include <sys/types.h>

#include <stdbool.h>

struct ev_base;
struct xsc;
struct sup;

struct sup_ops {
	/*
	 * A device directory appeared in state Initialising or InitWait and
	 * has no worker: prepare what the worker needs and call sup_spawn(),
	 * or sup_fail() with the reason.  Called from the event loop.
	 */
	void	(*start)(struct sup *, unsigned int domid, unsigned int devid,
		    void *arg);
};

/* An fd handed to a new worker, as one PROC_FD message whose data is name. */
struct sup_fd {
	const char	*name;
	int		 fd;
};

/*
 * Supervise backend/<type> of this domain: create an event base, connect
 * to xenstore on it and register a SIGCHLD event.  Nothing is watched
 * until sup_run().  Returns NULL on failure (errno).
 */
struct sup	*sup_new(const char *type, const struct sup_ops *, void *arg);

/*
 * Serve until stopped: ignore SIGPIPE, stop on SIGTERM or SIGINT (log
 * "signal N: stopping workers", tell systemd STOPPING=1, sup_stop()), pass
 * SIGUSR1 on to every worker (sup_signal()), watch the type's backend
 * directory (the first watch event scans every device already there), log
 * "serving <root>", tell systemd READY=1 and STATUS=serving <root>
 * (sd_notify(3): nothing without $NOTIFY_SOCKET), and run the loop.
 * Returns 0 once stopped, or -1 (errno) if it could not start serving.
 */
int		 sup_run(struct sup *);

/* The event base and the xenstore connection, valid until sup_free(). */
struct ev_base	*sup_base(const struct sup *);
struct xsc	*sup_xsc(const struct sup *);

/* The watched path, /local/domain/<self>/backend/<type>. */
const char	*sup_root(const struct sup *);

/* This domain's id (the backend domain). */
unsigned int	 sup_self(const struct sup *);

/*
 * Start the worker of (domid, devid): fork+exec /proc/self/exe with argv
 * (argv[0] is its process title) and send it each of fds[0..nfds) as a
 * PROC_FD message, in order.  The caller keeps and closes its fds.  On
 * failure the device is failed (sup_fail) and -1 returned; if the worker
 * started but an fd could not be sent it is killed, so it never waits
 * forever (its pid is still returned; the device fails when it is reaped,
 * "worker N killed by signal 9").  Returns the worker's pid.  For start()
 * only: a device whose worker is running gets -1 (EBUSY), and is not failed.
 */
pid_t		 sup_spawn(struct sup *, unsigned int domid, unsigned int devid,
		    char *const argv[], const struct sup_fd *fds,
		    unsigned int nfds);

/*
 * Give up on a device that has no worker: log, write error/<backend
 * path>/error = "<err> <message>", switch the backend to Closed (libxl
 * waiting for InitWait then fails the device), and remember it so it is
 * not retried until its directory goes away.
 */
void		 sup_fail(struct sup *, unsigned int domid, unsigned int devid,
		    int err, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

/*
 * Stop: ask every worker to shut down (PROC_SHUTDOWN), give them 2 s,
 * SIGKILL the rest, then make sup_run() return.  No new device is started
 * afterwards.
 */
void		 sup_stop(struct sup *);

/* Send signo to every running worker (e.g. SIGUSR1: log your counters). */
void		 sup_signal(struct sup *, int signo);

/*
 * Unwatch, drop the SIGCHLD event, close the workers' channels (workers
 * are not signalled), the xenstore connection and the event base, and
 * free.  NULL is accepted.
 */
void		 sup_free(struct sup *);

#endif
