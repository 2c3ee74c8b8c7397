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

#endif
