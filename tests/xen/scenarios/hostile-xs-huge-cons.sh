#!/bin/sh
# Attack: secondary console ring-ref 99999999999999999999, 4294967296, a
# 301-digit number, port 4294967296 and 4294967295, one at a time.
# Answer: consoled refuses each (never Connected), logging the key, the
# value and why.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile cons xs-huge 'frontend ring-ref "99999999999999999999": greater than 4294967295'
pass
