/*
 * ctl.h - a daemon's control socket (docs/ARCHITECTURE.md "Control
 * socket"): an AF_UNIX stream socket, mode 0600, served from the event
 * loop.  A client connects, writes one request line (ctlfmt.h), reads the
 * reply until EOF.  Only peers with our uid are served (SO_PEERCRED), at
 * most CTL_CONNS_MAX at once; one that does not finish its request within
 * CTL_READ_MS, or does not read its reply within CTL_WRITE_MS, is closed.
 * Nothing here blocks: a slow or hostile client costs one fd and a timer.
 *
 * The daemon answers from its request callback or later (after asking its
 * workers): a connection lives until ctl_reply(), or ctl_free().
 */
#ifndef XB_CTL_H
#define XB_CTL_H

struct cbuf;
struct ctl;
struct ctl_conn;
struct ctl_req;
struct ev_base;

#define CTL_CONNS_MAX	8
#define CTL_READ_MS	2000
#define CTL_WRITE_MS	5000
/* Largest reply (ctlfmt.h cbuf max). */
#define CTL_REPLY_MAX	(4u << 20)

/*
 * A request arrived on conn; reply with ctl_reply() now or later.  A
 * malformed request gets "error: <why>" from here and never reaches it.
 */
typedef void ctl_request_fn(struct ctl_conn *, const struct ctl_req *,
    void *arg);

/*
 * Listen on path (its directory must exist; a stale socket there is
 * replaced) with mode 0600.  Returns NULL on failure (errno).
 */
struct ctl	*ctl_new(struct ev_base *, const char *path, ctl_request_fn *,
		    void *arg);

/*
 * Send b's bytes and close conn (b is freed).  If b->err is set, the
 * reply is "error: reply too large or out of memory" instead.
 */
void		 ctl_reply(struct ctl_conn *, struct cbuf *b);

/* Close every connection, the socket, and unlink path.  NULL is accepted. */
void		 ctl_free(struct ctl *);

#endif
