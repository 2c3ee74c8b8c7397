/*
 * handover.h - a daemon parent's upgrade by re-exec (docs/ARCHITECTURE.md
 * "Upgrade"; design: docs/design/isolation-restart.md section 4).
 *
 * On SIGHUP or SIGUSR2 the parent writes what it knows of its workers into
 * a memfd (the handover), clears FD_CLOEXEC on their channels and held fds,
 * and execs the path it was started from with --handover=FD.  The exec
 * keeps the pid, so the workers stay its children and their channels stay
 * open; the new image reads the handover strictly and rebuilds its table.
 * A re-exec does not reach a guest: the workers go on serving through it.
 *
 * Nothing here exits or logs policy: callers decide what a failure means.
 */
#ifndef XB_HANDOVER_H
#define XB_HANDOVER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "supervise.h"

/* The format's version: a new image refuses any other. */
#define HO_VERSION	1
#define HO_ARGV_MAX	32		/* a worker's argv: 30 args, -R, NULL */
#define HO_DEATHS	8		/* the restart budget's ring, at most */
#define HO_PARAMS_MAX	256		/* the io_uring parameters, bytes */
#define HO_CHILDREN_MAX	4096		/* devices in one handover */

/* ho_child.flags */
#define HO_READY	0x01		/* this incarnation sent READY */
#define HO_ERRORED	0x02		/* ... sent ERROR or lost its fds */
#define HO_RESTARTABLE	0x04		/* every fd was kept */
#define HO_RESUMED	0x08		/* some incarnation was READY: -R */
#define HO_FLAGS_ALL	0x0f

/*
 * One device of the parent's table.  pid -1: a failed device (no worker,
 * not retried until its directory goes away); then only domid and devid
 * count.  argv is NULL-terminated; strings are the handover's (ho_free).
 */
struct ho_child {
	unsigned int	 domid, devid;
	pid_t		 pid;
	int		 chan;
	unsigned int	 flags;
	unsigned int	 unready;		/* deaths before READY in a row */
	unsigned int	 ndeaths;		/* own deaths ever */
	unsigned int	 nring;			/* entries of deaths[] used */
	uint64_t	 deaths[HO_DEATHS];	/* CLOCK_MONOTONIC ms */
	char		*argv[HO_ARGV_MAX];
	struct sup_held	 held[SUP_HELD_MAX];
	unsigned int	 nheld;
	int		 uring_fd;		/* -1: none */
	unsigned char	 uring_params[HO_PARAMS_MAX];
	size_t		 uring_len;
};

/*
 * Write the handover of a daemon serving type (e.g. "vbd") with its n
 * children into a new memfd without FD_CLOEXEC, rewound.  Returns the fd,
 * or -1 (errno).
 */
int	ho_write(const char *type, const struct ho_child *, unsigned int n);

/*
 * Read and check the handover on fd (then closed): the version, the type,
 * every number within its bounds, every fd open, above 2 and named once,
 * every pid a child of this process.  Held, channel and io_uring fds get
 * FD_CLOEXEC again.  On success *out (free with ho_free) and *n are set
 * and 0 returned; otherwise -1 and err says what was wrong (no fd of it
 * is closed then: the caller cannot know which ones were meant).
 */
int	ho_read(int fd, const char *type, struct ho_child **out,
	    unsigned int *n, char *err, size_t errlen);

/* Free what ho_read() returned (not the fds).  NULL is accepted. */
void	ho_free(struct ho_child *, unsigned int n);

/*
 * The file this process runs, for a later re-exec: readlink of
 * /proc/self/exe, taken at start, which after a package upgrade (a new
 * file renamed over the old path) names the new file.  Returns 0 or -1.
 */
int	ho_exe_path(char *buf, size_t len);

/*
 * Exec path with this process's own argv (/proc/self/cmdline) less any
 * --handover= argument, plus --handover=hofd when hofd >= 0.  Every fd
 * above 2 that is not in keep[0..nkeep) gets FD_CLOEXEC first, so the new
 * image starts with what it is told about and nothing else.  Returns only
 * on failure: -1 (errno), with the fds' flags as they were.
 */
int	ho_exec(const char *path, int hofd, const int *keep, unsigned int nkeep);

/*
 * The pid file of daemon name: _PATH_VARRUN "<name>.pid", locked
 * (flock) while this process lives, the pid written.  Returns its fd
 * (FD_CLOEXEC; a re-exec'd image calls this again), or -1: errno EWOULDBLOCK
 * when another running instance holds it (the file is left to that one).
 */
int	ho_pidfile(const char *name);

/*
 * For "-r": send signo to the running instance of name, found through its
 * pid file, after checking that the pid's process is name.  Returns the
 * pid, or -1 with err set.
 */
pid_t	ho_signal_running(const char *name, int signo, char *err,
	    size_t errlen);

/*
 * For main() of a daemon called name: "-r" asks the running instance to
 * re-exec itself (SIGUSR2), saying so on stderr.  Returns the exit status
 * (1: nothing running, or not ours).
 */
int	ho_request(const char *name);

/*
 * For main() of a parent, after sup_new(): take the pid file (ho_pidfile;
 * a failure is logged, not fatal) and, with --handover=ARG (handover not
 * NULL), adopt the previous image's workers (sup_adopt).  Returns 0, or -1
 * when the handover was refused (logged).
 */
int	ho_parent_start(struct sup *, const char *name, const char *handover);

#endif
