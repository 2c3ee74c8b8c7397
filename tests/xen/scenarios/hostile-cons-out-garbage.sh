#!/bin/sh
# Attack: a secondary console (xbfront-cons, console 1, never Initialising
# so hvc_xen leaves it alone) whose out_prod is set 4096 past out_cons,
# more than out[] holds (xbfront-cons -H cons-out-garbage).
# Answer: consoled closes that console (Closing within 5 s, the ring no
# longer consumed) with one log line, a note in its log; the guest's
# primary console and every other console keep working.
# oracle: no (xbfront-cons attacks consoled)
# xenconsoled: no (it serves primary consoles only)
# timeout: 90
. /xbtest/lib.sh

rm -f "$CONSOLE_DIR/guest-hcons-console1.log"
hostile cons cons-out-garbage 'bad out ring indices prod=[0-9]+ cons=[0-9]+: console closed'
grep -q 'xbfront-cons: before the attack, console 1' "$CONSOLE_DIR/guest-hcons-console1.log" ||
    fail "the guest's line is not in guest-hcons-console1.log"
grep -q 'console closed: bad out ring indices' "$CONSOLE_DIR/guest-hcons-console1.log" ||
    fail "no closing note in guest-hcons-console1.log"
pass
