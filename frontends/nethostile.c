/*
 * nethostile.c - the attacks of "xbfront-net -H MODE [-i addr] devid".
 *
 * Each mode connects as netfront.c does (Mini-OS shape), performs its
 * attack on the rings it shares, and checks from the guest's side that
 * the backend answered as the netif rules (docs/ARCHITECTURE.md, Linux
 * xen-netback netback.c) say: every slot of a refused packet answered
 * XEN_NETIF_RSP_ERROR with its own id (extras NETIF_RSP_NULL), nothing of
 * it forwarded, and a good frame still answered afterwards; or, where
 * Linux calls the frontend broken (xenvif_fatal_tx_err), the vif going
 * Closing within 5 s.  Something refused that comes back OKAY, or a
 * frame that must be dropped whose echo is answered, is a FAIL.  The
 * edges that must be accepted (19 slots, 14 bytes, a slot ending exactly
 * at the page end, zero-length fragments) are checked too.
 *
 *   tx-slots	 19 slots forwarded; 20 and 21 answered ERROR (dropped);
 *		 22 close the vif (XEN_NETBK_LEGACY_SLOTS_MAX, fatal_skb_slots)
 *   tx-runt	 frames of 13, 10 and 0 bytes and one whose first slot holds
 *		 10 of 20: ERROR; 14 bytes: OKAY
 *   tx-cross-page a slot ending at the page end is forwarded; offset +
 *		 size > 4096 in the first slot, then (reconnected) in a
 *		 fragment: closed
 *   tx-zero-frag zero-length fragments between and after data: every slot
 *		 OKAY and the frame forwarded intact (XSA-448)
 *   tx-gso-garbage an extra of unknown type, GSO size 0 with an unknown
 *		 GSO type, an extra chain running past req_prod, a chain of 40
 *		 extras: closed each time (reconnecting in between)
 *   tx-prod-far TX req_prod 1000 past req_cons, then (reconnected) RX
 *		 req_prod 1000 past: closed each time (XSA-39)
 *   tx-prod-back TX req_prod moved back below what was consumed: closed
 *   rx-never	 no RX buffer posted while dom0 floods the vif until it
 *		 writes data/xbt-flood ("done", or "fail: why"); then every
 *		 buffer is posted: frames arrive and an echo is answered
 *   net-evtchn-storm 3 s of notifications with nothing on the rings;
 *		 then an echo is answered and the vif is still Connected
 *
 * One line per check, "ok <what>" or "FAIL <what>"; exit 0 only if all
 * passed.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netfront.h"

#define CLOSE_MS	5000	/* the backend closes a broken vif within */
#define SEQ0		700	/* our echoes: apart from netfront.c's */
#define MAX_FRAG	32
#define MAX_EXTRA	48

/* One packet as the attack lays it out in the TX ring. */
struct hpkt {
	const uint8_t	*f;		/* frame data */
	size_t		 len;
	uint16_t	 first_off;
	int		 first_size;	/* the first slot's size; -1: len */
	unsigned int	 nfrag;
	uint16_t	 frag_size[MAX_FRAG], frag_off[MAX_FRAG];
	unsigned int	 nextra;	/* after the first slot */
	struct netif_extra_info ex[MAX_EXTRA];
	/* filled by put_pkt */
	int		 ids[MAX_FRAG + 1];
	unsigned int	 nids;
	unsigned long	 null0;		/* n->tx_null before */
};

static void
copy_into(struct nf *n, int id, unsigned int off, const uint8_t *src,
    size_t len)
{
	if (off >= PAGE)
		return;
	if (off + len > PAGE)
		len = PAGE - off;	/* what crosses the page is not ours */
	memcpy(n->txbuf + (size_t)id * PAGE + off, src, len);
}

/* Queue packet p in the TX ring and push it. */
static void
put_pkt(struct nf *n, struct hpkt *p)
{
	netif_tx_request_t *req;
	size_t fragsum = 0, d0, pos;
	unsigned int i;
	int id;

	for (i = 0; i < p->nfrag; i++)
		fragsum += p->frag_size[i];
	d0 = p->len > fragsum ? p->len - fragsum : 0;
	p->nids = 0;
	p->null0 = n->tx_null;
	if ((id = tx_get(n)) == -1)
		die("no TX buffer free for the attack");
	copy_into(n, id, p->first_off, p->f, d0);
	pos = d0;
	p->ids[p->nids++] = id;
	req = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);
	req->gref = n->txgref[id];
	req->offset = p->first_off;
	req->flags = (uint16_t)((p->nfrag ? NETTXF_more_data : 0) |
	    (p->nextra ? NETTXF_extra_info : 0));
	req->id = (uint16_t)id;
	req->size = (uint16_t)(p->first_size < 0 ? p->len :
	    (size_t)p->first_size);
	n->tx.req_prod_pvt++;
	for (i = 0; i < p->nextra; i++) {
		memcpy(RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt), &p->ex[i],
		    sizeof(p->ex[i]));
		n->tx.req_prod_pvt++;
	}
	for (i = 0; i < p->nfrag; i++) {
		if ((id = tx_get(n)) == -1)
			die("no TX buffer free for the attack");
		if (pos < p->len)
			copy_into(n, id, p->frag_off[i], p->f + pos,
			    p->frag_size[i] < p->len - pos ? p->frag_size[i] :
			    p->len - pos);
		pos += p->frag_size[i];
		p->ids[p->nids++] = id;
		req = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);
		req->gref = n->txgref[id];
		req->offset = p->frag_off[i];
		req->flags = i + 1 < p->nfrag ? NETTXF_more_data : 0;
		req->id = (uint16_t)id;
		req->size = p->frag_size[i];
		n->tx.req_prod_pvt++;
	}
	tx_push(n);
}

/* Wait up to 5 s until every id of p is answered; true if all were. */
static bool
pkt_wait(struct nf *n, const struct hpkt *p)
{
	uint64_t end = now_ms() + 5000;
	unsigned int i;

	for (;;) {
		for (i = 0; i < p->nids; i++)
			if (n->txbusy[p->ids[i]])
				break;
		if (i == p->nids)
			return true;
		if (now_ms() >= end)
			return false;
		pump(n, 10);
	}
}

/*
 * Every slot of p answered with status (its own id; extras NULL)?
 * One ok or FAIL line.
 */
static bool
pkt_check(struct nf *n, const struct hpkt *p, int status, const char *what)
{
	unsigned int i;

	if (!pkt_wait(n, p)) {
		fail(&n->x, "%s: not every slot answered within 5 s", what);
		return false;
	}
	for (i = 0; i < p->nids; i++)
		if (n->txstatus[p->ids[i]] != status) {
			fail(&n->x, "%s: slot %u (id %d) answered %d, not %d",
			    what, i, p->ids[i], n->txstatus[p->ids[i]], status);
			return false;
		}
	if (n->tx_null - p->null0 != p->nextra) {
		fail(&n->x, "%s: %lu NULL responses for %u extra slots", what,
		    n->tx_null - p->null0, p->nextra);
		return false;
	}
	ok("%s: %u slot%s answered %s, each with its id%s", what, p->nids,
	    p->nids == 1 ? "" : "s", status == NETIF_RSP_OKAY ? "OKAY" :
	    "ERROR", p->nextra ? ", extras NULL" : "");
	return true;
}

/* Wait up to ms for the reply to echo seq. */
static bool
echo_seen(struct nf *n, unsigned int seq, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (n->seen[seq] == 0 && now_ms() < end)
		pump(n, 10);
	return n->seen[seq] != 0;
}

/* A good echo still goes through (one resend allowed). */
static bool
echo_ok(struct nf *n, unsigned int seq, const char *what)
{
	uint64_t t0 = now_ms();
	int i;

	for (i = 0; i < 2; i++) {
		n->seen[seq] = 0;
		send_echo(n, seq, 64);
		if (echo_seen(n, seq, 3000))
			break;
	}
	if (n->seen[seq] == 1) {
		ok("%s: echo answered (%llu ms)", what,
		    (unsigned long long)(now_ms() - t0));
		return true;
	}
	fail(&n->x, "%s: %s", what, n->seen[seq] ? "echo answered with a "
	    "wrong payload" : "no echo reply in 6 s");
	return false;
}

/* An echo frame of plen payload bytes, seq, split by the caller. */
static void
pkt_echo(struct nf *n, struct hpkt *p, uint8_t *f, unsigned int seq,
    size_t plen)
{
	memset(p, 0, sizeof(*p));
	p->first_size = -1;
	n->seen[seq] = 0;
	p->len = build_echo(n, f, seq, plen);
	p->f = f;
}

/* Split p's frame: nfrag fragments of size each, the rest in the first. */
static void
pkt_split(struct hpkt *p, unsigned int nfrag, uint16_t size)
{
	unsigned int i;

	p->nfrag = nfrag;
	for (i = 0; i < nfrag; i++) {
		p->frag_size[i] = size;
		p->frag_off[i] = 0;
	}
}

/* A dropped echo must not be forwarded: no reply within 1 s. */
static void
not_forwarded(struct nf *n, unsigned int seq, const char *what)
{
	if (echo_seen(n, seq, 1000))
		fail(&n->x, "%s: answered ERROR but forwarded (echo %u "
		    "answered)", what, seq);
}

static int
state_now(struct nf *n)
{
	return be_state(&n->x);
}

/* The backend goes Closing (or Closed) within CLOSE_MS. */
static bool
expect_closed(struct nf *n, const char *what)
{
	uint64_t t0 = now_ms();
	int st;

	for (;;) {
		pump(n, 10);
		st = state_now(n);
		if (st == XenbusStateClosing || st == XenbusStateClosed) {
			ok("%s: backend closed the vif (state %d) after %llu ms",
			    what, st, (unsigned long long)(now_ms() - t0));
			return true;
		}
		if (now_ms() - t0 >= CLOSE_MS)
			break;
		usleep(20 * 1000);
	}
	fail(&n->x, "%s: backend still in state %d %u ms after the attack",
	    what, st, CLOSE_MS);
	return false;
}

static void
expect_connected(struct nf *n, const char *what)
{
	int st = state_now(n);

	if (st == XenbusStateConnected)
		ok("%s: backend still Connected", what);
	else
		fail(&n->x, "%s: backend state %d, not Connected", what, st);
}

/* Close (the refusals counted as bad are expected here). */
static void
hclose(struct nf *n)
{
	n->tx_bad = n->rx_err = 0;
	close_dev(n);
}

/* Closed, then Initialising: a fresh connection with new rings. */
static void
reconnect(struct nf *n)
{
	hclose(n);
	xwrite(&n->x, "state", "%d", XenbusStateInitialising);
	connect_dev(n, false, false);
}

/* ---- modes ---------------------------------------------------------------- */

static void
m_tx_slots(struct nf *n)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 1472];
	struct hpkt p;
	static const unsigned int drop[] = { 20, 21 };
	char what[64];
	unsigned int i, seq = SEQ0;

	/* 1442-byte frames: 64-byte fragments, the rest in the first slot. */
	pkt_echo(n, &p, f, seq, 1400);
	pkt_split(&p, 18, 64);
	put_pkt(n, &p);
	if (pkt_check(n, &p, NETIF_RSP_OKAY, "19 slots")) {
		if (echo_seen(n, seq, 3000) && n->seen[seq] == 1)
			ok("19 slots: forwarded intact (echo answered)");
		else
			fail(&n->x, "19 slots: answered OKAY, but no intact "
			    "echo reply");
	}
	for (i = 0; i < 2; i++) {
		seq++;
		snprintf(what, sizeof(what), "%u slots", drop[i]);
		pkt_echo(n, &p, f, seq, 1400);
		pkt_split(&p, drop[i] - 1, 64);
		put_pkt(n, &p);
		if (pkt_check(n, &p, NETIF_RSP_ERROR, what))
			not_forwarded(n, seq, what);
	}
	echo_ok(n, ++seq, "after the drops");
	expect_connected(n, "after the drops");
	pkt_echo(n, &p, f, ++seq, 1400);
	pkt_split(&p, 21, 64);
	put_pkt(n, &p);
	expect_closed(n, "22 slots");
	hclose(n);
}

static void
m_tx_runt(struct nf *n)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 1472];
	struct hpkt p;
	static const int sizes[] = { 13, 10, 0 };
	char what[64];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "%d-byte frame", sizes[i]);
		pkt_echo(n, &p, f, SEQ0, 64);
		p.len = (size_t)sizes[i];
		put_pkt(n, &p);
		pkt_check(n, &p, NETIF_RSP_ERROR, what);
	}
	/* 20 bytes, 10 of them in a fragment: the first slot holds 10. */
	pkt_echo(n, &p, f, SEQ0, 64);
	p.len = 20;
	pkt_split(&p, 1, 10);
	put_pkt(n, &p);
	pkt_check(n, &p, NETIF_RSP_ERROR, "first slot with 10 of 20 bytes");
	/* The edge: a bare Ethernet header is a frame. */
	pkt_echo(n, &p, f, SEQ0, 64);
	p.len = ETH_HLEN;
	put_pkt(n, &p);
	pkt_check(n, &p, NETIF_RSP_OKAY, "14-byte frame");
	echo_ok(n, SEQ0 + 1, "after the runts");
	expect_connected(n, "after the runts");
	hclose(n);
}

static void
m_tx_cross_page(struct nf *n)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 1472];
	struct hpkt p;
	unsigned int seq = SEQ0;

	/* The edge: offset + size == 4096 is inside the page. */
	pkt_echo(n, &p, f, seq, 200);
	p.first_off = (uint16_t)(PAGE - p.len);
	put_pkt(n, &p);
	if (pkt_check(n, &p, NETIF_RSP_OKAY, "slot ending at the page end")) {
		if (echo_seen(n, seq, 3000) && n->seen[seq] == 1)
			ok("slot ending at the page end: forwarded intact");
		else
			fail(&n->x, "slot ending at the page end: no intact "
			    "echo reply");
	}
	pkt_echo(n, &p, f, ++seq, 158);
	p.first_off = 4000;	/* 200 bytes at 4000 */
	put_pkt(n, &p);
	expect_closed(n, "first slot at offset 4000 size 200");
	not_forwarded(n, seq, "first slot crossing the page");
	reconnect(n);
	pkt_echo(n, &p, f, ++seq, 200);
	pkt_split(&p, 1, 142);
	p.frag_off[0] = 4050;	/* 142 bytes at 4050 */
	put_pkt(n, &p);
	expect_closed(n, "fragment at offset 4050 size 142");
	hclose(n);
}

static void
m_tx_zero_frag(struct nf *n)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 1472];
	struct hpkt p;
	unsigned int seq = SEQ0;

	/* 242 bytes: 100 in the first slot, an empty fragment, 142. */
	pkt_echo(n, &p, f, seq, 200);
	p.nfrag = 2;
	p.frag_size[0] = 0;
	p.frag_size[1] = 142;
	put_pkt(n, &p);
	if (pkt_check(n, &p, NETIF_RSP_OKAY, "zero-length fragment between "
	    "data") && echo_seen(n, seq, 3000) && n->seen[seq] == 1)
		ok("zero-length fragment between data: forwarded intact");
	else
		fail(&n->x, "zero-length fragment between data: no intact echo "
		    "reply");
	/* Everything in the first slot, five empty fragments after it. */
	pkt_echo(n, &p, f, ++seq, 200);
	pkt_split(&p, 5, 0);
	p.frag_off[4] = PAGE;	/* offset 4096 + 0 bytes: still inside */
	put_pkt(n, &p);
	if (pkt_check(n, &p, NETIF_RSP_OKAY, "five zero-length fragments") &&
	    echo_seen(n, seq, 3000) && n->seen[seq] == 1)
		ok("five zero-length fragments: forwarded intact");
	else
		fail(&n->x, "five zero-length fragments: no intact echo reply");
	expect_connected(n, "after the zero-length fragments");
	hclose(n);
}

static void
m_tx_gso_garbage(struct nf *n)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 1472];
	struct hpkt p;
	unsigned int v, i, seq = SEQ0;
	static const char *const what[] = {
		"extra-info type 7", "GSO size 0 and type 200",
		"extra chain running past req_prod", "chain of 40 extras",
	};

	/*
	 * Four connections (each close and reconnect costs the vif's log
	 * about six lines, and a scenario allows 40).
	 */
	for (v = 0; v < 4; v++) {
		if (v > 0)
			reconnect(n);
		pkt_echo(n, &p, f, ++seq, 1400);
		p.nextra = 1;
		p.ex[0].type = XEN_NETIF_EXTRA_TYPE_GSO;
		p.ex[0].u.gso.size = 1400;
		p.ex[0].u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		switch (v) {
		case 0:
			p.ex[0].type = 7;
			break;
		case 1:
			p.ex[0].u.gso.size = 0;
			p.ex[0].u.gso.type = 200;
			break;
		case 2:
			/* GSO, HASH, then "more" and nothing published. */
			p.nextra = 2;
			p.ex[0].flags = XEN_NETIF_EXTRA_FLAG_MORE;
			p.ex[1].type = XEN_NETIF_EXTRA_TYPE_HASH;
			p.ex[1].flags = XEN_NETIF_EXTRA_FLAG_MORE;
			break;
		case 3:
			p.nextra = 40;
			for (i = 0; i < p.nextra; i++) {
				p.ex[i] = p.ex[0];
				p.ex[i].type = i & 1 ? XEN_NETIF_EXTRA_TYPE_HASH :
				    XEN_NETIF_EXTRA_TYPE_GSO;
				p.ex[i].flags = XEN_NETIF_EXTRA_FLAG_MORE;
			}
			break;
		}
		put_pkt(n, &p);
		expect_closed(n, what[v]);
		not_forwarded(n, seq, what[v]);
	}
	hclose(n);
}

static void
m_tx_prod_far(struct nf *n)
{
	echo_ok(n, SEQ0, "before the attack");
	n->tx.sring->req_prod = n->tx.req_prod_pvt + 1000;
	xen_wmb();
	xenevtchn_notify(n->x.xce, n->port);
	expect_closed(n, "TX req_prod 1000 past req_cons");
	reconnect(n);
	echo_ok(n, SEQ0 + 1, "reconnected");
	/* Through req_prod_pvt: every later RING_PUSH_REQUESTS keeps it. */
	n->rx.req_prod_pvt += 1000;
	RING_PUSH_REQUESTS(&n->rx);
	xenevtchn_notify(n->x.xce, n->port);
	expect_closed(n, "RX req_prod 1000 past req_cons");
	hclose(n);
}

static void
m_tx_prod_back(struct nf *n)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		echo_ok(n, SEQ0 + i, "before the attack");
	/* Everything published so far was consumed: go back 4. */
	n->tx.sring->req_prod = n->tx.req_prod_pvt - 4;
	xen_wmb();
	xenevtchn_notify(n->x.xce, n->port);
	expect_closed(n, "TX req_prod moved back by 4");
	hclose(n);
}

static void
m_rx_never(struct nf *n)
{
	uint64_t end, t0;
	unsigned long got;
	unsigned int i;
	char *v = NULL;

	/* Gratuitous ARP: the bridge learns where we are. */
	send_arp(n, 1, NULL, n->ip);
	ok("no RX buffer posted; waiting for dom0's flood (data/xbt-flood)");
	end = now_ms() + 60000;
	while (now_ms() < end) {
		pump(n, 100);
		if ((v = xread(&n->x, "data/xbt-flood")) != NULL)
			break;
	}
	if (v == NULL) {
		fail(&n->x, "dom0 did not write data/xbt-flood within 60 s");
		hclose(n);
		return;
	}
	if (strncmp(v, "done", 4) != 0)
		fail(&n->x, "dom0's flood: %s", v);
	else
		ok("dom0's flood: %s", v);
	free(v);
	if (n->rx_frames != 0)
		fail(&n->x, "%lu frames arrived with no buffer posted",
		    n->rx_frames);
	expect_connected(n, "after the flood");
	/* Now the buffers: what waited comes, then the vif works. */
	t0 = now_ms();
	for (i = 0; i < NRX; i++)
		rx_post(n, (uint16_t)i);
	RING_PUSH_REQUESTS(&n->rx);
	end = now_ms() + 5000;
	got = 0;
	while (now_ms() < end) {
		pump(n, 200);
		if (n->rx_frames != 0 && n->rx_frames == got)
			break;	/* nothing more for 200 ms */
		got = n->rx_frames;
	}
	if (n->rx_frames == 0)
		fail(&n->x, "no frame arrived within 5 s of posting %u buffers",
		    NRX);
	else
		ok("%lu frames arrived within %llu ms of posting %u buffers",
		    n->rx_frames, (unsigned long long)(now_ms() - t0), NRX);
	arp_peer(n);
	echo_ok(n, SEQ0, "after the flood");
	hclose(n);
}

static void
m_evtchn_storm(struct nf *n)
{
	uint64_t t0, end;
	unsigned long cnt = 0;

	echo_ok(n, SEQ0, "before the storm");
	t0 = now_ms();
	end = t0 + 3000;
	while (now_ms() < end) {
		unsigned int i;

		for (i = 0; i < 64; i++)
			xenevtchn_notify(n->x.xce, n->port);
		cnt += 64;
	}
	ok("storm: %lu notifications in %llu ms with nothing on the rings",
	    cnt, (unsigned long long)(now_ms() - t0));
	echo_ok(n, SEQ0 + 1, "after the storm");
	expect_connected(n, "after the storm");
	hclose(n);
}

static const struct {
	const char	*name;
	void		(*fn)(struct nf *);
	bool		 rx;		/* post RX buffers at connect */
} modes[] = {
	{ "tx-slots", m_tx_slots, true },
	{ "tx-runt", m_tx_runt, true },
	{ "tx-cross-page", m_tx_cross_page, true },
	{ "tx-zero-frag", m_tx_zero_frag, true },
	{ "tx-gso-garbage", m_tx_gso_garbage, true },
	{ "tx-prod-far", m_tx_prod_far, true },
	{ "tx-prod-back", m_tx_prod_back, true },
	{ "rx-never", m_rx_never, false },
	{ "net-evtchn-storm", m_evtchn_storm, true },
};

void
net_hostile_usage(void)
{
	unsigned int i;

	fprintf(stderr, "modes:");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\n");
}

int
net_hostile(struct nf *n, const char *mode)
{
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, mode) == 0)
			break;
	if (i == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "xbfront-net: unknown mode %s\n", mode);
		net_hostile_usage();
		return 2;
	}
	n->rx_npost = modes[i].rx ? NRX : 0;
	connect_dev(n, false, false);
	if (modes[i].rx)
		arp_peer(n);
	modes[i].fn(n);
	printf("%s: %d failure%s\n", n->x.failures ? "FAIL" : "DONE",
	    n->x.failures, n->x.failures == 1 ? "" : "s");
	return n->x.failures ? 1 : 0;
}
