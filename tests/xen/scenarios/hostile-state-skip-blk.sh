#!/bin/sh
# Attack: the vbd frontend skips states: Initialising -> Connected with no
# keys, InitWait and Reconfiguring (backend-only states), then the legal
# skip Initialising -> Connected with keys (Mini-OS does it), last a state
# "9" that does not exist.
# Answer: blkbackd refuses the first three (Closing, never Connected),
# connects and serves a read on the legal skip, and releases the device
# (Closed; Linux: Unknown unregisters it) on "9".
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk state-skip 'unexpected frontend state'
pass
