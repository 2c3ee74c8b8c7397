#!/bin/sh
# Attack: 20 times, every slot of the ring filled with random bytes and
# pushed at once.
# Answer: every request answered once with the id it carried and a blkif
# status; the device still serves; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 120
. /xbtest/lib.sh

hostile blk ring-random 'bad request id'
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE (ok [0-9]+ random requests)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
