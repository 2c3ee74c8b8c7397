/*
 * sandbox.c - see sandbox.h.  The order follows docs/design/
 * isolation-restart.md 1.4: everything that needs a path or root first,
 * the filter last (seccomp(2): NO_NEW_PRIVS before a filter without
 * CAP_SYS_ADMIN).
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "proc.h"
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define SB_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_SANITIZER	1
#endif
#endif

#ifdef SB_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

/*
 * Rows every worker needs: the libevent loop, malloc, the log, signals,
 * time.  The daemons' tables (daemons/<d>/sandbox.c) add their devices.
 */
static const struct sandbox_rule sb_common[] = {
	SB_ALLOW(read, "evtchn pending, eventfd, libevent's signal pipe"),
	SB_ALLOW(write, "evtchn unmask, stderr log, libevent's signal "
	    "handler"),
	SB_ALLOW(readv, "glibc stdio and syslog"),
	SB_ALLOW(writev, "glibc stdio and syslog"),
	SB_ALLOW1(recvmsg, 0, SB_FD, SB_CHAN, "the channel (proc_recv): "
	    "SHUTDOWN, xenstore replies and watches (xsp.c)"),
	SB_ALLOW1(sendmsg, 0, SB_FD, SB_CHAN, "the channel: READY, xenstore "
	    "requests, the SIGSYS reports"),
	SB_ALLOW(recvfrom, "libevent evsig_cb (recv)"),
	SB_ALLOW(sendto, "syslog(3) send, libevent's signal handler (send)"),
	SB_ALLOW(epoll_wait, "libevent loop"),
	SB_ALLOW(epoll_pwait, "libevent loop"),
	SB_ALLOW(epoll_ctl, "ev_enable/ev_disable, fds added at connect"),
	SB_ALLOW(poll, "wproc_wait (a xenstore reply), a TAP poll with "
	    "timeout 0"),
	SB_ALLOW(ppoll, "as poll"),
	SB_ALLOW1(mmap, 2, SB_CLEAR, PROT_EXEC, "grant maps (MAP_SHARED on "
	    "gntdev), malloc, the bounce pool; never executable"),
	SB_ALLOW1(mprotect, 2, SB_CLEAR, PROT_EXEC, "malloc, thread stack "
	    "guards; no W+X"),
	SB_ALLOW(munmap, "unmapping grants and buffers"),
	SB_ALLOW(madvise, "malloc trimming"),
	SB_ALLOW(mremap, "realloc of large blocks"),
	SB_ALLOW(brk, "malloc"),
	SB_ALLOW(fstat, "glibc stdio"),
	SB_ALLOW1(newfstatat, 3, SB_SET, AT_EMPTY_PATH, "fstat(2) in glibc "
	    ">= 2.33 (fd only, the path is \"\")"),
	SB_ALLOW(fstatfs, "fd only"),
	SB_ALLOW(lseek, "glibc stdio"),
	SB_ALLOW1(fcntl, 1, SB_EQ, F_GETFL, "libevent, libnbd"),
	SB_ALLOW1(fcntl, 1, SB_EQ, F_SETFL, "libevent, libnbd (O_NONBLOCK)"),
	SB_ALLOW1(fcntl, 1, SB_EQ, F_GETFD, "libevent"),
	SB_ALLOW1(fcntl, 1, SB_EQ, F_SETFD, "libevent (FD_CLOEXEC)"),
	SB_ALLOW(close, "teardown; proc_recv closes stray fds"),
	SB_ALLOW(clock_gettime, "blk_now, libevent; Xen PV may not use "
	    "the vDSO"),
	SB_ALLOW(gettimeofday, "as clock_gettime"),
	SB_ALLOW(clock_nanosleep, "short waits at teardown"),
	SB_ALLOW(nanosleep, "short waits at teardown"),
	SB_ALLOW(getpid, "log prefix (glibc does not cache the pid)"),
	SB_ALLOW(gettid, "glibc locks"),
	SB_ALLOW(getuid, "libevent"),
	SB_ALLOW(geteuid, "libevent, glibc"),
	SB_ALLOW(getgid, "glibc"),
	SB_ALLOW(getegid, "glibc"),
	SB_ALLOW(getrandom, "libevent, malloc"),
	SB_ALLOW(rt_sigreturn, "return from a signal handler"),
	SB_ALLOW(rt_sigprocmask, "libevent, glibc"),
	SB_ALLOW1(rt_sigaction, 0, SB_NE, SIGSYS, "libevent's ev_signal at "
	    "teardown; never SIGSYS, so the reports cannot be silenced"),
	SB_ALLOW(futex, "glibc locks"),
	SB_ALLOW(exit, "a thread ends"),
	SB_ALLOW(exit_group, "the worker ends"),
	SB_ALLOW(restart_syscall, "an interrupted sleep resumes"),
};

#ifdef SB_SANITIZER
/*
 * ASan builds only (the test bed runs them): LeakSanitizer's leak check at
 * exit stops the world with a tracer (clone, ptrace, wait4) that reads
 * /proc/self/task; ASan reports write from its own stack.  A regular file
 * still cannot be opened: openat only with O_DIRECTORY.  docs/SECURITY.md
 * says what this build gives away.
 */
static const struct sandbox_rule sb_sanitizer[] = {
	SB_ALLOW(clone, "LSan's StopTheWorld tracer (sanitizer build)"),
	SB_ALLOW1(ptrace, 0, SB_NE, 0 /* PTRACE_TRACEME */, "LSan's tracer "
	    "attaches to the threads (sanitizer build)"),
	SB_ALLOW(wait4, "LSan waits for its tracer (sanitizer build)"),
	SB_ALLOW(sched_yield, "LSan (sanitizer build)"),
	SB_ALLOW(prctl, "LSan: PR_SET_PTRACER, PR_SET_PDEATHSIG, dumpable "
	    "(sanitizer build)"),
	SB_ALLOW(getdents, "LSan lists /proc/self/task (sanitizer build)"),
	SB_ALLOW(getdents64, "LSan lists /proc/self/task (sanitizer build)"),
	SB_ALLOW1(open, 1, SB_CLEAR, O_WRONLY | O_RDWR | O_CREAT | O_TRUNC,
	    "read-only: the sanitizer runtime reads /proc/self/{task,status,"
	    "maps} with open(2); glibc's open() is openat, still refused "
	    "(sanitizer build)"),
	SB_ALLOW1(openat, 2, SB_SET, O_DIRECTORY, "LSan opens "
	    "/proc/self/task; directories only (sanitizer build)"),
	SB_ALLOW1(ioctl, 1, SB_EQ, TCGETS, "isatty(2) before a report "
	    "(colours) (sanitizer build)"),
	SB_ALLOW(sigaltstack, "sanitizer signal stacks (sanitizer build)"),
	SB_ALLOW(getppid, "LSan's tracer (sanitizer build)"),
	SB_ALLOW(sched_getaffinity, "sanitizer runtime (sanitizer build)"),
	SB_ALLOW(tgkill, "LSan's tracer stops threads (sanitizer build)"),
	SB_ALLOW(kill, "LSan kills its tracer on failure (sanitizer build)"),
	SB_ALLOW(set_robust_list, "a new thread (sanitizer build)"),
	SB_ALLOW(rseq, "a new thread (sanitizer build)"),
};
#endif

/* The syscalls whose refusal is logged and survivable (design 2). */
static const int sb_deny[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(socket),
	SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
};

void
sandbox_profile_init(struct sandbox_profile *p)
{
	unsigned int r, i;

	memset(p, 0, sizeof(*p));
	for (r = 0; r < SB_ROLE_MAX; r++)
		for (i = 0; i < SB_ROLE_FDS; i++)
			p->fds[r][i] = -1;
}

void
sandbox_profile_fd(struct sandbox_profile *p, enum sandbox_role role, int fd)
{
	unsigned int i;

	if (fd < 0 || role >= SB_ROLE_MAX)
		return;
	for (i = 0; i < SB_ROLE_FDS; i++)
		if (p->fds[role][i] == -1 || p->fds[role][i] == fd) {
			p->fds[role][i] = fd;
			return;
		}
}

static bool
sb_profile_has(const struct sandbox_profile *p, int fd)
{
	unsigned int r, i;

	for (r = 0; r < SB_ROLE_MAX; r++)
		for (i = 0; i < SB_ROLE_FDS; i++)
			if (p->fds[r][i] == fd)
				return true;
	return false;
}

/* ---- the SIGSYS handler -------------------------------------------------- */

/* Syscall names, looked up before the filter: the handler cannot. */
#define SB_NAMES	512
static char sb_names[SB_NAMES][24];

static void
sb_names_init(void)
{
	char *s;
	int nr;

	for (nr = 0; nr < SB_NAMES; nr++) {
		s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		snprintf(sb_names[nr], sizeof(sb_names[nr]), "%s",
		    s != NULL ? s : "unknown");
		free(s);
	}
}

/* "<nr> <name>"; async-signal-safe: digits, a copy and one sendmsg. */
static void
sb_report(uint32_t type, int nr)
{
	char buf[48], dig[12];
	size_t n = sizeof(dig), len;
	unsigned int v = (unsigned int)nr;
	const char *name = nr >= 0 && nr < SB_NAMES && sb_names[nr][0] ?
	    sb_names[nr] : "unknown";

	do {
		dig[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n > 0);
	len = sizeof(dig) - n;
	memcpy(buf, dig + n, len);
	buf[len++] = ' ';
	n = strlen(name);
	if (n > sizeof(buf) - len)
		n = sizeof(buf) - len;
	memcpy(buf + len, name, n);
	proc_send(PROC_CHAN_FD, type, buf, len + n, -1);
}

static void
sb_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int saved = errno, nr = si->si_syscall;
	size_t i;

	(void)sig;
	for (i = 0; i < sizeof(sb_deny) / sizeof(sb_deny[0]); i++) {
		if (sb_deny[i] != nr)
			continue;
		/* The caller sees the call fail (seccomp(2) SECCOMP_RET_TRAP). */
		uc->uc_mcontext.gregs[REG_RAX] = -EACCES;
		sb_report(PROC_DENIED, nr);
		errno = saved;
		return;
	}
	sb_report(PROC_SECCOMP, nr);
	/*
	 * Again, with SIGSYS blocked inside its own handler: the kernel resets
	 * a blocked forced signal to SIG_DFL (force_sig_info_to_task), so the
	 * process dies by SIGSYS and the call never runs.
	 */
	syscall(nr, uc->uc_mcontext.gregs[REG_RDI],
	    uc->uc_mcontext.gregs[REG_RSI], uc->uc_mcontext.gregs[REG_RDX],
	    uc->uc_mcontext.gregs[REG_R10], uc->uc_mcontext.gregs[REG_R8],
	    uc->uc_mcontext.gregs[REG_R9]);
	/* Not reached; should the call have run, die all the same. */
	signal(SIGSYS, SIG_DFL);
	raise(SIGSYS);
}

/* ---- steps ---------------------------------------------------------------- */

/*
 * Close and log every fd that names a file system object and is not the
 * profile's.  Anonymous inodes (epoll, eventfd, io_uring), sockets and
 * pipes are libevent's, liburing's and libxenstore's own.
 */
static int
sb_check_fds(const struct sandbox_profile *p, int *highest)
{
	char path[64], target[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, dfd, max = 2;
	ssize_t n;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dfd)
			continue;
		if (fd > max)
			max = fd;
		if (fd <= 2 || sb_profile_has(p, fd))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((n = readlink(path, target, sizeof(target) - 1)) == -1)
			continue;
		target[n] = '\0';
		if (strncmp(target, "anon_inode:", 11) == 0 ||
		    strncmp(target, "socket:", 7) == 0 ||
		    strncmp(target, "pipe:", 5) == 0 ||
		    strncmp(target, "/memfd:", 7) == 0 ||	/* the journal */
		    strcmp(target, "/dev/xen/evtchn") == 0 ||
		    strcmp(target, "/dev/xen/gntdev") == 0 ||
		    strcmp(target, "/dev/xen/xenbus") == 0)
			continue;
		log_warnx("sandbox: closing fd %d (%s): not expected here",
		    fd, target);
		close(fd);
	}
	closedir(d);
	*highest = max;
	return 0;
}

static int
sb_cmp(const struct sandbox_arg *a, uint64_t fdval, struct scmp_arg_cmp *c)
{
	switch (a->op) {
	case SB_EQ:
		*c = SCMP_CMP(a->arg, SCMP_CMP_EQ, a->v);
		return 0;
	case SB_NE:
		*c = SCMP_CMP(a->arg, SCMP_CMP_NE, a->v);
		return 0;
	case SB_CLEAR:
		*c = SCMP_CMP(a->arg, SCMP_CMP_MASKED_EQ, a->v, 0);
		return 0;
	case SB_SET:
		*c = SCMP_CMP(a->arg, SCMP_CMP_MASKED_EQ, a->v, a->v);
		return 0;
	case SB_FD:
		*c = SCMP_CMP(a->arg, SCMP_CMP_EQ, fdval);
		return 0;
	}
	return -1;
}

/* Add one table row: once, or once per fd of its SB_FD role. */
static int
sb_add(scmp_filter_ctx ctx, const struct sandbox_profile *p,
    const struct sandbox_rule *r)
{
	struct scmp_arg_cmp c[2];
	const int *fds = NULL;
	unsigned int i, k, n = 1;
	int rc;

	for (k = 0; k < r->nargs; k++)
		if (r->a[k].op == SB_FD) {
			if (r->a[k].v >= SB_ROLE_MAX)
				return -EINVAL;
			fds = p->fds[r->a[k].v];
			n = SB_ROLE_FDS;
		}
	for (i = 0; i < n; i++) {
		if (fds != NULL && fds[i] == -1)
			break;
		for (k = 0; k < r->nargs; k++)
			if (sb_cmp(&r->a[k], fds != NULL ? (uint64_t)fds[i] : 0,
			    &c[k]) == -1)
				return -EINVAL;
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr,
		    r->nargs, c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
sb_filter(const struct sandbox_profile *p, char *why, size_t why_len)
{
	const struct sandbox_rule *r = NULL;
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL) {
		snprintf(why, why_len, "seccomp_init failed");
		errno = ENOMEM;
		return -1;
	}
	/* Another ABI (x32, i386 int 0x80) could name other syscalls. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0 ||
	    /* libxenstore's reader thread exists already: filter it too. */
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
		goto fail;
	for (i = 0; i < sizeof(sb_common) / sizeof(sb_common[0]); i++)
		if ((rc = sb_add(ctx, p, (r = &sb_common[i]))) < 0)
			goto fail;
#ifdef SB_SANITIZER
	for (i = 0; i < sizeof(sb_sanitizer) / sizeof(sb_sanitizer[0]); i++)
		if ((rc = sb_add(ctx, p, (r = &sb_sanitizer[i]))) < 0)
			goto fail;
#endif
	for (i = 0; i < p->nrules; i++)
		if ((rc = sb_add(ctx, p, (r = &p->rules[i]))) < 0)
			goto fail;
	r = NULL;
	if ((rc = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	snprintf(why, why_len, "seccomp filter%s%s: %s", r ? ", rule " : "",
	    r ? r->name : "", strerror(-rc));
	seccomp_release(ctx);
	errno = -rc;
	return -1;
}

#ifdef SB_SANITIZER
/* LSan's tracer must be able to attach at exit: a uid change cleared it. */
static void
sb_dumpable(void)
{
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}
#endif

int
sandbox_enter(const struct sandbox_profile *p, char *why, size_t why_len)
{
	struct sigaction sa;
	struct rlimit rl;
	uid_t ru, eu, su;
	int highest;

#ifdef SB_SANITIZER
	__sanitizer_sandbox_on_notify(NULL);
#endif
	if (p->uid == 0) {
		snprintf(why, why_len, "no user to drop to (uid 0)");
		errno = EPERM;
		return -1;
	}
	if (sb_check_fds(p, &highest) == -1) {
		snprintf(why, why_len, "listing /proc/self/fd: %s",
		    strerror(errno));
		return -1;
	}
	/* localtime_r must have read /etc/localtime before the chroot. */
	tzset();
	sb_names_init();
#ifdef SB_SANITIZER
	log_info("sandbox: entering (user %lu, sanitizer profile: no chroot, "
	    "LSan's tracer allowed, %zu+%zu+%zu rules)", (unsigned long)p->uid,
	    sizeof(sb_common) / sizeof(sb_common[0]),
	    sizeof(sb_sanitizer) / sizeof(sb_sanitizer[0]), p->nrules);
#else
	log_info("sandbox: entering (user %lu, %s%s, %zu+%zu rules)",
	    (unsigned long)p->uid, p->root ? "chroot " : "no chroot",
	    p->root ? p->root : "", sizeof(sb_common) / sizeof(sb_common[0]),
	    p->nrules);
#endif
#ifndef SB_SANITIZER
	/* LSan needs /proc at exit; the filter denies every path anyway. */
	if (p->root != NULL && (chroot(p->root) == -1 || chdir("/") == -1)) {
		snprintf(why, why_len, "chroot %s: %s", p->root,
		    strerror(errno));
		return -1;
	}
#endif
	if (setgroups(0, NULL) == -1 || setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1) {
		snprintf(why, why_len, "dropping to uid %lu gid %lu: %s",
		    (unsigned long)p->uid, (unsigned long)p->gid,
		    strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) == -1 || ru != p->uid || eu != p->uid ||
	    su != p->uid || setuid(0) != -1) {
		snprintf(why, why_len, "uid %lu did not stick", (unsigned long)
		    p->uid);
		errno = EPERM;
		return -1;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)highest + 1;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		goto rlimit;
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		goto rlimit;
	/*
	 * No RLIMIT_NPROC 0 (design 1.4 had it): io_uring's io-wq threads
	 * count against it and their work is then cancelled (ECANCELED on
	 * every write punted to io-wq; found by blk-fio-indirect on a loop
	 * device).  fork, vfork, clone and clone3 are not in the filter.
	 */
#ifdef SB_SANITIZER
	atexit(sb_dumpable);
#endif
	/* exec of /proc/self/exe made comm "exe"; ps -o args has the title. */
	prctl(PR_SET_NAME, p->name, 0, 0, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sb_sigsys;
	sa.sa_flags = SA_SIGINFO;	/* no SA_NODEFER: blocked in the handler */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1) {
		snprintf(why, why_len, "SIGSYS handler: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(why, why_len, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	return sb_filter(p, why, why_len);
rlimit:
	snprintf(why, why_len, "setrlimit: %s", strerror(errno));
	return -1;
}

/* ---- parent side ------------------------------------------------------------ */

int
sandbox_user(const char *user, uid_t *uid, gid_t *gid, char *why,
    size_t why_len)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		snprintf(why, why_len, "user \"%s\" does not exist: workers "
		    "run as it.  Create it (useradd -r -d /nonexistent -s "
		    "/usr/sbin/nologin %s) or name another with -u", user, user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(why, why_len, "user \"%s\" has uid 0: workers must "
		    "not run as root", user);
		errno = EPERM;
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
sandbox_empty_dir(const char *path, char *why, size_t why_len)
{
	char up[PATH_MAX], *slash;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (strlen(path) >= sizeof(up)) {
		errno = ENAMETOOLONG;
		snprintf(why, why_len, "%s: path too long", path);
		return -1;
	}
	strcpy(up, path);
	if ((slash = strrchr(up, '/')) != NULL && slash != up) {
		*slash = '\0';
		if (mkdir(up, 0755) == -1 && errno != EEXIST)
			goto sys;
	}
	if (mkdir(path, 0555) == -1 && errno != EEXIST)
		goto sys;
	if (lstat(path, &st) == -1)
		goto sys;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0222) != 0) {
		/* A worker's root must give it nothing to write or follow. */
		if (S_ISDIR(st.st_mode) && st.st_uid == 0 &&
		    chmod(path, 0555) == 0)
			goto empty;
		snprintf(why, why_len, "%s: not a directory owned by root and "
		    "read-only", path);
		errno = EPERM;
		return -1;
	}
empty:
	if ((d = opendir(path)) == NULL)
		goto sys;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			snprintf(why, why_len, "%s: not empty (%s)", path,
			    de->d_name);
			closedir(d);	/* frees de */
			errno = ENOTEMPTY;
			return -1;
		}
	closedir(d);
	return 0;
sys:
	snprintf(why, why_len, "%s: %s", path, strerror(errno));
	return -1;
}

int
sandbox_ugid(const char *s, uid_t *uid, gid_t *gid)
{
	char buf[32], *colon;
	uint64_t u, g;

	if (strlen(s) >= sizeof(buf) || (colon = strchr(s, ':')) == NULL) {
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, s);
	buf[colon - s] = '\0';
	if (parse_uint(buf, UINT32_MAX - 1, &u) == -1 ||
	    parse_uint(buf + (colon - s) + 1, UINT32_MAX - 1, &g) == -1 ||
	    u == 0) {
		errno = EINVAL;
		return -1;
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

const char *
sandbox_syscall_name(int nr)
{
	/* libseccomp's table; the string is static (never freed here). */
	static char buf[8][32];
	static unsigned int next;
	char *s;

	if ((s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr)) == NULL)
		return "?";
	next = (next + 1) % 8;
	snprintf(buf[next], sizeof(buf[next]), "%s", s);
	free(s);
	return buf[next];
}

static void
sb_print_rows(FILE *f, const struct sandbox_rule *r, size_t n)
{
	static const char *const roles[] = { "chan", "store", "evtchn",
	    "gntdev", "tap" };
	char lim[96];
	size_t i, len;
	unsigned int k;

	for (i = 0; i < n; i++) {
		lim[0] = '\0';
		for (k = 0; k < r[i].nargs; k++) {
			const struct sandbox_arg *a = &r[i].a[k];

			len = strlen(lim);
			switch (a->op) {
			case SB_FD:
				snprintf(lim + len, sizeof(lim) - len,
				    "%sarg%u=%s", k ? " " : "", a->arg,
				    a->v < SB_ROLE_MAX ? roles[a->v] : "?");
				break;
			default:
				snprintf(lim + len, sizeof(lim) - len,
				    "%sarg%u%s%#llx", k ? " " : "", a->arg,
				    a->op == SB_EQ ? "==" : a->op == SB_NE ?
				    "!=" : a->op == SB_CLEAR ? "&~" : "&=",
				    (unsigned long long)a->v);
				break;
			}
		}
		fprintf(f, "%-16s %-28s %s\n", r[i].name, lim[0] ? lim : "-",
		    r[i].why);
	}
}

void
sandbox_print(FILE *f, const char *daemon, const struct sandbox_rule *rules,
    size_t nrules)
{
	size_t i;

	fprintf(f, "# %s worker seccomp allowlist (x86_64); anything else "
	    "traps.\n# Denied with EACCES and reported: ", daemon);
	for (i = 0; i < sizeof(sb_deny) / sizeof(sb_deny[0]); i++)
		fprintf(f, "%s%s", i ? ", " : "", sandbox_syscall_name(sb_deny[i]));
	fprintf(f, ".\n# Any other: reported, the worker dies by SIGSYS.\n"
	    "# syscall        limits                       why\n");
	sb_print_rows(f, sb_common, sizeof(sb_common) / sizeof(sb_common[0]));
#ifdef SB_SANITIZER
	sb_print_rows(f, sb_sanitizer,
	    sizeof(sb_sanitizer) / sizeof(sb_sanitizer[0]));
#endif
	fprintf(f, "# %s\n", daemon);
	sb_print_rows(f, rules, nrules);
}
