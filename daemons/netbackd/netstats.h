/*
 * netstats.h - what a netbackd worker reports on the control socket: the
 * key table the parent checks replies against (ctlfmt.h) and the worker's
 * side that fills a reply, in one file so a name cannot drift between
 * them.
 */
#ifndef NETSTATS_H
#define NETSTATS_H

#include "ctlfmt.h"

extern const struct ctl_key nb_stats_keys[];
extern const unsigned int nb_stats_nkeys;

/* wproc_stats_fn: the counters of the struct nb_worker at arg. */
void	nb_stats(struct ctl_kvw *, void *arg);

#endif
