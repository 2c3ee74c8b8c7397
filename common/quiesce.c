/*
 * quiesce.c - the clean-stop records' shared syntax and frontend checks
 * (quiesce.h).  Pure; unit-tested in tests/unit/test_quiesce.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "quiesce.h"

int
xbq_put(struct xbq_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->off >= o->len) {
		errno = ENOSPC;
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->off) {
		errno = ENOSPC;
		return -1;
	}
	o->off += (size_t)n;
	return 0;
}

int
xbq_num(const char **p, const char *ends, uint32_t *out)
{
	char tmp[16];
	size_t n = strcspn(*p, ends);
	uint64_t v;

	if (n == 0 || n >= sizeof(tmp) || ((*p)[0] == '0' && n > 1))
		return -1;
	memcpy(tmp, *p, n);
	tmp[n] = '\0';
	if (parse_uint(tmp, UINT32_MAX, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	*p += n;
	return 0;
}

int
xbq_head(const char *s, size_t max_len, const char **p, const char **why)
{
	uint32_t v;

	if (s == NULL) {
		*why = "absent";
		return -1;
	}
	if (strlen(s) > max_len) {
		*why = "too long";
		return -1;
	}
	*p = s;
	if (xbq_num(p, " ", &v) == -1 || **p != ' ' || v != XBQ_VERSION) {
		*why = "unknown version";
		return -1;
	}
	(*p)++;
	return 0;
}

int
xbq_nq(const char **p, unsigned int max_queues, unsigned int limit,
    uint32_t *n, const char **why)
{
	if (xbq_num(p, " ", n) == -1 || *n < 1 || *n > max_queues ||
	    *n > limit) {
		*why = "bad number of queues";
		return -1;
	}
	return 0;
}

int
xbq_end(const char *p, const char **why)
{
	if (*p != '\0') {
		*why = "trailing characters";
		return -1;
	}
	return 0;
}

bool
xbq_key_is(xbq_read_fn *rd, void *arg, const char *key, uint64_t max,
    uint64_t v)
{
	char *s = rd(arg, key);
	uint64_t got;
	bool ok = s != NULL && parse_uint(s, max, &got) == 0 && got == v;

	free(s);
	return ok;
}

int
xbq_match_nq(xbq_read_fn *rd, void *arg, unsigned int nq, unsigned int limit,
    const char **why)
{
	char *s = rd(arg, "multi-queue-num-queues");
	bool ok = s == NULL ? nq == 1 :
	    xbq_key_is(rd, arg, "multi-queue-num-queues", limit, nq);

	free(s);
	if (!ok) {
		*why = "number of queues differs";
		return 0;
	}
	return 1;
}

void
xbq_qkey(char *key, size_t len, unsigned int nq, unsigned int i,
    const char *name)
{
	if (nq > 1)
		snprintf(key, len, "queue-%u/%s", i, name);
	else
		snprintf(key, len, "%s", name);
}
