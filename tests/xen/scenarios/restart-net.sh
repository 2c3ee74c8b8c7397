#!/bin/sh
# Crash-only restart of a netbackd worker (docs/ARCHITECTURE.md "Restart
# protocol", netif): a TCP stream each way with its data hashed (sha256) by
# sender and receiver, and a ping from dom0 every 0.2 s, while the vif's
# worker is SIGKILLed 20 times (RN_KILLS), 0.2-1.5 s apart at random.
# Then: both digests match, no two ping replies are further apart than the
# longest restart (the parent's "restarted ... after N s") plus 1.2 s (the
# pings back within 1 s of the successor), the parent logged 20 restarts
# and the workers 20 "resumed:" lines, the TAP kept its ifindex and is
# still a port of the bridge, and the guest's netfront never gave up.
# oracle: no (the kernel's xen-netback has no worker to kill)
# default: no (make restart; make check runs restart-net-quick, 6 kills)
# timeout: 420
. /xbtest/lib.sh

K=${RN_KILLS:-20}	# kills

MIB=${RN_MIB:-4}		# the chunk each side sends again and again
net_guest rn 2
vif_check $D 0
IF=vif$D.0
idx0=$(cat /sys/class/net/$IF/ifindex)

# Each sender sends its chunk until /tmp/rn.stop exists (after the last
# kill), counting whole chunks; the digest expected is that of the chunk
# repeated that many times.
dd if=/dev/urandom of=/tmp/rn.bin bs=1M count=$MIB 2>/dev/null || fail "cannot make /tmp/rn.bin"
rm -f /tmp/rn.stop /tmp/rn.count /tmp/rx.5002.sha
grun $GIP 10 "rm -f /tmp/rn.stop; { sleep 900 | nc -l -p 5001 | sha256sum > /tmp/rx.5001.sha; } > /dev/null 2>&1 &" ||
    fail "cannot start the receiver in the guest: $GOUT"
{ sleep 900 | nc -l -p 5002 | sha256sum > /tmp/rx.5002.sha; } &
grun $GIP 60 "head -c $((MIB * 1048576)) /dev/urandom > /tmp/tx.bin && echo made" ||
    fail "the guest could not make its data: $GOUT"
sleep 0.5

$PING -D -i 0.2 -W 1 $GIP > /tmp/rn.ping 2>&1 &
ping_pid=$!
(
	c=0
	while [ ! -e /tmp/rn.stop ]; do
		cat /tmp/rn.bin || break
		c=$((c + 1))
		echo $c > /tmp/rn.count
	done | timeout 600 nc $GIP 5001 > /dev/null 2>&1
) &
to_pid=$!
gsend='c=0; while [ ! -e /tmp/rn.stop ]; do cat /tmp/tx.bin || break; c=$((c + 1)); echo $c > /tmp/tx.count; done | nc '$DOM0_IP' 5002; c=$(cat /tmp/tx.count); i=0; while [ $i -lt $c ]; do cat /tmp/tx.bin; i=$((i + 1)); done | sha256sum | cut -d" " -f1; echo chunks=$c'
gctl $GIP 600 "$gsend" > /tmp/rn.from 2>&1 &
from_pid=$!
sleep 2
n=0
while [ $n -lt $K ]; do
	# The previous successor is READY first (the parent gives up on a
	# device whose workers die twice in a row before READY).
	i=0
	while [ "$(netbackd_log_new | grep -c "d$D/0: worker [0-9]* killed by signal 9.*; restarted as")" -lt $n ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "no restart logged 10 s after kill $n: $(netbackd_log_new | grep "d$D/0" | tail -n 3 | tr '\n' ' ')"
		sleep 0.1
	done
	# 0.2 to 1.5 s
	ms=$(( 200 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 1301 ))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	pid=$(daemon_worker netbackd $D 0 | head -n 1)
	[ -n "$pid" ] || {
		# still restarting: wait for the successor
		sleep 0.2
		continue
	}
	kill -KILL "$pid" 2>/dev/null || continue
	n=$((n + 1))
	log "kill $n: worker $pid"
done
# Both streams must still run: else the kills did not all fall under load.
live=""
kill -0 $to_pid 2>/dev/null && live="dom0->guest"
kill -0 $from_pid 2>/dev/null && live="$live guest->dom0"
[ "$live" = "dom0->guest guest->dom0" ] ||
    fail "a stream ended before the last kill (still running: ${live:-none}); to guest: $(cat /tmp/rn.count 2>/dev/null) chunks, from guest: $(head -c 300 /tmp/rn.from)"
touch /tmp/rn.stop
grun $GIP 10 "touch /tmp/rn.stop" || fail "cannot stop the guest's sender: $GOUT"
log "$K kills done under both streams; stopping them"

wait $to_pid
c=$(cat /tmp/rn.count)
want_in=$(i=0; while [ $i -lt $c ]; do cat /tmp/rn.bin; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)
i=0
until grun $GIP 10 "test -s /tmp/rx.5001.sha && cut -d' ' -f1 /tmp/rx.5001.sha"; do
	i=$((i + 1))
	[ $i -gt 60 ] && fail "the guest's digest of the stream from dom0 did not appear: $GOUT"
	sleep 1
done
[ "$GOUT" = "$want_in" ] || fail "$((c * MIB)) MiB dom0 -> guest across $K kills: guest's sha256 $GOUT, sent $want_in"
wait $from_pid
sent=$(grep -E '^[0-9a-f]{64}$' /tmp/rn.from | tail -n 1)
cg=$(sed -n 's/^chunks=//p' /tmp/rn.from)
[ -n "$sent" ] || fail "guest -> dom0 stream: no digest from the guest: $(head -c 300 /tmp/rn.from)"
i=0
until [ -s /tmp/rx.5002.sha ]; do
	i=$((i + 1))
	[ $i -gt 60 ] && fail "no digest of the stream from the guest in dom0"
	sleep 0.5
done
got=$(cut -d' ' -f1 /tmp/rx.5002.sha)
[ "$got" = "$sent" ] || fail "$((cg * MIB)) MiB guest -> dom0 across $K kills: dom0's sha256 $got, guest sent $sent"
log "both streams' digests match ($((c * MIB)) MiB dom0 -> guest, $((cg * MIB)) MiB guest -> dom0)"

sleep 1
kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
# Largest gap between two replies ([epoch.usec] from ping -D).
gap=$(sed -n 's/^\[\([0-9.]*\)\].*bytes from.*/\1/p' /tmp/rn.ping |
    awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1; n++ } END { printf "%.2f %d\n", g, n }')
replies=${gap#* }
gap=${gap% *}
[ "${replies:-0}" -gt 20 ] || fail "only ${replies:-0} ping replies: $(tail -n 3 /tmp/rn.ping | tr '\n' ' ')"
l=$(netbackd_log_new)
# The longest restart (reap -> the successor's READY, which comes after its
# resume), the parent's own measure.
slow=$(echo "$l" | sed -n 's/.*restarted as [0-9]* after \([0-9.]*\) s.*/\1/p' | sort -n | tail -n 1)
[ -n "$slow" ] || fail "no 'restarted as ... after N s' line in netbackd's log"
# A ping gap spans the kill, the reap (0.2 s TCG margin), the restart and
# the pings coming back, which must take at most 1 s.
awk -v g="$gap" -v s="$slow" 'BEGIN { exit !(g <= s + 1.2) }' ||
    fail "pings stopped for $gap s at one of the restarts (the longest restart took $slow s; allowed that + 1.2 s)"

r=$(echo "$l" | grep -c "d$D/0: worker [0-9]* killed by signal 9.*; restarted as")
s=$(echo "$l" | grep -c "resumed: ")
[ "$r" -ge $K ] || fail "netbackd logged $r restarts of d$D/0, want $K: $(echo "$l" | grep -E 'd'$D'/0: worker' | tail -n 3 | tr '\n' ' ')"
[ "$s" -ge $K ] || fail "the workers logged $s 'resumed:' lines, want $K: $(echo "$l" | grep -E 'not resuming|resumed' | tail -n 3 | tr '\n' ' ')"
echo "$l" | grep -q "not resuming" && fail "a successor did not resume: $(echo "$l" | grep -m 1 'not resuming')"

[ -e /sys/class/net/$IF ] || fail "$IF is gone after the restarts"
idx1=$(cat /sys/class/net/$IF/ifindex)
[ "$idx1" = "$idx0" ] || fail "$IF ifindex $idx0 became $idx1: the TAP was recreated"
[ -e /sys/class/net/$BRIDGE/brif/$IF ] || fail "$IF is no longer a port of $BRIDGE"
vif_served $D 0
console_grep rn 'xennet|netfront' | grep -iE 'broken|bad|error|invalid' &&
    fail "netfront complained: $(console_grep rn 'xennet|netfront' | grep -iE 'broken|bad|error|invalid' | head -n 2 | tr '\n' ' ')"
ping_ok dom0 $GIP 5
# What the successors found unanswered (journal recovery at work).
sums=$(echo "$l" | sed -n 's/.*resumed: .*tx \([0-9]*\) slots answered ERROR (\([0-9]*\) published already), rx \([0-9]*\) slots answered ERROR (\([0-9]*\) published.*/\1 \2 \3 \4/p' |
    awk '{ a += $1; b += $2; c += $3; d += $4 } END { printf "tx %d answered ERROR, %d found published; rx %d answered ERROR, %d found published", a, b, c, d }')
note "recovery over $K restarts: $sums; streams $((c * MIB)) MiB to the guest, $((cg * MIB)) MiB from it"
note "$K kills under TCP both ways (sha256 ok): longest ping gap $gap s ($replies replies), longest restart $slow s, ifindex $idx0 kept"
rm -f /tmp/rn.bin
pass
