#!/bin/sh
# Attack: protocol x86_32-abi (108-byte slots): reads and writes of 12,
# 255 and 0 segments, first_sect > last_sect, last_sect 8, operations 4, 77
# and 255, reads past the end and wrapping, indirect requests with
# operation 77 or 0 or 600 segments and discards past the end or wrapping,
# each in the x86_32 offsets.
# Answer: each refused with its id (both halves non-zero) and operation
# echoed; a legal indirect read in that layout is served with the right
# data; the disk unchanged by the refused writes; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: the request attacks again in the x86_32 layout)
# timeout: 120
. /xbtest/lib.sh

hostile blk abi32 'bad request id [0-9]+ \(read, 12 segments'
pass
