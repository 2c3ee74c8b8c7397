/*
 * pgrant.h - persistent grants of one ring: a bounded table of guest pages
 * kept mapped between requests (io/blkif.h "feature-persistent").
 *
 * A frontend that negotiated persistent grants reuses a fixed set of
 * granted pages for its data, so mapping each once and keeping it saves a
 * map, an unmap and a TLB flush per segment.  The table is bounded (Linux:
 * 1056 per ring); a grant that does not fit, or cannot be mapped, is
 * served by grant copy instead, so the bound never fails a request.
 * Entries unused for a while are unmapped (Linux: 60 s), never while an
 * I/O uses them.
 *
 * Pure bookkeeping: mapping and unmapping are the caller's callbacks, so
 * the table is unit-tested without Xen.  Entries never move: an I/O may
 * keep a pointer to one until it calls pgrant_put().
 */
#ifndef PGRANT_H
#define PGRANT_H

#include <stdbool.h>
#include <stdint.h>

struct pgrant {
	uint32_t	gref;
	void		*addr;		/* the mapped page */
	uint64_t	last_used;	/* caller's clock at the last pgrant_get() */
	unsigned int	busy;		/* I/Os using it now */
	int		next_free;	/* free list link (-1: end) */
};

/* Map one page of the guest read/write; NULL (errno) if it cannot. */
typedef void	*(*pgrant_map_fn)(void *arg, uint32_t gref);
/* Unmap a page that map returned. */
typedef void	 (*pgrant_unmap_fn)(void *arg, void *addr);

struct pgrant_table {
	struct pgrant	*ent;		/* max entries, stable */
	int32_t		*hash;		/* hcap buckets: entry index or -1 */
	unsigned int	 max, hcap, hbits, n;	/* hcap = 1 << hbits */
	int		 free_head;
	pgrant_map_fn	 map;
	pgrant_unmap_fn	 unmap;
	void		*arg;
	uint64_t	 nr_mapped, nr_unmapped, nr_full, nr_map_failed;
};

/* Largest table pgrant_init() accepts (Linux uses 1056 per ring). */
#define PGRANT_MAX	(1u << 20)

/*
 * Prepare an empty table of at most max entries (0: persistent grants
 * off, every pgrant_get() fails).  Returns 0, or -1 with errno EINVAL
 * (max above PGRANT_MAX) or ENOMEM; the table is then empty and safe to
 * pgrant_free().
 */
int		pgrant_init(struct pgrant_table *, unsigned int max,
		    pgrant_map_fn, pgrant_unmap_fn, void *arg);

/*
 * The entry of gref, mapping it if new, with busy incremented and
 * last_used set to now.  NULL if the table is full or the map failed: the
 * caller then copies that segment.
 */
struct pgrant	*pgrant_get(struct pgrant_table *, uint32_t gref, uint64_t now);

/* An I/O is done with an entry pgrant_get() returned. */
void		 pgrant_put(struct pgrant_table *, struct pgrant *);

/*
 * Unmap every entry that is not busy and was last used before
 * older_than.  Returns how many were unmapped.
 */
unsigned int	 pgrant_purge(struct pgrant_table *, uint64_t older_than);

/* Entries mapped now. */
unsigned int	 pgrant_count(const struct pgrant_table *);

/*
 * Unmap everything and free the table (the caller has drained all I/O, so
 * nothing is busy).  Safe on a zeroed or already freed table.
 */
void		 pgrant_free(struct pgrant_table *);

#endif
