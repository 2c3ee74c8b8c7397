#!/bin/sh
# Attack: the guest's vbd frontend writes ring-ref "abc", "12x", "",
# "0x10" and event-channel "7up" (the other keys valid: a granted zeroed
# ring page, an unbound event channel), state Initialised, one at a time.
# Answer: blkbackd refuses each (Closing, never Connected) with one line
# naming the key, the value and why, and takes the next connection.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-ring-ref-text 'frontend ring-ref "abc": not a decimal number'
pass
