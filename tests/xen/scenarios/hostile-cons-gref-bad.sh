#!/bin/sh
# Attack: a secondary console (xbfront-cons) whose ring-ref names a grant
# the guest revoked (xbfront-cons -H cons-gref-bad).
# Answer: consoled cannot map it and refuses that console (Closing within
# 5 s, never Connected) with one log line; the guest's primary console and
# every other console keep working.
# oracle: no (xbfront-cons attacks consoled)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# xenconsoled: no (it serves primary consoles only)
# timeout: 90
. /xbtest/lib.sh

hostile cons cons-gref-bad 'map grant [0-9]+|ring-ref [0-9]+: cannot map'
pass
