#!/bin/sh
# A second netif conformance client next to Linux's xen-netfront:
# frontends/netconform.c (xbfront-net -C) in a guest without xen-netfront
# (xbt.nonet=1) reads the features the backend advertises and negotiates
# them all: multi-queue-num-queues 2 with queue-N/ keys, split event
# channels, feature-rx-notify, request-rx-copy, feature-sg, checksum
# offload (IPv4 and IPv6), feature-gso-tcpv4 and -tcpv6.  In the guest:
# echo replies for requests sent on each queue; 1400- and 3000-byte echo
# requests in 3 slots (NETTXF_more_data), the fragmented reply reassembled
# and checked; a UDP datagram with NETTXF_csum_blank and a partial
# checksum that dom0 accepts (its port unreachable), over IPv4 and IPv6;
# a TCP segment over the MTU with a GSO extra that dom0 takes (its RST),
# TCPv4 and TCPv6.  Then RX: when the guest prints "wait rx-inject", dom0
# checks that the vif (TAP) has TSO on, raises its MTU and writes with
# pktinject (tests/xen/tools/pktinject.c, AF_PACKET + PACKET_VNET_HDR)
# a TCP/IPv4 and a TCP/IPv6 GSO packet of 6000 payload bytes (gso size
# 1448) and a plain 9000-byte UDP frame onto it, again until the guest
# prints "done rx-inject"; the guest must get each GSO packet as one frame
# over several slots with a GSO extra, and the UDP frame in 3 slots, the
# payload pattern and checksums right; the RX flags read.  What it cannot
# exercise it says ("not exercised ...": multicast control, net-minios).
# IPv6: dom0's xenbr0 gets fd58:6274::a00:1/64 for the scenario; the
# guest is fd58:6274:: and its IPv4 address, and answers dom0's neighbour
# solicitations itself.
# dom0 checks the frontend's keys and netbackd's "connected:" line.
# timeout: 150
. /xbtest/lib.sh

N=15
GIP=$(guest_ip $N)
IP=/usr/bin/ip
# netconform.c's IPv6 address: fd58:6274:: and the IPv4 address
ip6_of() { echo "$1" | awk -F. '{ printf "fd58:6274::%x:%x\n", $1 * 256 + $2, $3 * 256 + $4 }'; }
G6=$(ip6_of $GIP)
D6=$(ip6_of 10.0.0.1)
ncf_clean() {
	$IP -6 neigh del "$G6" dev $BRIDGE 2>/dev/null
	$IP -6 addr del "$D6/64" dev $BRIDGE 2>/dev/null
}
trap ncf_clean EXIT
$IP -6 addr add "$D6/64" dev $BRIDGE nodad || fail "cannot give $BRIDGE $D6"
GUEST_ARGS="xbt.stay=1 xbt.nonet=1 xbt.fip=$GIP" \
    GUEST_EXTRA="vif = [ '$(vif_spec $N)' ]" guest_cfg ncf netconform
guest_start ncf
D=$(guest_domid ncf)
FE=$(vif_fe_path $D 0)
BE=$(vif_be_path $D 0)
wait_console ncf 'XBT-GUEST-NET wait rx-inject' 90
# what dom0's IPv6 made of csum6/gso6 (a failure shows where they went)
note "dom0 IPv6: $($IP -6 addr show dev $BRIDGE | grep inet6 | tr -s ' ' | tr '\n' ';') neigh: $($IP -6 neigh show dev $BRIDGE | tr '\n' ';') $(grep -E 'Ip6InReceives|Ip6InAddrErrors|Ip6InNoRoutes|Ip6InDiscards|Udp6InDatagrams|Udp6NoPorts|Udp6InErrors|Udp6InCsumErrors|Icmp6OutDestUnreachs|Icmp6OutMsgs|Icmp6OutErrors' /proc/net/snmp6 | tr -s ' \t' '=' | tr '\n' ' ')"

# RX over a page and RX GSO: the frames come from dom0's pktinject.  With
# the frontend's gso keys netbackd turns TSO on in the TAP (TUNSETOFFLOAD),
# so a GSO packet written to the vif reaches it whole; the MTU goes up so
# that AF_PACKET takes the 9000-byte frame (packet_snd checks the MTU of
# frames without GSO), after the TX checks, whose dom0 replies stay
# fragmented at 1500.
VIF=vif$D.0
gso4=$(xs_read $FE/feature-gso-tcpv4)
gso6=$(xs_read $FE/feature-gso-tcpv6)
/usr/bin/ethtool -k $VIF > /tmp/ncf.k 2>&1 || fail "ethtool -k $VIF: $(cat /tmp/ncf.k)"
[ "$gso4" = 1 ] && ! grep -q '^	*tx-tcp-segmentation: on' /tmp/ncf.k &&
    fail "the frontend has feature-gso-tcpv4 but $VIF has TSO off: $(grep segmentation /tmp/ncf.k | tr '\n\t' '  ')"
[ "$gso6" = 1 ] && ! grep -q '^	*tx-tcp6-segmentation: on' /tmp/ncf.k &&
    fail "the frontend has feature-gso-tcpv6 but $VIF has TSO6 off: $(grep segmentation /tmp/ncf.k | tr '\n\t' '  ')"
$IP link set dev $VIF mtu 9000 || fail "cannot raise the MTU of $VIF"
PI=/usr/libexec/xbt/pktinject
MAC=$(guest_mac $N)
r=0
: > /tmp/ncf.pi
while ! console_grep ncf 'XBT-GUEST-NET done rx-inject' > /dev/null && [ $r -lt 4 ]; do
	r=$((r + 1))
	{ $PI -i $VIF -d $MAC -g 1448 10.0.0.1 $GIP &&
	  $PI -6 -i $VIF -d $MAC -g 1448 "$D6" "$G6" &&
	  $PI -u -i $VIF -d $MAC 10.0.0.1 $GIP; } >> /tmp/ncf.pi 2>&1 ||
	    fail "pktinject: $(tr '\n' ' ' < /tmp/ncf.pi)"
	i=0
	while [ $i -lt 8 ] && ! console_grep ncf 'XBT-GUEST-NET done rx-inject' > /dev/null; do
		sleep 0.5
		i=$((i + 1))
	done
done
$IP link set dev $VIF mtu 1500
note "pktinject: $r round(s): $(grep -c pktinject: /tmp/ncf.pi) frames written ($(head -n 3 /tmp/ncf.pi | sed 's/pktinject: //' | tr '\n' ';'))"
wait_console ncf 'XBT-GUEST-OK netconform' 60

nq=$(xs_read $BE/multi-queue-max-queues)
want="connected: .* queue
arp: peer at
queue 0: 10 echo requests sent on it, 10 replies
csum: UDP datagram with NETTXF_csum_blank|data_validated
rx flags read:
closed"
[ "${nq:-1}" -ge 2 ] && want="$want
queue 1: 10 echo requests sent on it, 10 replies"
[ "$(xs_read $BE/feature-sg)" = 1 ] && want="$want
sg: 1400-byte echo request in 3 slots
sg: 3000-byte echo request in 3 slots"
[ "$(xs_read $BE/feature-gso-tcpv4)" = 1 ] && want="$want
gso: .* TCP segment in .* slots \\+ GSO extra"
[ "$(xs_read $BE/feature-ipv6-csum-offload)" = 1 ] && want="$want
csum6: UDP/IPv6 datagram with NETTXF_csum_blank\\|data_validated"
[ "$gso6" = 1 ] && want="$want
gso6: .* TCP segment in .* slots \\+ GSO extra \\(size 1448, TCPv6"
[ "$(xs_read $BE/feature-sg)" = 1 ] && want="$want
rx-sg: UDP 9000-byte frame without GSO in 3 slots \\(NETRXF_more_data\\)"
# one frame with the GSO extra: the TAP has TSO (checked above)
[ "$gso4" = 1 ] && want="$want
rx-gso: TCPv4 6054-byte frame in [0-9]+ slots \\(NETRXF_more_data\\) \\+ GSO extra \\(TCPv4, size 1448\\)"
[ "$gso6" = 1 ] && want="$want
rx-gso: TCPv6 6074-byte frame in [0-9]+ slots \\(NETRXF_more_data\\) \\+ GSO extra \\(TCPv6, size 1448\\)"
echo "$want" | while IFS= read -r w; do
	console_grep ncf "XBT-GUEST-NET ok $w" > /dev/null || { echo "$w"; break; }
done > /tmp/ncf.miss
[ -s /tmp/ncf.miss ] && fail "the guest did not report '$(cat /tmp/ncf.miss)'"
note "guest: $(console_grep ncf 'XBT-GUEST-NET (ok|not exercised|FAIL) ' | sed 's/.*XBT-GUEST-NET //' | cut -c1-150 | tr '\n' ';')"

# the frontend's keys
if [ "${nq:-1}" -ge 2 ]; then
	[ "$(xs_read $FE/multi-queue-num-queues)" = 2 ] || fail "frontend multi-queue-num-queues is '$(xs_read $FE/multi-queue-num-queues)', not 2"
	for q in 0 1; do
		for k in tx-ring-ref rx-ring-ref; do
			xenstore-exists $FE/queue-$q/$k || fail "no $FE/queue-$q/$k"
		done
	done
	if [ "$(xs_read $BE/feature-split-event-channels)" = 1 ]; then
		for q in 0 1; do
			for k in event-channel-tx event-channel-rx; do
				xenstore-exists $FE/queue-$q/$k || fail "no $FE/queue-$q/$k"
			done
		done
	fi
fi
for k in request-rx-copy feature-rx-notify; do
	[ "$(xs_read $FE/$k)" = 1 ] || fail "frontend $k is '$(xs_read $FE/$k)', not 1"
done
xenstore-exists $FE/feature-no-csum-offload 2>/dev/null && fail "the frontend has feature-no-csum-offload"

if [ "$XBT_BACKEND" != kernel ]; then
	netbackd_log_new | grep "vif d$D/0: connected:" > /tmp/ncf.conn
	[ "$(wc -l < /tmp/ncf.conn)" = 1 ] || fail "netbackd logged $(wc -l < /tmp/ncf.conn) connections of vif d$D/0, want 1: $(tr '\n' ' ' < /tmp/ncf.conn)"
	for w in '2 queues,' 'split event channels' 'sg 1,' 'gso v4 1 v6 1,' 'csum v4 1 v6 1,' 'rx-notify 1,'; do
		grep -q -F "$w" /tmp/ncf.conn || fail "netbackd's connected line lacks '$w': $(cat /tmp/ncf.conn)"
	done
	note "netbackd: $(sed 's/.*connected: //' /tmp/ncf.conn) $(netbackd_log_new | grep "vif d$D/0: disconnected:" | sed 's/.*disconnected: //' | cut -c1-120)"
fi

guest_stop ncf 30
vif_gone $D 0 10
pass
