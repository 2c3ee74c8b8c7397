/*
 * blkstats.c - a blkbackd worker's control-socket report.  See blkstats.h.
 */
#include <stdio.h>

#include "blkstats.h"
#include "ctlfmt.h"
#include "worker.h"

const struct ctl_key blk_stats_keys[] = {
	{ "protocol", CTL_INFO, NULL, "The frontend's ring ABI." },
	{ "persistent_grants", CTL_INFO, NULL,
	    "Persistent grants negotiated (on, off)." },
	{ "flush", CTL_INFO, NULL, "feature-flush-cache offered (on, off)." },
	{ "discard", CTL_INFO, NULL, "feature-discard offered (on, off)." },
	{ "mode", CTL_INFO, NULL, "rw or ro." },
	{ "connected", CTL_GAUGE, NULL, "1 while the rings are served." },
	{ "queues", CTL_GAUGE, NULL, "Queues (rings) negotiated." },
	{ "ring_slots", CTL_GAUGE, "queue", "Request slots of a queue's ring." },
	{ "inflight", CTL_GAUGE, "queue",
	    "Requests taken from a queue's ring and not yet answered." },
	{ "sectors", CTL_GAUGE, NULL, "Disk size in 512-byte sectors." },
	{ "max_indirect_segments", CTL_GAUGE, NULL,
	    "feature-max-indirect-segments offered (0: none)." },
	{ "blk_requests", CTL_COUNTER, NULL, "Requests taken from the rings." },
	{ "blk_ops", CTL_COUNTER, "op",
	    "Requests started, by operation (read, write, flush, discard)." },
	{ "blk_bytes", CTL_COUNTER, "dir",
	    "Bytes moved, by direction (read, write)." },
	{ "blk_errors", CTL_COUNTER, "reason",
	    "Requests answered with an error: rejected (malformed or not "
	    "offered) or io (the store failed)." },
	{ "blk_event_storms", CTL_COUNTER, NULL,
	    "Event-channel storms the guard masked." },
	{ "blk_segments", CTL_COUNTER, "path",
	    "Segments moved, by path (copied, persistent)." },
};
const unsigned int blk_stats_nkeys =
    sizeof(blk_stats_keys) / sizeof(blk_stats_keys[0]);

void
blk_stats(struct ctl_kvw *kw, void *arg)
{
	const struct blk_worker *w = arg;
	char qn[12];
	unsigned int i;

	if (w->connected && w->q != NULL) {
		ctl_kvw_str(kw, "protocol", NULL, blk_abi_name(w->q[0].ring.abi));
		ctl_kvw_str(kw, "persistent_grants", NULL,
		    w->persistent ? "on" : "off");
	}
	ctl_kvw_str(kw, "flush", NULL, w->lim.flush ? "on" : "off");
	ctl_kvw_str(kw, "discard", NULL, w->lim.discard ? "on" : "off");
	ctl_kvw_str(kw, "mode", NULL, w->lim.readonly ? "ro" : "rw");
	ctl_kvw_u64(kw, "connected", NULL, w->connected);
	ctl_kvw_u64(kw, "queues", NULL, w->connected ? w->nq : 0);
	for (i = 0; w->connected && w->q != NULL && i < w->nq &&
	    i < BLK_MAX_QUEUES; i++) {
		snprintf(qn, sizeof(qn), "%u", i);
		ctl_kvw_u64(kw, "ring_slots", qn, w->q[i].ring.nr_ents);
		ctl_kvw_u64(kw, "inflight", qn, w->q[i].inflight);
	}
	ctl_kvw_u64(kw, "sectors", NULL, w->lim.sectors);
	ctl_kvw_u64(kw, "max_indirect_segments", NULL, w->lim.max_indirect);
	ctl_kvw_u64(kw, "blk_requests", NULL, w->nr_req);
	ctl_kvw_u64(kw, "blk_ops", "read", w->nr_rd);
	ctl_kvw_u64(kw, "blk_ops", "write", w->nr_wr);
	ctl_kvw_u64(kw, "blk_ops", "flush", w->nr_fl);
	ctl_kvw_u64(kw, "blk_ops", "discard", w->nr_ds);
	ctl_kvw_u64(kw, "blk_bytes", "read", w->nr_rd_bytes);
	ctl_kvw_u64(kw, "blk_bytes", "write", w->nr_wr_bytes);
	ctl_kvw_u64(kw, "blk_errors", "rejected", w->nr_bad);
	ctl_kvw_u64(kw, "blk_errors", "io", w->nr_ioerr);
	ctl_kvw_u64(kw, "blk_event_storms", NULL, w->nr_storms);
	ctl_kvw_u64(kw, "blk_segments", "copied", w->nr_copy_segs);
	ctl_kvw_u64(kw, "blk_segments", "persistent", w->nr_pgrant_segs);
}
