#!/bin/sh
# Attack: vif tx-ring-ref, rx-ring-ref, event-channel "-1", then split
# channels with event-channel-tx "-1" and a valid event-channel-rx.
# Answer: netbackd refuses each (never Connected); a present but bad
# event-channel-tx is refused, not taken as "no split channels".
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net xs-negative 'frontend tx-ring-ref "-1": negative'
pass
