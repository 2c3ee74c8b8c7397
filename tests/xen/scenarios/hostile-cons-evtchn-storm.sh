#!/bin/sh
# Attack: 3 s of notifications on a secondary console (xbfront-cons) with
# no output (xbfront-cons -H cons-evtchn-storm).
# Answer: consoled absorbs it: each wake-up costs the drain limits'
# per-event charge and its CPU time (-r, -c); past 2000 notifications
# without output in a second it logs the storm once; under TCG it rarely
# wakes that often, so the scenario asks for that line or at least 1000
# such events in the counters logged at disconnect; the console stays
# Connected and consumes a line written right after.
# oracle: no (xbfront-cons attacks consoled)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# xenconsoled: no (it serves primary consoles only)
# timeout: 90
. /xbtest/lib.sh

rm -f "$CONSOLE_DIR/guest-hcons-console1.log"
hostile cons cons-evtchn-storm 'event channel storm|[0-9]{4,} without output'
grep -q 'xbfront-cons: after the storm, console 1' "$CONSOLE_DIR/guest-hcons-console1.log" ||
    fail "the guest's line after the storm is not in guest-hcons-console1.log"
pass
