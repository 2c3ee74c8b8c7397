#!/bin/sh
# Attack: vbd ring-ref, event-channel, ring-page-order and
# multi-queue-num-queues "-1", one at a time.
# Answer: blkbackd refuses each (never Connected): "negative" with the
# key, never read as 4294967295.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-negative 'frontend ring-ref "-1": negative'
pass
