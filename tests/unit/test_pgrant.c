/*
 * test_pgrant.c - the persistent grant table of pgrant.h with fake map and
 * unmap callbacks that catch double maps, double unmaps and leaks: case by
 * case, then random operations checked against a reference model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xorshift.h"

#include "pgrant.h"

/* ---- fake mapping --------------------------------------------------------- */

/*
 * Every successful map gets a new record and a new fake address (never
 * dereferenced) that names the record: ADDR0 + k * 4096.
 */
#define ADDR0		((uintptr_t)0x10000000u)

struct rec {
	uint32_t	gref;
	bool		mapped;
};

struct fake {
	struct rec	*rec;
	unsigned int	 nrec, caprec;
	unsigned int	*live;		/* records mapped now */
	unsigned int	 nlive, caplive;
	unsigned int	 nmap;		/* map calls, failed ones included */
	unsigned int	 nunmap;
	unsigned int	 fail_pct;	/* fail this share of maps */
	bool		 fail_next;	/* fail the next map */
	uint64_t	 rng;
};

static struct fake fk;

static void
fake_reset(void)
{
	free(fk.rec);
	free(fk.live);
	memset(&fk, 0, sizeof(fk));
	fk.rng = 0x243f6a8885a308d3ULL;
}

static uint64_t
fake_rng(void)
{
	fk.rng ^= fk.rng >> 12;
	fk.rng ^= fk.rng << 25;
	fk.rng ^= fk.rng >> 27;
	return fk.rng * 0x2545f4914f6cdd1dULL;
}

static void *
rec_addr(unsigned int k)
{
	return (void *)(ADDR0 + (uintptr_t)k * 4096u);
}

/* The record of addr, or -1 if addr is not one we handed out. */
static long
addr_rec(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	if (a < ADDR0 || (a - ADDR0) % 4096u != 0 ||
	    (a - ADDR0) / 4096u >= fk.nrec)
		return -1;
	return (long)((a - ADDR0) / 4096u);
}

/* Is gref mapped now (through any record)? */
static bool
fake_is_mapped(uint32_t gref)
{
	unsigned int i;

	for (i = 0; i < fk.nlive; i++)
		if (fk.rec[fk.live[i]].gref == gref)
			return true;
	return false;
}

static void *
fake_map(void *arg, uint32_t gref)
{
	unsigned int k;

	assert_ptr_equal(arg, &fk);
	fk.nmap++;
	/* A persistent grant is mapped once, however often it is used. */
	if (fake_is_mapped(gref))
		fail_msg("gref %u mapped a second time", gref);
	if (fk.fail_next || (fk.fail_pct > 0 &&
	    fake_rng() % 100 < fk.fail_pct)) {
		fk.fail_next = false;
		errno = EFAULT;
		return NULL;
	}
	if (fk.nrec == fk.caprec) {
		fk.caprec = fk.caprec ? 2 * fk.caprec : 64;
		fk.rec = realloc(fk.rec, fk.caprec * sizeof(*fk.rec));
		assert_non_null(fk.rec);
	}
	if (fk.nlive == fk.caplive) {
		fk.caplive = fk.caplive ? 2 * fk.caplive : 64;
		fk.live = realloc(fk.live, fk.caplive * sizeof(*fk.live));
		assert_non_null(fk.live);
	}
	k = fk.nrec++;
	fk.rec[k].gref = gref;
	fk.rec[k].mapped = true;
	fk.live[fk.nlive++] = k;
	return rec_addr(k);
}

static void
fake_unmap(void *arg, void *addr)
{
	long k = addr_rec(addr);
	unsigned int i;

	assert_ptr_equal(arg, &fk);
	fk.nunmap++;
	if (k < 0)
		fail_msg("unmap of %p, which map never returned", addr);
	if (!fk.rec[k].mapped)
		fail_msg("unmap of %p (gref %u) twice", addr, fk.rec[k].gref);
	fk.rec[k].mapped = false;
	for (i = 0; i < fk.nlive; i++)
		if (fk.live[i] == (unsigned int)k) {
			fk.live[i] = fk.live[--fk.nlive];
			break;
		}
}

/* Every page mapped was unmapped exactly once. */
static void
fake_check_clean(void)
{
	if (fk.nlive != 0)
		fail_msg("%u pages still mapped (leak), first gref %u",
		    fk.nlive, fk.rec[fk.live[0]].gref);
	assert_int_equal(fk.nunmap, fk.nrec);
}

static void
table_init(struct pgrant_table *t, unsigned int max)
{
	fake_reset();
	assert_int_equal(pgrant_init(t, max, fake_map, fake_unmap, &fk), 0);
}

/* ---- cases ---------------------------------------------------------------- */

static void
test_get_maps_once(void **state)
{
	struct pgrant_table t;
	struct pgrant *p, *q;

	(void)state;
	table_init(&t, 8);
	assert_int_equal(pgrant_count(&t), 0);
	p = pgrant_get(&t, 42, 100);
	assert_non_null(p);
	assert_int_equal(fk.nmap, 1);
	assert_int_equal(p->gref, 42);
	assert_ptr_equal(p->addr, rec_addr(0));
	assert_int_equal(p->busy, 1);
	assert_true(p->last_used == 100);
	assert_int_equal(pgrant_count(&t), 1);
	assert_true(t.nr_mapped == 1);

	/* Reuse: same entry, no new map, one more user, clock updated. */
	q = pgrant_get(&t, 42, 250);
	assert_ptr_equal(q, p);
	assert_int_equal(fk.nmap, 1);
	assert_int_equal(p->busy, 2);
	assert_true(p->last_used == 250);
	assert_ptr_equal(p->addr, rec_addr(0));
	assert_int_equal(pgrant_count(&t), 1);

	pgrant_put(&t, p);
	assert_int_equal(p->busy, 1);
	pgrant_put(&t, q);
	assert_int_equal(p->busy, 0);
	/* One put too many does not wrap the count around. */
	pgrant_put(&t, p);
	assert_int_equal(p->busy, 0);
	/* Idle but mapped: found again without a map. */
	q = pgrant_get(&t, 42, 300);
	assert_ptr_equal(q, p);
	assert_int_equal(fk.nmap, 1);
	assert_int_equal(p->busy, 1);
	pgrant_put(&t, q);

	/* Another gref: another page. */
	q = pgrant_get(&t, 43, 300);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_ptr_equal(q->addr, rec_addr(1));
	assert_int_equal(fk.nmap, 2);
	assert_int_equal(pgrant_count(&t), 2);
	pgrant_put(&t, q);

	/* gref 0 and UINT32_MAX are grefs like any other. */
	assert_non_null(p = pgrant_get(&t, 0, 1));
	assert_non_null(q = pgrant_get(&t, UINT32_MAX, 1));
	assert_ptr_equal(pgrant_get(&t, 0, 2), p);
	assert_ptr_equal(pgrant_get(&t, UINT32_MAX, 2), q);
	assert_int_equal(p->gref, 0);
	assert_int_equal(q->gref, UINT32_MAX);
	assert_int_equal(fk.nmap, 4);
	pgrant_free(&t);
	fake_check_clean();
}

static void
test_full(void **state)
{
	struct pgrant_table t;
	struct pgrant *p[3];
	unsigned int i;

	(void)state;
	table_init(&t, 3);
	for (i = 0; i < 3; i++)
		assert_non_null(p[i] = pgrant_get(&t, 100 + i, 1));
	assert_int_equal(pgrant_count(&t), 3);
	/* Full: a new gref is not mapped at all; the caller copies it. */
	assert_null(pgrant_get(&t, 200, 2));
	assert_null(pgrant_get(&t, 201, 2));
	assert_int_equal(fk.nmap, 3);
	assert_true(t.nr_full == 2);
	assert_int_equal(pgrant_count(&t), 3);
	/* Those mapped are still served. */
	assert_ptr_equal(pgrant_get(&t, 101, 3), p[1]);
	assert_true(t.nr_full == 2);
	/* Idle is not free: still full until a purge. */
	for (i = 0; i < 3; i++)
		pgrant_put(&t, p[i]);
	pgrant_put(&t, p[1]);
	assert_null(pgrant_get(&t, 200, 4));
	assert_true(t.nr_full == 3);
	assert_int_equal(pgrant_purge(&t, 2), 2);	/* 100, 102 */
	assert_int_equal(pgrant_count(&t), 1);
	assert_non_null(pgrant_get(&t, 200, 5));
	assert_non_null(pgrant_get(&t, 201, 5));
	assert_null(pgrant_get(&t, 202, 5));
	assert_true(t.nr_full == 4);
	pgrant_free(&t);
	fake_check_clean();
}

static void
test_map_failure(void **state)
{
	struct pgrant_table t;
	struct pgrant *p;

	(void)state;
	table_init(&t, 1);
	fk.fail_next = true;
	assert_null(pgrant_get(&t, 7, 1));
	assert_int_equal(fk.nmap, 1);
	assert_true(t.nr_map_failed == 1);
	assert_true(t.nr_mapped == 0);
	assert_true(t.nr_full == 0);
	assert_int_equal(pgrant_count(&t), 0);
	/* The only entry is still free: the same gref maps now... */
	p = pgrant_get(&t, 7, 2);
	assert_non_null(p);
	assert_int_equal(p->gref, 7);
	assert_int_equal(p->busy, 1);
	assert_int_equal(fk.nmap, 2);
	pgrant_put(&t, p);
	assert_int_equal(pgrant_purge(&t, 3), 1);
	/* ...and so does another after a failure. */
	fk.fail_next = true;
	assert_null(pgrant_get(&t, 8, 4));
	assert_non_null(p = pgrant_get(&t, 9, 4));
	assert_int_equal(p->gref, 9);
	/* A failed gref was not remembered: it is tried again. */
	pgrant_put(&t, p);
	assert_int_equal(pgrant_purge(&t, 5), 1);
	assert_non_null(p = pgrant_get(&t, 8, 6));
	assert_true(t.nr_map_failed == 2);
	assert_true(t.nr_mapped == 3);
	pgrant_free(&t);
	fake_check_clean();
}

static void
test_purge(void **state)
{
	struct pgrant_table t;
	struct pgrant *busy, *old, *recent, *edge, *p;
	void *old_addr;

	(void)state;
	table_init(&t, 8);
	busy = pgrant_get(&t, 1, 10);		/* old but in use */
	old = pgrant_get(&t, 2, 10);		/* old and idle */
	recent = pgrant_get(&t, 3, 90);		/* idle, used lately */
	edge = pgrant_get(&t, 4, 50);		/* idle, exactly at the limit */
	assert_non_null(busy);
	assert_non_null(old);
	assert_non_null(recent);
	assert_non_null(edge);
	pgrant_put(&t, old);
	pgrant_put(&t, recent);
	pgrant_put(&t, edge);
	old_addr = old->addr;

	assert_int_equal(pgrant_purge(&t, 50), 1);	/* "before": < 50 */
	assert_int_equal(fk.nunmap, 1);
	assert_false(fk.rec[addr_rec(old_addr)].mapped);
	assert_true(fk.rec[addr_rec(busy->addr)].mapped);
	assert_true(t.nr_unmapped == 1);
	assert_int_equal(pgrant_count(&t), 3);
	/* Nothing more to do at the same time. */
	assert_int_equal(pgrant_purge(&t, 50), 0);
	assert_int_equal(pgrant_purge(&t, 0), 0);

	/* The purged gref maps again, to a new page. */
	p = pgrant_get(&t, 2, 95);
	assert_non_null(p);
	assert_ptr_not_equal(p->addr, old_addr);
	assert_int_equal(fk.nmap, 5);
	pgrant_put(&t, p);

	/* A busy entry outlives any purge; a later put makes it purgeable. */
	assert_int_equal(pgrant_purge(&t, UINT64_MAX), 4 - 1);
	assert_int_equal(pgrant_count(&t), 1);
	assert_int_equal(busy->gref, 1);
	assert_true(fk.rec[addr_rec(busy->addr)].mapped);
	assert_ptr_equal(pgrant_get(&t, 1, 99), busy);
	assert_int_equal(busy->busy, 2);
	pgrant_put(&t, busy);
	assert_int_equal(pgrant_purge(&t, UINT64_MAX), 0);
	pgrant_put(&t, busy);
	assert_int_equal(pgrant_purge(&t, 99), 0);	/* used at 99 */
	assert_int_equal(pgrant_purge(&t, 100), 1);
	assert_int_equal(pgrant_count(&t), 0);
	assert_int_equal(fk.nlive, 0);
	pgrant_free(&t);
	fake_check_clean();
}

/* Entries do not move when others come and go. */
static void
test_stable_entries(void **state)
{
	enum { N = 64 };
	struct pgrant_table t;
	struct pgrant *p[N], *q;
	void *addr[N];
	unsigned int i, round;

	(void)state;
	table_init(&t, N);
	/* grefs that share their low bits, so that they share buckets. */
	for (i = 0; i < N; i++) {
		p[i] = pgrant_get(&t, (i % 4) + (i / 4) * 4096u, 0);
		assert_non_null(p[i]);
		addr[i] = p[i]->addr;
		if (i % 3 != 0)
			pgrant_put(&t, p[i]);	/* every third stays busy */
	}
	for (round = 0; round < 4; round++) {
		/* Age out the idle half of the idle ones. */
		for (i = 0; i < N; i++)
			if (i % 3 != 0 && (i + round) % 2 == 0) {
				q = pgrant_get(&t, p[i]->gref, 10 + round);
				assert_ptr_equal(q, p[i]);
				pgrant_put(&t, q);
			}
		pgrant_purge(&t, 10 + round);
		for (i = 0; i < N; i++) {
			uint32_t g = (i % 4) + (i / 4) * 4096u;

			if (fk.rec[addr_rec(addr[i])].mapped) {
				/* Still there: same place, same contents. */
				assert_int_equal(p[i]->gref, g);
				assert_ptr_equal(p[i]->addr, addr[i]);
				q = pgrant_get(&t, g, p[i]->last_used);
				assert_ptr_equal(q, p[i]);
				pgrant_put(&t, q);
			} else {
				/* Gone; bring it back, maybe somewhere else. */
				assert_true(i % 3 != 0);
				p[i] = pgrant_get(&t, g, 10 + round);
				assert_non_null(p[i]);
				assert_ptr_not_equal(p[i]->addr, addr[i]);
				addr[i] = p[i]->addr;
				pgrant_put(&t, p[i]);
			}
		}
		/* Busy ones were never touched. */
		for (i = 0; i < N; i += 3)
			assert_int_equal(p[i]->busy, 1);
	}
	/* Freed entries are reused: every pointer stays inside the table. */
	for (i = 0; i < N; i++)
		assert_true(p[i] >= t.ent && p[i] < t.ent + N);
	for (i = 0; i < N; i += 3)
		pgrant_put(&t, p[i]);
	pgrant_free(&t);
	fake_check_clean();
}

static void
test_free_unmaps_all(void **state)
{
	struct pgrant_table t;
	unsigned int i;

	(void)state;
	table_init(&t, 100);
	for (i = 0; i < 100; i++) {
		struct pgrant *p = pgrant_get(&t, i * 7919u, i);

		assert_non_null(p);
		pgrant_put(&t, p);
	}
	assert_int_equal(pgrant_purge(&t, 30), 30);
	assert_int_equal(fk.nunmap, 30);
	pgrant_free(&t);
	/* Each of the 70 left unmapped once, the 30 purged not again. */
	assert_int_equal(fk.nunmap, 100);
	fake_check_clean();
	assert_int_equal(pgrant_count(&t), 0);
	/* Freed, freed again, used after free: harmless. */
	pgrant_free(&t);
	assert_int_equal(fk.nunmap, 100);
	assert_null(pgrant_get(&t, 1, 1));
	assert_int_equal(pgrant_purge(&t, UINT64_MAX), 0);
	assert_int_equal(fk.nmap, 100);

	/* A zeroed table that was never initialised. */
	memset(&t, 0, sizeof(t));
	pgrant_free(&t);
	/* An empty table. */
	table_init(&t, 5);
	pgrant_free(&t);
	assert_int_equal(fk.nunmap, 0);
}

static void
test_max_zero(void **state)
{
	struct pgrant_table t;
	unsigned int i;

	(void)state;
	table_init(&t, 0);
	for (i = 0; i < 10; i++)
		assert_null(pgrant_get(&t, i, i));
	assert_int_equal(fk.nmap, 0);
	assert_int_equal(pgrant_count(&t), 0);
	assert_int_equal(pgrant_purge(&t, UINT64_MAX), 0);
	pgrant_free(&t);
	assert_int_equal(fk.nunmap, 0);
}

static void
test_max_too_big(void **state)
{
	static const unsigned int bad[] = {
		PGRANT_MAX + 1, 1u << 30, (1u << 30) + 1, 1u << 31, UINT32_MAX,
	};
	struct pgrant_table t;
	size_t i;

	(void)state;
	/*
	 * Refused rather than looping for ever sizing the hash (2 * max
	 * wraps) or allocating a table no ring can use.
	 */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_reset();
		memset(&t, 0xa5, sizeof(t));
		errno = 0;
		assert_int_equal(pgrant_init(&t, bad[i], fake_map, fake_unmap,
		    &fk), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(pgrant_get(&t, 1, 1));
		pgrant_free(&t);
	}
	/* The largest allowed works. */
	table_init(&t, PGRANT_MAX);
	assert_non_null(pgrant_get(&t, 1, 1));
	pgrant_free(&t);
	fake_check_clean();
}

/* ---- random operations against a model ------------------------------------ */


/* What the table should hold for one gref. */
struct ment {
	uint32_t	 gref;
	struct pgrant	*p;
	void		*addr;
	unsigned int	 busy;
	uint64_t	 last_used;
};

struct model {
	struct ment	*m;
	unsigned int	 n, max;
	struct pgrant	**held;		/* gets not yet put */
	unsigned int	 nheld, capheld;
	uint64_t	 nr_full, nr_map_failed, nr_mapped, nr_unmapped;
};

static struct ment *
model_find(struct model *md, uint32_t gref)
{
	unsigned int i;

	for (i = 0; i < md->n; i++)
		if (md->m[i].gref == gref)
			return &md->m[i];
	return NULL;
}

static void
model_hold(struct model *md, struct pgrant *p)
{
	if (md->nheld == md->capheld) {
		md->capheld = md->capheld ? 2 * md->capheld : 64;
		md->held = realloc(md->held, md->capheld * sizeof(*md->held));
		assert_non_null(md->held);
	}
	md->held[md->nheld++] = p;
}

static void
op_get(struct pgrant_table *t, struct model *md, uint32_t gref, uint64_t now)
{
	struct ment *e = model_find(md, gref);
	unsigned int nmap = fk.nmap, nrec = fk.nrec;
	struct pgrant *p;

	p = pgrant_get(t, gref, now);
	if (e != NULL) {
		/* Mapped already: the same entry, no map. */
		assert_int_equal(fk.nmap, nmap);
		assert_ptr_equal(p, e->p);
		e->busy++;
		e->last_used = now;
	} else if (md->n == md->max) {
		/* Full: nothing mapped. */
		assert_null(p);
		assert_int_equal(fk.nmap, nmap);
		md->nr_full++;
	} else if (fk.nrec == nrec) {
		/* The map was tried (once) and failed. */
		assert_int_equal(fk.nmap, nmap + 1);
		assert_null(p);
		md->nr_map_failed++;
	} else {
		assert_int_equal(fk.nmap, nmap + 1);
		assert_non_null(p);
		assert_ptr_equal(p->addr, rec_addr(fk.nrec - 1));
		e = &md->m[md->n++];
		e->gref = gref;
		e->p = p;
		e->addr = p->addr;
		e->busy = 1;
		e->last_used = now;
		md->nr_mapped++;
	}
	if (p != NULL) {
		assert_int_equal(p->gref, gref);
		assert_int_equal(p->busy, e->busy);
		assert_true(p->last_used == now);
		model_hold(md, p);
	}
}

static void
op_put(struct pgrant_table *t, struct model *md)
{
	unsigned int i;
	struct pgrant *p;
	struct ment *e;

	if (md->nheld == 0)
		return;
	i = (unsigned int)(rng() % md->nheld);
	p = md->held[i];
	md->held[i] = md->held[--md->nheld];
	e = model_find(md, p->gref);
	assert_non_null(e);
	assert_ptr_equal(e->p, p);
	assert_true(e->busy > 0);
	pgrant_put(t, p);
	e->busy--;
	assert_int_equal(p->busy, e->busy);
}

static void
op_purge(struct pgrant_table *t, struct model *md, uint64_t older_than)
{
	unsigned int i, want = 0, got, nunmap = fk.nunmap;

	for (i = 0; i < md->n; i++)
		if (md->m[i].busy == 0 && md->m[i].last_used < older_than)
			want++;
	got = pgrant_purge(t, older_than);
	assert_int_equal(got, want);
	assert_int_equal(fk.nunmap, nunmap + want);
	for (i = 0; i < md->n; ) {
		struct ment *e = &md->m[i];
		bool gone = e->busy == 0 && e->last_used < older_than;
		long k = addr_rec(e->addr);

		assert_true(k >= 0);
		if (fk.rec[k].mapped == gone)
			fail_msg("purge(%llu): gref %u busy %u last_used %llu "
			    "is %s", (unsigned long long)older_than, e->gref,
			    e->busy, (unsigned long long)e->last_used,
			    gone ? "still mapped" : "unmapped");
		if (gone)
			*e = md->m[--md->n];
		else
			i++;
	}
	md->nr_unmapped += want;
}

/* Every gref the model holds is found, in place, without a map. */
static void
verify(struct pgrant_table *t, struct model *md)
{
	unsigned int i, nmap = fk.nmap;

	assert_int_equal(pgrant_count(t), md->n);
	assert_int_equal(fk.nlive, md->n);
	for (i = 0; i < md->n; i++) {
		struct ment *e = &md->m[i];
		struct pgrant *p = pgrant_get(t, e->gref, e->last_used);

		if (p != e->p)
			fail_msg("gref %u: entry %p, want %p", e->gref,
			    (void *)p, (void *)e->p);
		assert_ptr_equal(p->addr, e->addr);
		assert_int_equal(p->gref, e->gref);
		assert_int_equal(p->busy, e->busy + 1);
		pgrant_put(t, p);
		assert_int_equal(p->busy, e->busy);
		assert_true(p->last_used == e->last_used);
	}
	assert_int_equal(fk.nmap, nmap);
	assert_true(t->nr_full == md->nr_full);
	assert_true(t->nr_map_failed == md->nr_map_failed);
	assert_true(t->nr_mapped == md->nr_mapped);
	assert_true(t->nr_unmapped == md->nr_unmapped);
}

/*
 * A pool of grefs that collide: consecutive small ones, runs that share
 * their low bits (same bucket for any hash of the low bits), and the top
 * of the range.
 */
static uint32_t *
gref_pool(unsigned int n)
{
	uint32_t *g = malloc(n * sizeof(*g));
	unsigned int i;

	assert_non_null(g);
	for (i = 0; i < n; i++) {
		switch (i % 4) {
		case 0:
			g[i] = i;
			break;
		case 1:
			g[i] = (uint32_t)(5 + (uint64_t)i * 65536u);
			break;
		case 2:
			g[i] = (uint32_t)(i * 4096u);
			break;
		default:
			g[i] = UINT32_MAX - i;
			break;
		}
	}
	return g;
}

static void
stress(unsigned int max, unsigned int npool, unsigned int nops,
    unsigned int fail_pct)
{
	struct pgrant_table t;
	struct model md;
	uint32_t *pool = gref_pool(npool);
	uint64_t now = 1000;
	unsigned int i, nget = 0, nput = 0, npurge = 0;

	table_init(&t, max);
	fk.fail_pct = fail_pct;
	memset(&md, 0, sizeof(md));
	md.max = max;
	md.m = calloc(max + 1, sizeof(*md.m));
	assert_non_null(md.m);
	for (i = 0; i < nops; i++) {
		uint64_t r = rng() % 100;

		if (r < 45) {
			op_get(&t, &md, pool[rng() % npool], now);
			nget++;
		} else if (r < 80) {
			op_put(&t, &md);
			nput++;
		} else if (r < 85) {
			op_purge(&t, &md, now - rng() % 40);
			npurge++;
		} else
			now += rng() % 8;
		verify(&t, &md);
	}
	/* The I/O drains; then everything goes, exactly once. */
	while (md.nheld > 0)
		op_put(&t, &md);
	verify(&t, &md);
	if (rng() % 2)
		op_purge(&t, &md, now - rng() % 10);
	print_message("max %u pool %u: %u ops, %llu maps, %llu full, %llu map "
	    "failures, %llu unmapped by %u purges\n", max, npool, nops,
	    (unsigned long long)md.nr_mapped, (unsigned long long)md.nr_full,
	    (unsigned long long)md.nr_map_failed,
	    (unsigned long long)md.nr_unmapped, npurge);
	pgrant_free(&t);
	fake_check_clean();
	assert_true(nget > nops / 4 && nput > nops / 4 && npurge > nops / 40);
	/* Entries were recycled, not just filled once. */
	assert_true(md.nr_unmapped > max);
	free(md.m);
	free(md.held);
	free(pool);
}

static void
test_stress(void **state)
{
	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	stress(1, 4, 3000, 0);
	stress(2, 5, 3000, 0);
	stress(3, 7, 5000, 5);
	stress(8, 20, 10000, 0);
	stress(16, 24, 10000, 10);
	stress(64, 100, 20000, 2);
	stress(64, 64, 20000, 0);	/* never full */
	stress(100, 500, 10000, 0);
	stress(1056, 1500, 4000, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_maps_once),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_map_failure),
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_stable_entries),
		cmocka_unit_test(test_free_unmaps_all),
		cmocka_unit_test(test_max_zero),
		cmocka_unit_test(test_max_too_big),
		cmocka_unit_test(test_stress),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fake_reset();
	return rc;
}
