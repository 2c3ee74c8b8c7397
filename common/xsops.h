/*
 * xsops.h - private to xs.c and xsp.c: the operations behind a struct xsc.
 *
 * xs.c implements them on libxenstore (the parent, consoled); xsp.c on the
 * worker's channel to its parent (the xenstore proxy).  Callers see only
 * xs.h.  Every member returns as the xs.h function of the same name; the
 * watch list and tokens stay in xs.c, which calls watch()/unwatch() with
 * the path and token of an entry, and xsc_fire() delivers an event.
 */
#ifndef XB_XSOPS_H
#define XB_XSOPS_H

#include "xs.h"

struct xsc_ops {
	char	*(*read)(void *impl, xs_transaction_t, const char *path,
		    unsigned int *len);
	int	 (*write)(void *impl, xs_transaction_t, const char *path,
		    const char *value, size_t len);
	int	 (*rm)(void *impl, xs_transaction_t, const char *path);
	char	**(*directory)(void *impl, xs_transaction_t, const char *path,
		    unsigned int *n);
	int	 (*watch)(void *impl, const char *path, const char *token);
	void	 (*unwatch)(void *impl, const char *path, const char *token);
	xs_transaction_t (*txn_begin)(void *impl);
	int	 (*txn_end)(void *impl, xs_transaction_t, int abort);
	int	 (*domain_exists)(void *impl, unsigned int domid);
	/* 0 and *domid, or -1; NULL: read the "domid" key. */
	int	 (*self_domid)(void *impl, unsigned int *domid);
	void	 (*close)(void *impl);
};

/* A connection over ops; impl is closed with ops->close by xsc_close(). */
struct xsc	*xsc_new(struct ev_base *, const struct xsc_ops *, void *impl);

/*
 * Register every watch again (the proxy's parent was re-executed and its
 * connection, with the watches, is new).  Each fires once, as when added.
 */
void		 xsc_rewatch(struct xsc *);

/* A watch with this token fired for path: run its callback, if it still exists. */
void		 xsc_fire(struct xsc *, const char *token, const char *path);

#endif
