#!/bin/sh
# Attack: a secondary console's frontend writes ring-ref "abc", "12x",
# "", "0x10" and port "7up" (the rest valid), state Initialised with
# the keys in one transaction, one at a time.
# Answer: consoled refuses each (Closing, never Connected) with one line
# naming the key, the value and why; consoled and every other console go on.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile cons xs-ring-ref-text 'frontend ring-ref "abc": not a decimal number'
pass
