#!/bin/sh
# A second netif conformance client next to Linux's xen-netfront:
# frontends/netconform.c (xbfront-net -C) in a guest without xen-netfront
# (xbt.nonet=1) reads the features the backend advertises and negotiates
# them all: multi-queue-num-queues 2 with queue-N/ keys, split event
# channels, feature-rx-notify, request-rx-copy, feature-sg, checksum
# offload, feature-gso-tcpv4.  In the guest: echo replies for requests
# sent on each queue; 1400- and 3000-byte echo requests in 3 slots
# (NETTXF_more_data), the fragmented reply reassembled and checked; a UDP
# datagram with NETTXF_csum_blank and a partial checksum that dom0 accepts
# (its port unreachable); a TCP segment over the MTU with a GSO extra that
# dom0 takes (its RST); the RX flags read.  What it cannot exercise it
# says ("not exercised ..."; RX of frames over a page: dom0 sends none).
# dom0 checks the frontend's keys and netbackd's "connected:" line.
# timeout: 120
. /xbtest/lib.sh

N=15
GIP=$(guest_ip $N)
GUEST_ARGS="xbt.stay=1 xbt.nonet=1 xbt.fip=$GIP" \
    GUEST_EXTRA="vif = [ '$(vif_spec $N)' ]" guest_cfg ncf netconform
guest_start ncf
D=$(guest_domid ncf)
FE=$(vif_fe_path $D 0)
BE=$(vif_be_path $D 0)
wait_console ncf 'XBT-GUEST-OK netconform' 90

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
	for w in '2 queues,' 'split event channels' 'sg 1,' 'gso v4 1 ' 'csum v4 1 ' 'rx-notify 1,'; do
		grep -q -F "$w" /tmp/ncf.conn || fail "netbackd's connected line lacks '$w': $(cat /tmp/ncf.conn)"
	done
	note "netbackd: $(sed 's/.*connected: //' /tmp/ncf.conn) $(netbackd_log_new | grep "vif d$D/0: disconnected:" | sed 's/.*disconnected: //' | cut -c1-120)"
fi

guest_stop ncf 30
vif_gone $D 0 10
pass
