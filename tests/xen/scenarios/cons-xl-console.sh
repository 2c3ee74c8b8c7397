#!/bin/sh
# `xl create -c` shows the guest booting and `xl console` attaches later:
# both, driven on a pty (ptyexpect), see the guest's prompt, send a shell
# line whose result only the guest can compute (echo $((1000+234)): the
# echoed input says "$((", the answer "1234"), see the answer come back,
# and detach with ^] (xl exits 0).  The answers are in the log too (not
# always at a line's start: xenconsoled's pty keeps the old prompt, so the
# line may be typed ahead of the fresh one and echoed before it).
# timeout: 150
. /xbtest/lib.sh

guest_cfg cx cons
log "xl create -c cx (ptyexpect)"
$PTYEXPECT -v -t 90 -o /tmp/cx.create.out \
    -w 'XBT-GUEST-BOOT' -w "$CONS_PROMPT" \
    -s 'echo XBT-$((1000+234))-CREATE\r' -w 'XBT-1234-CREATE' \
    -s '\x1d' -e -- xl create -c /tmp/cx.cfg 2> /tmp/cx.create.err
rc=$?
sed 's/^/  /' /tmp/cx.create.err
[ $rc = 0 ] || fail "xl create -c: ptyexpect status $rc: $(grep -v '^ptyexpect: \[.*\] \(step\|started\|command\)' /tmp/cx.create.err | tail -n 2 | tr '\n' ' ')"
D=$(guest_domid cx)
[ -n "$D" ] || fail "cx is not running after xl create -c"
log "xl create -c: boot seen, 1234 answered, detached; cx is domain $D, tty $(cons_tty $D)"

log "xl console cx (ptyexpect)"
$PTYEXPECT -v -t 40 -o /tmp/cx.console.out \
    -p 1 -s '\r' -w "$CONS_PROMPT" \
    -s 'echo XBT-$((2000+345))-CONSOLE\r' -w 'XBT-2345-CONSOLE' \
    -s '\x1d' -e -- xl console cx 2> /tmp/cx.console.err
rc=$?
sed 's/^/  /' /tmp/cx.console.err
[ $rc = 0 ] || fail "xl console: ptyexpect status $rc: $(grep -v '^ptyexpect: \[.*\] \(step\|started\|command\)' /tmp/cx.console.err | tail -n 2 | tr '\n' ' ')"
wait_console cx 'XBT-1234-CREATE' 10
wait_console cx 'XBT-2345-CONSOLE' 10
log "the log has both answers"
xl destroy cx
pass
