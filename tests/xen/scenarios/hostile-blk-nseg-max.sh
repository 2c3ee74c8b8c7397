#!/bin/sh
# Attack: direct reads of 12, 16, 128, 255 segments (BLKIF_MAX_SEGMENTS_PER_REQUEST
# is 11), a write and a barrier of 12.
# Answer: all refused, the disk unchanged by the writes; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk nseg-max 'nr_segments above 11'
pass
