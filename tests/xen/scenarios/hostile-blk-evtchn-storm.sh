#!/bin/sh
# Attack: the frontend notifies its event channel in a tight loop for 4 s,
# with a good read pushed every 100 ms.
# Answer: blkbackd throttles the port after 32 wake-ups in a row that
# find no request (XSA-332; logged once, counted at disconnect); the reads
# are still served during and after the storm; the neighbour is unaffected.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk evtchn-storm 'event channel storm, port throttled'
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE (ok [0-9]+ notifications)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
