/*
 * gnt.c - see gnt.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

#include "gnt.h"

int
gnt_batch_init(struct gnt_batch *b, unsigned int max)
{
	b->n = 0;
	b->max = max;
	b->segs = calloc(max, sizeof(*b->segs));
	return b->segs == NULL ? -1 : 0;
}

void
gnt_batch_free(struct gnt_batch *b)
{
	free(b->segs);
	b->segs = NULL;
	b->n = b->max = 0;
}

void
gnt_batch_reset(struct gnt_batch *b)
{
	b->n = 0;
}

int
gnt_batch_add(struct gnt_batch *b, int to_guest, unsigned int domid,
    uint32_t ref, unsigned int offset, unsigned int len, void *local)
{
	xengnttab_grant_copy_segment_t *s;

	if (len == 0 || offset >= 4096 || len > 4096 - offset) {
		errno = EINVAL;
		return -1;
	}
	if (b->n == b->max) {
		errno = ENOSPC;
		return -1;
	}
	s = &b->segs[b->n++];
	memset(s, 0, sizeof(*s));
	s->len = (uint16_t)len;
	if (to_guest) {
		s->flags = GNTCOPY_dest_gref;
		s->source.virt = local;
		s->dest.foreign.ref = ref;
		s->dest.foreign.offset = (uint16_t)offset;
		s->dest.foreign.domid = (uint16_t)domid;
	} else {
		s->flags = GNTCOPY_source_gref;
		s->source.foreign.ref = ref;
		s->source.foreign.offset = (uint16_t)offset;
		s->source.foreign.domid = (uint16_t)domid;
		s->dest.virt = local;
	}
	return 0;
}

int
gnt_batch_run(xengnttab_handle *xgt, struct gnt_batch *b,
    unsigned int *first_bad, int *status)
{
	unsigned int i;

	if (b->n == 0)
		return 0;
	if (xengnttab_grant_copy(xgt, b->n, b->segs) != 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		if (b->segs[i].status != GNTST_okay) {
			*first_bad = i;
			*status = b->segs[i].status;
			errno = EIO;
			return -1;
		}
	}
	return 0;
}
