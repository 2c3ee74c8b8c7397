#!/bin/sh
# Attack: vbd ring-page-order one past max-ring-page-order (with every
# ring-refN written and granted), 4294967296, 64, "four", and order 2
# whose ring-ref1..3 are no grants.
# Answer: blkbackd refuses each (never Connected): the order "greater
# than <max>", or the failed mapping, in one line.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-ring-order 'frontend ring-page-order "5": greater than 4'
pass
