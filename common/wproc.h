/*
 * wproc.h - the worker side of a daemon process (supervise.h is the
 * parent's): the event base, the channel to the parent (proc.h), the
 * signals a worker answers, the READY/ERROR handshake and the exit status.
 *
 * The worker keeps serving its device when the parent goes away (EOF on
 * the channel is logged, not fatal); it leaves the loop with status 0 when
 * the parent sends PROC_SHUTDOWN, on SIGTERM or SIGINT, or when the daemon
 * calls wproc_exit() (its device was destroyed).  It never exits the
 * process: wproc_run() returns the status and the daemon returns it.
 */
#ifndef XB_WPROC_H
#define XB_WPROC_H

struct ev_base;
struct wproc;

/* The daemon's SIGUSR1 hook (e.g. log its counters); called from the loop. */
typedef void wproc_hook(void *arg);

/*
 * Set up the worker side on chan (PROC_CHAN_FD): an event base, a read
 * event on chan, SIGTERM and SIGINT events, and a SIGUSR1 event that calls
 * usr1(arg), or does nothing if usr1 is NULL (the signal is then ignored,
 * not fatal: sup_run() passes SIGUSR1 on to every worker).  SIGPIPE is
 * ignored.  The exit status starts at 1 until wproc_exit() or one of the
 * events above sets it.  Returns NULL on failure, after reporting it as
 * wproc_failed() does.
 */
struct wproc	*wproc_new(int chan, wproc_hook *usr1, void *arg);

/* The event base, for the daemon's own events; valid until wproc_free(). */
struct ev_base	*wproc_base(const struct wproc *);

/*
 * Report a setup failure: log and send PROC_ERROR "<what>: <strerror(errno)>"
 * to the parent, which logs "worker N failed: ...".  Returns 1, the status
 * the worker exits with.
 */
int		 wproc_failed(struct wproc *, const char *what);

/* Tell the parent the device is set up (PROC_READY). */
void		 wproc_ready(struct wproc *);

/*
 * Leave the loop after the current callback and make wproc_run() return
 * status; before wproc_run(), it returns at once (e.g. the device was
 * destroyed while it was being set up).
 */
void		 wproc_exit(struct wproc *, int status);

/* Run the loop unless wproc_exit() came first.  Returns the exit status. */
int		 wproc_run(struct wproc *);

/*
 * Free the events and the base.  Every other event on the base (and the
 * xenstore connection using it) must have been freed first.  NULL is
 * accepted.
 */
void		 wproc_free(struct wproc *);

#endif
