/*
 * ctlfmt.h - the text of the control socket (docs/ARCHITECTURE.md "Control
 * socket"): the request line, an output buffer with JSON and Prometheus
 * escaping, and the workers' stats replies (written by a worker, checked
 * by its parent).  Pure functions, no I/O (tests/unit/test_ctlfmt.c).
 *
 * A stats reply is one line of space-separated tokens "name=value" or
 * "name.label=value".  The parent accepts only names from its daemon's key
 * table (struct ctl_key), numbers where the table says counter or gauge and
 * a short word where it says info: whatever a compromised worker sends, it
 * can only change its own device's numbers.
 */
#ifndef XB_CTLFMT_H
#define XB_CTLFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- output buffer ---- */

/*
 * A growing buffer of at most max bytes.  A failed allocation or an
 * overflow sets err and later additions are ignored: the caller checks
 * err once, at the end.
 */
struct cbuf {
	char	*p;
	size_t	 len, cap, max;
	bool	 err;
};

void	cbuf_init(struct cbuf *, size_t max);
void	cbuf_add(struct cbuf *, const char *s, size_t len);
void	cbuf_puts(struct cbuf *, const char *s);
void	cbuf_printf(struct cbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Free the bytes; the buffer may be initialised again. */
void	cbuf_free(struct cbuf *);

/*
 * s as a JSON string, quotes included.  ", \ and every byte outside
 * printable ASCII are escaped (\", \\, \n, \u00XX), so the reply is ASCII
 * whatever bytes s holds (a guest's domain name, a worker's message).
 */
void	cbuf_json_str(struct cbuf *, const char *s);

/*
 * s as a Prometheus label value without the quotes (text format 0.0.4:
 * \\, \" and \n escaped); other bytes outside printable ASCII become '?'.
 */
void	cbuf_prom_label(struct cbuf *, const char *s);

/* ---- requests ---- */

/* Longest request line, newline included. */
#define CTL_REQ_MAX	128

enum ctl_req_kind {
	CTL_REQ_STATUS,		/* "status" or "status <domid>": JSON */
	CTL_REQ_METRICS,	/* "metrics": Prometheus text 0.0.4 */
};

struct ctl_req {
	enum ctl_req_kind	kind;
	bool			has_domid;
	unsigned int		domid;
};

/*
 * Parse one request line (len bytes, without its newline; a trailing '\r'
 * is accepted).  Words are separated by one space.  Returns 0, or -1 with
 * a static reason in *why.
 */
int	ctl_req_parse(const char *line, size_t len, struct ctl_req *,
	    const char **why);

/* ---- stats keys and replies ---- */

enum ctl_kind {
	CTL_COUNTER,		/* uint64, only grows: Prometheus counter */
	CTL_GAUGE,		/* uint64 now: Prometheus gauge */
	CTL_INFO,		/* a short word (a feature, a protocol): JSON only */
};

/*
 * One key a daemon's workers may report.  label: NULL, or the name of the
 * label the token must carry ("reason", "queue"); help: one line for the
 * Prometheus HELP.  Metric names are "xb_<name>", counters with "_total".
 */
struct ctl_key {
	const char	*name;
	enum ctl_kind	 kind;
	const char	*label;
	const char	*help;
};

#define CTL_KV_MAX	96	/* values per device */
#define CTL_NAME_MAX	32	/* a name, NUL included */
#define CTL_LABEL_MAX	24	/* a label value, NUL included */
#define CTL_SVAL_MAX	40	/* an info value, NUL included */
#define CTL_STATS_MAX	4096	/* a reply's tokens */

struct ctl_kv {
	unsigned int	key;			/* index in the key table */
	char		label[CTL_LABEL_MAX];	/* "" without a label */
	uint64_t	v;
	char		s[CTL_SVAL_MAX];	/* CTL_INFO */
};

struct ctl_stats {
	unsigned int	n;
	unsigned int	unknown;	/* well-formed tokens of no known name */
	struct ctl_kv	kv[CTL_KV_MAX];
};

/*
 * Check a worker's reply (len bytes, at most CTL_STATS_MAX) against keys
 * and fill *st.  Names and labels are [a-z0-9_]; a counter or gauge is a
 * decimal number that fits 64 bits; an info value is [A-Za-z0-9_.,:+/-]
 * and shorter than CTL_SVAL_MAX.  A token of no known name is counted and
 * skipped (a worker of a newer build); anything else wrong, a name repeated
 * with the same label, a missing or unexpected label, or more than
 * CTL_KV_MAX values refuses the whole reply: returns -1 with the reason in
 * why (no byte of the reply in it).  Returns 0.
 */
int	ctl_stats_parse(const char *data, size_t len, const struct ctl_key *keys,
	    unsigned int nkeys, struct ctl_stats *st, char *why, size_t whylen);

/*
 * The worker's side: append tokens to a reply.  A name or label is taken
 * as the daemon wrote it; an info value has each byte outside the allowed
 * set replaced by '_' and is cut to fit.  A token that does not fit sets
 * full and is dropped whole.
 */
struct ctl_kvw {
	char	buf[CTL_STATS_MAX + 1];
	size_t	len;
	bool	full;
};

void	ctl_kvw_init(struct ctl_kvw *);
void	ctl_kvw_u64(struct ctl_kvw *, const char *name, const char *label,
	    uint64_t v);
void	ctl_kvw_str(struct ctl_kvw *, const char *name, const char *label,
	    const char *s);

/*
 * st as the members of a JSON object (no braces): "info":{...},
 * "gauges":{...},"counters":{...}; a labelled name is an object of its
 * labels ("tx_drops":{"runt":3}), in the order first seen.
 */
void	ctl_stats_json(struct cbuf *, const struct ctl_stats *st,
	    const struct ctl_key *keys, unsigned int nkeys);

/* ---- Prometheus text format 0.0.4 ---- */

/* One device's stats for ctl_prom_stats(); st NULL: none (not answering). */
struct ctl_prom_dev {
	unsigned int		 domid, devid;
	const struct ctl_stats	*st;
};

/* "# HELP xb_<name>[_total] help\n# TYPE ... counter|gauge\n". */
void	ctl_prom_head(struct cbuf *, const char *name, enum ctl_kind,
	    const char *help);

/*
 * One sample: xb_<name>[_total]{daemon="..",domid="..",devid=".."[,
 * lname="lval"]} v.  lname NULL: no extra label.
 */
void	ctl_prom_sample(struct cbuf *, const char *name, enum ctl_kind,
	    const char *daemon, unsigned int domid, unsigned int devid,
	    const char *lname, const char *lval, uint64_t v);

/*
 * Every counter and gauge of keys that some device reported, each family
 * once (HELP, TYPE, then its samples from every device), in key order.
 */
void	ctl_prom_stats(struct cbuf *, const char *daemon,
	    const struct ctl_key *keys, unsigned int nkeys,
	    const struct ctl_prom_dev *devs, unsigned int ndevs);

#endif
