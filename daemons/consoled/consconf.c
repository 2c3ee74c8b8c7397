/*
 * consconf.c - consoled's section of xb-backends.conf(5) and
 * --print-capabilities.
 *
 * Each key is a flag of consoled(8) under a longer name; a flag given on
 * the command line wins over the file, but the file's value is checked
 * all the same (so that -n finds a bad file before the flag is dropped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "consoled.h"

#define SEC	"consoled"

/* The words of -l and -t, in the order of cons_what_set(). */
static const char *const what_names[] = { "none", "guest", "hv", "all", NULL };

static void
cons_what_set(unsigned int i, bool *guest, bool *hv)
{
	*guest = i == 1 || i == 3;
	*hv = i == 2 || i == 3;
}

/* A path key: a copy that lives as long as the process (o points to it). */
static int
conf_path(struct conf *c, const char *key, bool flag, const char **out)
{
	const char *s;
	char *copy;
	int r;

	if ((r = conf_string(c, SEC, key, &s)) != 1)
		return r;
	if (s[0] != '/')
		return conf_invalid(c, SEC, key, "not an absolute path");
	if (flag)
		return 1;
	if ((copy = strdup(s)) == NULL)
		return conf_invalid(c, SEC, key, "%s", strerror(errno));
	*out = copy;
	return 1;
}

int
consd_conf(struct cons_opts *o, const char *path, const bool set[128],
    char *err, size_t errlen)
{
	static const char *const sections[] = XB_CONF_SECTIONS;
	struct conf *c;
	uint64_t v;
	unsigned int i;
	bool b;
	int r;

	if ((c = conf_load(path != NULL ? path : XB_CONF_FILE, path != NULL,
	    sections, err, errlen)) == NULL)
		return -1;
#define FLAG(ch)	(set[(unsigned char)(ch)])
	if ((r = conf_path(c, "log-dir", FLAG('L'), &o->logdir)) == -1 ||
	    (r = conf_path(c, "socket-dir", FLAG('s'), &o->sockdir)) == -1)
		goto bad;
	if ((r = conf_enum(c, SEC, "log", what_names, &i)) == -1)
		goto bad;
	if (r == 1 && !FLAG('l'))
		cons_what_set(i, &o->log_guest, &o->log_hv);
	if ((r = conf_enum(c, SEC, "timestamps", what_names, &i)) == -1)
		goto bad;
	if (r == 1 && !FLAG('t'))
		cons_what_set(i, &o->ts_guest, &o->ts_hv);
	if ((r = conf_bool(c, SEC, "raw-logs", &b)) == -1)
		goto bad;
	if (r == 1 && !FLAG('R'))
		o->raw = b;
	/* The ranges of the flags (consoled.c main()). */
	if ((r = conf_size(c, SEC, "rotate-size", 0, 1ULL << 50, &v)) == -1)
		goto bad;
	if (r == 1 && v != 0 && v < 4096) {
		conf_invalid(c, SEC, "rotate-size", "at least 4K (or 0: never)");
		goto bad;
	}
	if (r == 1 && !FLAG('S'))
		o->rotate_size = v;
	if ((r = conf_uint(c, SEC, "rotate-keep", 0, 1000, &v)) == -1)
		goto bad;
	if (r == 1 && !FLAG('K'))
		o->keep = (unsigned int)v;
	if ((r = conf_size(c, SEC, "rate", 0, 1ULL << 40, &v)) == -1)
		goto bad;
	if (r == 1 && !FLAG('r'))
		o->rate = v;
	if ((r = conf_uint(c, SEC, "cpu-percent", 0, 100, &v)) == -1)
		goto bad;
	if (r == 1 && !FLAG('c'))
		o->cpu_pct = v;
	if ((r = conf_size(c, SEC, "memory", 0, 1ULL << 30, &v)) == -1)
		goto bad;
	if (r == 1 && !FLAG('M'))
		o->memcap = v;
	if ((r = conf_size(c, SEC, "scrollback", 1024, 1ULL << 20, &v)) == -1)
		goto bad;
	if (r == 1 && !FLAG('b'))
		o->scrollback = v;
#undef FLAG
	if (conf_unused(c, SEC) == -1)
		goto bad;
	o->conf_found = conf_found(c);
	conf_free(c);
	return 0;
bad:
	snprintf(err, errlen, "%s", conf_error(c));
	conf_free(c);
	return -1;
}

void
consd_print_caps(const struct cons_opts *o)
{
	printf("{\n"
	    "  \"daemon\": \"consoled\",\n"
	    "  \"consoles\": [\"primary\", \"secondary\"],\n"
	    "  \"log\": { \"guest\": %s, \"hv\": %s },\n"
	    "  \"timestamps\": { \"guest\": %s, \"hv\": %s },\n"
	    "  \"raw-logs\": %s,\n"
	    "  \"rotation\": { \"size\": %llu, \"keep\": %u, "
	    "\"reopen-on-sighup\": true },\n"
	    "  \"rate\": %llu,\n"
	    "  \"cpu-percent\": %llu,\n"
	    "  \"scrollback\": %llu,\n"
	    "  \"clients-per-console\": %u\n"
	    "}\n",
	    o->log_guest ? "true" : "false", o->log_hv ? "true" : "false",
	    o->ts_guest ? "true" : "false", o->ts_hv ? "true" : "false",
	    o->raw ? "true" : "false", (unsigned long long)o->rotate_size,
	    o->keep, (unsigned long long)o->rate,
	    (unsigned long long)o->cpu_pct, (unsigned long long)o->scrollback,
	    o->max_clients);
}
