/*
 * xs.h - xenstore connection: read/write/transaction helpers and watches
 * dispatched to callbacks from the event loop.
 *
 * Prefix xsc_ ("xenstore connection") because libxenstore owns xs_.
 * Functions return -1 (or NULL) with errno set; nothing here exits.
 */
#ifndef XB_XS_H
#define XB_XS_H

#include <stdarg.h>
#include <stdint.h>

#include <xenstore.h>

#include "ev.h"

struct xsc;
struct xsc_watch;

/*
 * Called from the event loop when something at or below the watched path
 * changed (or once right after the watch is added, as xenstore does).
 */
typedef void xsc_watch_cb(const char *path, void *arg);

/* Open a connection and register it with the event loop.  NULL on failure. */
struct xsc	*xsc_open(struct ev_base *);

/*
 * A worker's connection: no socket to xenstored, every call a request to
 * the parent over the worker's channel (xsp.c; the parent's side and what
 * it allows are in xsproxy.h).  Same API and semantics; calls fail with
 * EACCES for paths the parent refuses, E2BIG for a reply over
 * XSM_PAYLOAD_MAX, ETIMEDOUT if the parent does not answer within 10 s,
 * EPIPE once it is gone.  Watch events come from the loop as PROC_XS_WATCH
 * (the worker's wproc_on_msg() hook).  NULL on failure.
 */
struct wproc;
struct xsc	*xsc_open_proxy(struct wproc *);

/* The event loop the connection runs on (for a device's own timers). */
struct ev_base	*xsc_base(struct xsc *);

/* Remove every watch and close the connection. */
void		 xsc_close(struct xsc *);

/* Watch path; cb runs with the changed path.  Returns NULL on failure. */
struct xsc_watch *xsc_watch(struct xsc *, const char *path, xsc_watch_cb *, void *arg);

/* Remove a watch (NULL accepted).  No callback for it runs afterwards. */
void		 xsc_unwatch(struct xsc *, struct xsc_watch *);

/* Our own domain id ("domid" relative key), or -1. */
int		 xsc_self_domid(struct xsc *, unsigned int *domid);

/* Read path; returns a malloc'd NUL-terminated string or NULL (errno). */
char		*xsc_read(struct xsc *, xs_transaction_t, const char *path);

/*
 * Read path and parse it with parse_uint() bounded by max.
 * Returns 0, or -1 with errno ENOENT (missing), EINVAL or ERANGE.
 */
int		 xsc_read_uint(struct xsc *, xs_transaction_t, const char *path,
		    uint64_t max, uint64_t *out);

/* Read a path built with printf-style arguments (helper for the above). */
char		*xsc_readf(struct xsc *, xs_transaction_t, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Write a string / a printf-formatted value.  Returns 0 or -1. */
int		 xsc_write(struct xsc *, xs_transaction_t, const char *path,
		    const char *value);
int		 xsc_printf(struct xsc *, xs_transaction_t, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Remove path and everything below it.  Returns 0 or -1. */
int		 xsc_rm(struct xsc *, xs_transaction_t, const char *path);

/*
 * List the children of path.  Returns a malloc'd array (one free() releases
 * it and the strings) with *n entries, or NULL (errno; ENOENT if absent).
 */
char		**xsc_directory(struct xsc *, xs_transaction_t, const char *path,
		    unsigned int *n);

/* Does domain domid exist (is it introduced to xenstore)? */
int		 xsc_domain_exists(struct xsc *, unsigned int domid);

/*
 * Transactions.  xsc_txn_begin returns XBT_NULL on failure.  xsc_txn_end
 * commits (or aborts if abort is non-zero); it returns 0, or -1 with errno
 * EAGAIN when the transaction must be retried from the start.
 */
xs_transaction_t xsc_txn_begin(struct xsc *);
int		 xsc_txn_end(struct xsc *, xs_transaction_t, int abort);

/*
 * Run fn(c, t, arg) inside a transaction and commit, starting over (up to
 * 10 times) when xenstore reports a conflict.  fn returns 0, or -1 to abort
 * (errno kept).  Returns 0, or -1 with errno (EAGAIN if it never committed).
 */
int		 xsc_txn_run(struct xsc *,
		    int (*fn)(struct xsc *, xs_transaction_t, void *), void *arg);

#endif
