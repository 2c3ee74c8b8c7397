/*
 * netctrl.h - the netif control ring's requests (io/netif.h "Control
 * ring", "Control messages") and the Toeplitz hash they configure, as
 * Linux xen-netback's hash.c and process_ctrl_request() handle them, with
 * the lessons of XSA-270 (offset + length overflow, table entries checked
 * after they are copied, from the copy).  Pure but for one callback that
 * grant-copies the frontend's key and mapping pages; unit-tested natively
 * (tests/unit/test_netctrl.c).
 */
#ifndef NETCTRL_H
#define NETCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"		/* io/ring.h with our barriers */
#include <xen/io/netif.h>

/* Linux XEN_NETBK_MAX_HASH_KEY_SIZE: the Microsoft RSS key length. */
#define NB_HASH_KEY_MAX		40u
/* Linux XEN_NETBK_MAX_HASH_MAPPING_SIZE. */
#define NB_HASH_MAPPING_MAX	128u
/* The hash types we compute (all four of io/netif.h). */
#define NB_HASH_TYPES_ALL	(XEN_NETIF_CTRL_HASH_TYPE_IPV4 | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV6 | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

/* One vif's hash configuration (shared by its queues). */
struct nb_hash {
	uint32_t	alg;		/* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
	uint32_t	flags;		/* XEN_NETIF_CTRL_HASH_TYPE_* */
	uint8_t		key[NB_HASH_KEY_MAX];	/* unset octets are zero */
	uint32_t	size;		/* mapping entries; 0: hash % nqueues */
	uint32_t	mapping[NB_HASH_MAPPING_MAX];	/* each < nqueues */
	unsigned int	nqueues;	/* multi-queue-num-queues, >= 1 */
};

/*
 * Copy len bytes (len <= one page) from the start of the frontend's grant
 * gref into dst: GNTTABOP_copy in the worker, a fake in the tests.
 * Returns 0, or -1 if the copy failed (the grant is bad).
 */
typedef int	(*nb_ctrl_copy_fn)(void *arg, uint32_t gref, void *dst,
		    size_t len);

/* No hashing, zero key, no mapping, for a vif of nqueues queues. */
void		nb_hash_init(struct nb_hash *, unsigned int nqueues);

/*
 * Handle one control request (a copy taken out of the ring once) and fill
 * the response: id and type echoed, status XEN_NETIF_CTRL_STATUS_*, data.
 * Implemented as Linux does: SET_HASH_ALGORITHM (NONE, TOEPLITZ),
 * GET/SET_HASH_FLAGS, SET_HASH_KEY, GET/SET_HASH_MAPPING_SIZE and
 * SET_HASH_MAPPING; everything else (the gref mapping requests too, which
 * upstream Linux does not implement either) is NOT_SUPPORTED.  A request
 * that fails leaves the configuration as it was (Linux can leave half a
 * key behind a failed copy; we copy to the side and commit on success).
 * Status choices where io/netif.h and Linux differ are documented in
 * netctrl.c.
 */
void		nb_ctrl_handle(struct nb_hash *,
		    const struct xen_netif_ctrl_request *,
		    struct xen_netif_ctrl_response *, nb_ctrl_copy_fn,
		    void *copy_arg);

/*
 * The Toeplitz hash of io/netif.h ("Hash algorithms") of buf[0..len)
 * under key[0..keylen); key octets past keylen count as zero.
 */
uint32_t	nb_toeplitz(const uint8_t *key, size_t keylen,
		    const uint8_t *buf, size_t len);

/*
 * The hash of an Ethernet frame (one 802.1Q tag understood) under the
 * configuration: the "maximal" type the flags allow (io/netif.h: IPV4_TCP
 * over IPV4 for a TCP segment that is not an IP fragment; IPv6 + TCP only
 * when TCP follows the fixed header, extension headers are hashed as
 * IPv6).  Returns false if none applies (algorithm NONE, no matching
 * flag, not IP, truncated); else *hash and *type, the
 * _XEN_NETIF_CTRL_HASH_TYPE_* number a XEN_NETIF_EXTRA_TYPE_HASH carries.
 */
bool		nb_hash_frame(const struct nb_hash *, const uint8_t *frame,
		    size_t len, uint32_t *hash, uint8_t *type);

/* The queue for a hash: mapping[hash % size], or hash % nqueues. */
unsigned int	nb_hash_queue(const struct nb_hash *, uint32_t hash);

#endif
