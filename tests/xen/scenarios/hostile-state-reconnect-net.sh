#!/bin/sh
# Attack: the vif frontend reconnects with new rings: Connected ->
# Closing -> Closed -> Initialising -> new ring pages and event channel
# -> Connected.
# Answer: netbackd follows every step and sends a frame from the new ring.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net state-reconnect 'state Closed -> InitWait'
pass
