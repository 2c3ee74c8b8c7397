/*
 * ev.h - the event loop: libevent behind a small API (after bhyve's mevent).
 *
 * Events are persistent.  An fd event may be created disabled and enabled
 * later, which is how a device applies back-pressure (stop reading a source
 * until the guest has room).  Signals and timers are events like any other.
 * The library never exits; errors are returned as -1 with errno set.
 */
#ifndef XB_EV_H
#define XB_EV_H

#include <stdbool.h>

struct ev_base;
struct ev;

/* Callback for every kind of event; fd is -1 for timers, the signo for signals. */
typedef void ev_cb(int fd, void *arg);

/* Create an event base.  Returns NULL on failure. */
struct ev_base	*ev_base_new(void);

/* Free a base; every event on it must have been freed first. */
void		 ev_base_free(struct ev_base *);

/*
 * Watch fd for readability (persistent).  If enabled is false the event is
 * created but not armed until ev_enable().  Returns NULL on failure.
 */
struct ev	*ev_read(struct ev_base *, int fd, bool enabled, ev_cb *, void *arg);

/* Watch fd for writability (persistent), created disabled. */
struct ev	*ev_write(struct ev_base *, int fd, ev_cb *, void *arg);

/* Deliver signal signo as an event on this base. */
struct ev	*ev_signal(struct ev_base *, int signo, ev_cb *, void *arg);

/*
 * Create a timer.  It is not armed; ev_timer_arm() arms it once (one-shot)
 * after ms milliseconds.
 */
struct ev	*ev_timer(struct ev_base *, ev_cb *, void *arg);
int		 ev_timer_arm(struct ev *, unsigned int ms);

/* Arm / disarm an fd or timer event.  Both are idempotent. */
int		 ev_enable(struct ev *);
int		 ev_disable(struct ev *);

/* Disarm and free an event; NULL is accepted. */
void		 ev_free(struct ev *);

/* Run until ev_break() is called or no events remain.  Returns 0 or -1. */
int		 ev_dispatch(struct ev_base *);

/* Make ev_dispatch() return after the current callback. */
void		 ev_break(struct ev_base *);

#endif
