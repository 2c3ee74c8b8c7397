#!/bin/sh
# Attack: vbd protocol "x86_65-abi", "x86_64-abi " (a trailing space),
# "arm-abi" and 200 A's: request layouts that do not exist.
# Answer: blkbackd refuses each (never Connected; no guess at a layout),
# logging the escaped name.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-protocol 'unknown frontend protocol "x86_65-abi"'
pass
