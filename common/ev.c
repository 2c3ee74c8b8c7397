/*
 * ev.c - see ev.h.  A thin layer so the rest of the tree never includes
 * libevent and the loop could be replaced without touching the daemons.
 */
#include <errno.h>
#include <stdlib.h>

#include <event2/event.h>

#include "ev.h"

struct ev_base {
	struct event_base	*eb;
};

struct ev {
	struct event	*e;
	ev_cb		*cb;
	void		*arg;
	int		 is_timer;
};

static void
ev_trampoline(evutil_socket_t fd, short what, void *arg)
{
	struct ev *ev = arg;

	(void)what;
	ev->cb(ev->is_timer ? -1 : (int)fd, ev->arg);
}

struct ev_base *
ev_base_new(void)
{
	struct ev_base *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->eb = event_base_new()) == NULL) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	return b;
}

void
ev_base_free(struct ev_base *b)
{
	if (b == NULL)
		return;
	event_base_free(b->eb);
	free(b);
}

static struct ev *
ev_new(struct ev_base *b, int fd, short what, ev_cb *cb, void *arg)
{
	struct ev *ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->cb = cb;
	ev->arg = arg;
	ev->is_timer = (what == 0);
	ev->e = event_new(b->eb, fd, what, ev_trampoline, ev);
	if (ev->e == NULL) {
		free(ev);
		errno = ENOMEM;
		return NULL;
	}
	return ev;
}

struct ev *
ev_read(struct ev_base *b, int fd, bool enabled, ev_cb *cb, void *arg)
{
	struct ev *ev;

	if ((ev = ev_new(b, fd, EV_READ | EV_PERSIST, cb, arg)) == NULL)
		return NULL;
	if (enabled && ev_enable(ev) == -1) {
		ev_free(ev);
		return NULL;
	}
	return ev;
}

struct ev *
ev_write(struct ev_base *b, int fd, ev_cb *cb, void *arg)
{
	return ev_new(b, fd, EV_WRITE | EV_PERSIST, cb, arg);
}

struct ev *
ev_signal(struct ev_base *b, int signo, ev_cb *cb, void *arg)
{
	struct ev *ev;

	if ((ev = ev_new(b, signo, EV_SIGNAL | EV_PERSIST, cb, arg)) == NULL)
		return NULL;
	if (ev_enable(ev) == -1) {
		ev_free(ev);
		return NULL;
	}
	return ev;
}

struct ev *
ev_timer(struct ev_base *b, ev_cb *cb, void *arg)
{
	return ev_new(b, -1, 0, cb, arg);
}

int
ev_timer_arm(struct ev *ev, unsigned int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return event_add(ev->e, &tv) == 0 ? 0 : -1;
}

int
ev_enable(struct ev *ev)
{
	if (event_pending(ev->e, EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT,
	    NULL))
		return 0;
	return event_add(ev->e, NULL) == 0 ? 0 : -1;
}

int
ev_disable(struct ev *ev)
{
	return event_del(ev->e) == 0 ? 0 : -1;
}

void
ev_free(struct ev *ev)
{
	if (ev == NULL)
		return;
	event_free(ev->e);
	free(ev);
}

int
ev_dispatch(struct ev_base *b)
{
	return event_base_dispatch(b->eb) == -1 ? -1 : 0;
}

void
ev_break(struct ev_base *b)
{
	event_base_loopbreak(b->eb);
}
