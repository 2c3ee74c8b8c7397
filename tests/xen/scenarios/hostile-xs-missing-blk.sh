#!/bin/sh
# Attack: vbd state Initialised without ring-ref, without event-channel,
# and with ring-page-order 1 but no ring-ref1.
# Answer: blkbackd refuses each (never Connected), naming the absent key.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-missing 'frontend ring-ref: absent'
pass
