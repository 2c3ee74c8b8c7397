#!/bin/sh
# Stop and start of netbackd under TCP (docs/ARCHITECTURE.md "Stop and
# start"; what systemctl restart does): a 2-vCPU guest (2 queues) on the
# bridge receives and sends a TCP stream (each side sends a 2 MiB chunk
# again and again, sha256 at both ends of everything sent) with a ping
# from dom0 every 0.2 s, while netbackd is stopped with SIGTERM (lib.sh
# daemon_stop: exit 0 within 10 s, no sanitizer report) and started again
# 3 times.  Each stop: the worker logs "quiesced for a stop" (its
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
N=3
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
# chunks (restart-net's streams).
dd if=/dev/urandom of=/tmp/sn.bin bs=1M count=$MIB 2>/dev/null || fail "cannot make /tmp/sn.bin"
rm -f /tmp/sn.stop /tmp/sn.count /tmp/rx.5002.sha /tmp/sn.states
grun $GIP 10 "rm -f /tmp/sn.stop; { sleep 900 | nc -l -p 5001 | sha256sum > /tmp/rx.5001.sha; } > /dev/null 2>&1 &" ||
    fail "cannot start the receiver in the guest: $GOUT"
{ sleep 900 | nc -l -p 5002 | sha256sum > /tmp/rx.5002.sha; } &
grun $GIP 60 "head -c $((MIB * 1048576)) /dev/urandom > /tmp/tx.bin && echo made" ||
    fail "the guest could not make its data: $GOUT"
sleep 0.5

$PING -D -i 0.2 -W 1 $GIP > /tmp/sn.ping 2>&1 &
ping_pid=$!
(
	c=0
	while [ ! -e /tmp/sn.stop ]; do
		cat /tmp/sn.bin || break
		c=$((c + 1))
		echo $c > /tmp/sn.count
	done | timeout 600 nc $GIP 5001 > /dev/null 2>&1
) &
to_pid=$!
gsend='c=0; while [ ! -e /tmp/sn.stop ]; do cat /tmp/tx.bin || break; c=$((c + 1)); echo $c > /tmp/tx.count; done | nc '$DOM0_IP' 5002; c=$(cat /tmp/tx.count); i=0; while [ $i -lt $c ]; do cat /tmp/tx.bin; i=$((i + 1)); done | sha256sum | cut -d" " -f1; echo chunks=$c'
gctl $GIP 600 "$gsend" > /tmp/sn.from 2>&1 &
from_pid=$!
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
live=""
kill -0 $to_pid 2>/dev/null && live="dom0->guest"
kill -0 $from_pid 2>/dev/null && live="$live guest->dom0"
[ "$live" = "dom0->guest guest->dom0" ] ||
    fail "a stream ended before the last start (still running: ${live:-none}); to guest: $(cat /tmp/sn.count 2>/dev/null) chunks, from guest: $(head -c 300 /tmp/sn.from)"
touch /tmp/sn.stop
grun $GIP 10 "touch /tmp/sn.stop" || fail "cannot stop the guest's sender: $GOUT"
log "$N stops and starts done under both streams; stopping them"

wait $to_pid
c=$(cat /tmp/sn.count)
want_in=$(i=0; while [ $i -lt $c ]; do cat /tmp/sn.bin; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)
i=0
until grun $GIP 10 "test -s /tmp/rx.5001.sha && cut -d' ' -f1 /tmp/rx.5001.sha"; do
	i=$((i + 1))
	[ $i -gt 30 ] && fail "the guest's digest of the stream from dom0 did not appear: $GOUT"
	sleep 1
done
[ "$GOUT" = "$want_in" ] || fail "$((c * MIB)) MiB dom0 -> guest across $N stops: guest's sha256 $GOUT, sent $want_in"
wait $from_pid
sent=$(grep -E '^[0-9a-f]{64}$' /tmp/sn.from | tail -n 1)
cg=$(sed -n 's/^chunks=//p' /tmp/sn.from)
[ -n "$sent" ] || fail "guest -> dom0 stream: no digest from the guest: $(head -c 300 /tmp/sn.from)"
i=0
until [ -s /tmp/rx.5002.sha ]; do
	i=$((i + 1))
	[ $i -gt 60 ] && fail "no digest of the stream from the guest in dom0"
	sleep 0.5
done
got=$(cut -d' ' -f1 /tmp/rx.5002.sha)
[ "$got" = "$sent" ] || fail "$((cg * MIB)) MiB guest -> dom0 across $N stops: dom0's sha256 $got, guest sent $sent"
log "both streams' digests match ($((c * MIB)) MiB dom0 -> guest, $((cg * MIB)) MiB guest -> dom0)"
wait $sp

kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
# Largest gap between two replies ([epoch.usec] from ping -D).
gap=$(sed -n 's/^\[\([0-9.]*\)\].*bytes from.*/\1/p' /tmp/sn.ping |
    awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1; n++ } END { printf "%.2f %d\n", g, n }')
replies=${gap#* }
gap=${gap% *}
[ "${replies:-0}" -gt 20 ] || fail "only ${replies:-0} ping replies: $(tail -n 3 /tmp/sn.ping | tr '\n' ' ')"
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
