#!/bin/sh
# A secondary PV console without QEMU.  dom0 writes the nodes by hand as a
# toolstack would (xl only makes type=ioemu channels): the backend
# backend/console/<domid>/1 (frontend, frontend-id, online=1, state=1,
# readable by the guest), then the frontend device/console/1 (backend,
# backend-id=0, state=1, no type: xenconsoled's kind), in one transaction.
# consoled connects it (both states 4, device/console/1/tty a pty), the
# guest's hvc_xen gives it /dev/hvc1, and data flows both ways:
# guest -> guest-NAME-console1.log and a consoled-attach -n 1 reader;
# dom0 -> guest through consoled-attach -n 1 with stdin from a pipe, and
# both ways through `xl console -t pv -n 1` (ptyexpect).  The primary log gets
# none of it.  A console 2 whose frontend says type=ioemu (QEMU's, as libxl
# writes for channels), written the same way, is left alone: its backend
# stays Initialising, no tty, log or socket.
# xenconsoled: no (it serves the primary console only)
# timeout: 150
. /xbtest/lib.sh

need_consoled
tok=$(mktoken)
GUEST_ARGS="xbt.cons.tag=$tok" cons_guest sc sec
wait_console sc 'XBT-GUEST-OK cons ready' 60
BE=/local/domain/0/backend/console/$D/1
FE=/local/domain/$D/device/console/1
xenstore-write $BE/frontend $FE $BE/frontend-id $D $BE/online 1 $BE/state 1 ||
    fail "cannot write $BE"
xenstore-chmod -r $BE n0 r$D || fail "cannot chmod $BE"
# the frontend directory must be the guest's from its first key on (hvc_xen
# writes ring-ref, port and state as soon as it probes): new nodes inherit
# their parent's permissions, so device/console is made the guest's first
# (a type directory alone probes nothing)
for p in /local/domain/$D/device /local/domain/$D/device/console; do
	xenstore-exists $p || xenstore-write $p "" || fail "cannot write $p"
	xenstore-chmod $p n$D r0 || fail "cannot chmod $p"
done
xenstore-write $FE/backend $BE $FE/backend-id 0 $FE/state 1 || fail "cannot write $FE"
log "wrote $BE and $FE"
wait_xs $BE/state 4 30
wait_xs $FE/state 4 30
tty=$(xs_read $FE/tty)
[ -n "$tty" ] && [ -c "$tty" ] || fail "$FE/tty is '$tty', not a character device"
log "backend and frontend Connected; $FE/tty $tty; ring-ref $(xs_read $FE/ring-ref) port $(xs_read $FE/port)"
wait_console sc 'XBT-GUEST-SEC hvc1 opens' 30
log "guest: $(console_grep sc 'XBT-GUEST-SEC hvc1' | sed 's/.*XBT-GUEST-//')"

# guest -> dom0: the log and a reader (its replay has the first line)
L1=$CONSOLE_DIR/guest-sc-console1.log
end=$(( $(now) + 15 ))
until grep -qF "XBT-SEC-OUT $tok" "$L1" 2>/dev/null; do
	[ "$(now)" -ge "$end" ] && fail "no 'XBT-SEC-OUT $tok' in $L1 after 15s (have: $(ls $CONSOLE_DIR | tr '\n' ' '))"
	sleep 0.3
done
[ -S $CONS_SOCKDIR/d$D.1 ] || fail "no socket $CONS_SOCKDIR/d$D.1 (have: $(ls $CONS_SOCKDIR | tr '\n' ' '))"
consoled-attach -r -n 1 sc > /tmp/sc.r1 2> /tmp/sc.r1.err &
R=$!
end=$(( $(now) + 10 ))
until grep -qF "XBT-SEC-OUT $tok" /tmp/sc.r1; do
	[ "$(now)" -ge "$end" ] && fail "consoled-attach -r -n 1: no 'XBT-SEC-OUT $tok' within 10s ($(cat /tmp/sc.r1.err))"
	sleep 0.3
done
log "guest -> dom0 on console 1: in $L1 and in a consoled-attach -n 1 reader"

# dom0 -> guest: consoled-attach -n 1, stdin a pipe
tok2=$(mktoken)
printf 'XBT-SEC-IN %s\n' "$tok2" | consoled-attach -n 1 sc > /dev/null 2> /tmp/sc.w.err &
W=$!
wait_console sc "^XBT-GUEST-SEC-IN XBT-SEC-IN $tok2\$" 20
kill $W 2>/dev/null
log "dom0 -> guest on console 1 through consoled-attach -n 1: the guest read 'XBT-SEC-IN $tok2'"

# both ways through xl console -t pv -n 1 (without -t, xl ignores -n and
# attaches the primary console)
tok3=$(mktoken)
$PTYEXPECT -v -t 40 -o /tmp/sc.xl.out -p 2 -s "XBT-SEC-XL $tok3\\n" -w "XBT-SEC-BACK $tok3" \
    -s '\x1d' -e -- xl console -t pv -n 1 sc 2> /tmp/sc.xl.err
rc=$?
sed 's/^/  /' /tmp/sc.xl.err
[ $rc = 0 ] || fail "xl console -t pv -n 1: ptyexpect status $rc: $(grep -v '^ptyexpect: \[.*\] \(step\|started\|command\)' /tmp/sc.xl.err | tail -n 2 | tr '\n' ' ')"
wait_console sc "^XBT-GUEST-SEC-IN XBT-SEC-XL $tok3\$" 5
grep -qF "XBT-SEC-BACK $tok3" "$L1" || fail "'XBT-SEC-BACK $tok3' is not in $L1"
grep -qF "XBT-SEC-BACK $tok3" /tmp/sc.r1 || fail "'XBT-SEC-BACK $tok3' did not reach the -n 1 reader"
kill $R
log "xl console -t pv -n 1: sent 'XBT-SEC-XL $tok3', got 'XBT-SEC-BACK $tok3' (also in the log and the reader)"
console_grep sc "XBT-SEC-OUT|XBT-SEC-BACK" | grep -v 'XBT-GUEST-' | head -n 1 | grep -q . &&
    fail "the primary log has console 1's output: $(console_grep sc 'XBT-SEC-OUT|XBT-SEC-BACK' | head -n 1)"

# console 2, type=ioemu: not ours (backend first, then frontend, as above)
BE2=/local/domain/0/backend/console/$D/2
FE2=/local/domain/$D/device/console/2
xenstore-write $BE2/frontend $FE2 $BE2/frontend-id $D $BE2/online 1 $BE2/state 1 ||
    fail "cannot write $BE2"
xenstore-chmod -r $BE2 n0 r$D || fail "cannot chmod $BE2"
xenstore-write $FE2/backend $BE2 $FE2/backend-id 0 $FE2/state 1 $FE2/type ioemu ||
    fail "cannot write $FE2"
sleep 3
st=$(xs_read $BE2/state)
[ "$st" = 1 ] || fail "console 2 (frontend type ioemu) was taken: backend state '$st'; consoled: $(consoled_log_new | grep 'd'$D'/2' | head -n 4 | tr '\n' ' ')"
[ -z "$(xs_read $FE2/tty)" ] || fail "console 2 (type ioemu) got a tty: $(xs_read $FE2/tty)"
[ ! -e $CONSOLE_DIR/guest-sc-console2.log ] || fail "console 2 (type ioemu) got a log"
[ ! -e $CONS_SOCKDIR/d$D.2 ] || fail "console 2 (type ioemu) got a socket"
log "console 2 (frontend type ioemu) left alone: backend state 1, no tty, log or socket"
xl destroy sc
# a toolstack removes the backend of a device it made (libxl does for its own)
xenstore-rm /local/domain/0/backend/console/$D
pass
