#!/bin/sh
# Attack: a connected vif frontend (a frame sent) removes its state node,
# as if its device directory went away under the backend.
# Answer: netbackd releases the device: Closed, rings unmapped, the worker
# exits (LeakSanitizer at its exit) and does not come back; the daemon and
# every other worker go on.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net state-vanish 'releasing device: frontend gone'
pass
