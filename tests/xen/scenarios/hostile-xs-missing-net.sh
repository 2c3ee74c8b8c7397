#!/bin/sh
# Attack: vif state Connected without tx-ring-ref, without rx-ring-ref,
# without event-channel, without request-rx-copy, and with
# event-channel-tx but no event-channel-rx.
# Answer: netbackd refuses each (never Connected), naming the absent key.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net xs-missing 'frontend tx-ring-ref: absent'
pass
