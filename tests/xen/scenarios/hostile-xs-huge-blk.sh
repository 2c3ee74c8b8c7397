#!/bin/sh
# Attack: vbd ring-ref 99999999999999999999 (past 64 bits), 4294967296
# (past 32), a 301-digit number, event-channel 4294967296 and 4294967295
# (fits, but no such port), one at a time.
# Answer: blkbackd refuses each (never Connected), logging the key, the
# value and "greater than <max>" (or the failed binding).
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-huge 'frontend ring-ref "99999999999999999999": greater than 4294967295'
pass
