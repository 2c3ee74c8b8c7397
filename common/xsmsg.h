/*
 * xsmsg.h - the wire format of the xenstore proxy (pure; no I/O).
 *
 * A worker holds no xenstore connection: it asks its parent (xsproxy.h)
 * over its channel (proc.h) with PROC_XS_REQ messages and waits for the
 * PROC_XS_RPL with the same sequence number; the parent forwards watch
 * events as PROC_XS_WATCH.  Integers are host-endian (both ends are the
 * same binary on the same machine).  Decoders take any bytes a hostile
 * peer may send: every length is checked, nothing is assumed terminated.
 *
 *   request  op, seq, txn, arg (4 x u32), then path NUL, then value bytes
 *            (XSM_WRITE only; the rest of the message, no NUL needed)
 *   reply    seq, err (errno, 0 = done), val (u32), then payload:
 *            XSM_READ the value; XSM_DIRECTORY the names, each NUL-ended
 *   watch    token (u32), then the fired path NUL
 */
#ifndef XB_XSMSG_H
#define XB_XSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

enum xsm_op {
	XSM_READ = 1,		/* path -> value */
	XSM_WRITE,		/* path, value */
	XSM_RM,			/* path */
	XSM_DIRECTORY,		/* path -> names */
	XSM_WATCH,		/* path, arg = token */
	XSM_UNWATCH,		/* arg = token */
	XSM_TXN_BEGIN,		/* -> val = transaction id */
	XSM_TXN_END,		/* txn, arg = abort */
	XSM_DOMAIN_EXISTS,	/* arg = domid -> val = 0/1 */
	XSM_SELF_DOMID,		/* -> val = the backend domain */
	XSM_OP_MAX = XSM_SELF_DOMID
};

#define XSM_REQ_HDR	16
#define XSM_RPL_HDR	12
#define XSM_WATCH_HDR	4
/* Largest reply payload: more is refused with E2BIG by the parent. */
#define XSM_PAYLOAD_MAX	(PROC_MSG_MAX - XSM_RPL_HDR)

struct xsm_req {
	uint32_t	 op, seq, txn, arg;
	const char	*path;		/* NULL for ops without one */
	const char	*value;		/* XSM_WRITE: not NUL-terminated */
	size_t		 vlen;
};

struct xsm_rpl {
	uint32_t	 seq, val;
	int32_t		 err;
	const char	*data;
	size_t		 len;
};

/* Does op take a path? */
int	xsm_op_has_path(uint32_t op);

/* Name of op for log lines ("write"), or "unknown". */
const char *xsm_op_name(uint32_t op);

/*
 * Encode into buf (size cap).  Return the length, or -1 with errno
 * E2BIG (does not fit) or EINVAL (a path missing or empty).
 */
int	xsm_req_encode(char *buf, size_t cap, const struct xsm_req *);
int	xsm_rpl_encode(char *buf, size_t cap, const struct xsm_rpl *);
int	xsm_watch_encode(char *buf, size_t cap, uint32_t token,
	    const char *path);

/*
 * Decode len bytes of buf; the result points into buf.  Return 0, or -1
 * with errno EPROTO (short, unknown op, path not NUL-terminated or empty,
 * bytes where none belong).
 */
int	xsm_req_decode(const char *buf, size_t len, struct xsm_req *);
int	xsm_rpl_decode(const char *buf, size_t len, struct xsm_rpl *);
int	xsm_watch_decode(const char *buf, size_t len, uint32_t *token,
	    const char **path);

/*
 * Split a XSM_DIRECTORY payload into a malloc'd array of *n names (one
 * free() releases it and the strings), as xs_directory() returns them.
 * NULL with errno EPROTO (not NUL-ended, an empty name) or ENOMEM.
 */
char	**xsm_dir_split(const char *data, size_t len, unsigned int *n);

#endif
