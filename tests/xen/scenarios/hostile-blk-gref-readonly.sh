#!/bin/sh
# Attack: reads into a page granted read-only (alone, as segment 5 of 11, as
# descriptor 3 of an indirect read); a write from it (legal).
# Answer: the reads are refused and the page is unchanged; the write is
# served; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-readonly 'grant copy to guest failed'
pass
