/*
 * sandbox.h - confine a worker after its setup (docs/design/
 * isolation-restart.md 1.4, 2; docs/SECURITY.md "What each process can do
 * and why").
 *
 * sandbox_enter() runs, in this order: the fd-set check (anything that
 * names a file system object and is not one of the profile's fds is closed
 * and logged), tzset(), chroot into an empty directory, setgroups(0) +
 * setresgid + setresuid to an unprivileged user and a check that
 * setuid(0) now fails, RLIMIT_NOFILE / RLIMIT_CORE (no RLIMIT_NPROC: it
 * cancels io_uring's io-wq work),
 * PR_SET_NAME, PR_SET_NO_NEW_PRIVS and a seccomp filter (libseccomp) built
 * from a readable table of rules, each with the reason it is there.
 *
 * Syscalls outside the table trap (SECCOMP_RET_TRAP).  A SIGSYS handler
 * then either makes the call fail with EACCES and tells the parent
 * (PROC_DENIED: open, openat, openat2, creat, execve, execveat, socket,
 * socketpair, connect, bind), or tells the parent (PROC_SECCOMP) and lets
 * the process die by SIGSYS.  A wrong architecture kills the process.
 *
 * Nothing here exits: errors are returned, the caller decides.
 */
#ifndef XB_SANDBOX_H
#define XB_SANDBOX_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What the fds a rule is limited to are for; the profile fills them in. */
enum sandbox_role {
	SB_CHAN,	/* the channel to the parent (PROC_CHAN_FD) */
	SB_STORE,	/* blk: the backing store (file, block device, NBD socket) */
	SB_EVTCHN,	/* /dev/xen/evtchn */
	SB_GNTDEV,	/* /dev/xen/gntdev */
	SB_TAP,		/* net: the TAP queues */
	SB_ROLE_MAX
};

#define SB_ROLE_FDS	16	/* fds per role at most */

enum sandbox_op {
	SB_EQ = 1,	/* arg == v */
	SB_NE,		/* arg != v */
	SB_CLEAR,	/* (arg & v) == 0 */
	SB_SET,		/* (arg & v) == v */
	SB_FD,		/* arg is one of the fds of role v (a rule per fd) */
};

struct sandbox_arg {
	unsigned int	 arg;		/* 0..5 */
	enum sandbox_op	 op;
	uint64_t	 v;
};

/* One allowed syscall, with at most two argument limits. */
struct sandbox_rule {
	int			 nr;	/* SCMP_SYS(name) */
	const char		*name;
	unsigned int		 nargs;
	struct sandbox_arg	 a[2];
	const char		*why;
};

/* Rows for the tables: SB_ALLOW(read, "why"), SB_ALLOW1(...), ... */
#define SB_ALLOW(sys, why) \
	{ SCMP_SYS(sys), #sys, 0, { { 0, 0, 0 }, { 0, 0, 0 } }, why }
#define SB_ALLOW1(sys, a0, o0, v0, why) \
	{ SCMP_SYS(sys), #sys, 1, { { a0, o0, v0 }, { 0, 0, 0 } }, why }
#define SB_ALLOW2(sys, a0, o0, v0, a1, o1, v1, why) \
	{ SCMP_SYS(sys), #sys, 2, { { a0, o0, v0 }, { a1, o1, v1 } }, why }

struct sandbox_profile {
	const char		*name;	/* comm (PR_SET_NAME), e.g. "blkbackd" */
	const char		*root;	/* empty directory to chroot to; NULL: none */
	uid_t			 uid;
	gid_t			 gid;
	const struct sandbox_rule *rules;	/* the daemon's table */
	size_t			 nrules;
	int			 fds[SB_ROLE_MAX][SB_ROLE_FDS];	/* -1: unused */
};

/* Set every fd of the profile to -1 and the rest to zero. */
void	sandbox_profile_init(struct sandbox_profile *);

/* Add fd to role (ignored when -1 or when the role is full). */
void	sandbox_profile_fd(struct sandbox_profile *, enum sandbox_role, int fd);

/*
 * Confine the calling process as above.  Call it after every fd the
 * process will use exists and before any guest input is read.  Returns 0,
 * or -1 with errno and a reason in why (the process may be half confined:
 * the caller must not go on serving).
 */
int	sandbox_enter(const struct sandbox_profile *, char *why, size_t why_len);

/*
 * Parent side.  Resolve user (a name) to its uid and gid; -1 with a
 * message in why that names the user and says how to create it.
 */
int	sandbox_user(const char *user, uid_t *, gid_t *, char *why,
	    size_t why_len);

/*
 * Parent side: make path an empty directory, mode 0555, owned by root
 * (its parent is created 0755 if missing).  -1 with a reason in why if it
 * exists as something else, is not owned by root, is writable or not
 * empty.
 */
int	sandbox_empty_dir(const char *path, char *why, size_t why_len);

/* Parse "uid:gid" (a worker's -S); -1 (EINVAL) if malformed or uid 0. */
int	sandbox_ugid(const char *, uid_t *, gid_t *);

/* The name of syscall nr on this architecture ("?" if unknown). */
const char *sandbox_syscall_name(int nr);

/*
 * Print the common rows and then the daemon's table (--print-sandbox): one
 * line per rule, "syscall  limits  why".
 */
void	sandbox_print(FILE *, const char *daemon, const struct sandbox_rule *,
	    size_t nrules);

#endif
