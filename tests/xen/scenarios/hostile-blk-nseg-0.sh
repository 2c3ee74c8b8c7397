#!/bin/sh
# Attack: read, write and indirect read of 0 segments; a flush of 0 segments
# at sector 2^64-1 (legal: the sector of an empty flush is ignored).
# Answer: the three refused with ids echoed, the flush served; one log
# line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk nseg-0 'nr_segments is 0'
pass
