/*
 * conf.c - the configuration file parser (conf.h, xb-backends.conf(5)).
 *
 * The whole file is read into memory and parsed line by line into a flat
 * list of (section, key, value, line) entries; getters search that list.
 * A file has a few dozen lines, so a linear search is plenty.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "parse.h"

struct conf_ent {
	const char	*sec;		/* points into sections[] */
	char		*key;
	char		*value;
	unsigned int	 line;
	bool		 used;
};

struct conf {
	char			*name;
	bool			 found;
	struct conf_ent		*ents;
	size_t			 nents;
	char			 err[CONF_ERR_MAX];
};

static void
conf_verr(char *err, size_t errlen, const char *name, unsigned int line,
    const char *fmt, va_list ap)
{
	int n;

	if (errlen == 0)
		return;
	if (line > 0)
		n = snprintf(err, errlen, "%s:%u: ", name, line);
	else
		n = snprintf(err, errlen, "%s: ", name);
	if (n < 0 || (size_t)n >= errlen)
		return;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void __attribute__((format(printf, 5, 6)))
conf_err(char *err, size_t errlen, const char *name, unsigned int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(err, errlen, name, line, fmt, ap);
	va_end(ap);
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A section name or key: a lower-case letter, then [a-z0-9-]. */
static size_t
word_len(const char *s)
{
	size_t n = 0;

	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
	    s[n] == '-')
		n++;
	return n;
}

/* After a section header or a value: only white space and a comment. */
static bool
rest_empty(const char *s)
{
	while (is_space(*s))
		s++;
	return *s == '\0' || *s == '#';
}

static void
conf_free_ents(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nents; i++) {
		free(c->ents[i].key);
		free(c->ents[i].value);
	}
	free(c->ents);
	c->ents = NULL;
	c->nents = 0;
}

/*
 * One line (NUL-terminated, no newline, checked for control bytes).
 * *sec is the current section.  Returns 0 or -1 with err set.
 */
static int
conf_line(struct conf *c, char *s, unsigned int line,
    const char *const *sections, const char **sec, unsigned int *sec_line,
    char *err, size_t errlen)
{
	struct conf_ent *e, *ne;
	size_t n, i, vlen;
	char *key, *value;

	while (is_space(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[') {
		s++;
		n = word_len(s);
		if (n == 0 || s[n] != ']' || !rest_empty(s + n + 1)) {
			conf_err(err, errlen, c->name, line, "bad section "
			    "header (expected [name] alone on the line)");
			return -1;
		}
		s[n] = '\0';
		for (i = 0; sections[i] != NULL; i++)
			if (strcmp(sections[i], s) == 0)
				break;
		if (sections[i] == NULL) {
			conf_err(err, errlen, c->name, line, "unknown section "
			    "[%s]", s);
			return -1;
		}
		if (sec_line[i] != 0) {
			conf_err(err, errlen, c->name, line, "section [%s] "
			    "again (first on line %u)", s, sec_line[i]);
			return -1;
		}
		sec_line[i] = line;
		*sec = sections[i];
		return 0;
	}
	n = word_len(s);
	if (n == 0 || (s[n] != '\0' && !is_space(s[n]))) {
		conf_err(err, errlen, c->name, line, "bad key (expected a "
		    "word of a-z, 0-9 and '-', then a value)");
		return -1;
	}
	key = s;
	s += n;
	if (*s != '\0')
		*s++ = '\0';
	while (is_space(*s))
		s++;
	if (*s == '\0' || *s == '#') {
		conf_err(err, errlen, c->name, line, "%s: no value", key);
		return -1;
	}
	value = s;
	vlen = 0;
	while (value[vlen] != '\0' && !is_space(value[vlen]))
		vlen++;
	if (!rest_empty(value + vlen)) {
		conf_err(err, errlen, c->name, line, "%s: more than one value "
		    "(a value is one word)", key);
		return -1;
	}
	value[vlen] = '\0';
	if (*sec == NULL) {
		conf_err(err, errlen, c->name, line, "%s: outside a section "
		    "(keys go under a [section] header)", key);
		return -1;
	}
	for (i = 0; i < c->nents; i++) {
		e = &c->ents[i];
		if (e->sec == *sec && strcmp(e->key, key) == 0) {
			conf_err(err, errlen, c->name, line, "duplicate key "
			    "%s in [%s] (first on line %u)", key, *sec, e->line);
			return -1;
		}
	}
	if ((ne = reallocarray(c->ents, c->nents + 1, sizeof(*ne))) == NULL)
		goto nomem;
	c->ents = ne;
	e = &c->ents[c->nents];
	memset(e, 0, sizeof(*e));
	e->sec = *sec;
	e->line = line;
	if ((e->key = strdup(key)) == NULL)
		goto nomem;
	if ((e->value = strdup(value)) == NULL) {
		free(e->key);
		goto nomem;
	}
	c->nents++;
	return 0;
nomem:
	conf_err(err, errlen, c->name, line, "%s", strerror(ENOMEM));
	errno = ENOMEM;
	return -1;
}

struct conf *
conf_parse(const char *name, const char *text, size_t len,
    const char *const *sections, char *err, size_t errlen)
{
	struct conf *c;
	const char *sec = NULL;
	unsigned int sec_line[16], line = 0;
	char buf[CONF_LINE_MAX + 1];
	size_t pos = 0, n, i;

	for (i = 0; sections[i] != NULL; i++)
		;
	if (i > sizeof(sec_line) / sizeof(sec_line[0])) {
		conf_err(err, errlen, name, 0, "too many sections");
		errno = EINVAL;
		return NULL;
	}
	memset(sec_line, 0, sizeof(sec_line));
	errno = 0;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->name = strdup(name)) == NULL) {
		free(c);
		conf_err(err, errlen, name, 0, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	c->found = true;
	while (pos < len) {
		line++;
		for (n = 0; pos + n < len && text[pos + n] != '\n'; n++) {
			unsigned char ch = (unsigned char)text[pos + n];

			if (n == CONF_LINE_MAX) {
				conf_err(err, errlen, name, line, "line too "
				    "long (more than %d bytes)", CONF_LINE_MAX);
				goto fail;
			}
			/* Tabs are white space; other control bytes (a
			 * NUL, a CR from an editor elsewhere) are errors. */
			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				conf_err(err, errlen, name, line, "control "
				    "character 0x%02x", ch);
				goto fail;
			}
			buf[n] = (char)ch;
		}
		buf[n] = '\0';
		pos += n + 1;
		if (conf_line(c, buf, line, sections, &sec, sec_line, err,
		    errlen) == -1)
			goto fail;
	}
	return c;
fail:
	conf_free(c);
	if (errno != ENOMEM)
		errno = EINVAL;
	return NULL;
}

struct conf *
conf_load(const char *path, bool must_exist, const char *const *sections,
    char *err, size_t errlen)
{
	struct conf *c;
	char *text;
	size_t len = 0;
	ssize_t r;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && !must_exist) {
			c = conf_parse(path, "", 0, sections, err, errlen);
			if (c != NULL)
				c->found = false;
			return c;
		}
		e = errno;
		conf_err(err, errlen, path, 0, "%s", strerror(e));
		errno = e;
		return NULL;
	}
	/* One byte more than allowed: a larger file is refused, not cut. */
	if ((text = malloc(CONF_FILE_MAX + 1)) == NULL) {
		close(fd);
		conf_err(err, errlen, path, 0, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	while (len <= CONF_FILE_MAX) {
		r = read(fd, text + len, CONF_FILE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			e = errno;
			conf_err(err, errlen, path, 0, "%s", strerror(e));
			free(text);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > CONF_FILE_MAX) {
		conf_err(err, errlen, path, 0, "larger than %d bytes",
		    CONF_FILE_MAX);
		free(text);
		errno = EFBIG;
		return NULL;
	}
	c = conf_parse(path, text, len, sections, err, errlen);
	free(text);
	return c;
}

const char *
conf_name(const struct conf *c)
{
	return c->name;
}

bool
conf_found(const struct conf *c)
{
	return c->found;
}

static struct conf_ent *
conf_find(struct conf *c, const char *sec, const char *key)
{
	size_t i;

	for (i = 0; i < c->nents; i++)
		if (strcmp(c->ents[i].sec, sec) == 0 &&
		    strcmp(c->ents[i].key, key) == 0) {
			c->ents[i].used = true;
			return &c->ents[i];
		}
	return NULL;
}

static int __attribute__((format(printf, 3, 4)))
ent_bad(struct conf *c, const struct conf_ent *e, const char *fmt, ...)
{
	char why[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	conf_err(c->err, sizeof(c->err), c->name, e->line, "%s \"%s\": %s",
	    e->key, e->value, why);
	return -1;
}

int
conf_uint(struct conf *c, const char *sec, const char *key, uint64_t min,
    uint64_t max, uint64_t *out)
{
	struct conf_ent *e;
	uint64_t v;

	if ((e = conf_find(c, sec, key)) == NULL)
		return 0;
	if (parse_uint(e->value, UINT64_MAX, &v) == -1)
		return ent_bad(c, e, "not a decimal number");
	if (v < min || v > max)
		return ent_bad(c, e, "out of range (%llu to %llu)",
		    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 1;
}

int
conf_size(struct conf *c, const char *sec, const char *key, uint64_t min,
    uint64_t max, uint64_t *out)
{
	struct conf_ent *e;
	uint64_t v;

	if ((e = conf_find(c, sec, key)) == NULL)
		return 0;
	if (parse_size(e->value, UINT64_MAX, &v) == -1) {
		if (errno == ERANGE)
			return ent_bad(c, e, "out of range (%llu to %llu)",
			    (unsigned long long)min, (unsigned long long)max);
		return ent_bad(c, e, "expected a number with an optional K, "
		    "M or G suffix");
	}
	if (v < min || v > max)
		return ent_bad(c, e, "out of range (%llu to %llu)",
		    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 1;
}

int
conf_bool(struct conf *c, const char *sec, const char *key, bool *out)
{
	struct conf_ent *e;

	if ((e = conf_find(c, sec, key)) == NULL)
		return 0;
	if (strcmp(e->value, "yes") == 0)
		*out = true;
	else if (strcmp(e->value, "no") == 0)
		*out = false;
	else
		return ent_bad(c, e, "expected yes or no");
	return 1;
}

int
conf_string(struct conf *c, const char *sec, const char *key,
    const char **out)
{
	struct conf_ent *e;

	if ((e = conf_find(c, sec, key)) == NULL)
		return 0;
	*out = e->value;
	return 1;
}

int
conf_enum(struct conf *c, const char *sec, const char *key,
    const char *const *names, unsigned int *out)
{
	struct conf_ent *e;
	char list[CONF_ERR_MAX];
	size_t n = 0;
	unsigned int i;

	if ((e = conf_find(c, sec, key)) == NULL)
		return 0;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(e->value, names[i]) == 0) {
			*out = i;
			return 1;
		}
	list[0] = '\0';
	for (i = 0; names[i] != NULL && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ",
		    names[i]);
	return ent_bad(c, e, "expected %s", list);
}

int
conf_invalid(struct conf *c, const char *sec, const char *key,
    const char *fmt, ...)
{
	struct conf_ent *e;
	char why[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if ((e = conf_find(c, sec, key)) == NULL) {
		conf_err(c->err, sizeof(c->err), c->name, 0, "%s: %s", key,
		    why);
		return -1;
	}
	return ent_bad(c, e, "%s", why);
}

int
conf_unused(struct conf *c, const char *sec)
{
	size_t i;

	/* The entries are in file order: the first is the earliest line. */
	for (i = 0; i < c->nents; i++)
		if (!c->ents[i].used && strcmp(c->ents[i].sec, sec) == 0) {
			conf_err(c->err, sizeof(c->err), c->name,
			    c->ents[i].line, "unknown key %s in [%s]",
			    c->ents[i].key, sec);
			return -1;
		}
	return 0;
}

const char *
conf_error(const struct conf *c)
{
	return c->err;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	conf_free_ents(c);
	free(c->name);
	free(c);
}
