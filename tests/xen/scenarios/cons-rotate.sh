#!/bin/sh
# Size rotation while the guest floods.  consoled runs with -S 256K -K 60;
# the guest prints 8 MiB: guest-NAME.log.N .. .1 (oldest first) and then
# guest-NAME.log, put together, hold the flood intact (sha256) after the
# boot messages; no file passes 256 KiB, every one has mode 0640.  Then
# -K 3 keeps three: after 2 MiB more only .1 .. .3 exist.  SIGHUP reopens
# the log (external logrotate): after a mv and a HUP, new output goes to a
# new guest-NAME.log.  consoled gets its default options back at the end.
# xenconsoled: no (no rotation of its own)
# timeout: 300
. /xbtest/lib.sh

need_consoled
S=262144
consoled_restart -S 256K -K 60
GUEST_ARGS="xbt.cons.mib=8 xbt.cons.tag=rot" cons_guest ro flood
wait_tail ro 'XBT-GUEST-FLOOD rot ' 200
L=$CONSOLE_DIR/guest-ro.log
log "guest: $(tail -c 4096 $L | grep 'XBT-GUEST-FLOOD rot ' | sed 's/.*XBT-GUEST-//')"
n=0
while [ -e "$L.$((n + 1))" ]; do n=$((n + 1)); done
[ "$n" -ge 30 ] || fail "8 MiB with -S 256K made $n rotated files ($(ls $CONSOLE_DIR | tr '\n' ' '))"
extra=$(ls $CONSOLE_DIR | grep "^guest-ro\.log\." | grep -vxE "guest-ro\.log\.([1-9]|[1-9][0-9])" | tr '\n' ' ')
[ -z "$extra" ] || fail "unexpected files: $extra"
rm -f /tmp/ro.all
for i in $(seq "$n" -1 1) ""; do
	f=$L${i:+.$i}
	sz=$(wc -c < "$f")
	[ "$sz" -le $S ] || fail "$f has $sz bytes, more than -S 256K"
	m=$(stat -c %a "$f")
	[ "$m" = 640 ] || fail "$f has mode $m, want 640"
	cat "$f" >> /tmp/ro.all
done
log "$n rotated files + the current one, $(wc -c < /tmp/ro.all) bytes together"
head -n 1 /tmp/ro.all | grep -q 'Linux version ' ||
    fail "the oldest file ($L.$n) does not start with the boot messages: '$(head -n 1 /tmp/ro.all)'"
flood_check /tmp/ro.all rot || fail "$FLOOD_ERR"
note "8 MiB flood rotated into $n files of at most 256 KiB: every byte in order across them (sha256)"
rm -f /tmp/ro.all

# external logrotate: mv, then SIGHUP: consoled reopens guest-ro.log
mv "$L" "$CONSOLE_DIR/moved-ro.log"
kill -HUP "$(consoled_pid)"
sleep 1
cons_send ro 'echo XBT-HUP-$((3+4))'
end=$(( $(now) + 10 ))
until grep -q '^XBT-HUP-7' "$L" 2>/dev/null; do
	[ "$(now)" -ge "$end" ] && fail "after mv + SIGHUP the guest's output is not in a new $L ($(ls $CONSOLE_DIR | grep -c .) files; moved file ends '$(tail -c 100 $CONSOLE_DIR/moved-ro.log | tr '\n' '|')')"
	sleep 0.3
done
grep -q '^XBT-HUP-7' "$CONSOLE_DIR/moved-ro.log" && fail "output after SIGHUP still went to the moved file"
log "SIGHUP: the moved log kept, new output in a new $L"

# -K 3: three rotated files kept
rm -f "$L".* "$CONSOLE_DIR/moved-ro.log"
consoled_restart -S 256K -K 3
cons_served $D 10
cons_send ro 'flood 2 k3'
wait_tail ro 'XBT-GUEST-FLOOD k3 ' 120
have=$(ls $CONSOLE_DIR | grep '^guest-ro\.log' | tr '\n' ' ')
[ "$have" = "guest-ro.log guest-ro.log.1 guest-ro.log.2 guest-ro.log.3 " ] ||
    fail "with -K 3 after 2 MiB: $have"
log "-K 3: $have"
consoled_restart
xl destroy ro
rm -f "$L" "$L".*
pass
