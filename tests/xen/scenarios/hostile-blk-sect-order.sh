#!/bin/sh
# Attack: segments with first_sect > last_sect (5..2, 7..6, 1..0), alone and as
# segment 10 or 0 of 11, in reads and writes.
# Answer: refused (io/blkif.h first_sect <= last_sect), no write reaches
# the disk; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk sect-order 'first_sect above last_sect'
pass
