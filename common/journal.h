/*
 * journal.h - the write-ahead journal a worker keeps in memory its parent
 * owns, so that a successor can take over a live ring after a crash
 * (docs/ARCHITECTURE.md "Restart protocol", design isolation-restart.md
 * 3.3).
 *
 * The parent creates it (journal_create()) as a sealed memfd: its size
 * can never change, so a worker cannot shrink it under its successor's
 * mapping (SIGBUS) and the successor can trust the mapped length.  Each
 * worker incarnation maps it MAP_SHARED; stores land in the page cache at
 * once, so a SIGKILL between two stores loses nothing already stored and
 * only compiler order matters (release stores on the state words).  There
 * is one writer at a time: the successor starts after its predecessor was
 * reaped.
 *
 * This header is the common part: the first bytes of every journal.  The
 * layout after it is the daemon's (blkjournal.h, netjournal.h).  A
 * successor validates a journal like guest input: journal_check() here,
 * the daemon's layout in the daemon.
 */
#ifndef XB_JOURNAL_H
#define XB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_MAGIC	0x314a4258u	/* "XBJ1" little-endian */
#define JOURNAL_VERSION	1

enum journal_type {
	JOURNAL_BLK = 1,
	JOURNAL_NET,
};

/* journal_hdr.flags */
#define JOURNAL_CONNECTED	0x1u	/* the daemon's connection record is valid */
#define JOURNAL_CLEAN		0x2u	/* quiesced: nothing in flight */

struct journal_hdr {
	uint32_t	magic;
	uint32_t	version;
	uint64_t	size;		/* bytes of the whole journal */
	uint32_t	type;		/* enum journal_type */
	uint32_t	domid, devid;
	uint32_t	gen;		/* incarnation, bumped by each worker */
	uint32_t	flags;		/* JOURNAL_*, atomic */
	uint32_t	pid;		/* the incarnation writing it (getpid()):
					   for a successor's messages only */
};

/*
 * Create a journal of size bytes (rounded up to a page; zero-filled,
 * pages touched only as used) with its header filled in, sealed against
 * growing and shrinking (F_SEAL_GROW|F_SEAL_SHRINK|F_SEAL_SEAL, memfd_create(2)).
 * Returns the memfd (close-on-exec) or -1 (errno).
 */
int		 journal_create(size_t size, enum journal_type,
		    unsigned int domid, unsigned int devid);

/*
 * Map the journal fd (MAP_SHARED, read-write, its whole size) and check
 * that it is sealed.  Returns the mapping and *size, or NULL (errno).
 */
struct journal_hdr *journal_map(int fd, size_t *size);

/* Unmap what journal_map() returned (NULL accepted). */
void		 journal_unmap(struct journal_hdr *, size_t size);

/*
 * Is the header one of ours for this device: magic, version, size equal
 * to the mapped size (at least min bytes), type, domid, devid, no unknown
 * flag?  Returns 0, or -1 with *why set to a static reason.
 */
int		 journal_check(const struct journal_hdr *, size_t mapped,
		    size_t min, enum journal_type, unsigned int domid,
		    unsigned int devid, const char **why);

/* Atomic flag updates (release) and read (acquire). */
void		 journal_set(struct journal_hdr *, uint32_t flags);
void		 journal_clear(struct journal_hdr *, uint32_t flags);
uint32_t	 journal_flags(const struct journal_hdr *);

#endif
