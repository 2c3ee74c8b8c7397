/*
 * log.c - see log.h.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
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
/* Per thread: a worker's I/O threads must not count against its device. */
static _Thread_local struct log_limit *log_scope;

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

static void	limit_summary_log(struct log_limit *, uint64_t);

static void
emit(int pri, const char *dev, const char *msg)
{
	const char *sep = log_prefix[0] ? ": " : "";

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

static void
vlog(int pri, const char *dev, const char *fmt, va_list ap, int err)
{
	char msg[1024];
	uint64_t now;
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	if (log_scope != NULL && pri > LOG_CRIT) {
		now = log_now_ms();
		if (log_limit_due(log_scope, now) == 0)
			limit_summary_log(log_scope, now);
		if (!log_limit_pass(log_scope, now,
		    pri <= LOG_WARNING ? msg : NULL))
			return;
	}
	emit(pri, dev, msg);
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

#ifdef __SANITIZE_ADDRESS__
/*
 * The sanitizer allocator's statistics (sanitizer/allocator_interface.h,
 * which gcc 12 does not install): under ASan malloc is not glibc's.
 */
size_t	__sanitizer_get_current_allocated_bytes(void);
size_t	__sanitizer_get_heap_size(void);
size_t	__sanitizer_get_free_bytes(void);
size_t	__sanitizer_get_unmapped_bytes(void);
void	__asan_print_accumulated_stats(void);	/* sanitizer/asan_interface.h */
#endif

void
log_heap(void)
{
#ifdef __SANITIZE_ADDRESS__
	log_info("heap (ASan): %zu KiB from the kernel, %zu KiB in use, %zu "
	    "KiB free, %zu KiB unmapped",
	    __sanitizer_get_heap_size() / 1024,
	    __sanitizer_get_current_allocated_bytes() / 1024,
	    __sanitizer_get_free_bytes() / 1024,
	    __sanitizer_get_unmapped_bytes() / 1024);
	/* On stderr: calls and bytes, each size class, the stack depot. */
	__asan_print_accumulated_stats();
#else
	struct mallinfo2 mi = mallinfo2();

	log_info("heap: %zu KiB from the kernel (%zu KiB of it mmapped), %zu "
	    "KiB in use, %zu KiB free (%zu KiB of it trimmable at the top)",
	    (mi.arena + mi.hblkhd) / 1024, mi.hblkhd / 1024,
	    (mi.uordblks + mi.hblkhd) / 1024, mi.fordblks / 1024,
	    mi.keepcost / 1024);
#endif
}

uint64_t
log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
log_limit_init(struct log_limit *lim, const char *name, unsigned int burst,
    unsigned int interval_ms, unsigned int summary_ms)
{
	memset(lim, 0, sizeof(*lim));
	snprintf(lim->name, sizeof(lim->name), "%s", name);
	lim->burst = burst > 0 ? burst : 1;
	lim->interval_ms = interval_ms;
	lim->summary_ms = summary_ms;
	lim->tokens = lim->burst;
}

bool
log_limit_pass(struct log_limit *lim, uint64_t now, const char *warn)
{
	uint64_t n;

	if (lim->interval_ms == 0)
		return true;
	/* A full bucket banks no time; the clock may not go back. */
	if (lim->tokens >= lim->burst || now < lim->refill_ms) {
		lim->refill_ms = now;
	} else {
		n = (now - lim->refill_ms) / lim->interval_ms;
		if (n >= lim->burst - lim->tokens) {
			lim->tokens = lim->burst;
			lim->refill_ms = now;
		} else {
			lim->tokens += (unsigned int)n;
			lim->refill_ms += n * lim->interval_ms;
		}
	}
	if (lim->tokens > 0) {
		lim->tokens--;
		return true;
	}
	/* The first warning while suppressing names the reason: keep it. */
	if (warn != NULL && !lim->warned) {
		lim->warned = true;
		return true;
	}
	if (lim->dropped == 0)
		lim->first_ms = now;
	if (lim->dropped < UINT_MAX)
		lim->dropped++;
	if (warn != NULL) {
		if (lim->dropped_warn < UINT_MAX)
			lim->dropped_warn++;
		snprintf(lim->last_warn, sizeof(lim->last_warn), "%s", warn);
	}
	return false;
}

long
log_limit_due(const struct log_limit *lim, uint64_t now)
{
	uint64_t end;

	if (lim->dropped == 0)
		return -1;
	end = lim->first_ms + lim->summary_ms;
	return now >= end ? 0 : (long)(end - now);
}

bool
log_limit_summary(struct log_limit *lim, uint64_t now, char *buf, size_t len)
{
	uint64_t s;
	int n;

	if (lim->dropped == 0 || len == 0)
		return false;
	s = now > lim->first_ms ? (now - lim->first_ms + 999) / 1000 : 0;
	n = snprintf(buf, len, "%u lifecycle line%s suppressed in the last "
	    "%llu s (frontend cycling)", lim->dropped,
	    lim->dropped == 1 ? "" : "s", (unsigned long long)(s > 0 ? s : 1));
	if (lim->dropped_warn > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "; %u of them warnings, the last: %s",
		    lim->dropped_warn, lim->last_warn);
	lim->dropped = 0;
	lim->dropped_warn = 0;
	lim->warned = false;
	lim->last_warn[0] = '\0';
	return true;
}

static void
limit_summary_log(struct log_limit *lim, uint64_t now)
{
	char msg[512], dev[64];

	if (!log_limit_summary(lim, now, msg, sizeof(msg)))
		return;
	if (log_prefix[0] != '\0')
		dev[0] = '\0';
	else
		snprintf(dev, sizeof(dev), "%s: ", lim->name);
	emit(LOG_WARNING, dev, msg);
}

void
log_limit_flush(struct log_limit *lim)
{
	limit_summary_log(lim, log_now_ms());
}

struct log_limit *
log_limit_scope(struct log_limit *lim)
{
	struct log_limit *prev = log_scope;
	uint64_t now;

	log_scope = lim;
	if (lim != NULL) {
		now = log_now_ms();
		if (log_limit_due(lim, now) == 0)
			limit_summary_log(lim, now);
	}
	return prev;
}
