#!/bin/sh
# xl network-detach / network-attach while the guest pings dom0 (a loop of
# one-shot pings, each logged with the guest's uptime; a hotplug watcher in
# the guest, as ifupdown's allow-hotplug would, configures whatever eth* the
# guest gets): the pings answer before, fail while the vif is detached
# (backend directory, dom0 interface vif<domid>.0, bridge port and worker
# gone), and answer again after xl network-attach with the same MAC, whose
# new vif is served, named vif<domid>.<devid> and a port of xenbr0; dom0
# then pings the guest.
# timeout: 180
. /xbtest/lib.sh

net_guest nda 8
vif_check $D 0
MAC=$(guest_mac 8)
grun $GIP 10 "{ while :; do for i in /sys/class/net/eth*; do [ -e \$i ] || continue; n=\${i##*/}; ip -4 addr show dev \$n | grep -q inet || { ip link set \$n up; ip addr add $GIP/24 dev \$n; echo \"\$(cut -d' ' -f1 /proc/uptime) configured \$n\" >> /tmp/hp.log; }; done; sleep 0.5; done; } > /dev/null 2>&1 & { while :; do if ping -c 1 -W 1 $DOM0_IP > /dev/null 2>&1; then r=ok; else r=lost; sleep 0.5; fi; echo \"\$r \$(cut -d' ' -f1 /proc/uptime)\" >> /tmp/ping.log; sleep 0.2; done; } > /dev/null 2>&1 &" ||
    fail "cannot start the guest's ping loop: $GOUT"
sleep 2
grun $GIP 10 "cut -d' ' -f1 /proc/uptime; grep -c ok /tmp/ping.log" || fail "no answer before the detach: $GOUT"
set -- $GOUT
t_det=$1
[ "${2:-0}" -ge 3 ] || fail "the guest's pings did not answer before the detach ($2 ok)"

log "xl network-detach nda 0 (guest uptime $t_det)"
timeout 60 xl network-detach nda 0 > /tmp/nda.det 2>&1 || fail "xl network-detach failed: $(cat /tmp/nda.det)"
vif_gone $D 0 10
[ -z "$(ls /sys/class/net/$BRIDGE/brif | grep "^vif$D\.")" ] || fail "a vif of d$D is still a port of $BRIDGE: $(ls /sys/class/net/$BRIDGE/brif)"
t0=$(now)
sleep 3

timeout 60 xl network-attach nda bridge=$BRIDGE mac=$MAC > /tmp/nda.att 2>&1 ||
    fail "xl network-attach failed: $(cat /tmp/nda.att)"
devid=$(xl network-list nda | awk 'NR > 1 { print $1 }' | tail -n 1)
[ -n "$devid" ] || fail "xl network-list shows no vif after the attach"
i=0
until [ "$(xs_read "$(vif_be_path $D $devid)/state")" = 4 ]; do
	i=$((i + 1))
	[ $i -gt 60 ] && fail "the attached vif $D/$devid is not Connected after 30s ($(xs_read "$(vif_be_path $D $devid)/state"))"
	sleep 0.5
done
vif_check $D $devid
wait_ctl $GIP 60
detached=$(( $(now) - t0 ))	# (upper bound: until the guest answers again)

# until 3 pings in a row answered after the last lost one (at most 30 s)
i=0
while :; do
	grun $GIP 10 "cat /tmp/ping.log; cat /tmp/hp.log" || fail "no answer after the attach: $GOUT"
	echo "$GOUT" > /tmp/nda.log
	r=$(awk -v t="$t_det" '
	    $1 == "ok" && $2 < t { before++ }
	    $1 == "lost" && $2 > t { lost++; lastlost = $2 }
	    $1 == "ok" && $2 > t { after[++n] = $2 }
	    END {
		a = 0; for (i = 1; i <= n; i++) if (after[i] > lastlost) a++
		printf "%d %d %d", before, lost, a }' /tmp/nda.log)
	set -- $r
	[ "$3" -ge 3 ] && break
	i=$((i + 1))
	[ $i -gt 30 ] && break
	sleep 1
done
log "guest pings: $1 answered before the detach, $2 lost after it, $3 answered after the last loss"
[ "$2" -ge 2 ] || fail "the guest's pings never failed while the vif was detached ($r): is the loop measuring anything?"
[ "$3" -ge 3 ] || fail "the guest's pings did not come back after the attach ($r): $(tail -n 5 /tmp/nda.log | tr '\n' ' ')"
ping_ok dom0 $GIP 3
note "detached ~${detached}s: $2 pings lost, then answered again on vif$D.$devid ($(grep configured /tmp/nda.log | tail -n 1))"
pass
