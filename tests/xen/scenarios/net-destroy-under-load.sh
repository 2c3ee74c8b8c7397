#!/bin/sh
# xl destroy while iperf3 runs both ways at full speed: the destroy
# returns within 20 s without "unable to remove"; the vif's backend
# directory, dom0 interface, bridge port and worker go away; netbackd keeps
# running; the bridge is up; a new guest then gets network
# (served, ping both ways, 8 MiB guest -> dom0 sha256-checked).
# timeout: 180
. /xbtest/lib.sh

net_guest ndl 9
vif_check $D 0
grun $GIP 10 "iperf3 -s -p 5202 -D" || fail "cannot start a second iperf3 server in the guest: $GOUT"
timeout 60 iperf3 -f m -t 40 --forceflush -c $GIP > /tmp/ndl.rx 2>&1 &
rxp=$!
timeout 60 iperf3 -f m -t 40 --forceflush -p 5202 -R -c $GIP > /tmp/ndl.tx 2>&1 &
txp=$!
sleep 3
# both ways busy: the dom0 interface's counters (TAP or kernel vif alike)
S=/sys/class/net/vif$D.0/statistics
r0=$(cat $S/rx_bytes) t0=$(cat $S/tx_bytes)
sleep 2
r=$(( $(cat $S/rx_bytes) - r0 )) t=$(( $(cat $S/tx_bytes) - t0 ))
log "load: vif$D.0 rx $r tx $t bytes in 2 s; $(grep 'Mbits/sec' /tmp/ndl.rx | tail -n 1); $(grep 'Mbits/sec' /tmp/ndl.tx | tail -n 1)"
# (each way more than 1 MB, and more than 10x what the ACKs of the other
# way's stream alone would make)
[ $r -gt 1000000 ] && [ $t -gt 1000000 ] && [ $((r * 10)) -gt $t ] && [ $((t * 10)) -gt $r ] ||
    fail "iperf3 was not running both ways before the destroy: vif$D.0 rx $r tx $t bytes in 2 s"
t0=$(now)
timeout 60 xl destroy ndl > /tmp/ndl.destroy 2>&1 || fail "xl destroy failed or hung: $(cat /tmp/ndl.destroy)"
t=$(( $(now) - t0 ))
grep -q 'unable to remove' /tmp/ndl.destroy && fail "xl destroy: $(cat /tmp/ndl.destroy)"
[ $t -le 20 ] || fail "xl destroy took ${t}s"
kill $rxp $txp 2>/dev/null
wait_gone ndl 10
vif_gone $D 0 10
[ -z "$(ls /sys/class/net/$BRIDGE/brif | grep "^vif$D\.")" ] || fail "a vif of d$D is still a port of $BRIDGE"
daemon_alive netbackd || fail "netbackd died with the destroyed guest"
[ $(( $(cat /sys/class/net/$BRIDGE/flags) & 1 )) = 1 ] || fail "$BRIDGE is down"

net_guest ndl2 10
vif_check $D 0
ping_ok dom0 $GIP 3
ping_ok $GIP $DOM0_IP 3
sha_from_guest $GIP 8 5002
note "xl destroy under load took ${t}s; the next guest (d$D) has network"
pass
