/*
 * test_sandbox.c - common/sandbox.c in a forked child (it confines the
 * calling process): a denied call fails with EACCES and reports
 * PROC_DENIED "<nr> <name>" on fd 3; a kill-class call reports
 * PROC_SECCOMP and the child dies by SIGSYS; a stray fd naming a file is
 * closed; the uid sticks.  Unit tests are ASan builds, so this also shows
 * the sanitizer profile lets the child run and exit.  Needs root (chroot,
 * setresuid); as another user those tests fail and say so, never skipped.
 * Also the parent-side helpers.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "sandbox.h"

static const struct sandbox_rule rules[] = {
	SB_ALLOW(write, "test"),
};

static char root[64];		/* /tmp/test_sandbox.<pid>, made by setup */

/*
 * Fork a child with one end of a socketpair as fd 3, confine it, run
 * body; the parent gets the other end and the pid.
 */
static pid_t
confined(void (*body)(void), int *chan)
{
	struct sandbox_profile p;
	char why[256];
	int sv[2], stray;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		if (dup2(sv[1], PROC_CHAN_FD) == -1)
			_exit(10);
		/* A file fd nobody handed over: closed by sandbox_enter. */
		stray = open("/etc/hostname", O_RDONLY);
		sandbox_profile_init(&p);
		p.name = "test_sandbox";
		p.root = root;
		p.uid = 65534;
		p.gid = 65534;
		p.rules = rules;
		p.nrules = 1;
		sandbox_profile_fd(&p, SB_CHAN, PROC_CHAN_FD);
		if (sandbox_enter(&p, why, sizeof(why)) == -1) {
			fprintf(stderr, "sandbox_enter: %s\n", why);
			_exit(11);
		}
		if (stray >= 0 && fcntl(stray, F_GETFD) != -1)
			_exit(12);
		if (getuid() != 65534 || geteuid() != 65534)
			_exit(13);
		body();
		_exit(0);
	}
	assert_true(pid > 0);
	close(sv[1]);
	*chan = sv[0];
	return pid;
}

static void
try_denied(void)
{
	int fd;

	fd = open("/etc/passwd", O_RDONLY);
	if (fd != -1 || errno != EACCES)
		_exit(20);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd != -1 || errno != EACCES)
		_exit(21);
}

static void
try_killed(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	_exit(30);		/* not reached */
}

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		fail_msg("needs root (chroot, setresuid): run the unit "	\
		    "tests as root, as make check does");			\
} while (0)

/* The empty root the confined children chroot to (as root only). */
static int
setup_root(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(root, sizeof(root), "/tmp/test_sandbox.%ld", (long)getpid());
	if (mkdir(root, 0555) == -1 || chmod(root, 0555) == -1)
		return -1;
	return 0;
}

static int
cleanup(void **state)
{
	(void)state;
	rmdir(root);
	return 0;
}

static void
expect(int chan, uint32_t type, const char *data)
{
	struct proc_msg m;

	assert_int_equal(proc_recv(chan, &m), 1);
	assert_int_equal(m.type, type);
	assert_string_equal(m.data, data);
}

static void
test_denied(void **state)
{
	int chan, status;
	pid_t pid;

	(void)state;
	NEED_ROOT();
	pid = confined(try_denied, &chan);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	expect(chan, PROC_DENIED, "257 openat");
	expect(chan, PROC_DENIED, "41 socket");
	close(chan);
}

static void
test_killed(void **state)
{
	int chan, status;
	pid_t pid;

	(void)state;
	NEED_ROOT();
	pid = confined(try_killed, &chan);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	expect(chan, PROC_SECCOMP, "101 ptrace");
	close(chan);
}

static void
test_helpers(void **state)
{
	char why[256], dir[64], f[80];
	uid_t u;
	gid_t g;
	int fd;

	(void)state;
	assert_int_equal(sandbox_ugid("990:991", &u, &g), 0);
	assert_int_equal(u, 990);
	assert_int_equal(g, 991);
	assert_int_equal(sandbox_ugid("0:0", &u, &g), -1);
	assert_int_equal(sandbox_ugid("990", &u, &g), -1);
	assert_int_equal(sandbox_ugid("990:x", &u, &g), -1);
	assert_int_equal(sandbox_user("no-such-user-xb", &u, &g, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "no-such-user-xb"));
	assert_int_equal(sandbox_user("root", &u, &g, why, sizeof(why)), -1);
	assert_string_equal(sandbox_syscall_name(101), "ptrace");
	NEED_ROOT();
	snprintf(dir, sizeof(dir), "/tmp/test_sandbox_e.%ld", (long)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(sandbox_empty_dir(dir, why, sizeof(why)), 0);
	snprintf(f, sizeof(f), "%s/x", dir);
	chmod(dir, 0755);
	assert_true((fd = open(f, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(sandbox_empty_dir(dir, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not empty"));
	unlink(f);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, setup_root, cleanup);
}
