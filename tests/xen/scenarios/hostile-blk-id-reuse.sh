#!/bin/sh
# Attack: 8 reads in flight at once with the same id, reads with ids 0, 1,
# 2^64-1, 2^63, and one id on 2 good and 2 bad reads.
# Answer: ids are opaque to blkif (io/blkif.h "private guest value,
# echoed in resp"): every request is answered once with its id, the reads'
# data is right, the 2 bad ones are refused and the first is logged with
# the reused id.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk id-reuse 'bad request id 6149008514797120170 .*last_sect above 7'
pass
