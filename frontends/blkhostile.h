/*
 * blkhostile.h - what the attacks of xbfront-blk -H share (blkhostile.c):
 * building requests in the x86_64 layout, and the checks of the answer.
 * The rule every check applies: a request breaking io/blkif.h or io/ring.h
 * is answered BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP with its id and
 * operation echoed, or the backend closes the device; never OKAY.
 */
#ifndef XB_BLKHOSTILE_H
#define XB_BLKHOSTILE_H

#include "blkfront.h"

/* Sector and page helpers over the 512-byte unit of the protocol. */
#define SECT		512u
#define SPP		8u		/* sectors per page */
#define BAD_GREF	0xffffffffu	/* never a valid grant reference */

/* The backend closed the device on us: later checks are skipped. */
extern bool	be_closed;

/* A page of our own, shared with some domain. */
struct xpage {
	uint8_t		*p;
	uint32_t	 ref;
};

/* A fresh request id ("HB..." in the backend's log as a number). */
uint64_t	 new_id(void);
/* xorshift64: reproducible garbage. */
uint64_t	 rnd(void);
/* Copy len bytes of a request into the next slot (zero-padded). */
void		 put_raw(struct front *, const void *req, size_t len);
/* An INDIRECT request with nref of igref[] (the rest 0). */
void		 put_ind(struct front *, uint8_t iop, uint16_t nseg, uint64_t id,
		    uint64_t sector, const uint32_t *igref, unsigned int nref);
/* A DISCARD request. */
void		 put_discard(struct front *, uint8_t flag, uint64_t id,
		    uint64_t sector, uint64_t nr);
/* One segment: gref, sectors first..last. */
struct seg	 sg(uint32_t gref, unsigned int first, unsigned int last);
/*
 * Wait for the answer to id.  Returns 1 with *r filled, 0 if the backend
 * closed the device instead, -1 (after a FAIL) if neither came within 10 s
 * or an answer for another id came.
 */
int		 answer(struct front *, const char *what, uint64_t id,
		    struct rsp *r);
/* Push the request just put (id, op): it must be refused. */
void		 refused(struct front *, const char *what, uint64_t id,
		    uint8_t op);
/* Push the request just put (id, op): a legal one, it must be served. */
bool		 served(struct front *, const char *what, uint64_t id,
		    uint8_t op);
/* Read or write n whole data pages (0..n-1) at sector; served? */
bool		 rw_pages(struct front *, const char *what, uint8_t op,
		    uint64_t sector, unsigned int n);
/* Write pattern seed over n data pages at sector (setting up a check). */
void		 disk_put(struct front *, uint64_t sector, unsigned int n,
		    unsigned int seed);
/* Do data pages 0..n-1 hold pattern seed?  (No check line.) */
bool		 data_is(struct front *, unsigned int n, unsigned int seed);
/* Do the n pages at sector still hold pattern seed?  ok or FAIL. */
void		 disk_check(struct front *, const char *what, uint64_t sector,
		    unsigned int n, unsigned int seed);
/* Share one page with domid (read-only unless writable); dies. */
struct xpage	 xpage_share(struct front *, uint32_t domid, int writable);
/* Unshare it: the grant ends (or, if the backend maps it, ends later). */
void		 xpage_unshare(struct front *, struct xpage *);
/* An indirect page: n descriptors over the data pages, the rest invalid. */
void		 ipage_fill(struct front *, uint8_t *p, unsigned int n);
/* A key of the backend's directory (malloc'd; NULL if absent). */
char		*be_key(struct front *, const char *key);
/* Is the backend's key "1"? */
bool		 be_feature(struct front *, const char *key);
/*
 * The backend must close the device; strict: without answering anything
 * (nothing legal was in flight).
 */
void		 expect_closed(struct front *, const char *what, bool strict);
/* After the backend closed the device: close our side, connect again. */
void		 reconnect(struct front *);
/* The device still serves: 11 pages written and read back. */
void		 still_serves(struct front *);
/* Argument i of the attack as a number, dflt if absent. */
unsigned long	 arg_num(int argc, char **argv, int i, unsigned long dflt);

/*
 * The attacks (the table in blkhostile.c documents each): connected on
 * entry, unless marked "own" (they connect as they need and leave the
 * device connected in one page and one queue); they may leave the device
 * closed (be_closed).
 */
void	a_prod_far(struct front *, int, char **);
void	a_prod_back(struct front *, int, char **);
void	a_id_reuse(struct front *, int, char **);
void	a_bad_op(struct front *, int, char **);
void	a_nseg_0(struct front *, int, char **);
void	a_nseg_max(struct front *, int, char **);
void	a_sect_order(struct front *, int, char **);
void	a_sect_over_7(struct front *, int, char **);
void	a_beyond_end(struct front *, int, char **);
void	a_sector_wrap(struct front *, int, char **);
void	a_discard_bad(struct front *, int, char **);
void	a_ring_random(struct front *, int, char **);
void	a_evtchn_storm(struct front *, int, char **);
void	a_gref_unknown(struct front *, int, char **);
void	a_gref_readonly(struct front *, int, char **);
void	a_gref_other(struct front *, int, char **);
void	a_gref_revoked(struct front *, int, char **);
void	a_indirect_garbage(struct front *, int, char **);
void	a_indirect_count(struct front *, int, char **);
void	a_double_fetch(struct front *, int, char **);
/* blkatk_conn.c: these connect themselves (the table's "own"). */
void	a_close_inflight(struct front *, int, char **);
void	a_ring_alias(struct front *, int, char **);
void	a_queue1(struct front *, int, char **);
void	a_abi32(struct front *, int, char **);

#endif
