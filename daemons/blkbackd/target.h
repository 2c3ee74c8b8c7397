/*
 * target.h - what a vbd's xenstore "params" names, and opening it (parent).
 *
 * The toolstack writes the xl disk "target" into backend/vbd/.../params.
 * The parent parses it here (pure, unit-tested), opens it with its
 * privileges and hands the worker one fd plus a store argument.
 *
 * Accepted forms:
 *
 *	/abs/path				regular file or block device
 *	nbd+unix:///EXPORT?socket=/abs.sock	NBD over a unix socket
 *	nbd://HOST[:PORT][/EXPORT]		NBD over TCP (port 10809)
 *	nbd:unix:/abs.sock[:exportname=EXPORT]	QEMU's legacy syntax
 *	nbd:HOST[:PORT][:exportname=EXPORT]	QEMU's legacy syntax, TCP
 *
 * The URI forms follow the NBD URI spec (NetworkBlockDevice/nbd
 * doc/uri.md, RFC 3986): the export name is the path without its leading
 * '/', percent-decoded, possibly empty; HOST may be a bracketed IPv6
 * literal (RFC 2732).  TLS (nbds, nbds+unix, tls-* parameters), user info,
 * fragments and unknown query parameters are refused, as the spec asks of
 * clients that do not understand them.  The legacy forms are not decoded.
 *
 * params comes from xenstore: nothing here trusts it, and every error
 * message shows it through log_escape().  Errors go into err; nothing here
 * exits.
 */
#ifndef BLK_TARGET_H
#define BLK_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum target_kind {
	TARGET_FILE = 1,	/* path: a regular file or block device */
	TARGET_NBD,		/* an NBD export (nbd_unix selects path or host/port) */
};

/* Default NBD port (IANA). */
#define TARGET_NBD_PORT		"10809"

/* Longest export name the NBD protocol carries (proto.md: strings <= 4096). */
#define TARGET_EXPORT_MAX	4096

/* How long target_open() waits for an NBD server to accept, in ms. */
#define TARGET_CONNECT_MS	5000

struct target {
	enum target_kind kind;
	bool		 nbd_unix;		/* NBD over a unix socket (path) */
	char		 path[PATH_MAX];	/* file/device, or the socket */
	char		 host[256];		/* NBD over TCP; IPv6 without [] */
	char		 port[32];		/* NBD over TCP; decimal */
	char		 export_name[TARGET_EXPORT_MAX + 1];	/* decoded */
};

/*
 * Parse params into *t.  Returns 0, or -1 with errno EINVAL (or
 * ENAMETOOLONG, ENOTSUP for TLS) and a message naming the offending part
 * in err[errlen].  Pure: no I/O.
 */
int	target_parse(const char *params, struct target *t, char *err,
	    size_t errlen);

/*
 * Open what t names.  A file or block device is opened read-write if
 * writable, else read-only (O_CLOEXEC, blocking; FIFOs and other file
 * types are refused without blocking).  For NBD, a SOCK_STREAM socket is
 * connected to the server within TARGET_CONNECT_MS and returned blocking
 * and close-on-exec; the server decides about writability, the worker
 * checks it.  Returns the fd, or -1 with errno and a message in err.
 * May block for up to TARGET_CONNECT_MS (and on a DNS lookup for TCP).
 */
int	target_open(const struct target *t, bool writable, char *err,
	    size_t errlen);

/*
 * The store argument the worker receives with the fd in the PROC_FD
 * message: "raw" for a file or device, "nbd:<export name>" for NBD.
 * Returns its length, or -1 (ENAMETOOLONG) if it does not fit in len
 * bytes with its NUL.
 */
int	target_store_arg(const struct target *t, char *buf, size_t len);

/*
 * Describe t for a log line ("file /x", "nbd unix:/s.sock export \"e\"",
 * "nbd [::1]:10809 export \"\""), every part escaped.  Returns buf.
 */
char	*target_describe(const struct target *t, char *buf, size_t len);

#endif
