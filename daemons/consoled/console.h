/*
 * console.h - one console: a xencons ring (io/console.h) and everything
 * its bytes go to.
 *
 * Output path, per event: copy the guest's out[] bytes once (cring.c),
 * then log first (xenconsoled's rule: the log must not depend on a
 * viewer), then the scrollback, the pty queue and every client's queue.
 * No sink can block the drain: the pty and the clients have bounded
 * queues with drop markers (bq.h); the log is a local file.  A token
 * bucket (crate.h) limits how fast one console may be drained; while it is
 * empty the event channel stays masked and a timer resumes the drain.
 *
 * Input path: bytes read from the pty or a client go to in[] in order, as
 * much as fits; sources are paused while in[] is full and resumed when the
 * guest signals it consumed some.
 *
 * Bad ring indices close this console only, with one log line and a note
 * in its log.
 */
#ifndef CONS_CONSOLE_H
#define CONS_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct consd;
struct console;
struct xencons_interface;

/* How a ring page was mapped (so it is unmapped the same way). */
enum cons_map {
	CONS_MAP_GRANT,		/* xengnttab_map_grant_ref */
	CONS_MAP_FOREIGN,	/* xenforeignmemory_map (privileged fallback) */
};

/*
 * Create console num (0 = primary) of domid and open what does not need
 * the ring: the log (if enabled), the pty (slave raw, kept open so output
 * never fails with EIO while nobody is attached) and the attach socket.
 * ttypath is the xenstore key that gets the pty's name once the ring is
 * served.  Returns NULL on failure (logged, naming what failed).
 */
struct console	*console_new(struct consd *, unsigned int domid,
		    unsigned int num, const char *ttypath);

/*
 * Serve a mapped ring: bind remote port rport of domid, drain what is
 * already there, write the tty key.  On success the console owns intf and
 * unmaps it when detached.  Returns 0, or -1 (logged; intf still the
 * caller's).
 */
int		 console_attach(struct console *, struct xencons_interface *,
		    enum cons_map, uint32_t rport);

/* Is a ring attached? */
bool		 console_attached(const struct console *);

/*
 * Did the guest break the ring protocol (bad indices)?  Such a console
 * stays detached until console_clear_broken() (new ring-ref or port).
 */
bool		 console_broken(const struct console *);
void		 console_clear_broken(struct console *);

/*
 * Have fn(arg, reason) called when the guest breaks the ring, instead of
 * the console's own log line (the ring is already detached then): a
 * secondary console closes its xenbus device with it.
 */
void		 console_set_on_broken(struct console *,
		    void (*fn)(void *, const char *), void *arg);

/*
 * Stop serving the ring: drain it one last time (no rate limit), unbind,
 * unmap.  The sinks stay open (a new ring may be attached later).
 */
void		 console_detach(struct console *);

/*
 * The event channel fired (dispatched by consoled.c): drain output,
 * resume paused input, unmask.
 */
void		 console_event(struct console *);

/*
 * This thread's CPU time in ns, and charging it to a console's CPU share
 * (-c): the dispatcher charges each event's whole cost (reading the
 * event channel, the drain, the log, the pty and the clients).
 */
uint64_t	 console_cpu_ns(void);
void		 console_charge_cpu(struct console *, uint64_t ns);

/*
 * Close for good: detach (final drain), write "[consoled: <note>]" to the
 * log if note is not NULL, give every client what its queue holds (without
 * blocking) and EOF, close the pty and the socket, free.  NULL-safe.
 */
void		 console_free(struct console *, const char *note);

/* Reopen the log (SIGHUP). */
void		 console_reopen(struct console *, void *unused);

/* Log the counters (SIGUSR1). */
void		 console_stats(struct console *, void *unused);

/* What the control socket reports of a console (consctl.h). */
struct cons_info {
	unsigned int	 domid, num;
	const char	*state;		/* attached, detached, broken */
	const char	*log;		/* its log file, "" if none */
	const char	*pty;		/* its pty, "" if none */
	unsigned int	 readers;	/* clients attached now */
	uint64_t	 bytes_out, bytes_in, events, empty_events;
	uint64_t	 throttled_rate, throttled_cpu;
	uint64_t	 dropped_pty, dropped_readers, log_lost;
	uint64_t	 log_bytes, log_rotations;
};

/* Fill *ci; the strings are the console's, valid until it changes. */
void		 console_info(const struct console *, struct cons_info *ci);

/* For readers.c: room in the guest's in[] (0 when full or detached). */
size_t		 console_in_space(const struct console *);

/* For readers.c: queue input bytes (at most console_in_space()); returns the count. */
size_t		 console_input(struct console *, const void *, size_t);

/* For readers.c: the scrollback's newest n bytes into dst; returns the count. */
size_t		 console_replay(const struct console *, void *dst, size_t n);

/* Identity, for messages. */
unsigned int	 console_domid(const struct console *);
unsigned int	 console_num(const struct console *);
uint32_t	 console_lport(const struct console *);

#endif
