/*
 * netstats.c - a netbackd worker's control-socket report.  See netstats.h.
 */
#include <stdio.h>

#include "ctlfmt.h"
#include "netstats.h"
#include "worker.h"

const struct ctl_key nb_stats_keys[] = {
	{ "ifname", CTL_INFO, NULL, "The TAP interface." },
	{ "mac", CTL_INFO, NULL, "The guest's MAC address (backend mac key)." },
	{ "feature", CTL_INFO, "name",
	    "Features the frontend asked for (on, off)." },
	{ "connected", CTL_GAUGE, NULL, "1 while the rings are served." },
	{ "queues", CTL_GAUGE, NULL, "Queues negotiated." },
	{ "tx_ring_slots", CTL_GAUGE, NULL, "Slots of each queue's TX ring." },
	{ "rx_ring_slots", CTL_GAUGE, NULL, "Slots of each queue's RX ring." },
	{ "rate_bytes", CTL_GAUGE, NULL,
	    "Guest TX credit per interval in bytes (0: unlimited)." },
	{ "rate_interval_us", CTL_GAUGE, NULL, "The credit interval." },
	{ "net_packets", CTL_COUNTER, "dir",
	    "Packets moved: tx from the guest, rx to it." },
	{ "net_bytes", CTL_COUNTER, "dir", "Bytes moved: tx, rx." },
	{ "net_drops", CTL_COUNTER, "reason",
	    "Packets dropped, by reason (tx_*: from the guest, rx_*: to it)." },
	{ "net_errors", CTL_COUNTER, "reason",
	    "Packets lost to an error: tx_tap, tx_grant, rx_grant." },
	{ "net_rate_waits", CTL_COUNTER, NULL,
	    "Times guest TX waited for rate credit." },
	{ "net_multicast_requests", CTL_COUNTER, NULL,
	    "Multicast filter requests from the guest." },
	{ "net_zero_length_fragments", CTL_COUNTER, NULL,
	    "Zero-length TX fragments seen." },
	{ "net_rx_stalls", CTL_COUNTER, NULL,
	    "Times the guest posted no RX buffers while frames waited." },
	{ "net_event_storms", CTL_COUNTER, NULL,
	    "Event-channel storms the guard masked." },
	{ "net_empty_wakeups", CTL_COUNTER, NULL,
	    "Event-channel wake-ups that found no work." },
};
const unsigned int nb_stats_nkeys =
    sizeof(nb_stats_keys) / sizeof(nb_stats_keys[0]);

/* Label values for enum nb_tx_why and enum nb_hdr_why (netif.h, nethdr.h). */
static const char *const tx_why[NB_TXW_COUNT] = {
	[NB_TXW_TOO_SHORT] = "tx_too_short",
	[NB_TXW_TOO_MANY_SLOTS] = "tx_too_many_slots",
	[NB_TXW_FRAG_TOO_BIG] = "tx_frag_too_big",
	[NB_TXW_FATAL_SLOTS] = "tx_fatal_slots",
	[NB_TXW_CROSS_PAGE] = "tx_cross_page",
	[NB_TXW_INCOMPLETE] = "tx_incomplete",
	[NB_TXW_BAD_EXTRA] = "tx_bad_extra",
	[NB_TXW_BAD_GSO] = "tx_bad_gso",
	[NB_TXW_MCAST_FULL] = "tx_mcast_full",
};
static const char *const hdr_why[NB_HDRW_COUNT] = {
	[NB_HDRW_NOT_IP] = "not_ip",
	[NB_HDRW_BAD_L3] = "bad_l3",
	[NB_HDRW_NOT_TCP_UDP] = "not_tcp_udp",
	[NB_HDRW_BAD_L4] = "bad_l4",
	[NB_HDRW_GSO_MISMATCH] = "gso_mismatch",
	[NB_HDRW_GSO_UNSUPPORTED] = "gso_unsupported",
	[NB_HDRW_IP_FRAGMENT] = "ip_fragment",
	[NB_HDRW_CSUM_UNSUPPORTED] = "csum_unsupported",
};

static const char *
onoff(bool b)
{
	return b ? "on" : "off";
}

void
nb_stats(struct ctl_kvw *kw, void *arg)
{
	const struct nb_worker *w = arg;
	const struct nb_stats *s = &w->st;
	char mac[18], lbl[CTL_LABEL_MAX];
	unsigned int i;

	ctl_kvw_str(kw, "ifname", NULL, w->ifname);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", w->mac[0],
	    w->mac[1], w->mac[2], w->mac[3], w->mac[4], w->mac[5]);
	ctl_kvw_str(kw, "mac", NULL, mac);
	if (w->connected) {
		ctl_kvw_str(kw, "feature", "sg", onoff(w->feat.sg));
		ctl_kvw_str(kw, "feature", "gso_tcpv4", onoff(w->feat.gso_v4));
		ctl_kvw_str(kw, "feature", "gso_tcpv6", onoff(w->feat.gso_v6));
		ctl_kvw_str(kw, "feature", "csum_ipv4", onoff(w->feat.csum_v4));
		ctl_kvw_str(kw, "feature", "csum_ipv6", onoff(w->feat.csum_v6));
		ctl_kvw_str(kw, "feature", "rx_notify",
		    onoff(w->feat.rx_notify));
		ctl_kvw_str(kw, "feature", "multicast_control",
		    onoff(w->feat.mcast_ctrl));
	}
	ctl_kvw_u64(kw, "connected", NULL, w->connected);
	ctl_kvw_u64(kw, "queues", NULL, w->connected ? w->nq : 0);
	ctl_kvw_u64(kw, "tx_ring_slots", NULL, NB_TX_RING_SIZE);
	ctl_kvw_u64(kw, "rx_ring_slots", NULL, NB_RX_RING_SIZE);
	ctl_kvw_u64(kw, "rate_bytes", NULL, w->rate.bytes);
	ctl_kvw_u64(kw, "rate_interval_us", NULL, w->rate.usec);
	ctl_kvw_u64(kw, "net_packets", "tx", s->tx_pkts);
	ctl_kvw_u64(kw, "net_packets", "rx", s->rx_pkts);
	ctl_kvw_u64(kw, "net_bytes", "tx", s->tx_bytes);
	ctl_kvw_u64(kw, "net_bytes", "rx", s->rx_bytes);
	for (i = 1; i < NB_TXW_COUNT; i++)
		if (tx_why[i] != NULL)
			ctl_kvw_u64(kw, "net_drops", tx_why[i], s->tx_drop[i]);
	for (i = 1; i < NB_HDRW_COUNT; i++) {
		if (hdr_why[i] == NULL)
			continue;
		snprintf(lbl, sizeof(lbl), "tx_hdr_%s", hdr_why[i]);
		ctl_kvw_u64(kw, "net_drops", lbl, s->tx_hdr_drop[i]);
		snprintf(lbl, sizeof(lbl), "rx_hdr_%s", hdr_why[i]);
		ctl_kvw_u64(kw, "net_drops", lbl, s->rx_hdr_drop[i]);
	}
	ctl_kvw_u64(kw, "net_drops", "rx_too_big", s->rx_too_big);
	ctl_kvw_u64(kw, "net_drops", "rx_mcast_filtered", s->rx_mcast_drop);
	ctl_kvw_u64(kw, "net_drops", "rx_expired", s->rx_expired);
	ctl_kvw_u64(kw, "net_drops", "rx_short_frame", s->rx_short_frame);
	ctl_kvw_u64(kw, "net_errors", "tx_tap", s->tx_tap_err);
	ctl_kvw_u64(kw, "net_errors", "tx_grant", s->tx_gnt_err);
	ctl_kvw_u64(kw, "net_errors", "rx_grant", s->rx_gnt_err);
	ctl_kvw_u64(kw, "net_rate_waits", NULL, s->tx_rate_waits);
	ctl_kvw_u64(kw, "net_multicast_requests", NULL, s->tx_dummy);
	ctl_kvw_u64(kw, "net_zero_length_fragments", NULL, s->tx_zero_frags);
	ctl_kvw_u64(kw, "net_rx_stalls", NULL, s->rx_stalls);
	ctl_kvw_u64(kw, "net_event_storms", NULL, s->storms);
	ctl_kvw_u64(kw, "net_empty_wakeups", NULL, s->empty_wakeups);
}
