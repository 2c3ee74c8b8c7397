/*
 * log.h - logging to stderr (foreground) or syslog, one prefix per process.
 *
 * Every line names the domain and device it is about: a worker sets its
 * prefix once ("vbd d3/51712"), the parent passes the device explicitly with
 * log_dev*().  Nothing here exits except fatal()/fatalx(), which are meant
 * for startup failures only (never for guest input).
 */
#ifndef XB_LOG_H
#define XB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Initialise logging.  ident is the syslog ident and the stderr tag;
 * to_stderr selects stderr instead of syslog; verbose enables log_debug().
 */
void	log_init(const char *ident, int to_stderr, int verbose);

/* Set (or clear with NULL) the per-process prefix put before each message. */
void	log_set_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns non-zero if log_debug() output is enabled. */
int	log_verbose(void);

/* Messages; the *warn variants append strerror(errno). */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Device-scoped messages: the line is prefixed with "<type> d<domid>/<devid>: "
 * unless a process prefix is set (a worker serves one device and its prefix
 * already names it).  log_devdebug() prints only when verbose.
 */
void	log_devwarnx(const char *type, unsigned int domid, unsigned int devid,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	log_devinfo(const char *type, unsigned int domid, unsigned int devid,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	log_devdebug(const char *type, unsigned int domid, unsigned int devid,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Startup failures only: log and exit(1). */
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy src into dst (size dstlen) with every byte outside printable ASCII
 * replaced by a \xNN escape, so guest-controlled strings (xenstore values,
 * paths) can never inject terminal escapes or fake log lines.  Returns dst.
 */
char	*log_escape(char *dst, size_t dstlen, const char *src);

/*
 * Log this process's malloc heap (glibc mallinfo2(3)), for SIGUSR1: what
 * malloc got from the kernel, what of it is in use, what is free and could
 * be trimmed, so a long-running parent's memory can be told apart into
 * live data and allocator retention.
 */
void	 log_heap(void);

/*
 * Rate limit for one device's lifecycle lines (connect, disconnect, state
 * changes, reconnects), so that a guest cycling its frontend forever cannot
 * flood dom0's logs.  A token bucket: burst lines at once, then one line per
 * interval_ms.  Suppressed lines are counted and reported in one summary
 * line at most every summary_ms ("vbd d5/51712: 340 lifecycle lines
 * suppressed in the last 10 s (frontend cycling)").  A warning is a line
 * like any other, except that the first one after a summary always gets
 * through (the line naming why a device was closed is never lost); the
 * later ones are counted and the last one's text goes into the summary.
 * The numbers are the caller's; the LOG_LIMIT_* defaults are the daemons'
 * (docs/ARCHITECTURE.md, "Processes").
 */
#define LOG_LIMIT_BURST		20
#define LOG_LIMIT_INTERVAL_MS	1000
#define LOG_LIMIT_SUMMARY_MS	10000

struct log_limit {
	char		name[48];	/* "vbd d5/51712", put before the summary */
	unsigned int	burst, interval_ms, summary_ms;
	unsigned int	tokens;
	uint64_t	refill_ms;	/* time the bucket was last topped up */
	unsigned int	dropped;	/* suppressed since the last summary */
	unsigned int	dropped_warn;	/* of which warnings */
	uint64_t	first_ms;	/* time of the first of them */
	bool		warned;		/* a warning got through since the last summary */
	char		last_warn[160];	/* the last suppressed warning */
};

/*
 * Set up a full bucket.  name is put before the summary line when no
 * process prefix is set; burst >= 1.
 */
void	log_limit_init(struct log_limit *, const char *name, unsigned int burst,
	    unsigned int interval_ms, unsigned int summary_ms);

/*
 * The decision, a pure function of the limiter and the time (unit-tested):
 * true if a line may be logged at now_ms (a token is taken), false if it is
 * suppressed and counted.  warn is the text of a warning, NULL for any
 * other line.
 */
bool	log_limit_pass(struct log_limit *, uint64_t now_ms, const char *warn);

/*
 * -1 if nothing was suppressed, 0 if a summary is due now, else the
 * milliseconds until it is (the caller arms a timer for log_limit_flush()).
 */
long	log_limit_due(const struct log_limit *, uint64_t now_ms);

/*
 * Write the summary line into buf (size len) and start counting afresh.
 * Returns false, writing nothing, if nothing was suppressed.
 */
bool	log_limit_summary(struct log_limit *, uint64_t now_ms, char *buf,
	    size_t len);

/* Log the summary now if lines were suppressed (timer, device release). */
void	log_limit_flush(struct log_limit *);

/*
 * Route this thread's lines (log_info, log_warn, log_warnx, log_debug and
 * the log_dev* ones) through lim (NULL: none) until the next call; returns the previous
 * limiter so that scopes nest.  A summary due is logged first.  fatal()
 * is never limited.
 */
struct log_limit *log_limit_scope(struct log_limit *lim);

/* Milliseconds of CLOCK_MONOTONIC: the limiter's clock. */
uint64_t log_now_ms(void);

#endif
