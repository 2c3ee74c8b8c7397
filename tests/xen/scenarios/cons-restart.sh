#!/bin/sh
# consoled restarted while a guest runs and prints: a ticker in the guest
# prints a 115-byte line every 0.1 s (the 2 KiB ring fills ~2 s after its
# backend stops draining; the guest then blocks).  consoled is stopped
# (SIGTERM, then in a second round SIGKILL), the guest goes on printing
# for 4 s, consoled is started again: it rewrites console/tty (a xenstore
# watch sees the write) with a working pty, its attach socket answers,
# `xl console` works again (ptyexpect: a computed answer comes back), and
# the log has every tick once and in order, those printed while no
# consoled ran included.
# xenconsoled: no (the scenario restarts consoled)
# timeout: 180
. /xbtest/lib.sh

need_consoled
GUEST_ARGS="xbt.cons.tick=0.1 xbt.cons.pad=100" cons_guest rs tick
wait_console rs 'XBT-GUEST-OK cons ready' 60
cons_served $D 10
wait_console rs 'XBT-TICK 20 ' 30
xenstore-watch /local/domain/$D/console/tty > /tmp/rs.watch 2>&1 &
W=$!
sleep 1
# ticks: "XBT-TICK <n> ." anywhere in a line (the prompt, which ends in no
# newline, and typed echo share lines with them)
ticks() { console rs | grep -o 'XBT-TICK [0-9][0-9]* \.' | cut -d' ' -f2; }
lasttick() { ticks | tail -n 1; }
i=0
for sig in TERM KILL; do
	i=$((i + 1))
	t0=$(cons_tty $D)
	consoled_stop $sig
	k=$(lasttick)
	sleep 4
	w0=$(grep -c . /tmp/rs.watch)	# (a stopping consoled may touch tty too)
	k2=$(lasttick)
	[ "$k2" = "$k" ] || fail "the log grew (tick $k -> $k2) while consoled was stopped"
	consoled_start
	end=$(( $(now) + 15 ))
	until [ "$(grep -c . /tmp/rs.watch)" -gt "$w0" ]; do
		[ "$(now)" -ge "$end" ] && fail "round $i (SIG$sig): console/tty not rewritten 15s after the restart (still '$(cons_tty $D)')"
		sleep 0.3
	done
	cons_served $D 15
	log "round $i (SIG$sig): last tick logged before $k; console/tty $t0 -> $(cons_tty $D)"
	wait_console rs "XBT-TICK $((k + 60)) " 30
	timeout 3 consoled-attach -r rs > /tmp/rs.replay 2> /tmp/rs.replay.err
	grep -q 'XBT-TICK ' /tmp/rs.replay || fail "round $i: consoled-attach after the restart got no replay: $(cat /tmp/rs.replay.err)"
	$PTYEXPECT -v -t 40 -o /tmp/rs.xl.out -p 1 -s '\r' -w "$CONS_PROMPT" \
	    -s "echo XBT-\$((5000+$i))-$sig\\r" -w "XBT-500$i-$sig" \
	    -s '\x1d' -e -- xl console rs 2> /tmp/rs.xl.err
	rc=$?
	sed 's/^/  /' /tmp/rs.xl.err
	[ $rc = 0 ] || fail "round $i (SIG$sig): xl console after the restart: ptyexpect status $rc: $(grep -v '^ptyexpect: \[.*\] \(step\|started\|command\)' /tmp/rs.xl.err | tail -n 2 | tr '\n' ' ')"
	log "round $i: xl console answered XBT-500$i-$sig; ticks go on ($(lasttick))"
done
kill $W
bad=$(ticks | awk '
    $1 != i { printf "tick %d expected, got tick %s", i, $1; exit }
    { i++ }')
[ -z "$bad" ] || fail "ticks in the log: $bad"
note "$(lasttick) ticks logged once each and in order across a SIGTERM and a SIGKILL restart of consoled"
xl destroy rs
pass
