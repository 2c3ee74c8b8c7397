#!/bin/sh
# Attack: the guest's userland frontend (xbfront-blk -H prod-far) sets req_prod
# one past a ring's worth of slots ahead of the responses, then 2^31 ahead,
# then 1000 ahead (reconnecting in between), and notifies.
# Answer: blkbackd halts the queue and closes the device each time
# (io/ring.h RING_REQUEST_PROD_OVERFLOW) without answering a slot, logs
# the producer and why, and takes a reconnect; the device then serves.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk prod-far 'request producer [0-9]+ .*ring halted'
pass
