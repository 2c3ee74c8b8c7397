/*
 * netctrl.c - see netctrl.h.
 */
#include <string.h>

#include "netctrl.h"

#define ETHERTYPE_IPV4		0x0800u
#define ETHERTYPE_IPV6		0x86ddu
#define ETHERTYPE_8021Q		0x8100u
#define ETH_HLEN		14u
#define PROTO_TCP		6u

void
nb_hash_init(struct nb_hash *h, unsigned int nqueues)
{
	memset(h, 0, sizeof(*h));
	h->alg = XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
	h->nqueues = nqueues > 0 ? nqueues : 1;
}

/* Linux xenvif_set_hash_alg. */
static uint32_t
set_alg(struct nb_hash *h, uint32_t alg)
{
	if (alg != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE &&
	    alg != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->alg = alg;
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/* Linux xenvif_set_hash_flags: known bits only, and an algorithm first. */
static uint32_t
set_flags(struct nb_hash *h, uint32_t flags)
{
	if ((flags & ~(uint32_t)NB_HASH_TYPES_ALL) != 0 ||
	    h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->flags = flags;
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/*
 * io/netif.h SET_HASH_KEY: a key longer than we support is
 * BUFFER_OVERFLOW (Linux answers INVALID_PARAMETER; the header is the
 * contract).  Length 0 clears the key.  A failed copy leaves the old key.
 */
static uint32_t
set_key(struct nb_hash *h, uint32_t gref, uint32_t len, nb_ctrl_copy_fn copy,
    void *arg)
{
	uint8_t key[NB_HASH_KEY_MAX];

	if (len > NB_HASH_KEY_MAX)
		return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
	memset(key, 0, sizeof(key));
	if (len > 0 && copy(arg, gref, key, len) == -1)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(h->key, key, sizeof(key));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/* Linux xenvif_set_hash_mapping_size: the new table is zero-filled. */
static uint32_t
set_mapping_size(struct nb_hash *h, uint32_t size)
{
	if (size > NB_HASH_MAPPING_MAX)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->size = size;
	memset(h->mapping, 0, sizeof(h->mapping));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/*
 * Linux xenvif_set_hash_mapping after XSA-270: off + len must not wrap
 * and must stay in the table (INVALID_PARAMETER, as Linux - the range is
 * what is invalid, the table size was accepted), a grant holds at most a
 * page of entries, and every entry is checked against the number of
 * queues in our copy, after the copy, before anything is committed.
 */
static uint32_t
set_mapping(struct nb_hash *h, uint32_t gref, uint32_t len, uint32_t off,
    nb_ctrl_copy_fn copy, void *arg)
{
	uint32_t tmp[NB_HASH_MAPPING_MAX];
	uint32_t i;

	if (off + len < off || off + len > h->size ||
	    len > XB_PAGE_SIZE / sizeof(uint32_t))
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	if (len == 0)
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	if (copy(arg, gref, tmp, len * sizeof(uint32_t)) == -1)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	for (i = 0; i < len; i++)
		if (tmp[i] >= h->nqueues)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(&h->mapping[off], tmp, len * sizeof(uint32_t));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

void
nb_ctrl_handle(struct nb_hash *h, const struct xen_netif_ctrl_request *req,
    struct xen_netif_ctrl_response *rsp, nb_ctrl_copy_fn copy, void *arg)
{
	uint32_t status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, data = 0;

	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		status = set_alg(h, req->data[0]);
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		/* io/netif.h: "A valid hash algorithm must be selected". */
		if (h->alg != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE) {
			status = XEN_NETIF_CTRL_STATUS_SUCCESS;
			data = NB_HASH_TYPES_ALL;
		}
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		status = set_flags(h, req->data[0]);
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		status = set_key(h, req->data[0], req->data[1], copy, arg);
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		status = XEN_NETIF_CTRL_STATUS_SUCCESS;
		data = NB_HASH_MAPPING_MAX;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		status = set_mapping_size(h, req->data[0]);
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		status = set_mapping(h, req->data[0], req->data[1],
		    req->data[2], copy, arg);
		break;
	default:
		/* INVALID, the gref mapping requests, unknown types. */
		break;
	}
	rsp->id = req->id;
	rsp->type = req->type;
	rsp->status = status;
	rsp->data = data;
}

uint32_t
nb_toeplitz(const uint8_t *key, size_t keylen, const uint8_t *buf, size_t len)
{
	uint64_t window = 0;
	uint32_t hash = 0;
	size_t i, k;
	unsigned int bit;

	/*
	 * io/netif.h: for each bit of buf, left to right, if it is set
	 * XOR in the left-most 32 bits of the key, then shift the key left.
	 * The key window holds 64 bits: its top 32 are the current ones,
	 * the next octet comes in below as the window drains.
	 */
	for (k = 0; k < 8; k++)
		window = window << 8 | (k < keylen ? key[k] : 0);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (buf[i] & (0x80u >> bit))
				hash ^= (uint32_t)(window >> 32);
			window <<= 1;
		}
		window |= k < keylen ? key[k] : 0;
		k++;
	}
	return hash;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool
nb_hash_frame(const struct nb_hash *h, const uint8_t *f, size_t len,
    uint32_t *hash, uint8_t *type)
{
	uint8_t buf[36];
	size_t l3 = ETH_HLEN, l4, n;
	uint16_t et;
	bool tcp;

	if (h->alg != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ || h->flags == 0 ||
	    len < ETH_HLEN)
		return false;
	et = get16(f + 12);
	if (et == ETHERTYPE_8021Q) {
		if (len < ETH_HLEN + 4)
			return false;
		et = get16(f + 16);
		l3 += 4;
	}
	if (et == ETHERTYPE_IPV4) {
		if (len - l3 < 20 || f[l3] >> 4 != 4 || (f[l3] & 0x0f) < 5)
			return false;
		l4 = l3 + (size_t)(f[l3] & 0x0f) * 4;
		/* Linux: no L4 hash for a fragment (FLOW_DIS_IS_FRAGMENT). */
		tcp = f[l3 + 9] == PROTO_TCP && l4 <= len && len - l4 >= 4 &&
		    (get16(f + l3 + 6) & 0x3fff) == 0;
		memcpy(buf, f + l3 + 12, 8);
		if (tcp && (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)) {
			memcpy(buf + 8, f + l4, 4);
			n = 12;
			*type = _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
		} else if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4) {
			n = 8;
			*type = _XEN_NETIF_CTRL_HASH_TYPE_IPV4;
		} else
			return false;
	} else if (et == ETHERTYPE_IPV6) {
		if (len - l3 < 40 || f[l3] >> 4 != 6)
			return false;
		l4 = l3 + 40;
		tcp = f[l3 + 6] == PROTO_TCP && len - l4 >= 4;
		memcpy(buf, f + l3 + 8, 32);
		if (tcp && (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)) {
			memcpy(buf + 32, f + l4, 4);
			n = 36;
			*type = _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
		} else if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6) {
			n = 32;
			*type = _XEN_NETIF_CTRL_HASH_TYPE_IPV6;
		} else
			return false;
	} else
		return false;
	*hash = nb_toeplitz(h->key, sizeof(h->key), buf, n);
	return true;
}

unsigned int
nb_hash_queue(const struct nb_hash *h, uint32_t hash)
{
	unsigned int nq = h->nqueues > 0 ? h->nqueues : 1;
	unsigned int q;

	if (h->size == 0 || h->size > NB_HASH_MAPPING_MAX)
		return hash % nq;
	q = h->mapping[hash % h->size];
	/* Checked when set; nqueues cannot change under a table. */
	return q < nq ? q : 0;
}
