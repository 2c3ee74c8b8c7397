/*
 * conf.h - the daemons' configuration file, xb-backends.conf(5).
 *
 * One file for the suite, a section per daemon:
 *
 *	# comment
 *	[blkbackd]
 *	max-queues 8		# a comment after white space
 *
 * One "key value" per line inside a section; keys are [a-z0-9-], a value
 * is one word.  conf_parse() checks the syntax, that every section is one
 * the caller named (once) and that no key appears twice in a section.  The
 * caller then asks for each key it knows with a typed getter and finally
 * calls conf_unused(), which fails on a key nobody asked for: a misspelt
 * key is an error, never silently a default.
 *
 * Every message names the file, the line and the key
 * ("/etc/xen/xb-backends.conf:7: max-queues \"40\": out of range (1 to 16)").
 * Nothing here exits, logs or picks a value: the caller holds the
 * defaults and decides what a failure means.
 */
#ifndef XB_CONF_H
#define XB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the daemons look without -f (the Makefile sets it from SYSCONFDIR). */
#ifndef XB_CONF_FILE
#define XB_CONF_FILE	"/etc/xen/xb-backends.conf"
#endif
/* The sections of that file: one per daemon, each read by its daemon only. */
#define XB_CONF_SECTIONS	{ "blkbackd", "netbackd", "consoled", NULL }

/* Limits: longer lines and larger files are errors, not truncated. */
#define CONF_LINE_MAX	1024		/* bytes, without the newline */
#define CONF_FILE_MAX	(1024 * 1024)
#define CONF_ERR_MAX	512

struct conf;

/*
 * Parse text[0..len) as the file called name (for messages).  sections is
 * a NULL-terminated list of the allowed section names (at most 16; the
 * strings must outlive the conf, as literals do).  Returns a conf,
 * or NULL with the first error in err (errno EINVAL, or ENOMEM).
 */
struct conf	*conf_parse(const char *name, const char *text, size_t len,
		    const char *const *sections, char *err, size_t errlen);

/*
 * Read and parse the file at path.  A file that does not exist is an
 * empty configuration when must_exist is false (the default path), and an
 * error naming the path when it is true (a path the user gave).  Returns
 * NULL with the reason in err.
 */
struct conf	*conf_load(const char *path, bool must_exist,
		    const char *const *sections, char *err, size_t errlen);

/* The name it was parsed under, and whether the file was there at all. */
const char	*conf_name(const struct conf *);
bool		 conf_found(const struct conf *);

/*
 * Typed getters for key in section sec.  Each returns 1 with *out set,
 * 0 if the key is absent (*out untouched), or -1 if its value is bad
 * (*out untouched, the reason in conf_error()).  Asking marks the key
 * known for conf_unused().
 *
 * conf_uint: decimal, in [min, max].
 * conf_size: decimal with an optional K, M or G suffix (powers of 1024,
 *   parse_size()), in [min, max].
 * conf_bool: "yes" or "no".
 * conf_string: any word; *out points into c (valid until conf_free()).
 * conf_enum: one of names (NULL-terminated); *out is its index.
 */
int	conf_uint(struct conf *, const char *sec, const char *key,
	    uint64_t min, uint64_t max, uint64_t *out);
int	conf_size(struct conf *, const char *sec, const char *key,
	    uint64_t min, uint64_t max, uint64_t *out);
int	conf_bool(struct conf *, const char *sec, const char *key, bool *out);
int	conf_string(struct conf *, const char *sec, const char *key,
	    const char **out);
int	conf_enum(struct conf *, const char *sec, const char *key,
	    const char *const *names, unsigned int *out);

/*
 * For a check the getters cannot make (a value that depends on another):
 * record "file:line: key \"value\": <why>" as the error and return -1.
 * key must be present in sec (asked for before); otherwise the message
 * names the file only.
 */
int	conf_invalid(struct conf *, const char *sec, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * -1 if sec holds a key no getter asked for (the first one, by line, is
 * named in conf_error()), else 0.
 */
int	conf_unused(struct conf *, const char *sec);

/* The last error, "" if none. */
const char	*conf_error(const struct conf *);

void	conf_free(struct conf *);

#endif
