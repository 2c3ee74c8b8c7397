/*
 * json.c - see json.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jp {
	const char	*p, *end;
	char		*err;
	size_t		 errlen;
};

static int	value(struct jp *, struct json *, int depth);

static int
fail(struct jp *j, const char *what)
{
	if (j->err[0] == '\0')
		snprintf(j->err, j->errlen, "%s", what);
	return -1;
}

static void
ws(struct jp *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) != NULL)
		j->p++;
}

static int
hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int
string(struct jp *j, char **out)
{
	const char *p = j->p + 1;
	char *s, *d;
	int u;

	/* At most as long as the text; decoding only shrinks it. */
	if ((s = d = malloc((size_t)(j->end - j->p) + 1)) == NULL)
		return fail(j, "out of memory");
	for (;;) {
		if (p >= j->end) {
			free(s);
			return fail(j, "unterminated string");
		}
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20) {
			free(s);
			return fail(j, "control byte in string");
		}
		if (*p != '\\') {
			*d++ = (unsigned char)*p >= 0x7f ? '?' : *p;
			p++;
			continue;
		}
		if (++p >= j->end) {
			free(s);
			return fail(j, "unterminated string");
		}
		switch (*p) {
		case '"': case '\\': case '/':
			*d++ = *p;
			break;
		case 'n': case 't': case 'r': case 'b': case 'f':
			*d++ = ' ';
			break;
		case 'u':
			if (j->end - p < 5 || (u = hex4(p + 1)) == -1) {
				free(s);
				return fail(j, "bad \\u escape");
			}
			*d++ = u >= 0x20 && u < 0x7f ? (char)u : '?';
			p += 4;
			break;
		default:
			free(s);
			return fail(j, "bad escape");
		}
		p++;
	}
	*d = '\0';
	j->p = p + 1;
	*out = s;
	return 0;
}

static int
number(struct jp *j, struct json *v)
{
	const char *p = j->p;
	size_t n;

	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end || *p < '0' || *p > '9')
		return fail(j, "bad number");
	while (p < j->end && strchr("0123456789.eE+-", *p) != NULL)
		p++;
	n = (size_t)(p - j->p);
	if ((v->s = malloc(n + 1)) == NULL)
		return fail(j, "out of memory");
	memcpy(v->s, j->p, n);
	v->s[n] = '\0';
	v->type = JSON_NUM;
	j->p = p;
	return 0;
}

static int
members(struct jp *j, struct json *v, bool obj, int depth)
{
	char close = obj ? '}' : ']';
	unsigned int cap = 0;

	v->type = obj ? JSON_OBJ : JSON_ARR;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			unsigned int nc = cap == 0 ? 8 : cap * 2;
			struct json *k = realloc(v->kids, nc * sizeof(*k));
			char **ks;

			if (k == NULL)
				return fail(j, "out of memory");
			v->kids = k;
			if (obj) {
				if ((ks = realloc(v->keys, nc * sizeof(*ks))) ==
				    NULL)
					return fail(j, "out of memory");
				v->keys = ks;
			}
			cap = nc;
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[v->n]));
		if (obj) {
			ws(j);
			if (j->p >= j->end || *j->p != '"')
				return fail(j, "expected a key");
			if (string(j, &v->keys[v->n]) == -1)
				return -1;
			ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(v->keys[v->n]);
				return fail(j, "expected ':'");
			}
			j->p++;
		}
		v->n++;
		if (value(j, &v->kids[v->n - 1], depth + 1) == -1)
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return fail(j, obj ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int
word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return fail(j, "unexpected character");
	j->p += n;
	return 0;
}

static int
value(struct jp *j, struct json *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (depth > JSON_DEPTH)
		return fail(j, "nested too deep");
	ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end");
	switch (*j->p) {
	case '{':
		return members(j, v, true, depth);
	case '[':
		return members(j, v, false, depth);
	case '"':
		v->type = JSON_STR;
		return string(j, &v->s);
	case 't':
		v->type = JSON_BOOL;
		v->b = true;
		return word(j, "true");
	case 'f':
		v->type = JSON_BOOL;
		return word(j, "false");
	case 'n':
		return word(j, "null");
	default:
		return number(j, v);
	}
}

int
json_parse(const char *text, size_t len, struct json *out, char *err,
    size_t errlen)
{
	struct jp j = { text, text + len, err, errlen };

	err[0] = '\0';
	if (value(&j, out, 0) == -1) {
		json_free(out);
		return -1;
	}
	ws(&j);
	if (j.p != j.end) {
		json_free(out);
		return fail(&j, "trailing bytes");
	}
	return 0;
}

void
json_free(struct json *v)
{
	unsigned int i;

	for (i = 0; i < v->n; i++) {
		json_free(&v->kids[i]);
		if (v->type == JSON_OBJ)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct json *
json_get(const struct json *v, const char *key)
{
	unsigned int i;

	if (v == NULL || v->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->kids[i];
	return NULL;
}

const char *
json_str(const struct json *v, const char *def)
{
	if (v == NULL || (v->type != JSON_STR && v->type != JSON_NUM))
		return def;
	return v->s;
}
