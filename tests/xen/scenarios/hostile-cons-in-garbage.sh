#!/bin/sh
# Attack: a secondary console (xbfront-cons) whose in_cons is set 100 past
# in_prod (xbfront-cons -H cons-in-garbage).
# Answer: consoled closes that console (Closing within 5 s) with one log
# line at the guest's next notification; the guest's primary console and
# every other console keep working.
# oracle: no (xbfront-cons attacks consoled)
# xenconsoled: no (it serves primary consoles only)
# timeout: 90
. /xbtest/lib.sh

rm -f "$CONSOLE_DIR/guest-hcons-console1.log"
hostile cons cons-in-garbage 'bad in ring indices prod=[0-9]+ cons=[0-9]+: console closed'
grep -q 'console closed: bad in ring indices' "$CONSOLE_DIR/guest-hcons-console1.log" ||
    fail "no closing note in guest-hcons-console1.log"
pass
