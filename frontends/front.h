/*
 * front.h - what the userland frontends in frontends/ share: the
 * connection to one device of our own domain (xenstore, gntalloc, evtchn)
 * and the "ok <what>" / "FAIL <what>" result lines.
 *
 * Test tools, not daemons: a setup failure ends the program (die), a failed
 * check is counted (fail) and the run goes on.
 */
#ifndef XB_FRONT_H
#define XB_FRONT_H

#include <stdint.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

struct xfront {
	struct xs_handle	*xs;
	xs_transaction_t	 t;	/* xwrite's; XBT_NULL outside one */
	xengntshr_handle	*gs;
	xenevtchn_handle	*xce;
	unsigned int		 self, bdom, devid; /* domids, devid */
	char			 fe[128], be[256]; /* the two dirs */
	int			 failures;
};

/*
 * Open xenstore, gntalloc and evtchn and find device/TYPE/DEVID of our own
 * domain and its backend (the "backend" and "backend-id" keys).  Dies.
 */
void	 front_open(struct xfront *, const char *type, unsigned int devid);

/* "ok <what>" on stdout, flushed (the guest's console is the channel). */
void	 ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "FAIL <what>", counted in f->failures. */
void	 fail(struct xfront *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "FAIL setup: <what> (<strerror(errno)>)" and exit 1. */
void	 die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

/* The value at a path (malloc'd; NULL if absent). */
char	*xread(struct xfront *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Write KEY in our frontend directory, in f->t; dies on failure. */
void	 xwrite(struct xfront *, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The backend's state, -1 if unreadable. */
int	 be_state(struct xfront *);
/* Wait up to 20 s for the backend to reach state a or b; the last state. */
int	 wait_be(struct xfront *, int a, int b);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts and rates. */
uint64_t now_ms(void);

#endif
