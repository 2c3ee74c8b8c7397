/*
 * quiesce.h - what blkbackd's and netbackd's clean-stop records share
 * (docs/ARCHITECTURE.md "Stop and start"): the key, the common header
 * "<version> ", strict canonical decimals, and the helpers both use to
 * check a record against the frontend's keys.  Each daemon keeps its own
 * layout (blkquiesce.h, netquiesce.h).  Pure: no xenstore, no Xen.
 *
 * Anyone with write access to the backend directory could have written a
 * record (a compromised worker, through the proxy): everything here reads
 * it like guest input.
 */
#ifndef XB_QUIESCE_H
#define XB_QUIESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The record's key, in backend/<type>/<domid>/<devid>. */
#define XB_QUIESCED_KEY		"xb-quiesced"
/* The first field of every record. */
#define XBQ_VERSION		1u

/*
 * Reads frontend key `key` (relative to the frontend directory, e.g.
 * "queue-1/ring-ref0"); returns a malloc'd value or NULL if absent.
 */
typedef char	*xbq_read_fn(void *arg, const char *key);

/* A record being formatted into buf (len bytes); off starts at 0. */
struct xbq_out {
	char	*buf;
	size_t	 len;
	size_t	 off;
};

/*
 * Append to o->buf.  Returns 0, or -1 with errno ENOSPC if it does not fit
 * (with its NUL) or len is 0.
 */
int	xbq_put(struct xbq_out *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * One decimal uint32 at *p, ending at one of the characters in ends (or
 * NUL); advances *p past it.  Canonical only, as the formatters write
 * it: no sign, no leading zero, at most 15 characters.  Returns 0 or -1.
 */
int	xbq_num(const char **p, const char *ends, uint32_t *out);

/*
 * The header: s present, at most max_len bytes, version XBQ_VERSION and
 * one space.  Returns 0 with *p after the space, or -1 with *why
 * ("absent", "too long", "unknown version").
 */
int	xbq_head(const char *s, size_t max_len, const char **p,
	    const char **why);

/*
 * A queue count at *p: 1 <= n <= max_queues (the daemon's -q) and <=
 * limit; advances *p past it, not past what follows.  Returns 0, or -1
 * with *why "bad number of queues".
 */
int	xbq_nq(const char **p, unsigned int max_queues, unsigned int limit,
	    uint32_t *n, const char **why);

/* The record ends at p.  Returns 0, or -1 with *why "trailing characters". */
int	xbq_end(const char *p, const char **why);

/* Frontend key `key` is present and a plain decimal <= max equal to v? */
bool	xbq_key_is(xbq_read_fn *rd, void *arg, const char *key, uint64_t max,
	    uint64_t v);

/*
 * Does the frontend's multi-queue-num-queues (absent: 1) say nq?  Values
 * above limit never match.  Returns 1, or 0 with *why "number of queues
 * differs".
 */
int	xbq_match_nq(xbq_read_fn *rd, void *arg, unsigned int nq,
	    unsigned int limit, const char **why);

/*
 * The frontend key `name` of queue i of nq into key (len bytes): at the
 * top for one queue, under queue-<i>/ otherwise (io/blkif.h, io/netif.h
 * "Multi-queue", as Linux writes them).
 */
void	xbq_qkey(char *key, size_t len, unsigned int nq, unsigned int i,
	    const char *name);

#endif
