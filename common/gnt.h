/*
 * gnt.h - batched grant copy (GNTTABOP_copy through libxengnttab).
 *
 * A batch is filled with segments, then issued in one call.  Every segment's
 * own status is checked afterwards (a batch can partly fail: XSA-361), and
 * the per-segment bound offset + len <= 4096 is enforced when adding, before
 * the hypervisor sees it.
 */
#ifndef XB_GNT_H
#define XB_GNT_H

#include <stdint.h>

#include <xengnttab.h>

struct gnt_batch {
	xengnttab_grant_copy_segment_t	*segs;
	unsigned int			 n, max;
};

/* Allocate room for max segments.  Returns 0 or -1. */
int	gnt_batch_init(struct gnt_batch *, unsigned int max);

/* Free the segment array. */
void	gnt_batch_free(struct gnt_batch *);

/* Forget the queued segments (keeps the allocation). */
void	gnt_batch_reset(struct gnt_batch *);

/*
 * Queue a copy of len bytes from the guest page (domid, ref) at offset to
 * local memory dst (to_guest == 0), or from local memory to the guest page
 * (to_guest != 0).  Returns 0, or -1 with errno EINVAL (offset + len beyond
 * the page, len 0) or ENOSPC (batch full).
 */
int	gnt_batch_add(struct gnt_batch *, int to_guest, unsigned int domid,
	    uint32_t ref, unsigned int offset, unsigned int len, void *local);

/*
 * Issue the batch.  Returns 0 if every segment succeeded, or -1: errno EIO
 * if at least one segment failed (*first_bad is its index and *status its
 * GNTST_* code), other errno if the call itself failed.
 */
int	gnt_batch_run(xengnttab_handle *, struct gnt_batch *,
	    unsigned int *first_bad, int *status);

#endif
