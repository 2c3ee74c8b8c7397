#!/bin/sh
# Attack: the vif frontend skips states: Initialising -> Connected with no
# keys, InitWait, Reconfiguring, then the legal skip with keys, last state
# "9".
# Answer: netbackd refuses the first three (Closing), connects and sends
# a frame on the legal skip, releases the device (Closed) on "9".
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net state-skip 'unexpected frontend state'
pass
