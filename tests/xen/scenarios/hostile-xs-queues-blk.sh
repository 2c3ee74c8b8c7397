#!/bin/sh
# Attack: vbd multi-queue-num-queues one past multi-queue-max-queues, 0,
# 4294967297, "two", and 2 queues with queue-1's keys absent.
# Answer: blkbackd refuses each (never Connected), naming the key, the
# value and the maximum.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk xs-queues 'frontend multi-queue-num-queues "[0-9]+": greater than [0-9]+'
pass
