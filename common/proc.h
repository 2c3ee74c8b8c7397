/*
 * proc.h - parent/worker processes (after OpenBSD vmd's proc.c).
 *
 * The parent fork+execs one worker per device (fresh address space, a
 * readable process title) and talks to it over a SOCK_SEQPACKET socketpair
 * that can carry one fd per message (SCM_RIGHTS).  A worker reports READY
 * once its device is set up or ERROR with a reason; the parent may send
 * SHUTDOWN.  The parent reaps workers and says why each one ended.
 */
#ifndef XB_PROC_H
#define XB_PROC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* The worker finds its end of the channel on this fd. */
#define PROC_CHAN_FD	3

enum proc_msg_type {
	PROC_READY = 1,		/* worker -> parent: device set up */
	PROC_ERROR,		/* worker -> parent: setup failed, data = reason */
	PROC_SHUTDOWN,		/* parent -> worker: stop and exit */
	PROC_FD,		/* parent -> worker: an fd, data names it */
	PROC_DENIED = 8,	/* worker -> parent: seccomp refused syscall <data> */
	PROC_SECCOMP,		/* worker -> parent: dying by seccomp, syscall <data> */
	PROC_XS_REQ = 16,	/* worker -> parent: xenstore request (xsmsg.h) */
	PROC_XS_RPL,		/* parent -> worker: its reply */
	PROC_XS_WATCH,		/* parent -> worker: a watch fired */
	PROC_XS_RESET,		/* parent -> worker: new parent, watch again */
	PROC_STATS_REQ = 24,	/* parent -> worker: data = "<seq>" (ctlsup.h) */
	PROC_STATS_RPL,		/* worker -> parent: "<seq> <tokens>" (ctlfmt.h) */
};

/*
 * Room for a xenstore value (4 KiB, XENSTORE_PAYLOAD_MAX in
 * xen/io/xs_wire.h) or a directory listing with its header; a reply that
 * does not fit is refused with E2BIG (xsmsg.h).
 */
#define PROC_MSG_MAX	8192

struct proc_msg {
	uint32_t	type;
	uint32_t	len;			/* bytes used in data */
	char		data[PROC_MSG_MAX + 1];	/* NUL-terminated for convenience */
	int		fd;			/* -1 if none came with it */
};

/*
 * Send one message (data may be NULL when len is 0; fd -1 for none).
 * Returns 0 or -1.
 */
int	proc_send(int chan, uint32_t type, const void *data, size_t len, int fd);

/*
 * Receive one message.  Returns 1, 0 on EOF (peer gone), -1 on error
 * (EAGAIN on a non-blocking channel with nothing to read, EPROTO on a
 * malformed message).
 */
int	proc_recv(int chan, struct proc_msg *);

/*
 * Fork and exec path with argv.  The child gets its channel end as
 * PROC_CHAN_FD, keeps stdin/stdout/stderr, and closes every other fd.
 * On success *chan is the parent's end (non-blocking, close-on-exec) and
 * the child's pid is returned; -1 on failure.
 */
pid_t	proc_spawn(const char *path, char *const argv[], int *chan);

/* Describe a wait status ("exited 0", "killed by SIGSEGV") into buf. */
const char *proc_status_str(int status, char *buf, size_t len);

#endif
