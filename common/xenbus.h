/*
 * xenbus.h - the backend side of the xenbus protocol (io/xenbus.h).
 *
 * Two layers:
 *  - xb_next(): the state machine as a pure function of what xenstore shows
 *    (unit-tested, no I/O).  It covers every transition of io/xenbus.h that
 *    a backend must handle, including skipped frontend states (Mini-OS writes
 *    Connected straight from Initialising), reconnect after Closed, toolstack
 *    detach (online=0 + Closing) and teardown when either directory vanishes.
 *  - struct xb_dev: one backend device bound to a xenstore connection; it
 *    watches both ends, runs xb_next() and calls the device model's ops.
 *    What is logged while it handles a change (its state lines, the
 *    lines the ops log, xb_dev_fatal()/xb_dev_error()) goes through the
 *    device's lifecycle rate limit (log.h, LOG_LIMIT_*); "releasing device"
 *    never does.
 *
 * The rules are collected, with their sources, in docs/ARCHITECTURE.md
 * ("xenbus state machine").
 */
#ifndef XB_XENBUS_H
#define XB_XENBUS_H

#include <stdbool.h>

#include <xen/io/xenbus.h>

#include "xs.h"

/* Key names used by every backend (written once, here). */
#define XB_KEY_STATE		"state"
#define XB_KEY_ONLINE		"online"
#define XB_KEY_FRONTEND		"frontend"
#define XB_KEY_FRONTEND_ID	"frontend-id"
#define XB_KEY_HOTPLUG_STATUS	"hotplug-status"
#define XB_KEY_HOTPLUG_ERROR	"hotplug-error"

/* Printable name of a xenbus state ("Connected"); "Unknown" for garbage. */
const char	*xb_state_name(int state);

/* Everything xb_next() decides on, as read from xenstore. */
struct xb_view {
	int	be_state;	/* backend state node (ours; the toolstack may set Closing) */
	int	fe_state;	/* frontend state; XenbusStateUnknown if absent or garbage */
	bool	be_present;	/* backend directory exists */
	bool	fe_present;	/* frontend directory exists and its domain lives */
	bool	fe_unwritten;	/* its domain lives, the directory has no state yet */
	bool	online;		/* backend "online" is 1 (toolstack: 0 means detach) */
	bool	hotplug_ok;	/* hotplug-status is "connected" */
	bool	ready;		/* the device side (backing store) is usable */
	bool	reattach;	/* a restarted backend may take over a Connected ring */
};

enum xb_action {
	XB_NONE,	/* nothing to do now */
	XB_INITWAIT,	/* advertise features, switch to InitWait */
	XB_CONNECT,	/* read the frontend's rings, connect, switch to Connected */
	XB_CLOSING,	/* switch to Closing, keep serving (frontend must notice) */
	XB_CLOSE,	/* disconnect (after in-flight I/O), switch to Closed */
	XB_DESTROY,	/* disconnect and release the device for good */
	XB_FATAL,	/* frontend broke the protocol: error node, Closing */
};

/*
 * Decide the next action.  *why (may be NULL) receives a short static
 * explanation for logs.  Applying the action changes be_state, so callers
 * loop until XB_NONE.
 */
enum xb_action	 xb_next(const struct xb_view *, const char **why);

/* Printable name of an action. */
const char	*xb_action_name(enum xb_action);

struct xb_dev;

/* What a device model plugs into struct xb_dev.  Every member is required. */
struct xb_dev_ops {
	/*
	 * Before the first InitWait: write the feature keys the frontend reads
	 * (e.g. feature-max-indirect-segments).  Return 0, or -1 to fail the
	 * device (it goes Closed).
	 */
	int	(*probe)(struct xb_dev *, void *arg);
	/*
	 * Frontend is Initialised/Connected and the backend is ready: read the
	 * frontend's keys, map rings, bind event channels and write the
	 * connect-time keys in one transaction.  Return 0 (xb_dev then writes
	 * Connected), or -1 after calling xb_dev_fatal().
	 */
	int	(*connect)(struct xb_dev *, void *arg);
	/*
	 * Stop serving and release rings and event channels.  Return 0, or -1
	 * with errno EBUSY if I/O is still in flight (call xb_dev_kick() when
	 * it has drained).  Must be safe to call when not connected.
	 */
	int	(*disconnect)(struct xb_dev *, void *arg);
	/* The device is gone for good (after disconnect).  Typically exits. */
	void	(*destroy)(struct xb_dev *, void *arg);
};

/*
 * Bind a device: backend directory /local/domain/<self>/backend/<type>/<domid>/<devid>.
 * Reads the toolstack's "frontend" key and watches both ends.  Nothing is
 * written until xb_dev_start().  Returns NULL on failure.
 */
struct xb_dev	*xb_dev_new(struct xsc *, const char *type, unsigned int self,
		    unsigned int domid, unsigned int devid,
		    const struct xb_dev_ops *, void *arg);

/* Start the state machine (evaluates xenstore once and on every change). */
void		 xb_dev_start(struct xb_dev *);

/* Unwatch and free.  Does not touch xenstore. */
void		 xb_dev_free(struct xb_dev *);

/* Re-evaluate now (after I/O drained, the backing became ready, ...). */
void		 xb_dev_kick(struct xb_dev *);

/* Mark the device side ready / not ready (feeds xb_view.ready). */
void		 xb_dev_set_ready(struct xb_dev *, bool);

/*
 * No hotplug script runs for this device type (consoles: libxl runs none),
 * so do not wait for hotplug-status=connected.  Call before xb_dev_start().
 */
void		 xb_dev_set_no_hotplug(struct xb_dev *);

/*
 * A device found Connected with an Initialised/Connected frontend that this
 * process has not connected (the backend restarted) gets XB_CONNECT again:
 * for rings whose state lives wholly in the shared page (consoles).  Call
 * before xb_dev_start().
 */
void		 xb_dev_set_reattach(struct xb_dev *);

/*
 * The frontend did something impossible: write "<err> <message>" to
 * error/<backend path>/error (as Linux's xenbus_dev_fatal does), log it once
 * and switch to Closing.  The device stops being served until the frontend
 * reconnects.
 */
void		 xb_dev_fatal(struct xb_dev *, int err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Write an error node without changing state (used before a worker exists
 * or when the backing store cannot be opened).
 */
void		 xb_dev_error(struct xb_dev *, int err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Fail a device that has no worker (e.g. its backing store cannot be
 * opened): write the error node and switch the backend to Closed, unless
 * the toolstack already removed the directory.  libxl, waiting for InitWait,
 * then reports the device as failed.  Returns 0 or -1.
 */
int		 xb_backend_fail(struct xsc *, const char *type, unsigned int self,
		    unsigned int domid, unsigned int devid, int err,
		    const char *msg);

/* Accessors. */
struct xsc	*xb_dev_xsc(struct xb_dev *);
const char	*xb_dev_bepath(struct xb_dev *);	/* no trailing slash */
const char	*xb_dev_fepath(struct xb_dev *);
unsigned int	 xb_dev_domid(struct xb_dev *);
unsigned int	 xb_dev_devid(struct xb_dev *);
int		 xb_dev_state(struct xb_dev *);		/* backend state last written */

/*
 * Write <backend>/<key> = value inside transaction t (XBT_NULL for none).
 * Returns 0 or -1.
 */
int		 xb_dev_printf(struct xb_dev *, xs_transaction_t t, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Read <frontend>/<key>; malloc'd string or NULL (errno). */
char		*xb_dev_fe_read(struct xb_dev *, const char *key);

/* Read <frontend>/<key> as an unsigned integer bounded by max (see xsc_read_uint). */
int		 xb_dev_fe_uint(struct xb_dev *, const char *key, uint64_t max,
		    uint64_t *out);

/*
 * Read <frontend>/<key>, a number the device cannot work without, as an
 * unsigned integer in [0, max].  If it is absent or not such a number,
 * fail the device with xb_dev_fe_bad() and return -1.
 */
int		 xb_dev_fe_need(struct xb_dev *, const char *key, uint64_t max,
		    uint64_t *out);

/*
 * The frontend's <key> is unusable as a number in [0, max]: xb_dev_fatal()
 * with one line naming the key, the value as written (escaped, cut short)
 * and why (parse_uint_why(), with the maximum when it is too big), e.g.
 * 'frontend ring-ref "12x": not a decimal number'.  For callers that found
 * the bad key themselves (ring_read_refs()).
 */
void		 xb_dev_fe_bad(struct xb_dev *, const char *key, uint64_t max);

/* Read <backend>/<key>; malloc'd string or NULL (errno). */
char		*xb_dev_be_read(struct xb_dev *, const char *key);

#endif
