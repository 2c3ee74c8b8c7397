#!/bin/sh
# Attack: secondary console state Initialised without ring-ref, without
# port, without both.
# Answer: consoled refuses each (never Connected), naming the absent key.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile cons xs-missing 'frontend ring-ref: absent'
pass
