#!/bin/sh
# A Mini-OS-shaped netfront on an admin's vif line: frontends/netfront.c
# (xbfront-net) in a guest without xen-netfront (xbt.nonet=1) connects
# device/vif/0 with one queue, one event channel, request-rx-copy, no
# feature-rx-notify (it posts RX buffers without a kick: the backend must
# poll), no feature-sg, no GSO, feature-no-csum-offload, and state Connected
# in the keys' transaction.  In the guest: dom0 answers its ARP request;
# echo requests with 64 and 1400 payload bytes come back with the same
# payload and valid checksums; so do all of a burst of 200 (mixed sizes)
# while the RX ring wraps; a frame dom0 sends to 224.0.0.253 reaches it.
# Then, if the backend offers feature-multicast-control, it reconnects
# with request-multicast-control: an MCAST_ADD dummy request for
# 224.0.0.251 is answered OKAY, and dom0's frames to 224.0.0.251 arrive;
# with netbackd no frame to an unregistered group does in that session
# (io/netif.h: drop every multicast frame not in the list), neither dom0's
# to 224.0.0.252, sent before each to 224.0.0.251, nor dom0's IPv6 ones.
# Kernel xen-netback filters only the multicast it forwards (skb pkt_type
# PACKET_MULTICAST), not dom0's own frames: the oracle run notes them.  dom0 checks the
# frontend's keys, that the vif was served while the guest waited, and
# (not in an oracle run) netbackd's "connected:" lines: shared event
# channel, sg 0, rx-notify 0, csum v4 0, multicast control 0 then 1, and
# that it filtered multicast frames in the second connection.
# timeout: 300
. /xbtest/lib.sh

N=14
GIP=$(guest_ip $N)
GUEST_ARGS="xbt.stay=1 xbt.nonet=1 xbt.fip=$GIP" \
    GUEST_EXTRA="vif = [ '$(vif_spec $N)' ]" guest_cfg nmo netminios
guest_start nmo
D=$(guest_domid nmo)
FE=$(vif_fe_path $D 0)
BE=$(vif_be_path $D 0)

# mcast_phase PHASE GROUP...: while the guest waits for multicast frames,
# dom0 sends one to each GROUP in turn, until the guest is done
mcast_phase() {
	_ph=$1
	shift
	wait_console nmo "XBT-GUEST-NET wait multicast $_ph" 150
	vif_served $D 0
	_end=$(( $(now) + 100 ))
	_r=0
	until console_grep nmo "XBT-GUEST-NET done multicast $_ph" >/dev/null; do
		[ "$(now)" -ge "$_end" ] && fail "the guest saw no end of multicast phase $_ph after $_r rounds"
		guest_domid nmo >/dev/null || fail "nmo is gone in multicast phase $_ph"
		for _g in "$@"; do
			$PING -c 1 -W 1 -I $BRIDGE $_g > /tmp/mc.out 2>&1
			grep -q '^1 packets transmitted' /tmp/mc.out ||
			    fail "ping -I $BRIDGE $_g from dom0 sent nothing: $(head -c 300 /tmp/mc.out | tr '\n' ' ')"
		done
		_r=$((_r + 1))
	done
	log "multicast phase $_ph: $_r round(s) of $* from dom0"
}

mcast_phase flood 224.0.0.253
mc=$(xs_read $BE/feature-multicast-control)
[ "$mc" = 1 ] && mcast_phase filter 224.0.0.252 224.0.0.251
wait_console nmo 'XBT-GUEST-OK netminios' 120

# every check the guest made, by what its line says
want="arp: 10.0.0.1 is at
echo 64 bytes: 30 replies, payloads match
echo 1400 bytes: 30 replies, payloads match
burst: 200 replies, payloads match
rx ring wrapped
multicast without multicast control: .* to 224.0.0.253 arrived"
[ "$mc" = 1 ] && want="$want
multicast control: MCAST_ADD 01:00:5e:00:00:fb answered OKAY
multicast control: .* to registered 224.0.0.251 arrived;"
echo "$want" | while IFS= read -r w; do
	console_grep nmo "XBT-GUEST-NET ok $w" > /dev/null || { echo "$w"; break; }
done > /tmp/nmo.miss
[ -s /tmp/nmo.miss ] && fail "the guest did not report '$(cat /tmp/nmo.miss)'"
# a request whose reply did not come is resent once (the guest counts it):
# kernel xen-netback drops what it cannot hand a frontend without
# feature-rx-notify within 30 ms; netbackd must not lose any
r=$(console_grep nmo 'XBT-GUEST-NET ok (echo|burst)' | grep -v ' 0 resent' | sed 's/.*XBT-GUEST-NET ok //' | tr '\n' ';')
if [ -n "$r" ]; then
	[ "$XBT_BACKEND" = kernel ] || fail "echo replies were lost and resent: $r"
	note "kernel xen-netback lost echo replies (resent): $r vif$D.0 rx_dropped $(cat /sys/class/net/vif$D.0/statistics/rx_dropped) tx_dropped $(cat /sys/class/net/vif$D.0/statistics/tx_dropped)"
fi
if [ "$mc" = 1 ]; then
	l=$(console_grep nmo 'XBT-GUEST-NET ok multicast control: .* arrived;' | sed 's/.*XBT-GUEST-NET ok //')
	u=$(echo "$l" | sed -n 's/.*to unregistered groups \([0-9]*\) .*/\1/p')
	if [ "$XBT_BACKEND" = kernel ]; then
		note "kernel xen-netback let $u frames to unregistered groups through: $l"
	else
		[ "$u" = 0 ] || fail "frames to unregistered groups reached the guest (not filtered): $l"
	fi
fi
note "$(console_grep nmo 'XBT-GUEST-NET ok (burst|rx ring|multicast control: .* arrived)' | sed 's/.*XBT-GUEST-NET ok //' | tr '\n' ';') $(console_grep nmo 'XBT-GUEST-NET ok ' | wc -l) checks passed in the guest"

# the frontend's keys: what a Mini-OS netfront writes, and nothing more
[ "$(xs_read $FE/request-rx-copy)" = 1 ] || fail "frontend request-rx-copy is '$(xs_read $FE/request-rx-copy)', not 1"
[ "$(xs_read $FE/feature-no-csum-offload)" = 1 ] || fail "frontend feature-no-csum-offload is not 1"
xenstore-exists $FE/event-channel || fail "no $FE/event-channel"
for k in feature-rx-notify feature-sg feature-gso-tcpv4 feature-gso-tcpv6 \
    event-channel-tx multi-queue-num-queues; do
	xenstore-exists $FE/$k 2>/dev/null && fail "the frontend has $k ('$(xs_read $FE/$k)')"
done
if [ "$mc" = 1 ]; then
	[ "$(xs_read $FE/request-multicast-control)" = 1 ] ||
	    fail "frontend request-multicast-control is not 1 after the second session"
fi

if [ "$XBT_BACKEND" != kernel ]; then
	netbackd_log_new | grep "vif d$D/0: connected:" > /tmp/nmo.conn
	n=$(wc -l < /tmp/nmo.conn)
	wantn=1
	[ "$mc" = 1 ] && wantn=2
	[ "$n" = $wantn ] || fail "netbackd logged $n connections of vif d$D/0, want $wantn: $(tr '\n' ' ' < /tmp/nmo.conn)"
	for w in '1 queue,' 'shared event channels' 'sg 0,' 'gso v4 0 v6 0' \
	    'csum v4 0 v6 0' 'rx-notify 0,'; do
		[ "$(grep -c -F "$w" /tmp/nmo.conn)" = "$n" ] ||
		    fail "netbackd's connected line lacks '$w': $(tr '\n' ' ' < /tmp/nmo.conn)"
	done
	head -n 1 /tmp/nmo.conn | grep -q 'multicast control 0$' ||
	    fail "first connection: $(head -n 1 /tmp/nmo.conn), want multicast control 0"
	if [ "$mc" = 1 ]; then
		tail -n 1 /tmp/nmo.conn | grep -q 'multicast control 1$' ||
		    fail "second connection: $(tail -n 1 /tmp/nmo.conn), want multicast control 1"
		# dom0's frames to 224.0.0.252 reached the worker and it dropped them
		f=$(netbackd_log_new | grep "vif d$D/0: disconnected:" | tail -n 1 |
		    sed -n 's/.*multicast filtered \([0-9]*\).*/\1/p')
		[ "${f:-0}" -ge 1 ] || fail "netbackd filtered '$f' multicast frames in the second connection, want >= 1"
	fi
	note "netbackd: $(sed 's/.*connected: //' /tmp/nmo.conn | tr '\n' ';') per connection: $(netbackd_log_new | grep "vif d$D/0: " | grep -o 'multicast filtered [0-9]*, expired [0-9]*' | tr '\n' ';')"
fi

guest_stop nmo 30
vif_gone $D 0 10
pass
