#!/bin/sh
# Attack: discards across the end, at the end, wrapping at 2^64, at sector
# 2^55; a legal discard with the secure flag although discard-secure is 0.
# Answer: the bad ones refused; the legal one served (io/blkif.h: the flag
# "is ignored if discard-secure=0"); one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 120
. /xbtest/lib.sh

hostile blk discard-bad 'discard range (beyond the end|wraps)|discard not offered'
pass
