/*
 * xsproxy.h - the parent's side of the xenstore proxy: a worker holds no
 * xenstore connection (xsp.c), it sends requests over its channel and the
 * parent checks each path against what that one device needs, then runs
 * the call on its own connection and answers.
 *
 * Why a proxy: xenstored has no per-connection restriction any more
 * ("XS_RESTRICT has been removed", xen/include/public/io/xs_wire.h; Xen
 * 4.9), so a dom0 connection in a worker could rewrite any node, e.g.
 * another vbd's params.
 *
 * The policy, for the worker of <type> device <domid>/<devid> of backend
 * domain <self>:
 *   /local/domain/<self>/backend/<type>/<domid>/<devid>/...   read, directory,
 *       watch at or below; write, rm below (the toolstack owns the directory)
 *   /local/domain/<self>/error/backend/<type>/<domid>/<devid>  all of them,
 *       at or below (the device's error node, removed at start)
 *   /local/domain/<domid>/device/<type>/<devid>               read, directory,
 *       watch at or below (the frontend's keys and state)
 *   @releaseDomain                                            watch
 *   domain_exists                                             <domid> only
 * Paths must be absolute and canonical: only xenstore's node characters
 * (alphanumerics and "-/_@", xenstored's is_valid_nodename), no empty
 * component ("//"), no trailing "/", no "." or ".." component.  Anything
 * else is refused with EACCES and logged once per operation and path.
 * Values pass through unparsed.  A worker has at most XSPX_TXN_MAX open
 * transactions and XSPX_WATCH_MAX watches; both are dropped when it dies.
 */
#ifndef XB_XSPROXY_H
#define XB_XSPROXY_H

#include <sys/types.h>

#include <stdint.h>

struct proc_msg;
struct xsc;
struct xsproxy;

#define XSPX_TXN_MAX	2
#define XSPX_WATCH_MAX	8

/* The device a proxy serves. */
struct xspx_dev {
	const char	*type;		/* "vbd", "vif" */
	unsigned int	 self, domid, devid;
};

/*
 * May the worker of dev do op (enum xsm_op) on path?  Pure.  Returns 1 or
 * 0.  Ops without a path (transactions, unwatch, domid) are not decided
 * here; domain_exists is checked by xsproxy_request().
 */
int	xsproxy_allowed(const struct xspx_dev *, uint32_t op, const char *path);

/* Is path absolute and canonical in the sense above?  Pure. */
int	xsproxy_path_ok(const char *path);

/*
 * A proxy for the worker pid of dev on its channel chan (the parent's
 * non-blocking end), running calls on xsc.  dev->type is copied.  NULL on
 * failure (errno).
 */
struct xsproxy *xsproxy_new(struct xsc *, const struct xspx_dev *, pid_t pid,
		    int chan);

/* Answer one PROC_XS_REQ message (any bytes: a hostile worker sends it). */
void		 xsproxy_request(struct xsproxy *, const struct proc_msg *);

/*
 * For a worker adopted after the parent re-executed itself (its watches
 * went with the old connection): tell it to register them again
 * (PROC_XS_RESET).  Returns 0 or -1.
 */
int		 xsproxy_reset(struct xsproxy *);

/*
 * The worker is gone: remove its watches, abort its transactions, free.
 * NULL is accepted.
 */
void		 xsproxy_free(struct xsproxy *);

#endif
