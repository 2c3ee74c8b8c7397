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

#include <stddef.h>
#include <stdint.h>

struct ev_base;
struct proc_msg;
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

/*
 * Requests to the parent (the xenstore proxy, xsp.c).  wproc_on_msg() sets
 * (or with NULL clears) the hook that gets messages of type (e.g.
 * PROC_XS_WATCH) from the loop; up to WPROC_MSG_HOOKS types.
 * wproc_send() sends one message.  wproc_wait() waits up to ms for a
 * message of type and copies it to *m; every other message that arrives
 * meanwhile (SHUTDOWN, watch events) is queued and handled later from the
 * loop, in order, never lost.  It returns 1, or -1 with errno ETIMEDOUT,
 * EPIPE (the parent is gone: later calls fail at once) or another error.
 */
#define WPROC_MSG_HOOKS	4
typedef void wproc_msg_hook(const struct proc_msg *, void *arg);
void		 wproc_on_msg(struct wproc *, uint32_t type, wproc_msg_hook *,
		    void *arg);
int		 wproc_send(struct wproc *, uint32_t type, const void *data,
		    size_t len);
int		 wproc_wait(struct wproc *, uint32_t type, int ms,
		    struct proc_msg *m);

/*
 * Exit status of a worker that quiesced for a restart (supervise.h
 * SUP_EX_RESTART, sysexits.h EX_TEMPFAIL).  On PROC_SHUTDOWN "restart"
 * (sup_restart()) the hook set by wproc_on_quiesce() is called: the daemon
 * stops taking requests, answers those in flight and then calls
 * wproc_exit(wp, WPROC_EX_RESTART).  Without a hook the worker exits so at
 * once (its successor redoes what was in flight from the journal).
 */
#define WPROC_EX_RESTART	75
void		 wproc_on_quiesce(struct wproc *, wproc_hook *, void *arg);

/*
 * On PROC_SHUTDOWN "stop" (sup_stop(): the whole daemon stops, e.g.
 * systemctl restart) the hook set here is called: the daemon answers what
 * is in flight, may leave a record for the next daemon in its backend
 * directory, and calls wproc_exit(wp, 0).  Without a hook, or on a plain
 * PROC_SHUTDOWN, the worker exits 0 at once.
 */
void		 wproc_on_stop(struct wproc *, wproc_hook *, void *arg);

/*
 * The control socket (ctlsup.h): on PROC_STATS_REQ "<seq>" the hook set
 * here appends the device's counters to w (ctlfmt.h ctl_kvw_*()), and the
 * worker answers PROC_STATS_RPL "<seq> <tokens>".  Without a hook it
 * answers with no tokens.  Only the channel is used: no new syscall.
 */
struct ctl_kvw;
typedef void	 wproc_stats_fn(struct ctl_kvw *w, void *arg);
void		 wproc_on_stats(struct wproc *, wproc_stats_fn *, void *arg);

/* Run the loop unless wproc_exit() came first.  Returns the exit status. */
int		 wproc_run(struct wproc *);

/*
 * Free the events and the base.  Every other event on the base (and the
 * xenstore connection using it) must have been freed first.  NULL is
 * accepted.
 */
void		 wproc_free(struct wproc *);

/*
 * Test hooks (the daemons' -T, for the test bed only): SIGRTMIN+1 makes
 * the worker try open("/etc/passwd"), execve("/bin/true") and
 * socket(AF_INET), logging each result (the sandbox must refuse all
 * three); SIGRTMIN+2 calls ptrace(PTRACE_TRACEME), which the seccomp
 * filter answers by killing the worker.  They give a compromised worker
 * nothing it could not do anyway.  Returns 0 or -1.
 */
#define WPROC_TEST_HOOKS	4
int		 wproc_test_hooks(struct wproc *);

/*
 * SIGRTMIN+3 (with -T) calls fn(arg): the xenstore proxy (xsp.c) sets it
 * to write another device's params, which the parent must refuse and log.
 */
void		 wproc_on_xs_probe(struct wproc *, wproc_hook *fn, void *arg);

#endif
