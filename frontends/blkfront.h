/*
 * blkfront.h - what the two files of xbfront-blk share: the connection to
 * one vbd (ring, data pages, event channel) and the request and response
 * plumbing.  blkfront.c is the conforming client and main(); blkhostile.c
 * (with blkatk_req.c and blkatk_data.c) the attacks of "-H MODE".
 */
#ifndef XB_BLKFRONT_H
#define XB_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include "front.h"

#define PAGE		4096u
#define NDATA		11		/* data pages: one full direct request */

/*
 * The two request layouts, as Linux drivers/block/xen-blkback/common.h
 * spells them (packed: the i386 ABI aligns 64-bit fields to 4 bytes).
 */
struct seg {
	uint32_t	gref;
	uint8_t		first_sect, last_sect;
	uint16_t	pad;
} __attribute__((packed));

struct req32 {
	uint8_t		operation;
	uint8_t		nr_segments;
	uint16_t	handle;
	uint64_t	id;
	uint64_t	sector_number;
	struct seg	seg[11];
} __attribute__((packed));

struct req64 {
	uint8_t		operation;
	uint8_t		nr_segments;
	uint16_t	handle;
	uint32_t	pad;
	uint64_t	id;
	uint64_t	sector_number;
	struct seg	seg[11];
} __attribute__((packed));

/* Responses: id 0, operation 8, status 10 in both layouts. */
_Static_assert(sizeof(struct req32) == 108, "x86_32 request");
_Static_assert(sizeof(struct req64) == 112, "x86_64 request");

struct front {
	struct xfront		 x;	/* front.h: xenstore, grants, evtchn */
	uint8_t			*ring;
	uint32_t		 ring_ref;
	uint8_t			*data;
	uint32_t		 data_ref[NDATA];
	evtchn_port_t		 port;
	size_t			 slot;		/* bytes per slot */
	unsigned int		 nslots;
	uint32_t		 req_prod, rsp_cons;
	uint64_t		 sectors;
	const char		*abi_name;	/* as written, or "absent" */
	bool			 persistent;	/* write feature-persistent = 1 */
};

/* One response as read from the ring. */
struct rsp {
	uint64_t	id;
	uint8_t		op;
	int16_t		status;
};

/* The shared ring's indexes (io/ring.h: the first four words). */
#define RING_REQ_PROD(f)	(((volatile uint32_t *)(f)->ring)[0])
#define RING_RSP_PROD(f)	(((volatile uint32_t *)(f)->ring)[2])

/* Slot i of the ring (requests and responses share slots). */
uint8_t	*slot(struct front *, uint32_t i);
/* Put one read/write-layout request in the next slot (not yet pushed). */
void	 put_req(struct front *, uint8_t op, uint8_t nseg, uint64_t id,
	    uint64_t sector, const struct seg *segs);
/* Publish req_prod and notify the backend. */
void	 push(struct front *);
/*
 * The next response, waiting up to ms milliseconds.  Returns 1 and fills
 * *r, or 0 if none came.
 */
int	 next_rsp(struct front *, struct rsp *r, int ms);
/*
 * The response to request id, the only one in flight (10 s).  Returns its
 * status, -100 on timeout, -101 (after a FAIL line) for another id.
 */
int	 wait_rsp(struct front *, uint64_t id, uint8_t *op);
/* Segments 0..n-1 over data pages 0..n-1, sectors first..last each. */
void	 fill_segs(struct front *, struct seg *s, unsigned int n,
	    unsigned int first, unsigned int last);
/* A byte pattern that differs with seed and position. */
void	 pattern(uint8_t *p, size_t len, unsigned int seed);
/*
 * Share the ring and data pages and connect with the request layout abi
 * ("x86_64-abi", ...; NULL: no "protocol" key).  Dies on failure.
 */
void	 blk_connect(struct front *, const char *abi);
/* Closing, Closed (checked), then unshare everything. */
void	 blk_close(struct front *);
/* Only the state changes of blk_close (the caller unshares its pages). */
void	 blk_close_state(struct front *);

/*
 * blkconform.c: connect with every feature the backend advertises,
 * exercise each, close.  Returns the exit status (0: every check passed).
 */
int	 conform_main(struct front *, unsigned int rounds);

/*
 * blkhostile.c: run attack mode with its arguments on a connected device
 * and close it.  Returns the exit status (0: every check passed).
 */
int	 hostile_main(struct front *, const char *mode, int argc, char **argv);
/* The attacks' names and one line each, for usage(). */
void	 hostile_list(void);

#endif
