#!/bin/sh
# Attack: vif tx-ring-ref 99999999999999999999, rx-ring-ref 4294967296,
# a 301-digit tx-ring-ref, event-channel 4294967296 and 4294967295, one at
# a time.
# Answer: netbackd refuses each (never Connected), logging the key, the
# value and "greater than <max>" (or the failed binding).
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net xs-huge 'frontend tx-ring-ref "99999999999999999999": greater than 4294967295'
pass
