#!/bin/sh
# Attack: the guest's vif frontend writes tx-ring-ref "abc",
# rx-ring-ref "12x", tx-ring-ref "", rx-ring-ref "0x10" and
# event-channel "7up" (the rest valid), state Connected, one at a time.
# Answer: netbackd refuses each (Closing, never Connected) with one line
# naming the key, the value and why.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net xs-ring-ref-text 'frontend tx-ring-ref "abc": not a decimal number'
pass
