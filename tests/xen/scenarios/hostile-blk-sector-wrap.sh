#!/bin/sh
# Attack: reads and writes whose sector range wraps at 2^64 (2^64-8 + 8,
# 2^64-1 + 1, 2^64-40 + 88) or whose byte offset does (sector 2^55, 2^55+2),
# discards wrapping.
# Answer: all refused; sector 0 unchanged (a wrapped write would land
# there); the image did not grow; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk sector-wrap 'sector range wraps|beyond the end of the disk'
sz=$(stat -c %s $IMAGES/hostile.img)
[ "$sz" = 16777216 ] || fail "the 16 MiB image is now $sz bytes"
pass
