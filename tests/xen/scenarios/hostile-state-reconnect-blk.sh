#!/bin/sh
# Attack: the vbd frontend reconnects with new rings: Connected ->
# Closing -> Closed -> Initialising -> a new ring page and event channel
# -> Connected (the old page stays granted).
# Answer: blkbackd follows every step and serves a read on the new ring.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk state-reconnect 'state Closed -> InitWait'
pass
