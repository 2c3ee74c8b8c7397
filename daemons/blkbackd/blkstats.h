/*
 * blkstats.h - what a blkbackd worker reports on the control socket: the
 * key table the parent checks replies against (ctlfmt.h) and the worker's
 * side that fills a reply.  Both sides of that contract live in
 * blkstats.c, so a name cannot drift between them.
 */
#ifndef BLKSTATS_H
#define BLKSTATS_H

#include "ctlfmt.h"

extern const struct ctl_key blk_stats_keys[];
extern const unsigned int blk_stats_nkeys;

/* wproc_stats_fn: the counters of the struct blk_worker at arg. */
void	blk_stats(struct ctl_kvw *, void *arg);

#endif
