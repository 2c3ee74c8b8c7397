#!/bin/sh
# Attack: segments with last_sect 8, 9, 255 and first_sect 8 or 255, alone and
# inside 11-segment reads and writes.
# Answer: refused (a segment lies within one 4 KiB page: last_sect <= 7),
# no write reaches the disk; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk sect-over-7 'last_sect above 7'
pass
