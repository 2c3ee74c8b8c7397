/*
 * front.c - the userland frontends' shared plumbing (front.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "front.h"

static void
say(const char *tag, const char *fmt, va_list ap)
{
	printf("%s ", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

void
ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("ok", fmt, ap);
	va_end(ap);
}

void
fail(struct xfront *f, const char *fmt, ...)
{
	va_list ap;

	f->failures++;
	va_start(ap, fmt);
	say("FAIL", fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(errno));
	exit(1);
}

char *
xread(struct xfront *f, const char *fmt, ...)
{
	char path[300];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(f->xs, f->t, path, &len);
}

void
xwrite(struct xfront *f, const char *key, const char *fmt, ...)
{
	char path[300], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", f->fe, key);
	if (!xs_write(f->xs, f->t, path, val, strlen(val)))
		die("writing %s", path);
}

int
be_state(struct xfront *f)
{
	char *s = xread(f, "%s/state", f->be);
	int st = s ? atoi(s) : -1;

	free(s);
	return st;
}

int
wait_be(struct xfront *f, int a, int b)
{
	int i, st = -1;

	for (i = 0; i < 200; i++) {
		st = be_state(f);
		if (st == a || st == b)
			return st;
		usleep(100 * 1000);
	}
	return st;
}

void
front_open(struct xfront *f, const char *type, unsigned int devid)
{
	char *v;

	f->devid = devid;
	f->t = XBT_NULL;
	if ((f->xs = xs_open(0)) == NULL)
		die("xs_open");
	if ((v = xread(f, "domid")) == NULL)
		die("reading domid");
	f->self = (unsigned int)atoi(v);
	free(v);
	snprintf(f->fe, sizeof(f->fe), "/local/domain/%u/device/%s/%u",
	    f->self, type, devid);
	if ((v = xread(f, "%s/backend", f->fe)) == NULL)
		die("reading %s/backend", f->fe);
	snprintf(f->be, sizeof(f->be), "%s", v);
	free(v);
	if ((v = xread(f, "%s/backend-id", f->fe)) == NULL)
		die("reading backend-id");
	f->bdom = (unsigned int)atoi(v);
	free(v);
	if ((f->gs = xengntshr_open(NULL, 0)) == NULL)
		die("opening gntalloc");
	if ((f->xce = xenevtchn_open(NULL, 0)) == NULL)
		die("opening evtchn");
}

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
