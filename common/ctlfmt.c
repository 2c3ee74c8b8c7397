/*
 * ctlfmt.c - the control socket's text.  See ctlfmt.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlfmt.h"

/* ---- output buffer ---- */

void
cbuf_init(struct cbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static bool
cbuf_room(struct cbuf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	if (need > b->max || b->len > b->max - need) {
		b->err = true;
		return false;
	}
	if (b->len + need + 1 <= b->cap)
		return true;
	cap = b->cap == 0 ? 4096 : b->cap;
	while (cap < b->len + need + 1)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->err = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
cbuf_add(struct cbuf *b, const char *s, size_t len)
{
	if (!cbuf_room(b, len))
		return;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
cbuf_puts(struct cbuf *b, const char *s)
{
	cbuf_add(b, s, strlen(s));
}

void
cbuf_printf(struct cbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		cbuf_add(b, small, (size_t)n);
		return;
	}
	if (!cbuf_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
cbuf_free(struct cbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = false;
}

void
cbuf_json_str(struct cbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[8];

	cbuf_add(b, "\"", 1);
	for (; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*u;
			cbuf_add(b, esc, 2);
		} else if (*u == '\n') {
			cbuf_add(b, "\\n", 2);
		} else if (*u < 0x20 || *u >= 0x7f) {
			/* RFC 8259 7: any code point may be escaped. */
			snprintf(esc, sizeof(esc), "\\u%04x", *u);
			cbuf_add(b, esc, 6);
		} else {
			cbuf_add(b, (const char *)u, 1);
		}
	}
	cbuf_add(b, "\"", 1);
}

void
cbuf_prom_label(struct cbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\') {
			cbuf_add(b, "\\", 1);
			cbuf_add(b, (const char *)u, 1);
		} else if (*u == '\n') {
			cbuf_add(b, "\\n", 2);
		} else if (*u < 0x20 || *u >= 0x7f) {
			cbuf_add(b, "?", 1);
		} else {
			cbuf_add(b, (const char *)u, 1);
		}
	}
}

/* ---- requests ---- */

int
ctl_req_parse(const char *line, size_t len, struct ctl_req *r,
    const char **why)
{
	char buf[CTL_REQ_MAX];
	const char *arg;
	unsigned long v = 0;
	size_t i;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || len >= sizeof(buf)) {
		*why = len == 0 ? "empty request" : "request too long";
		return -1;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL in request";
		return -1;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	memset(r, 0, sizeof(*r));
	if (strcmp(buf, "metrics") == 0) {
		r->kind = CTL_REQ_METRICS;
		return 0;
	}
	if (strcmp(buf, "status") == 0) {
		r->kind = CTL_REQ_STATUS;
		return 0;
	}
	if (strncmp(buf, "status ", 7) != 0) {
		*why = "unknown request (expected status [domid] or metrics)";
		return -1;
	}
	arg = buf + 7;
	/* A domid: 0 .. DOMID_FIRST_RESERVED - 1, decimal, no sign. */
	for (i = 0; arg[i] != '\0'; i++) {
		if (arg[i] < '0' || arg[i] > '9' || i >= 5) {
			*why = "status: expected a domain id";
			return -1;
		}
		v = v * 10 + (unsigned long)(arg[i] - '0');
	}
	if (i == 0 || v > 0x7fef) {
		*why = "status: expected a domain id";
		return -1;
	}
	r->kind = CTL_REQ_STATUS;
	r->has_domid = true;
	r->domid = (unsigned int)v;
	return 0;
}

/* ---- stats replies ---- */

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool
is_info(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_.,:+/-", c) != NULL;
}

/* Decimal, 1..20 digits, no overflow. */
static int
parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned int)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* One token: tok[0..len).  Returns 0, 1 (unknown name, skipped) or -1. */
static int
stats_token(const char *tok, size_t len, const struct ctl_key *keys,
    unsigned int nkeys, struct ctl_stats *st, char *why, size_t whylen)
{
	const char *eq = memchr(tok, '=', len), *dot, *val;
	size_t nlen, llen, vlen, i;
	char name[CTL_NAME_MAX], label[CTL_LABEL_MAX];
	unsigned int k, j;
	struct ctl_kv *kv;

	if (eq == NULL) {
		snprintf(why, whylen, "token %u has no '='", st->n + 1);
		return -1;
	}
	dot = memchr(tok, '.', (size_t)(eq - tok));
	nlen = (size_t)((dot != NULL ? dot : eq) - tok);
	llen = dot != NULL ? (size_t)(eq - dot - 1) : 0;
	val = eq + 1;
	vlen = len - (size_t)(val - tok);
	if (nlen == 0 || nlen >= sizeof(name) || (dot != NULL &&
	    (llen == 0 || llen >= sizeof(label)))) {
		snprintf(why, whylen, "token %u: bad name or label length",
		    st->n + 1);
		return -1;
	}
	for (i = 0; i < nlen; i++)
		if (!is_word(tok[i])) {
			snprintf(why, whylen, "token %u: bad byte in name",
			    st->n + 1);
			return -1;
		}
	for (i = 0; i < llen; i++)
		if (!is_word(dot[1 + i])) {
			snprintf(why, whylen, "token %u: bad byte in label",
			    st->n + 1);
			return -1;
		}
	memcpy(name, tok, nlen);
	name[nlen] = '\0';
	memcpy(label, dot != NULL ? dot + 1 : "", llen);
	label[llen] = '\0';
	for (k = 0; k < nkeys; k++)
		if (strcmp(keys[k].name, name) == 0)
			break;
	if (k == nkeys) {
		/* Still checked: a value that is no word is no newer build. */
		for (i = 0; i < vlen; i++)
			if (!is_info(val[i])) {
				snprintf(why, whylen, "token %u: bad byte in "
				    "value", st->n + 1);
				return -1;
			}
		st->unknown++;
		return 1;
	}
	if ((keys[k].label != NULL) != (dot != NULL)) {
		snprintf(why, whylen, "%s: label %s", keys[k].name,
		    dot != NULL ? "not expected" : "missing");
		return -1;
	}
	for (j = 0; j < st->n; j++)
		if (st->kv[j].key == k && strcmp(st->kv[j].label, label) == 0) {
			snprintf(why, whylen, "%s%s%s: repeated", keys[k].name,
			    label[0] != '\0' ? "." : "", label);
			return -1;
		}
	if (st->n == CTL_KV_MAX) {
		snprintf(why, whylen, "more than %u values", CTL_KV_MAX);
		return -1;
	}
	kv = &st->kv[st->n];
	memset(kv, 0, sizeof(*kv));
	kv->key = k;
	strcpy(kv->label, label);
	if (keys[k].kind == CTL_INFO) {
		if (vlen >= sizeof(kv->s)) {
			snprintf(why, whylen, "%s: value too long", name);
			return -1;
		}
		for (i = 0; i < vlen; i++)
			if (!is_info(val[i])) {
				snprintf(why, whylen, "%s: bad byte in value",
				    name);
				return -1;
			}
		memcpy(kv->s, val, vlen);
		kv->s[vlen] = '\0';
	} else if (parse_u64(val, vlen, &kv->v) == -1) {
		snprintf(why, whylen, "%s: not a 64-bit decimal number", name);
		return -1;
	}
	st->n++;
	return 0;
}

int
ctl_stats_parse(const char *data, size_t len, const struct ctl_key *keys,
    unsigned int nkeys, struct ctl_stats *st, char *why, size_t whylen)
{
	const char *p = data, *end = data + len, *sp;

	st->n = 0;
	st->unknown = 0;
	if (len > CTL_STATS_MAX) {
		snprintf(why, whylen, "reply of %zu bytes, more than %u", len,
		    CTL_STATS_MAX);
		return -1;
	}
	while (p < end) {
		if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
			sp = end;
		if (sp == p) {
			snprintf(why, whylen, "empty token at byte %zu",
			    (size_t)(p - data));
			return -1;
		}
		if (stats_token(p, (size_t)(sp - p), keys, nkeys, st, why,
		    whylen) == -1)
			return -1;
		if (sp == end)
			break;
		if (sp + 1 == end) {
			snprintf(why, whylen, "trailing space");
			return -1;
		}
		p = sp + 1;
	}
	return 0;
}

/* ---- the worker's side ---- */

void
ctl_kvw_init(struct ctl_kvw *w)
{
	w->len = 0;
	w->full = false;
	w->buf[0] = '\0';
}

static void
kvw_add(struct ctl_kvw *w, const char *name, const char *label,
    const char *val)
{
	int n;

	n = snprintf(w->buf + w->len, sizeof(w->buf) - w->len, "%s%s%s%s=%s",
	    w->len > 0 ? " " : "", name, label != NULL ? "." : "",
	    label != NULL ? label : "", val);
	if (n < 0 || (size_t)n >= sizeof(w->buf) - w->len ||
	    w->len + (size_t)n > CTL_STATS_MAX) {
		w->buf[w->len] = '\0';
		w->full = true;
		return;
	}
	w->len += (size_t)n;
}

void
ctl_kvw_u64(struct ctl_kvw *w, const char *name, const char *label,
    uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	kvw_add(w, name, label, num);
}

void
ctl_kvw_str(struct ctl_kvw *w, const char *name, const char *label,
    const char *s)
{
	char val[CTL_SVAL_MAX];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(val) - 1; i++)
		val[i] = is_info(s[i]) ? s[i] : '_';
	val[i] = '\0';
	kvw_add(w, name, label, val);
}

/* ---- JSON ---- */

/* The members of one kind: name, or name:{label:v,...} for labelled ones. */
static void
json_kind(struct cbuf *b, const struct ctl_stats *st,
    const struct ctl_key *keys, enum ctl_kind kind)
{
	unsigned int i, j;
	bool first = true, done;

	for (i = 0; i < st->n; i++) {
		const struct ctl_key *k = &keys[st->kv[i].key];

		if (k->kind != kind)
			continue;
		/* A labelled name is written once, where it first occurs. */
		done = false;
		for (j = 0; j < i; j++)
			if (st->kv[j].key == st->kv[i].key)
				done = true;
		if (done)
			continue;
		cbuf_puts(b, first ? "" : ",");
		first = false;
		cbuf_json_str(b, k->name);
		cbuf_puts(b, ":");
		if (k->label == NULL) {
			if (kind == CTL_INFO)
				cbuf_json_str(b, st->kv[i].s);
			else
				cbuf_printf(b, "%llu",
				    (unsigned long long)st->kv[i].v);
			continue;
		}
		cbuf_puts(b, "{");
		for (j = i; j < st->n; j++) {
			if (st->kv[j].key != st->kv[i].key)
				continue;
			if (j != i)
				cbuf_puts(b, ",");
			cbuf_json_str(b, st->kv[j].label);
			cbuf_puts(b, ":");
			if (kind == CTL_INFO)
				cbuf_json_str(b, st->kv[j].s);
			else
				cbuf_printf(b, "%llu",
				    (unsigned long long)st->kv[j].v);
		}
		cbuf_puts(b, "}");
	}
}

void
ctl_stats_json(struct cbuf *b, const struct ctl_stats *st,
    const struct ctl_key *keys, unsigned int nkeys)
{
	(void)nkeys;		/* st->kv[].key < nkeys: ctl_stats_parse() */
	cbuf_puts(b, "\"info\":{");
	json_kind(b, st, keys, CTL_INFO);
	cbuf_puts(b, "},\"gauges\":{");
	json_kind(b, st, keys, CTL_GAUGE);
	cbuf_puts(b, "},\"counters\":{");
	json_kind(b, st, keys, CTL_COUNTER);
	cbuf_puts(b, "}");
}

/* ---- Prometheus ---- */

void
ctl_prom_head(struct cbuf *b, const char *name, enum ctl_kind kind,
    const char *help)
{
	const char *sfx = kind == CTL_COUNTER ? "_total" : "";
	const char *c;

	cbuf_printf(b, "# HELP xb_%s%s ", name, sfx);
	/* HELP text escapes only \ and newline. */
	for (c = help; *c != '\0'; c++) {
		if (*c == '\\')
			cbuf_puts(b, "\\\\");
		else if (*c == '\n')
			cbuf_puts(b, "\\n");
		else
			cbuf_add(b, c, 1);
	}
	cbuf_printf(b, "\n# TYPE xb_%s%s %s\n", name, sfx,
	    kind == CTL_COUNTER ? "counter" : "gauge");
}

void
ctl_prom_sample(struct cbuf *b, const char *name, enum ctl_kind kind,
    const char *daemon, unsigned int domid, unsigned int devid,
    const char *lname, const char *lval, uint64_t v)
{
	cbuf_printf(b, "xb_%s%s{daemon=\"", name,
	    kind == CTL_COUNTER ? "_total" : "");
	cbuf_prom_label(b, daemon);
	cbuf_printf(b, "\",domid=\"%u\",devid=\"%u\"", domid, devid);
	if (lname != NULL) {
		cbuf_printf(b, ",%s=\"", lname);
		cbuf_prom_label(b, lval);
		cbuf_puts(b, "\"");
	}
	cbuf_printf(b, "} %llu\n", (unsigned long long)v);
}

void
ctl_prom_stats(struct cbuf *b, const char *daemon, const struct ctl_key *keys,
    unsigned int nkeys, const struct ctl_prom_dev *devs, unsigned int ndevs)
{
	unsigned int k, d, i;
	bool head;

	for (k = 0; k < nkeys; k++) {
		if (keys[k].kind == CTL_INFO)
			continue;
		head = false;
		for (d = 0; d < ndevs; d++) {
			const struct ctl_stats *st = devs[d].st;

			if (st == NULL)
				continue;
			for (i = 0; i < st->n; i++) {
				if (st->kv[i].key != k)
					continue;
				if (!head)
					ctl_prom_head(b, keys[k].name,
					    keys[k].kind, keys[k].help);
				head = true;
				ctl_prom_sample(b, keys[k].name, keys[k].kind,
				    daemon, devs[d].domid, devs[d].devid,
				    keys[k].label, st->kv[i].label,
				    st->kv[i].v);
			}
		}
	}
}
