/*
 * netif.c - see netif.h.
 */
#include <string.h>

#include "netif.h"
#include "parse.h"

/* io/netif.h: an extra-info slot overlays the 12 bytes of a request. */
_Static_assert(sizeof(struct netif_extra_info) <= sizeof(netif_tx_request_t),
    "netif_extra_info must fit in a TX ring slot");
_Static_assert(NB_TX_MAX_EXTRAS == XEN_NETIF_EXTRA_TYPE_MAX - 1,
    "one extra per type");

const char *
nb_tx_why_str(enum nb_tx_why why)
{
	switch (why) {
	case NB_TXW_NONE:
		return "no error";
	case NB_TXW_TOO_SHORT:
		return "first slot shorter than 14 bytes";
	case NB_TXW_TOO_MANY_SLOTS:
		return "more than 18 fragment slots";
	case NB_TXW_FRAG_TOO_BIG:
		return "fragment larger than the rest of the packet";
	case NB_TXW_FATAL_SLOTS:
		return "more than 20 fragment slots";
	case NB_TXW_CROSS_PAGE:
		return "slot crosses a page boundary";
	case NB_TXW_INCOMPLETE:
		return "packet runs past the published requests";
	case NB_TXW_BAD_EXTRA:
		return "bad or repeated extra-info type";
	case NB_TXW_BAD_GSO:
		return "bad GSO size or type";
	case NB_TXW_MCAST_FULL:
		return "multicast filter list full";
	case NB_TXW_COUNT:
		break;
	}
	return "unknown reason";
}

static enum nb_tx_verdict
tx_end(struct nb_txpkt *p, enum nb_tx_verdict v, enum nb_tx_why why,
    unsigned int nreq)
{
	p->nreq = nreq;
	p->why = why;
	if (v != NB_TX_PKT) {
		/* Nothing is forwarded, nothing answered OKAY on its own. */
		p->nseg = 0;
		p->nzero = 0;
	}
	return v;
}

/* io/netif.h: offset + size must stay inside the granted page. */
static bool
crosses_page(uint16_t offset, uint16_t size)
{
	return (uint32_t)offset + size > XB_PAGE_SIZE;
}

enum nb_tx_verdict
nb_tx_take(const netif_tx_request_t *slots, unsigned int nslots,
    struct nb_txpkt *p)
{
	struct netif_extra_info ex, gso;
	netif_tx_request_t first, tx;
	enum nb_tx_why drop = NB_TXW_NONE;
	bool seen[XEN_NETIF_EXTRA_TYPE_MAX] = { false };
	unsigned int i, nfrag = 0;
	uint16_t remain;
	bool more;

	memset(p, 0, sizeof(*p));
	memset(&gso, 0, sizeof(gso));
	p->gso_type = XEN_NETIF_GSO_TYPE_NONE;
	if (nslots == 0)
		return tx_end(p, NB_TX_SHORT, NB_TXW_INCOMPLETE, 0);

	/* One copy of each slot, read once (XSA-155). */
	first = slots[0];
	i = 1;
	p->len = first.size;
	p->flags = first.flags & (NETTXF_csum_blank | NETTXF_data_validated);
	p->ids[p->nids++] = first.id;

	/* Linux xenvif_get_extras: a chain while XEN_NETIF_EXTRA_FLAG_MORE. */
	if (first.flags & NETTXF_extra_info) {
		do {
			if (i >= nslots)	/* Linux "Missing extra info" */
				return tx_end(p, NB_TX_SHORT,
				    NB_TXW_INCOMPLETE, i);
			memcpy(&ex, &slots[i], sizeof(ex));
			i++;
			p->nextra++;
			if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
			    ex.type >= XEN_NETIF_EXTRA_TYPE_MAX ||
			    seen[ex.type])
				return tx_end(p, NB_TX_FATAL,
				    NB_TXW_BAD_EXTRA, i);
			seen[ex.type] = true;
			switch (ex.type) {
			case XEN_NETIF_EXTRA_TYPE_GSO:
				gso = ex;	/* checked below, as Linux does */
				break;
			case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
			case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
				/* ADD wins if both come (Linux tests it first). */
				if (ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL &&
				    p->mcast_add)
					break;
				p->mcast_add =
				    ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
				p->mcast_del = !p->mcast_add;
				memcpy(p->mcast_addr, ex.u.mcast.addr,
				    NB_ETH_ALEN);
				break;
			default:
				/* HASH: a hint for skb->hash, not needed. */
				break;
			}
		} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}

	/*
	 * Linux xenvif_tx_build_gops: a multicast request is answered at
	 * once and never forwarded; its fragments, if any, are not consumed.
	 */
	if (p->mcast_add || p->mcast_del)
		return tx_end(p, NB_TX_DUMMY, NB_TXW_NONE, i);

	/*
	 * Linux xenvif_count_requests, check for check: before taking each
	 * fragment, nfrag (fragments taken so far) against the request
	 * count (SHORT), then >= fatal_skb_slots (fatal), then
	 * >= XEN_NETBK_LEGACY_SLOTS_MAX (drop; the chain is still consumed
	 * so every slot is answered).  So 18 fragments pass, a 19th drops,
	 * a 21st is fatal.  A fragment larger than what is left of first->size
	 * drops ("buggy frontends" sending >= 64 KiB), and every fragment,
	 * dropped or not, must stay inside its page (fatal).
	 */
	remain = first.size;
	more = (first.flags & NETTXF_more_data) != 0;
	while (more) {
		if (i >= nslots)	/* Linux "Asked for %d slots" */
			return tx_end(p, NB_TX_SHORT, NB_TXW_INCOMPLETE, i);
		if (nfrag >= NB_TX_FATAL_SLOTS)
			return tx_end(p, NB_TX_FATAL, NB_TXW_FATAL_SLOTS, i);
		if (drop == NB_TXW_NONE && nfrag >= NB_TX_DROP_SLOTS)
			drop = NB_TXW_TOO_MANY_SLOTS;
		tx = slots[i];
		if (drop == NB_TXW_NONE && tx.size > remain)
			drop = NB_TXW_FRAG_TOO_BIG;
		/* Only meaningful while nothing is dropped (no wrap then). */
		remain = (uint16_t)(remain - tx.size);
		i++;
		nfrag++;
		if (crosses_page(tx.offset, tx.size))
			return tx_end(p, NB_TX_FATAL, NB_TXW_CROSS_PAGE, i);
		p->ids[p->nids++] = tx.id;
		if (drop == NB_TXW_NONE) {
			if (tx.size == 0) {
				/* XSA-448: answered OKAY, never a segment. */
				p->zero_id[p->nzero++] = tx.id;
			} else {
				/* seg[0] is the first slot, filled below. */
				p->seg[++p->nseg].gref = tx.gref;
				p->seg[p->nseg].offset = tx.offset;
				p->seg[p->nseg].len = tx.size;
				p->seg[p->nseg].id = tx.id;
			}
		}
		more = (tx.flags & NETTXF_more_data) != 0;
	}
	if (drop != NB_TXW_NONE)
		return tx_end(p, NB_TX_DROP, drop, i);

	/*
	 * Linux checks the first slot after counting: its data (first->size
	 * less the fragments) below ETH_HLEN drops - a zero-length packet
	 * too - and only then is its page bound checked (fatal).
	 */
	if (remain < NB_ETH_HLEN)
		return tx_end(p, NB_TX_DROP, NB_TXW_TOO_SHORT, i);
	if (crosses_page(first.offset, remain))
		return tx_end(p, NB_TX_FATAL, NB_TXW_CROSS_PAGE, i);

	/* Linux xenvif_set_skb_gso, after the drop checks: fatal. */
	if (seen[XEN_NETIF_EXTRA_TYPE_GSO]) {
		if (gso.u.gso.size == 0 ||
		    (gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
			return tx_end(p, NB_TX_FATAL, NB_TXW_BAD_GSO, i);
		p->gso_type = gso.u.gso.type;
		p->gso_size = gso.u.gso.size;
	}

	p->seg[0].gref = first.gref;
	p->seg[0].offset = first.offset;
	p->seg[0].len = remain;
	p->seg[0].id = first.id;
	p->nseg++;
	return tx_end(p, NB_TX_PKT, NB_TXW_NONE, i);
}

unsigned int
nb_rx_slots(uint32_t len, uint8_t gso_type, const struct nb_fe_feat *fe)
{
	unsigned int n;

	if (len == 0 || len > NB_MAX_PKT)
		return 0;
	if (len > XB_PAGE_SIZE && !fe->sg)
		return 0;
	n = (unsigned int)((len + XB_PAGE_SIZE - 1) / XB_PAGE_SIZE);
	switch (gso_type) {
	case XEN_NETIF_GSO_TYPE_NONE:
		return n;
	case XEN_NETIF_GSO_TYPE_TCPV4:
		/* Linux netback only offers TSO with SG (xenvif_fix_features). */
		return fe->sg && fe->gso_v4 ? n + 1 : 0;
	case XEN_NETIF_GSO_TYPE_TCPV6:
		return fe->sg && fe->gso_v6 ? n + 1 : 0;
	default:
		return 0;
	}
}

static long
mcast_find(const struct nb_mcast *m, const uint8_t addr[NB_ETH_ALEN])
{
	unsigned int i;

	for (i = 0; i < m->n && i < NB_MCAST_MAX; i++)
		if (memcmp(m->addr[i], addr, NB_ETH_ALEN) == 0)
			return (long)i;
	return -1;
}

int
nb_mcast_add(struct nb_mcast *m, const uint8_t addr[NB_ETH_ALEN])
{
	if (mcast_find(m, addr) >= 0)
		return 0;
	/* Linux xenvif_mcast_add: at most XEN_NETBK_MCAST_MAX. */
	if (m->n >= NB_MCAST_MAX)
		return -1;
	memcpy(m->addr[m->n++], addr, NB_ETH_ALEN);
	return 0;
}

void
nb_mcast_del(struct nb_mcast *m, const uint8_t addr[NB_ETH_ALEN])
{
	long i = mcast_find(m, addr);

	if (i < 0)
		return;
	/* Order does not matter: the last entry takes the hole. */
	m->n--;
	if ((unsigned long)i != m->n)
		memcpy(m->addr[i], m->addr[m->n], NB_ETH_ALEN);
}

bool
nb_mcast_pass(const struct nb_mcast *m, const uint8_t dst[NB_ETH_ALEN])
{
	static const uint8_t bcast[NB_ETH_ALEN] =
	    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	/* The group bit is the low bit of the first octet (IEEE 802). */
	if ((dst[0] & 1) == 0)
		return true;
	if (memcmp(dst, bcast, NB_ETH_ALEN) == 0)
		return true;
	return mcast_find(m, dst) >= 0;
}

int
nb_mac_parse(const char *s, uint8_t mac[NB_ETH_ALEN])
{
	uint8_t m[NB_ETH_ALEN];
	unsigned int i;
	int hi, lo;

	/*
	 * libxl writes LIBXL_MAC_FMT ("%02hhx:..."): exactly two hex digits
	 * per octet.  Stricter than Linux xen_net_read_mac (simple_strtoul,
	 * any width, truncated to a byte): a value we cannot read exactly
	 * is an error, not a different address.
	 */
	for (i = 0; i < NB_ETH_ALEN; i++) {
		if ((hi = parse_hexdigit(s[0])) < 0 ||
		    (lo = parse_hexdigit(s[1])) < 0)
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
		if (s[2] != (i == NB_ETH_ALEN - 1 ? '\0' : ':'))
			return -1;
		s += 3;
	}
	memcpy(mac, m, NB_ETH_ALEN);
	return 0;
}
