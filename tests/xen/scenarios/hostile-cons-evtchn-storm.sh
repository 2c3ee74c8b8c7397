#!/bin/sh
# Attack: 3 s of notifications on a secondary console (xbfront-cons) with
# no output (xbfront-cons -H cons-evtchn-storm).
# Answer: consoled logs the storm once (each wake-up costs the drain
# limits' per-event charge and its CPU time, -r and -c); the console stays
# Connected and consumes a line written right after.
# oracle: no (xbfront-cons attacks consoled)
# xenconsoled: no (it serves primary consoles only)
# timeout: 90
. /xbtest/lib.sh

rm -f "$CONSOLE_DIR/guest-hcons-console1.log"
hostile cons cons-evtchn-storm 'event channel storm'
grep -q 'xbfront-cons: after the storm, console 1' "$CONSOLE_DIR/guest-hcons-console1.log" ||
    fail "the guest's line after the storm is not in guest-hcons-console1.log"
pass
