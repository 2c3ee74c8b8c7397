/*
 * log.c - see log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_ident = "xb";
static int		 log_stderr = 1;
static int		 log_verb;
static char		 log_prefix[128];

void
log_init(const char *ident, int to_stderr, int verbose)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_verb = verbose;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_prefix(const char *fmt, ...)
{
	va_list ap;

	if (fmt == NULL) {
		log_prefix[0] = '\0';
		return;
	}
	va_start(ap, fmt);
	vsnprintf(log_prefix, sizeof(log_prefix), fmt, ap);
	va_end(ap);
}

int
log_verbose(void)
{
	return log_verb;
}

static void
vlog(int pri, const char *dev, const char *fmt, va_list ap, int err)
{
	char msg[1024];
	const char *sep = log_prefix[0] ? ": " : "";
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	if (dev == NULL)
		dev = "";

	if (log_stderr) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%ld]: %s%s%s%s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    log_ident, (long)getpid(), log_prefix, sep, dev, msg);
		fflush(stderr);
	} else {
		syslog(pri, "%s%s%s%s", log_prefix, sep, dev, msg);
		/* Startup failures must reach whoever ran us, not only syslog. */
		if (pri <= LOG_CRIT)
			fprintf(stderr, "%s: %s\n", log_ident, msg);
	}
}

#define LOG_FN(name, pri, err, check)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	int saved = errno;					\
								\
	if (check)						\
		return;						\
	va_start(ap, fmt);					\
	vlog(pri, NULL, fmt, ap, err ? saved : 0);		\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, LOG_WARNING, 1, 0)
LOG_FN(log_warnx, LOG_WARNING, 0, 0)
LOG_FN(log_info, LOG_INFO, 0, 0)
LOG_FN(log_debug, LOG_DEBUG, 0, !log_verb)

static void
vlogdev(int pri, const char *type, unsigned int domid, unsigned int devid,
    const char *fmt, va_list ap)
{
	char dev[64];

	if (log_prefix[0] != '\0')
		dev[0] = '\0';
	else
		snprintf(dev, sizeof(dev), "%s d%u/%u: ", type, domid, devid);
	vlog(pri, dev, fmt, ap, 0);
}

void
log_devwarnx(const char *type, unsigned int domid, unsigned int devid,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogdev(LOG_WARNING, type, domid, devid, fmt, ap);
	va_end(ap);
}

void
log_devinfo(const char *type, unsigned int domid, unsigned int devid,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogdev(LOG_INFO, type, domid, devid, fmt, ap);
	va_end(ap);
}

void
log_devdebug(const char *type, unsigned int domid, unsigned int devid,
    const char *fmt, ...)
{
	va_list ap;

	if (!log_verb)
		return;
	va_start(ap, fmt);
	vlogdev(LOG_DEBUG, type, domid, devid, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t dstlen, const char *src)
{
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)src;

	if (dstlen == 0)
		return dst;
	for (; *s != '\0' && o + 1 < dstlen; s++) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			dst[o++] = (char)*s;
		} else {
			if (o + 5 > dstlen)
				break;
			snprintf(dst + o, dstlen - o, "\\x%02x", *s);
			o += 4;
		}
	}
	dst[o] = '\0';
	return dst;
}
