/*
 * proc.c - see proc.h.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

struct proc_hdr {
	uint32_t	type;
	uint32_t	len;
};

int
proc_send(int chan, uint32_t type, const void *data, size_t len, int fd)
{
	struct proc_hdr h;
	struct iovec iov[2];
	struct msghdr mh;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	ssize_t n;

	if (len > PROC_MSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	h.type = type;
	h.len = (uint32_t)len;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = len ? 2 : 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(chan, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n == -1 ? -1 : 0;
}

int
proc_recv(int chan, struct proc_msg *m)
{
	struct proc_hdr h;
	struct iovec iov[2];
	struct msghdr mh;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr *c;
	ssize_t n;

	m->fd = -1;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = m->data;
	iov[1].iov_len = PROC_MSG_MAX;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do {
		n = recvmsg(chan, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		return 0;
	/*
	 * Take exactly one fd; close any others a confused or hostile peer
	 * sent, so they cannot pile up in this process.
	 */
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->fd == -1 && nfd == 1)
				m->fd = fd;
			else
				close(fd);
		}
	}
	if ((size_t)n < sizeof(h) || h.len > PROC_MSG_MAX ||
	    (size_t)n != sizeof(h) + h.len ||
	    (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		errno = EPROTO;
		return -1;
	}
	m->type = h.type;
	m->len = h.len;
	m->data[h.len] = '\0';
	return 1;
}

/* Close every fd above PROC_CHAN_FD in the child (before exec). */
static void
proc_closefrom(int lowfd)
{
	DIR *d;
	struct dirent *de;
	int dfd;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		int fd;

		for (fd = lowfd; fd < 1024; fd++)
			close(fd);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (fd >= lowfd && fd != dfd)
			close(fd);
	}
	closedir(d);
}

pid_t
proc_spawn(const char *path, char *const argv[], int *chan)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	switch ((pid = fork())) {
	case -1:
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0: {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (sv[1] == PROC_CHAN_FD) {
			/* dup2 onto itself would keep FD_CLOEXEC set. */
			fcntl(PROC_CHAN_FD, F_SETFD, 0);
		} else if (dup2(sv[1], PROC_CHAN_FD) == -1)
			_exit(127);
		proc_closefrom(PROC_CHAN_FD + 1);
		execv(path, argv);
		_exit(127);
	}
	default:
		break;
	}
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1) {
		close(sv[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*chan = sv[0];
	return pid;
}

const char *
proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
		    strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}
