/*
 * json.h - a small JSON reader for xbctl: the daemons' status replies
 * (RFC 8259) into a tree.  Strings are decoded; an escaped byte outside
 * printable ASCII becomes '?', so what is printed cannot move the
 * terminal.  Nesting is bounded (JSON_DEPTH).
 */
#ifndef XBCTL_JSON_H
#define XBCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_DEPTH	32

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type	 type;
	bool		 b;		/* JSON_BOOL */
	char		*s;		/* JSON_STR decoded, JSON_NUM as written */
	unsigned int	 n;		/* members of JSON_ARR, JSON_OBJ */
	char		**keys;		/* JSON_OBJ */
	struct json	*kids;
};

/*
 * Parse text[0..len) (one value, whitespace around it allowed) into *out.
 * Returns 0, or -1 with the reason in err.
 */
int		 json_parse(const char *text, size_t len, struct json *out,
		    char *err, size_t errlen);

/* Free what json_parse() allocated in v (not v itself). */
void		 json_free(struct json *v);

/* The member key of object v, or NULL. */
const struct json *json_get(const struct json *v, const char *key);

/* The string of v (JSON_STR or JSON_NUM), or def. */
const char	*json_str(const struct json *v, const char *def);

#endif
