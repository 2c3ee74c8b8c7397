/*
 * xsfront.h - what xbfront-xs's two files share: xsfront.c (the frontend
 * directory, refusals, a correct connection and its service, main) and
 * xsmodes.c (the attacks).  See xsfront.c for the tool.
 */
#ifndef XB_XSFRONT_H
#define XB_XSFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "front.h"

#define PAGE		4096u
#define REFUSE_MS	10000	/* a refusal must come within this */
#define BAD_REF		"268435455"	/* 2^28-1: past any grant table */
#define MAX_KV		24
#define MAX_WRITTEN	64

enum type { T_VBD, T_VIF, T_CONS };

struct kv {
	const char	*key;
	const char	*val;		/* NULL: absent */
};

struct xsf {
	struct xfront	 x;		/* front.h */
	enum type	 type;
	/* the valid-looking connection: ring pages, a data page, a port */
	void		*ring[2];
	uint32_t	 ref[2];
	void		*data;
	uint32_t	 dref;
	evtchn_port_t	 port;
	bool		 have_port;
	char		 sref[2][16], sport[16];
	char		*written[MAX_WRITTEN];	/* keys our last write made */
	unsigned int	 nwritten;
	unsigned int	 besmax_q;	/* backend's multi-queue-max-queues */
	unsigned int	 besmax_order;	/* backend's max-ring-page-order */
	uint64_t	 reqid;
};

/* The name of a xenbus state ("Connected"; "absent" for -1). */
const char	*sname(int);

/* Write / remove KEY of our frontend directory in t; die on failure. */
void	 put(struct xsf *, xs_transaction_t, const char *key, const char *val);
void	 rm(struct xsf *, xs_transaction_t, const char *key);
void	 set_state(struct xsf *, int);
/* The state a correct frontend of our type announces its keys with. */
int	 ready_state(struct xsf *);
/*
 * In one transaction: remove what the last put_keys() wrote, write the
 * keys a correct frontend of our type writes with over[] applied (a NULL
 * value: absent), then the state.
 */
void	 put_keys(struct xsf *, const struct kv *over, size_t, int state);
/*
 * Poll the backend's state for up to ms until it is a or b; *conn (may
 * be NULL) is set if it was Connected meanwhile.  The last state.
 */
int	 watch_be(struct xsf *, int a, int b, int ms, bool *conn);

/*
 * One attack: the good keys with over[] applied and state (refuse(): the
 * state a correct frontend announces its keys with); the backend must
 * refuse (Closing, or Closed unless it was Closed already; never
 * Connected).  Then Closed, and Initialising again (not for consoles).
 * refuse1(): one key set to val (NULL: absent).
 */
void	 refuse_st(struct xsf *, const char *what, const struct kv *, size_t,
	    int state);
void	 refuse(struct xsf *, const char *what, const struct kv *, size_t);
void	 refuse1(struct xsf *, const char *key, const char *val);

/*
 * A correct connection on new ring pages and a new port (state Connected
 * straight from Initialising if skip), checked to be served; a clean
 * close.
 */
bool	 connect_good(struct xsf *, const char *what, bool skip);
void	 close_good(struct xsf *, const char *what);

/*
 * Zero and initialise the ring pages of the last connection, for a
 * reconnect on them; only while the backend is not connected.
 */
void	 init_rings(struct xsf *);

/* xsmodes.c: the type's ring-ref key (i: 0 tx, 1 rx) and port key. */
const char	*ringkey(struct xsf *, int i);
const char	*portkey(struct xsf *);

struct xs_mode {
	const char	*name;
	unsigned int	 types;		/* 1 << enum type */
	void		(*fn)(struct xsf *);
};
extern const struct xs_mode	xs_modes[];
extern const size_t		xs_nmodes;

#endif
