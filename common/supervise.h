/*
 * supervise.h - the parent role every backend daemon shares (after OpenBSD
 * vmd's parent): watch /local/domain/<self>/backend/<type>, hand each new
 * device to the daemon to prepare (open its disk, create its TAP: the
 * privileged steps), start one worker process per device with the fds it
 * needs, reap workers and say why each one ended, and stop them all.
 *
 * It never exits and picks no policy: what a device needs is the daemon's
 * start() callback.  A worker that dies abnormally is restarted on the
 * same device (crash-only restart, below); one that keeps dying leaves its
 * device failed (error node, state Closed) and the failure logged;
 * nothing else changes.
 */
#ifndef XB_SUPERVISE_H
#define XB_SUPERVISE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_base;
struct xsc;
struct sup;
struct sup_held;

struct sup_ops {
	/*
	 * A device directory appeared in state Initialising or InitWait and
	 * has no worker: prepare what the worker needs and call sup_spawn(),
	 * or sup_fail() with the reason.  Called from the event loop.
	 */
	void	(*start)(struct sup *, unsigned int domid, unsigned int devid,
		    void *arg);
	/*
	 * Optional.  A successor is about to start: open again the fd that
	 * start() passed as name with reopen set (an NBD connection, whose
	 * stream state died with the worker) and return it, or -1 with errno
	 * and the reason in err (the device is failed).  The caller sends it
	 * in its place and closes it.  Called from the event loop; may block
	 * as start() does.
	 */
	int	(*reopen)(struct sup *, unsigned int domid, unsigned int devid,
		    const char *name, void *arg, char *err, size_t errlen);
	/*
	 * Optional.  A device directory is Connected and has no worker (an
	 * earlier daemon stopped): if the daemon can take the live device
	 * over (a record its last worker left), call sup_spawn() or
	 * sup_fail() and return 0; return -1 to leave it "not adopted".
	 */
	int	(*reattach)(struct sup *, unsigned int domid,
		    unsigned int devid, void *arg);
	/*
	 * Optional.  The daemon stops (sup_stop(), not an upgrade): called
	 * for each device whose worker runs, before the worker is told to
	 * stop, with the fds the parent holds for it (names as given to
	 * sup_spawn(); an fd is -1 for one opened again per successor).
	 * netbackd makes the TAP persistent here, so that it outlives the
	 * parent for the next daemon.
	 */
	void	(*stopping)(struct sup *, unsigned int domid, unsigned int devid,
		    const struct sup_held *held, unsigned int nheld, void *arg);
	/*
	 * Optional.  Called once, after the first scan of the backend
	 * directory (sup_run()'s first watch event): every device already
	 * there has been started, re-attached or left "not adopted".
	 * netbackd deletes here the TAPs a stopped daemon left that no
	 * device took back.
	 */
	void	(*scanned)(struct sup *, void *arg);
};

/*
 * An fd handed to a new worker, as one PROC_FD message whose data is name.
 * keep: the parent holds a dup (F_DUPFD_CLOEXEC) for the device's lifetime
 * and sends it again, same name and position, to every successor (the
 * journal, the restricted event-channel handle: what must outlive one
 * worker).  Held fds are closed when the worker exits 0 (device destroyed),
 * when the device is failed, and by sup_free().  keep=false: the caller
 * keeps and closes its fd, as always.  reopen (with keep false, and
 * sup_ops.reopen set): not held, but each successor gets a fresh one from
 * sup_ops.reopen(), in the same position; without keep or reopen a worker
 * that dies is not restarted.
 */
struct sup_fd {
	const char	*name;
	int		 fd;
	bool		 keep;
	bool		 reopen;
};

/* Most fds a device may hold (SUP_HELD_MAX) and their name length. */
#define SUP_HELD_MAX	16
#define SUP_NAME_MAX	32

/*
 * One held fd, as struct child keeps them (a flat array, so an upgrade
 * handover can write them out): name as given to sup_spawn(); fd -1 for
 * one opened again for each successor (sup_fd.reopen).
 */
struct sup_held {
	char		 name[SUP_NAME_MAX];
	int		 fd;
};

/* Exit status of a worker that quiesced and wants to be restarted (sysexits.h). */
#define SUP_EX_RESTART	75		/* EX_TEMPFAIL */

/*
 * Restart policy (docs/ARCHITECTURE.md "Restart protocol").  A worker that
 * sent READY and then ends with anything but exit 0, while the parent is
 * not stopping, is restarted: its channel is drained, the stale-I/O fence
 * runs if it handed the parent an io_uring (PROC_FD "uring"), and a
 * successor starts with the same argv plus "-R" and the held fds; start()
 * is not called again.  Deaths of its own (a signal other than SIGKILL, an
 * exit status other than 0 and SUP_EX_RESTART) count: SUP_BUDGET of them
 * within SUP_BUDGET_S seconds fail the device.  A worker that dies before
 * READY is started again once; a second death before READY in a row, or a
 * PROC_ERROR, fails the device.  Restarts are SUP_GAP_MS apart at least.
 */
#define SUP_BUDGET	3
#define SUP_BUDGET_S	60
#define SUP_GAP_MS	50
#define SUP_FENCE_MS	5000

/*
 * Supervise backend/<type> of this domain: create an event base, connect
 * to xenstore on it and register a SIGCHLD event.  Nothing is watched
 * until sup_run().  Returns NULL on failure (errno).
 */
struct sup	*sup_new(const char *type, const struct sup_ops *, void *arg);

/*
 * Serve until stopped: ignore SIGPIPE, stop on SIGTERM or SIGINT (log
 * "signal N: stopping workers", tell systemd STOPPING=1, sup_stop()), on
 * SIGUSR1 log the parent's heap (log_heap()) and pass the signal on to
 * every worker (sup_signal()), re-exec on SIGHUP or SIGUSR2
 * (sup_reexec(), from sup_new() on), watch the type's backend
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
 * PROC_FD message, in order (at most SUP_HELD_MAX with keep set, names
 * shorter than SUP_NAME_MAX).  The caller keeps and closes its fds; those
 * with keep set are dup'd first.  On
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
 * Stop: call sup_ops.stopping for every running worker's device, ask every
 * worker to shut down (PROC_SHUTDOWN "stop": quiesce and leave a record,
 * wproc_on_stop()), give them 2 s, SIGKILL the rest, then make sup_run()
 * return.  No new device is started afterwards.
 */
void		 sup_stop(struct sup *);

/*
 * Ask the worker of (domid, devid) to quiesce: PROC_SHUTDOWN with data
 * "restart" (stop taking requests, answer those in flight, exit
 * SUP_EX_RESTART), after which it is restarted with -R and not counted
 * against the budget.  Returns 0, or -1 (ENOENT: no running worker).
 */
int		 sup_restart(struct sup *, unsigned int domid,
		    unsigned int devid);

/* sup_restart() every running worker that is READY (all at once). */
void		 sup_restart_all(struct sup *);

/*
 * Upgrade (docs/ARCHITECTURE.md "Upgrade"; handover.h): re-exec the path
 * this process was started from (read at sup_new()) with --handover=FD,
 * keeping every worker, its channel and its held fds.  SIGHUP and SIGUSR2
 * call it.  A device between a death and its successor puts it off (it is
 * tried again 100 ms later; -1, EAGAIN).  Tells systemd RELOADING=1 first.
 * Returns only on failure (-1, errno), serving on as before.
 */
int		 sup_reexec(struct sup *);

/*
 * In the re-exec'd image, after sup_new() and before sup_run(): take over
 * the devices the handover on fd describes (ho_read(): checked strictly;
 * fd is closed), reap workers that died during the exec, and restart every
 * READY worker (sup_restart_all()) so that it runs this image.  Returns 0,
 * or -1 with the reason logged (nothing adopted; the workers run on
 * unsupervised, their devices "not adopted").
 */
int		 sup_adopt(struct sup *, int fd);

/*
 * One device as the parent sees it, for the control socket (ctlsup.h).
 * pid -1: no worker (restarting, failed, or found with none: "not
 * adopted").  restarts: successors started after a death the parent did
 * not ask for (sup_restart() and upgrades are not counted); last_death:
 * why the last worker ended, "" if none did.
 */
struct sup_devinfo {
	unsigned int	 domid, devid;
	pid_t		 pid;
	bool		 ready;		/* the running worker sent READY */
	bool		 restarting;	/* between a death and its successor */
	unsigned int	 restarts;
	char		 last_death[192];
};

/*
 * Fill devs[0..max) with the devices in the table, in order.  Returns how
 * many there are (more than max: the rest were left out).
 */
unsigned int	 sup_devices(struct sup *, struct sup_devinfo *devs,
		    unsigned int max);

/* The backend type ("vbd", "vif"). */
const char	*sup_type(const struct sup *);

/*
 * Send a message to the running, READY worker of (domid, devid).  Returns
 * 0, or -1 (ENOENT: none; or the send failed).
 */
int		 sup_send(struct sup *, unsigned int domid, unsigned int devid,
		    uint32_t type, const void *data, size_t len);

/*
 * Have fn called from the loop with every PROC_STATS_RPL a worker sends
 * (the message as received, unchecked: the callee validates it); NULL
 * clears it.  Without one such replies are dropped.
 */
struct proc_msg;
typedef void	 sup_msg_fn(unsigned int domid, unsigned int devid, pid_t pid,
		    const struct proc_msg *, void *arg);
void		 sup_on_stats(struct sup *, sup_msg_fn *fn, void *arg);

/* Send signo to every running worker (e.g. SIGUSR1: log your counters). */
void		 sup_signal(struct sup *, int signo);

/*
 * Unwatch, drop the SIGCHLD event, close the workers' channels (workers
 * are not signalled), the xenstore connection and the event base, and
 * free.  NULL is accepted.
 */
void		 sup_free(struct sup *);

#endif
