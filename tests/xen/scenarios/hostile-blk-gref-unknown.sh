#!/bin/sh
# Attack: segments naming grant refs nobody granted (0xffffffff, 0x7fffffff,
# 0x100000), alone and as segment 5 of 11, in reads and writes.
# Answer: Xen refuses the grant copy; blkbackd answers ERROR, the write
# does not reach the disk; one log line naming the request.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-unknown 'grant copy (to|from) guest failed'
pass
