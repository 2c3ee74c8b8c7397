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
tcp_loops_start rn $MIB
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
tcp_loops_stop rn "the last kill"
log "$K kills done under both streams; stopping them"

tcp_loops_check rn $MIB "$K kills" 60

sleep 1
tcp_loops_ping rn
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
