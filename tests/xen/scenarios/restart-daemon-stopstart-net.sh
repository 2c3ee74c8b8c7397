#!/bin/sh
# Stop and start of netbackd under TCP (docs/ARCHITECTURE.md "Stop and
# start"; what systemctl restart does): a 2-vCPU guest (2 queues) on the
# bridge receives and sends a TCP stream (each side sends a 2 MiB chunk
# again and again, sha256 at both ends of everything sent) with a ping
# from dom0 every 0.2 s, while netbackd is stopped with SIGTERM (lib.sh
# daemon_stop: exit 0 within 10 s, no sanitizer report) and started again
# twice (SS_CYCLES; restart-daemon-stopstart-net-10 in make restart: 10
# times).  Each stop: the worker logs "quiesced for a stop" (its
# xb-quiesced record), the TAP stays, persistent (IFF_PERSIST), with its
# ifindex and bridge port; each start: "re-attached after a clean stop",
# the record gone, and both streams move 1 MiB again within 30 s (TCP
# backs off its retransmissions during the gap).  Then: both digests equal (zero data errors), the pings
# came back (the longest gap in a NOTE), backend and frontend read 4
# (Connected) at every 0.1 s sample, the TAP kept its ifindex and is a
# port of the bridge, exactly one vif* interface, netfront silent.  Before
# the last stop a stray persistent TAP (ip tuntap) of a domain that does
# not exist is made: the last start must delete it.
# oracle: no (it stops our daemon)
# timeout: 300
. /xbtest/lib.sh

[ "$XBT_BACKEND" = ours ] || fail "this tests our daemons (this run: $XBT_BACKEND)"
N=${SS_CYCLES:-2}
MIB=2
GUEST_VCPUS=2 net_guest sn 2
vif_check $D 0
IF=vif$D.0
BEP=$(vif_be_path $D 0)
FEP=$(vif_fe_path $D 0)
idx0=$(cat /sys/class/net/$IF/ifindex)
STRAY=vif$((D + 50)).0	# no such domain
nq=$(xs_read "$FEP/multi-queue-num-queues")
log "$IF ifindex $idx0, ${nq:-1} queue(s)"

# Each sender sends its chunk until /tmp/sn.stop exists, counting whole
# chunks (lib.sh tcp_loops_start).
rm -f /tmp/sn.states
tcp_loops_start sn $MIB
# the states, sampled every 0.1 s until the streams are checked
( while [ ! -e /tmp/sn.stop ]; do
	echo "$(xs_read "$BEP/state") $(xs_read "$FEP/state")" >> /tmp/sn.states
	sleep 0.1
  done ) &
sp=$!
sleep 1

k=0 resume=
while [ $k -lt $N ]; do
	sleep "$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%.2f", 0.3 + ($1 % 501) / 1000 }')"
	w0=$(daemon_worker netbackd $D 0 | head -n 1)
	if [ $k = $((N - 1)) ]; then
		# A persistent TAP of a vif that went away while no daemon ran
		# (as stop_vif() leaves them): the next start must delete it.
		/usr/bin/ip tuntap add dev $STRAY mode tap multi_queue vnet_hdr ||
		    fail "cannot make the stray TAP $STRAY"
		log "stray persistent TAP $STRAY: tun_flags $(cat /sys/class/net/$STRAY/tun_flags)"
	fi
	daemon_stop netbackd
	[ -z "$(daemon_worker netbackd $D 0)" ] || fail "a worker for d$D/0 outlived its daemon: $(daemon_procs netbackd)"
	rec=$(xs_read "$BEP/xb-quiesced")
	[ -n "$rec" ] || fail "stop $((k + 1)): no xb-quiesced record; log: $(netbackd_log_new | grep "d$D/0" | tail -n 3 | tr '\n' ' ')"
	# The TAP outlives the daemon: IFF_PERSIST (0x800), same ifindex, bridge port.
	[ -e /sys/class/net/$IF ] || fail "stop $((k + 1)): $IF is gone with the daemon"
	fl=$(cat /sys/class/net/$IF/tun_flags)
	[ $((fl & 0x800)) != 0 ] || fail "stop $((k + 1)): $IF is not persistent (tun_flags $fl)"
	[ "$(cat /sys/class/net/$IF/ifindex)" = "$idx0" ] || fail "stop $((k + 1)): $IF has a new ifindex"
	[ -e /sys/class/net/$BRIDGE/brif/$IF ] || fail "stop $((k + 1)): $IF is no longer a port of $BRIDGE"
	log "stop $((k + 1)): worker $w0 left xb-quiesced = '$rec'; $IF tun_flags $fl"
	n0=$(netbackd_log_new | grep -c "d$D/0: re-attached after a clean stop")
	daemon_start netbackd
	i=0
	until [ "$(netbackd_log_new | grep -c "d$D/0: re-attached after a clean stop")" -gt "$n0" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "start $((k + 1)): no 're-attached' line in 10 s: $(netbackd_log_new | grep "d$D/0" | tail -n 4 | tr '\n' ' ')"
		sleep 0.1
	done
	[ -z "$(xs_read "$BEP/xb-quiesced")" ] || fail "start $((k + 1)): the record is still there"
	if [ $k = $((N - 1)) ]; then
		[ ! -e /sys/class/net/$STRAY ] || fail "start $((k + 1)): the stray TAP $STRAY is still there"
		netbackd_log_new | grep -q "deleted $STRAY, which the last daemon left persistent" ||
		    fail "start $((k + 1)): no 'deleted $STRAY' line: $(netbackd_log_new | grep -v "d$D/0" | tail -n 3 | tr '\n' ' ')"
		log "start $((k + 1)): the stray TAP $STRAY was deleted"
	fi
	fl=$(cat /sys/class/net/$IF/tun_flags)
	[ $((fl & 0x800)) = 0 ] || fail "start $((k + 1)): $IF is still persistent (tun_flags $fl)"
	log "start $((k + 1)): $(netbackd_log_new | grep "d$D/0: re-attached after" | tail -n 1)"
	# Both streams move again (1 MiB each way through the TAP, whose
	# counters outlive the daemon): TCP comes out of its retransmission
	# backoff after the gap.
	t0=$(cut -d' ' -f1 /proc/uptime)
	tx0=$(cat /sys/class/net/$IF/statistics/tx_bytes)
	rx0=$(cat /sys/class/net/$IF/statistics/rx_bytes)
	i=0
	while :; do
		dt=$(( $(cat /sys/class/net/$IF/statistics/tx_bytes) - tx0 ))
		dr=$(( $(cat /sys/class/net/$IF/statistics/rx_bytes) - rx0 ))
		[ $dt -ge 1048576 ] && [ $dr -ge 1048576 ] && break
		i=$((i + 1))
		[ $i -gt 150 ] && fail "start $((k + 1)): the streams did not resume within 30 s (to the guest +$dt bytes, from it +$dr)"
		sleep 0.2
	done
	rt=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
	log "start $((k + 1)): 1 MiB each way again $rt s after the re-attach"
	resume="$resume $rt"
	k=$((k + 1))
done

# Both streams must still run: else a stop broke one.
tcp_loops_stop sn "the last start"
log "$N stops and starts done under both streams; stopping them"

tcp_loops_check sn $MIB "$N stops" 30
wait $sp

tcp_loops_ping sn
# A gap spans the stop, the checks above, the start and the re-attach.
awk -v g="$gap" 'BEGIN { exit !(g <= 10) }' || fail "pings stopped for $gap s at one of the stops"

bad=$(grep -v '^4 4$' /tmp/sn.states | sort | uniq -c | head -n 3)
[ -z "$bad" ] || fail "states (backend frontend) other than '4 4' sampled: $bad"
re=$(xs_read /local/domain/0/error/backend/vif/$D/0/error)
[ -z "$re" ] || fail "error node: $re"
l=$(netbackd_log_new)
q=$(echo "$l" | grep -c "d$D/0: quiesced for a stop")
[ "$q" -eq $N ] || fail "$q 'quiesced for a stop' lines, want $N"
echo "$l" | grep -q "d$D/0: .*not adopted" && fail "d$D/0 was not adopted: $(echo "$l" | grep -m 1 "d$D/0: .*not adopted")"

[ -e /sys/class/net/$IF ] || fail "$IF is gone after the stops"
[ "$(cat /sys/class/net/$IF/ifindex)" = "$idx0" ] || fail "$IF ifindex $idx0 became $(cat /sys/class/net/$IF/ifindex): the TAP was recreated"
[ -e /sys/class/net/$BRIDGE/brif/$IF ] || fail "$IF is no longer a port of $BRIDGE"
taps=$(ls /sys/class/net | grep -E "^vif" | tr '\n' ' ')
[ "$taps" = "$IF " ] || fail "vif interfaces: '$taps', want exactly $IF"
vif_served $D 0
console_grep sn 'xennet|netfront' | grep -iE 'broken|bad|error|invalid' &&
    fail "netfront complained: $(console_grep sn 'xennet|netfront' | grep -iE 'broken|bad|error|invalid' | head -n 2 | tr '\n' ' ')"
ping_ok dom0 $GIP 5
note "last stop: $(echo "$l" | grep -E "d$D/0: (quiesced for a stop|$IF kept)|signal 15: stopping" | tail -n 3 | cut -c1-170 | tr '\n' '|')"
note "last start: $(echo "$l" | grep -E "d$D/0: (opened $IF again|re-attached after)" | tail -n 2 | cut -c1-200 | tr '\n' '|')"
note "$N stops and starts under TCP both ways (sha256 ok, $((c * MIB)) MiB in, $((cg * MIB)) MiB out): longest ping gap $gap s ($replies replies), streams at 1 MiB each way again after${resume} s, $(wc -l < /tmp/sn.states) state samples all Connected, ifindex $idx0 kept, one TAP"
rm -f /tmp/sn.bin
pass
