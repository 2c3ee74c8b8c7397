#!/bin/sh
# Attack: a connected vbd frontend flaps Connected/Closing as fast as
# xenstore takes it for 3 s, then runs connect/close cycles without
# waiting for the backend.
# Answer: blkbackd goes Closing once and stays there, follows to Closed,
# survives, and serves a clean reconnect on new rings afterwards.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk state-flap 'state Connected -> Closing'
pass
