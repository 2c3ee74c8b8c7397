#!/bin/sh
# Attack: a connected vif frontend flaps Connected/Closing as fast as
# xenstore takes it for 3 s, then connect/close cycles without waiting.
# Answer: netbackd goes Closing, follows to Closed, survives, and serves
# a clean reconnect on new rings afterwards.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net state-flap 'state Connected -> Closing'
pass
