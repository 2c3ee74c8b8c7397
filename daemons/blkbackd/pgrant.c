/*
 * pgrant.c - see pgrant.h.
 *
 * gref -> entry index by open addressing with linear probing and
 * backward-shift deletion (no tombstones, so lookups stay short however
 * long the guest runs).  Entries live in a separate fixed array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pgrant.h"

static unsigned int
bucket(const struct pgrant_table *t, uint32_t gref)
{
	/*
	 * Fibonacci hashing, keeping the high bits: the low bits of the
	 * product depend only on the low bits of gref, so a guest could pick
	 * grefs that all collide.
	 */
	return (unsigned int)((gref * 2654435769u) >> (32 - t->hbits));
}

int
pgrant_init(struct pgrant_table *t, unsigned int max, pgrant_map_fn map,
    pgrant_unmap_fn unmap, void *arg)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->map = map;
	t->unmap = unmap;
	t->arg = arg;
	t->free_head = -1;
	if (max == 0)
		return 0;
	/* Above 2^30, 2 * max wraps and the sizing loop never ends. */
	if (max > PGRANT_MAX) {
		memset(t, 0, sizeof(*t));
		t->free_head = -1;
		errno = EINVAL;
		return -1;
	}
	t->hcap = 2;
	t->hbits = 1;
	while (t->hcap < 2 * max) {	/* load factor <= 1/2 */
		t->hcap <<= 1;
		t->hbits++;
	}
	t->ent = calloc(max, sizeof(*t->ent));
	t->hash = malloc(t->hcap * sizeof(*t->hash));
	if (t->ent == NULL || t->hash == NULL) {
		free(t->ent);
		free(t->hash);
		memset(t, 0, sizeof(*t));
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < t->hcap; i++)
		t->hash[i] = -1;
	for (i = 0; i < max; i++)
		t->ent[i].next_free = i + 1 < max ? (int)i + 1 : -1;
	t->free_head = 0;
	t->max = max;
	return 0;
}

static int
lookup(const struct pgrant_table *t, uint32_t gref, unsigned int *slot)
{
	unsigned int b = bucket(t, gref);

	for (;;) {
		int32_t e = t->hash[b];

		if (e == -1) {
			*slot = b;
			return -1;
		}
		if (t->ent[e].gref == gref) {
			*slot = b;
			return e;
		}
		b = (b + 1) & (t->hcap - 1);
	}
}

struct pgrant *
pgrant_get(struct pgrant_table *t, uint32_t gref, uint64_t now)
{
	struct pgrant *p;
	unsigned int slot;
	void *addr;
	int e;

	if (t->max == 0)
		return NULL;
	if ((e = lookup(t, gref, &slot)) >= 0) {
		p = &t->ent[e];
		p->busy++;
		p->last_used = now;
		return p;
	}
	if (t->free_head == -1) {
		t->nr_full++;
		return NULL;
	}
	if ((addr = t->map(t->arg, gref)) == NULL) {
		t->nr_map_failed++;
		return NULL;
	}
	e = t->free_head;
	p = &t->ent[e];
	t->free_head = p->next_free;
	p->gref = gref;
	p->addr = addr;
	p->busy = 1;
	p->last_used = now;
	p->next_free = -1;
	t->hash[slot] = e;
	t->n++;
	t->nr_mapped++;
	return p;
}

void
pgrant_put(struct pgrant_table *t, struct pgrant *p)
{
	(void)t;
	if (p->busy > 0)
		p->busy--;
}

/* Remove the entry in bucket b, shifting later members of its run back. */
static void
hash_delete(struct pgrant_table *t, unsigned int b)
{
	unsigned int i = b, j = b, k;

	for (;;) {
		j = (j + 1) & (t->hcap - 1);
		if (t->hash[j] == -1)
			break;
		k = bucket(t, t->ent[t->hash[j]].gref);
		/* Move j to i unless its home k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->hash[i] = t->hash[j];
		i = j;
	}
	t->hash[i] = -1;
}

static void
drop(struct pgrant_table *t, int e)
{
	struct pgrant *p = &t->ent[e];
	unsigned int slot;

	if (lookup(t, p->gref, &slot) == e)
		hash_delete(t, slot);
	t->unmap(t->arg, p->addr);
	p->addr = NULL;
	p->next_free = t->free_head;
	t->free_head = e;
	t->n--;
	t->nr_unmapped++;
}

unsigned int
pgrant_purge(struct pgrant_table *t, uint64_t older_than)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->hcap; i++) {
		int32_t e = t->hash[i];

		if (e == -1 || t->ent[e].busy > 0 ||
		    t->ent[e].last_used >= older_than)
			continue;
		drop(t, e);
		n++;
		/* A later entry may have shifted into i: look at it again. */
		i--;
	}
	return n;
}

unsigned int
pgrant_count(const struct pgrant_table *t)
{
	return t->n;
}

void
pgrant_free(struct pgrant_table *t)
{
	unsigned int i;

	for (i = 0; t->hash != NULL && i < t->hcap; i++)
		if (t->hash[i] != -1)
			t->unmap(t->arg, t->ent[t->hash[i]].addr);
	free(t->ent);
	free(t->hash);
	t->ent = NULL;
	t->hash = NULL;
	t->max = t->hcap = t->n = 0;
	t->free_head = -1;
}
