#!/bin/sh
# Attack: indirect reads of max+1 (257), 512, 513, 4096, 65535 segments (more
# than feature-max-indirect-segments, more pages than a request carries);
# legal ones with garbage in the unused indirect_grefs[] and descriptors.
# Answer: the oversized ones refused, the legal ones served (the backend
# reads only the pages and descriptors nr_segments needs); one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk indirect-count 'indirect nr_segments is 0 or above the maximum'
pass
