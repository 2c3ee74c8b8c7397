/*
 * supquiesce.h - the parent's side of a re-attach after a clean stop
 * (docs/ARCHITECTURE.md "Stop and start"): for sup_ops.reattach, read the
 * record the last worker left (quiesce.h) and check it against the
 * frontend before the daemon takes the live device over.  What a record
 * holds is the daemon's: it passes its parser and matcher.
 */
#ifndef XB_SUPQUIESCE_H
#define XB_SUPQUIESCE_H

#include "quiesce.h"

struct sup;

/* Parse record s into rec (blkq_parse(), netq_parse()). */
typedef int	 supq_parse_fn(const char *s, unsigned int max_queues,
		    void *rec, const char **why);
/* Does the frontend (through rd) still agree with rec (blkq_match())? */
typedef int	 supq_match_fn(const void *rec, xbq_read_fn *rd, void *arg,
		    const char **why);

/*
 * Can (domid, devid) of sup's type be re-attached?  Reads XB_QUIESCED_KEY
 * from its backend directory, parses it with parse into rec, reads the
 * frontend's state (Initialised or Connected) and checks rec with match
 * against the frontend directory, all through sup_xsc().  Returns 0 with
 * rec filled, or -1 with the reason logged for the device: info if there
 * is no record (the last daemon did not stop cleanly), a warning
 * otherwise.
 */
int	supq_check(struct sup *, unsigned int domid, unsigned int devid,
	    unsigned int max_queues, supq_parse_fn *parse,
	    supq_match_fn *match, void *rec);

#endif
