#!/bin/sh
# Attack: reads across the disk's end, at the end, 1000 past it, 88 sectors
# ending one past it; a write of 2 sectors at the last sector.
# Answer: all refused; the last sector keeps what a legal write put there;
# the image file did not grow; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk beyond-end 'sector range beyond the end of the disk'
sz=$(stat -c %s $IMAGES/hostile.img)
[ "$sz" = 16777216 ] || fail "the 16 MiB image is now $sz bytes"
pass
