#!/bin/sh
# Two consoled-attach readers (-r, one by name, one by domain id) on one
# console get the same live output: a 4 MiB flood the guest prints after
# they attached is intact (sha256) in both and in the log, with no drop
# note (they keep up).  A third client attaching afterwards gets the
# replay first: the last 16 KiB (-b default) of what the guest printed,
# byte for byte the end of the log.
# xenconsoled: no (no attach socket; its pty has one reader)
# timeout: 180
. /xbtest/lib.sh

need_consoled
cons_guest tr
wait_console tr 'XBT-GUEST-OK cons ready' 60
cons_served $D 10
consoled-attach -r tr > /tmp/tr.a 2> /tmp/tr.a.err &
A=$!
consoled-attach -r $D > /tmp/tr.b 2> /tmp/tr.b.err &
B=$!
sleep 1
pid_running $A || fail "reader a (consoled-attach -r tr) exited: $(cat /tmp/tr.a.err)"
pid_running $B || fail "reader b (consoled-attach -r $D) exited: $(cat /tmp/tr.b.err)"
cons_send tr 'flood 4 two'
wait_tail tr 'XBT-GUEST-FLOOD two ' 150
log "guest: $(console_grep tr 'XBT-GUEST-FLOOD two ' | sed 's/.*XBT-GUEST-//')"
for r in a b; do
	end=$(( $(now) + 20 ))
	until tail -c 4096 /tmp/tr.$r | grep -qF 'XBT-GUEST-FLOOD two '; do
		[ "$(now)" -ge "$end" ] && fail "reader $r: no 'XBT-GUEST-FLOOD two' 20s after the log had it ($(wc -c < /tmp/tr.$r) bytes; $(cat /tmp/tr.$r.err))"
		sleep 0.5
	done
done
cons_log_all tr /tmp/tr.all
flood_check /tmp/tr.all two || fail "log: $FLOOD_ERR"
rm -f /tmp/tr.all
for r in a b; do
	flood_check /tmp/tr.$r two || fail "reader $r: $FLOOD_ERR"
	d=$(grep -c '\[consoled: ' /tmp/tr.$r)
	[ "$d" = 0 ] || fail "reader $r got consoled notes: $(grep '\[consoled: ' /tmp/tr.$r | head -n 3 | tr '\n' ' ')"
done
log "both readers and the log: the 4 MiB flood intact; readers got $(wc -c < /tmp/tr.a) and $(wc -c < /tmp/tr.b) bytes"
kill $A $B

# a late client: the replay is the last 16 KiB of the output
consoled-attach -r tr > /tmp/tr.c 2> /tmp/tr.c.err &
C=$!
sleep 3
kill $C 2>/dev/null
n=$(wc -c < /tmp/tr.c)
[ "$n" -gt 0 ] || fail "a late reader got nothing: $(cat /tmp/tr.c.err)"
[ "$n" -le 16384 ] || fail "a late reader got $n bytes of replay, more than 16 KiB"
tail -c "$n" "$CONSOLE_DIR/guest-tr.log" | cmp -s - /tmp/tr.c ||
    fail "the replay ($n bytes) is not the end of the log: starts '$(head -c 60 /tmp/tr.c | tr '\n' '|')', ends '$(tail -c 60 /tmp/tr.c | tr '\n' '|')'"
grep -qF 'XBT-GUEST-FLOOD two ' /tmp/tr.c || fail "the replay lacks the guest's last lines"
log "a late reader got $n bytes of replay: the end of the log"
xl destroy tr
rm -f "$CONSOLE_DIR"/guest-tr.log* /tmp/tr.?
pass
