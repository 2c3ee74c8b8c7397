/*
 * console.c - one console: its ring, event channel, pty, log, scrollback,
 * clients and drain limit (console.h says what goes where and why).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bq.h"
#include "conslog.h"
#include "console.h"
#include "consoled.h"
#include "crate.h"
#include "cring.h"
#include "ev.h"
#include "log.h"
#include "readers.h"
#include "xs.h"

/*
 * xen ddc2dd1264 (2025) appends "uint8_t connection" after out_prod in
 * io/console.h: XENCONSOLE_DISCONNECTED (1) until the backend will empty
 * the ring, then XENCONSOLE_CONNECTED (0), so a guest started before its
 * backend (hyperlaunch) does not spin on a full ring.  Xen 4.17's header
 * lacks the field; the page has room for it either way.
 */
#define CONS_CONNECTION_OFF	(offsetof(struct xencons_interface, out_prod) + \
				 sizeof(XENCONS_RING_IDX))
#define CONS_CONNECTED		0

/* Bytes drained per callback before other consoles get their turn. */
#define CONS_DRAIN_MAX	(64 * 1024)
/*
 * Event storm notice: more notifications than this in one second that
 * find no output are logged once per ring (each still costs the drain
 * limits CRATE_EVENT_COST and its CPU time, which is what bounds it).
 */
#define CONS_STORM_EMPTY	2000

struct console {
	struct consd		*d;
	unsigned int		 domid, num;
	char			 tag[32];	/* "console d5/0" for messages */
	char			*ttypath;	/* xenstore key for the pty name */

	/* The ring. */
	struct xencons_interface *intf;
	enum cons_map		 map;
	uint32_t		 lport;		/* 0 = not bound */
	bool			 attached, broken;
	void			(*on_broken)(void *, const char *);
	void			*on_broken_arg;

	/* Event storm notice. */
	uint64_t		 storm_window;	/* s */
	unsigned int		 storm_empty;
	bool			 storm_logged;

	/* Sinks. */
	struct conslog		 log;
	bool			 logging;
	struct bq		 scroll;	/* overwrite mode: replay on attach */
	struct readers		*rd;
	int			 ptym, ptys;	/* master, slave (held open) */
	char			 ptyname[64];
	struct bq		 ptyq;
	struct ev		*ev_ptyr, *ev_ptyw;
	bool			 ptyr_paused;
	bool			 ptyw_wait;	/* pty full: wait for writable */

	/* Drain limit. */
	struct crate		 rate;		/* bytes per second (-r) */
	struct crate		 cpu;		/* CPU ns per second (-c) */
	struct ev		*ev_timer;
	bool			 throttled;	/* port masked until the timer */

	/* Counters (SIGUSR1). */
	uint64_t		 bytes_out, bytes_in, events, pty_dropped,
				 empty_events;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

unsigned int console_domid(const struct console *c) { return c->domid; }
unsigned int console_num(const struct console *c) { return c->num; }
uint32_t console_lport(const struct console *c) { return c->lport; }
bool console_attached(const struct console *c) { return c->attached; }
bool console_broken(const struct console *c) { return c->broken; }
void console_clear_broken(struct console *c) { c->broken = false; }

void
console_set_on_broken(struct console *c, void (*fn)(void *, const char *),
    void *arg)
{
	c->on_broken = fn;
	c->on_broken_arg = arg;
}

/* ---- the pty ---- */

static void
pty_flush(struct console *c)
{
	struct iovec iov[2];
	ssize_t n;
	int cnt;

	bq_flush_marker(&c->ptyq);
	while ((cnt = bq_peek(&c->ptyq, iov)) > 0) {
		n = writev(c->ptym, iov, cnt);
		if (n > 0) {
			bq_consume(&c->ptyq, (size_t)n);
			/* Room again: the gap's marker goes in before new bytes. */
			bq_flush_marker(&c->ptyq);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			log_debug("%s: pty write: %s", c->tag, strerror(errno));
		break;
	}
	c->ptyw_wait = bq_len(&c->ptyq) > 0;
	if (c->ptyw_wait)
		ev_enable(c->ev_ptyw);
	else
		ev_disable(c->ev_ptyw);
}

static void
pty_writable(int fd, void *arg)
{
	(void)fd;
	pty_flush(arg);
}

static void
pty_readable(int fd, void *arg)
{
	struct console *c = arg;
	char buf[1024];
	size_t space = console_in_space(c);
	ssize_t n;

	if (space == 0) {
		/* Resumed by console_event() once the guest has read some. */
		ev_disable(c->ev_ptyr);
		c->ptyr_paused = true;
		return;
	}
	if (space > sizeof(buf))
		space = sizeof(buf);
	n = read(fd, buf, space);
	if (n > 0)
		console_input(c, buf, (size_t)n);
	else if (n == -1 && errno == EIO) {
		/* Cannot happen while we hold the slave; never spin on it. */
		ev_disable(c->ev_ptyr);
		c->ptyr_paused = true;
	}
}

static int
pty_open(struct console *c)
{
	struct termios t;
	int fl;

	if (openpty(&c->ptym, &c->ptys, c->ptyname, NULL, NULL) == -1) {
		log_warn("%s: openpty", c->tag);
		c->ptym = c->ptys = -1;
		return -1;
	}
	/*
	 * Raw slave: the guest's bytes reach `xl console` unchanged and
	 * input is not echoed by dom0 (the guest echoes), as xenconsoled.
	 */
	if (tcgetattr(c->ptys, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(c->ptys, TCSANOW, &t);
	}
	fcntl(c->ptym, F_SETFD, FD_CLOEXEC);
	fcntl(c->ptys, F_SETFD, FD_CLOEXEC);
	fl = fcntl(c->ptym, F_GETFL);
	fcntl(c->ptym, F_SETFL, fl | O_NONBLOCK);
	c->ev_ptyr = ev_read(c->d->base, c->ptym, true, pty_readable, c);
	c->ev_ptyw = ev_write(c->d->base, c->ptym, pty_writable, c);
	if (c->ev_ptyr == NULL || c->ev_ptyw == NULL) {
		log_warn("%s: pty events", c->tag);
		return -1;
	}
	return 0;
}

/* ---- output ---- */

/* One chunk of guest output to every sink: the log first. */
static void
console_output(struct console *c, const void *buf, size_t n)
{
	size_t q;

	if (c->logging)
		conslog_write(&c->log, buf, n);
	bq_push(&c->scroll, buf, n);
	if (c->ptym != -1) {
		const char *p = buf;
		size_t left = n;
		ssize_t w;

		/* Straight to the pty when nothing waits: no copy, no queue pages. */
		if (!c->ptyw_wait && bq_len(&c->ptyq) == 0 &&
		    c->ptyq.pending_drop == 0) {
			w = write(c->ptym, p, left);
			if (w > 0) {
				p += w;
				left -= (size_t)w;
			}
		}
		if (left > 0) {
			q = bq_push(&c->ptyq, p, left);
			c->pty_dropped += left - q;
			if (!c->ptyw_wait)
				pty_flush(c);
		}
	}
	if (c->rd != NULL)
		readers_output(c->rd, buf, n);
	c->bytes_out += n;
}

static void console_broken_ring(struct console *, const char *,
    const uint32_t bad[2]);

/*
 * Drain out[] (at most CONS_DRAIN_MAX unless final).  Returns 1 if data
 * is left, 0 if empty, -1 if the ring broke (the console is detached).
 */
static int
console_drain(struct console *c, bool final)
{
	char buf[sizeof(c->intf->out)];
	uint32_t bad[2];
	size_t moved = 0;
	ssize_t n;

	for (;;) {
		if (!final && moved >= CONS_DRAIN_MAX)
			break;
		n = cring_out_take(c->intf, buf, sizeof(buf), bad);
		if (n == -1) {
			console_broken_ring(c, "out", bad);
			return -1;
		}
		if (n == 0)
			break;
		console_output(c, buf, (size_t)n);
		moved += (size_t)n;
		/* The guest may be waiting for room (hvc_xen): tell it now. */
		xenevtchn_notify(c->d->xce, c->lport);
	}
	if (!final)
		crate_charge(&c->rate, moved);
	n = cring_out_avail(c->intf);
	return n > 0 ? 1 : 0;
}

static void
console_resume_input(struct console *c)
{
	if (c->ptyr_paused && console_in_space(c) > 0) {
		c->ptyr_paused = false;
		ev_enable(c->ev_ptyr);
	}
	if (c->rd != NULL)
		readers_input_ready(c->rd);
}

uint64_t
console_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* 0 if both limits allow a drain now, else milliseconds to wait. */
static unsigned int
console_limited(struct console *c)
{
	uint64_t now = now_ns();
	unsigned int w = 0, x;

	if (!crate_allow(&c->rate, now))
		w = crate_wait_ms(&c->rate, now);
	if (!crate_allow(&c->cpu, now) && (x = crate_wait_ms(&c->cpu, now)) > w)
		w = x;
	return w;
}

/* Drain within the limits; keep the port masked and come back if needed. */
static void
console_serve(struct console *c)
{
	unsigned int w;
	int left;

	if (!c->attached)
		return;
	if ((w = console_limited(c)) != 0) {
		c->throttled = true;
		ev_timer_arm(c->ev_timer, w);
		return;
	}
	left = console_drain(c, false);
	if (left == -1)
		return;
	/* The guest's in_cons too: past in_prod is a broken ring. */
	if (cring_in_space(c->intf) == -1) {
		uint32_t bad[2];

		cring_in_idx(c->intf, bad);
		console_broken_ring(c, "in", bad);
		return;
	}
	console_resume_input(c);
	if (left) {
		/* More than one turn's worth: yield to others, come back. */
		c->throttled = true;
		w = console_limited(c);
		ev_timer_arm(c->ev_timer, w != 0 ? w : 1);
		return;
	}
	c->throttled = false;
	xenevtchn_unmask(c->d->xce, c->lport);
	/* Bytes written between the drain and the unmask raised no event. */
	if (cring_out_avail(c->intf) > 0) {
		c->throttled = true;
		ev_timer_arm(c->ev_timer, 1);
	}
}

void
console_charge_cpu(struct console *c, uint64_t ns)
{
	crate_charge(&c->cpu, ns);
}

static void
console_timer(int fd, void *arg)
{
	struct console *c = arg;
	uint64_t t0 = console_cpu_ns();

	(void)fd;
	console_serve(c);
	console_charge_cpu(c, console_cpu_ns() - t0);
}

/* Count a notification that found no output; log a storm once per ring. */
static void
console_storm(struct console *c)
{
	struct timespec ts;

	if (cring_out_avail(c->intf) != 0)
		return;
	c->empty_events++;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((uint64_t)ts.tv_sec != c->storm_window) {
		c->storm_window = (uint64_t)ts.tv_sec;
		c->storm_empty = 0;
	}
	if (++c->storm_empty == CONS_STORM_EMPTY && !c->storm_logged) {
		c->storm_logged = true;
		log_warnx("%s: event channel storm: more than %u notifications "
		    "without output in a second (drains limited by -r and -c; "
		    "further ones only counted)", c->tag, CONS_STORM_EMPTY);
	}
}

void
console_event(struct console *c)
{
	c->events++;
	if (c->throttled)
		return;		/* the timer drains; the port stays masked */
	if (c->attached)
		console_storm(c);
	console_serve(c);
}

/* ---- input ---- */

size_t
console_in_space(const struct console *c)
{
	ssize_t s;

	if (!c->attached)
		return 0;
	s = cring_in_space(c->intf);
	return s > 0 ? (size_t)s : 0;
}

size_t
console_input(struct console *c, const void *buf, size_t n)
{
	ssize_t put;

	if (!c->attached)
		return 0;
	put = cring_in_put(c->intf, buf, n);
	if (put == -1) {
		uint32_t bad[2];

		cring_in_idx(c->intf, bad);
		console_broken_ring(c, "in", bad);
		return 0;
	}
	if (put > 0) {
		c->bytes_in += (uint64_t)put;
		xenevtchn_notify(c->d->xce, c->lport);
	}
	return (size_t)put;
}

size_t
console_replay(const struct console *c, void *dst, size_t n)
{
	return bq_tail(&c->scroll, dst, n);
}

/* ---- life cycle ---- */

struct console *
console_new(struct consd *d, unsigned int domid, unsigned int num,
    const char *ttypath)
{
	struct console *c;
	struct conslog_opts lo;
	char name[128], safe[128], file[PATH_MAX], sock[PATH_MAX];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("console d%u/%u", domid, num);
		return NULL;
	}
	c->d = d;
	c->domid = domid;
	c->num = num;
	c->ptym = c->ptys = -1;
	snprintf(c->tag, sizeof(c->tag), "console d%u/%u", domid, num);
	if ((c->ttypath = strdup(ttypath)) == NULL)
		goto fail;
	crate_init(&c->rate, d->o.rate, 0, now_ns());
	crate_init(&c->cpu, d->o.cpu_pct * 10000000ULL, 0, now_ns());
	if ((c->ev_timer = ev_timer(d->base, console_timer, c)) == NULL)
		goto fail;
	if (bq_init(&c->scroll, d->o.scrollback, 1) == -1 ||
	    bq_init(&c->ptyq, CONS_PTYQ, 0) == -1)
		goto fail;

	if (d->o.log_guest) {
		consd_dom_name(d, domid, name, sizeof(name));
		conslog_safe_name(safe, sizeof(safe), name);
		if (num == 0)
			snprintf(file, sizeof(file), "%s/guest-%s.log",
			    d->o.logdir, safe);
		else
			snprintf(file, sizeof(file), "%s/guest-%s-console%u.log",
			    d->o.logdir, safe, num);
		consd_log_opts(d, d->o.ts_guest, &lo);
		if (conslog_open(&c->log, file, &lo) == -1)
			/* The console still works; only its log is missing. */
			log_warn("%s: log %s", c->tag, file);
		else
			c->logging = true;
	}
	if (pty_open(c) == -1)
		goto fail;
	snprintf(sock, sizeof(sock), "%s/d%u.%u", d->o.sockdir, domid, num);
	c->rd = readers_new(d->base, c, sock, d->o.max_clients,
	    (size_t)d->o.scrollback);
	/* Without its socket the console still logs and has its pty. */
	return c;
fail:
	log_warnx("%s: cannot set up the console", c->tag);
	console_free(c, NULL);
	return NULL;
}

int
console_attach(struct console *c, struct xencons_interface *intf,
    enum cons_map map, uint32_t rport)
{
	xenevtchn_port_or_error_t lp;
	ssize_t avail;

	if (c->attached)
		console_detach(c);
	/* Refuse a ring that is broken before we start. */
	avail = cring_out_avail(intf);
	if (avail == -1 || cring_in_space(intf) == -1) {
		log_warnx("%s: bad ring indices at connect (out %u/%u in %u/%u),"
		    " not served", c->tag, intf->out_prod, intf->out_cons,
		    intf->in_prod, intf->in_cons);
		if (c->logging)
			conslog_note(&c->log, "console not served: bad ring "
			    "indices");
		c->broken = true;
		errno = EINVAL;
		return -1;
	}
	lp = xenevtchn_bind_interdomain(c->d->xce, c->domid, rport);
	if (lp < 0) {
		log_warn("%s: bind event channel %u", c->tag, rport);
		return -1;
	}
	c->intf = intf;
	c->map = map;
	c->lport = (uint32_t)lp;
	c->attached = true;
	c->throttled = false;
	c->storm_logged = false;
	consd_port_add(c->d, c, c->lport);
	log_info("%s: serving (%s mapping, port %u -> %u, pty %s)", c->tag,
	    map == CONS_MAP_GRANT ? "grant" : "foreign", rport, c->lport,
	    c->ptyname);
	/* Output written before we came (or while we were down). */
	console_serve(c);
	if (c->attached) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		((volatile uint8_t *)c->intf)[CONS_CONNECTION_OFF] =
		    CONS_CONNECTED;
	}
	/* Only now is the console serviced: tell `xl console` where it is. */
	if (c->attached && c->ptym != -1 &&
	    xsc_write(c->d->xsc, XBT_NULL, c->ttypath, c->ptyname) == -1)
		log_warn("%s: write %s", c->tag, c->ttypath);
	return 0;
}

static void
console_unmap(struct console *c)
{
	if (c->intf == NULL)
		return;
	if (c->map == CONS_MAP_GRANT)
		xengnttab_unmap(c->d->xgt, c->intf, 1);
	else
		xenforeignmemory_unmap(consd_fmem(c->d), c->intf, 1);
	c->intf = NULL;
}

static void
console_unbind(struct console *c)
{
	ev_disable(c->ev_timer);
	if (c->lport != 0) {
		consd_port_del(c->d, c);
		xenevtchn_unbind(c->d->xce, c->lport);
		c->lport = 0;
	}
	c->attached = false;
	c->throttled = false;
}

void
console_detach(struct console *c)
{
	if (!c->attached)
		return;
	/* The guest's last words: everything it wrote is logged. */
	console_drain(c, true);
	console_unbind(c);
	console_unmap(c);
}

/*
 * Bad indices: one log line (through the owner's hook if it has one: a
 * secondary console's xenbus device goes Closing), a note, this console
 * only stops.
 */
static void
console_broken_ring(struct console *c, const char *ring, const uint32_t bad[2])
{
	char msg[128];

	snprintf(msg, sizeof(msg), "bad %s ring indices prod=%u cons=%u: "
	    "console closed", ring, bad[0], bad[1]);
	if (c->logging)
		conslog_note(&c->log, "console closed: bad %s ring indices "
		    "prod=%u cons=%u", ring, bad[0], bad[1]);
	c->broken = true;
	console_unbind(c);
	console_unmap(c);
	if (c->on_broken != NULL)
		c->on_broken(c->on_broken_arg, msg);
	else
		log_warnx("%s: %s", c->tag, msg);
}

void
console_free(struct console *c, const char *note)
{
	if (c == NULL)
		return;
	console_detach(c);
	if (c->logging && note != NULL)
		conslog_note(&c->log, "%s", note);
	readers_free(c->rd);
	if (c->ptym != -1)
		pty_flush(c);
	ev_free(c->ev_ptyr);
	ev_free(c->ev_ptyw);
	ev_free(c->ev_timer);
	if (c->ptym != -1)
		close(c->ptym);
	if (c->ptys != -1)
		close(c->ptys);
	conslog_close(&c->log);
	bq_free(&c->scroll);
	bq_free(&c->ptyq);
	free(c->ttypath);
	free(c);
}

void
console_reopen(struct console *c, void *unused)
{
	(void)unused;
	if (c->logging && conslog_reopen(&c->log) == -1)
		log_warn("%s: reopen log", c->tag);
}

void
console_info(const struct console *c, struct cons_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->domid = c->domid;
	ci->num = c->num;
	ci->state = c->broken ? "broken" : c->attached ? "attached" :
	    "detached";
	ci->log = c->logging && c->log.path != NULL ? c->log.path : "";
	ci->pty = c->ptym >= 0 ? c->ptyname : "";
	ci->readers = c->rd != NULL ? readers_count(c->rd) : 0;
	ci->bytes_out = c->bytes_out;
	ci->bytes_in = c->bytes_in;
	ci->events = c->events;
	ci->empty_events = c->empty_events;
	ci->throttled_rate = c->rate.throttled;
	ci->throttled_cpu = c->cpu.throttled;
	ci->dropped_pty = c->pty_dropped;
	ci->dropped_readers = c->rd != NULL ? readers_dropped(c->rd) : 0;
	ci->log_lost = c->log.lost;
	ci->log_bytes = c->log.written;
	ci->log_rotations = c->log.rotations;
}

void
console_stats(struct console *c, void *unused)
{
	(void)unused;
	log_info("%s: %s, out %llu B in %llu B, %llu events (%llu without "
	    "output), throttled %llu "
	    "(rate) %llu (cpu), "
	    "pty dropped %llu B, clients %u (dropped %llu B), log %llu B "
	    "(lost %llu, rotations %llu)", c->tag,
	    c->broken ? "broken" : c->attached ? "attached" : "detached",
	    (unsigned long long)c->bytes_out, (unsigned long long)c->bytes_in,
	    (unsigned long long)c->events,
	    (unsigned long long)c->empty_events,
	    (unsigned long long)c->rate.throttled,
	    (unsigned long long)c->cpu.throttled,
	    (unsigned long long)c->pty_dropped,
	    c->rd != NULL ? readers_count(c->rd) : 0,
	    c->rd != NULL ? readers_dropped(c->rd) : 0ULL,
	    (unsigned long long)c->log.written,
	    (unsigned long long)c->log.lost,
	    (unsigned long long)c->log.rotations);
}
