#!/bin/sh
# A stalled reader neither slows the guest nor costs the log anything.
# The guest floods 8 MiB with no reader, then again while a consoled-attach
# reader is attached whose output nobody reads (a pipe held by a sleeper):
# both floods are intact in the log, the second takes at most 1.5x the
# first + 3 s (TCG is noisy), and once the reader is released it gets a
# "[consoled: N bytes dropped]" note and then live output again.
# xenconsoled: no (no attach socket)
# timeout: 240
. /xbtest/lib.sh

need_consoled
cons_guest sr
wait_console sr 'XBT-GUEST-OK cons ready' 60
cons_served $D 10
cons_send sr 'flood 8 alone'
wait_tail sr 'XBT-GUEST-FLOOD alone ' 150
a=$(flood_secs sr alone)
log "guest: $(console_grep sr 'XBT-GUEST-PAYLOAD' | sed 's/.*XBT-GUEST-//'); $(console_grep sr 'XBT-GUEST-FLOOD alone ' | sed 's/.*XBT-GUEST-//')"

# the stalled reader: consoled-attach writes into a FIFO whose reader
# waits for /tmp/sr.go before it reads anything
rm -f /tmp/sr.fifo /tmp/sr.go
mkfifo /tmp/sr.fifo
{ while [ ! -e /tmp/sr.go ]; do sleep 0.2; done; cat; } < /tmp/sr.fifo > /tmp/sr.out &
consoled-attach -r sr > /tmp/sr.fifo 2> /tmp/sr.err &
R=$!
sleep 1
pid_running $R || fail "the reader exited: $(cat /tmp/sr.err)"
cons_send sr 'flood 8 stalled'
wait_tail sr 'XBT-GUEST-FLOOD stalled ' 150
b=$(flood_secs sr stalled)
log "guest: $(console_grep sr 'XBT-GUEST-FLOOD stalled ' | sed 's/.*XBT-GUEST-//')"
cons_log_all sr /tmp/sr.all	# (16 MiB and more: rotated once)
flood_check /tmp/sr.all alone || fail "log: $FLOOD_ERR"
flood_check /tmp/sr.all stalled || fail "log with a stalled reader: $FLOOD_ERR"
rm -f /tmp/sr.all
pid_running $R || fail "the stalled reader was disconnected: $(cat /tmp/sr.err)"

touch /tmp/sr.go
# Output typed before the reader has caught up is rightly dropped (its queue
# is still full): wait for the marker, which comes only once the queue has
# room, and only then make the guest print something new.
end=$(( $(now) + 20 ))
until grep -qF 'bytes dropped]' /tmp/sr.out; do
	[ "$(now)" -ge "$end" ] && fail "the released reader got no drop marker within 20s ($(wc -c < /tmp/sr.out) bytes; ends '$(tail -c 200 /tmp/sr.out | tr '\n' '|')')"
	sleep 0.5
done
cons_send sr 'echo XBT-AFTER-$((40+2))'
end=$(( $(now) + 20 ))
until grep -qF 'XBT-AFTER-42' /tmp/sr.out; do
	[ "$(now)" -ge "$end" ] && fail "the released reader did not get live output within 20s ($(wc -c < /tmp/sr.out) bytes; ends '$(tail -c 200 /tmp/sr.out | tr '\n' '|')')"
	sleep 0.5
done
kill $R
drops=$(grep -o '\[consoled: [0-9]* bytes dropped\]' /tmp/sr.out)
n=$(echo "$drops" | sed -n 's/.* \([0-9]*\) bytes.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
note "8 MiB flood: ${a}s alone, ${b}s with a stalled reader ($(mibps 8388608 "$a") / $(mibps 8388608 "$b") MiB/s); the reader got $(wc -c < /tmp/sr.out) bytes and $(echo "$drops" | grep -c .) drop notes ($n bytes dropped)"
[ -n "$drops" ] || fail "the stalled reader got no '[consoled: N bytes dropped]' note"
[ "$n" -gt 0 ] || fail "drop notes say 0 bytes: $drops"
awk -v a="$a" -v b="$b" 'BEGIN { exit !(b <= 1.5 * a + 3) }' ||
    fail "the stalled reader slowed the guest: ${b}s against ${a}s alone"
xl destroy sr
rm -f "$CONSOLE_DIR"/guest-sr.log* /tmp/sr.out
pass
