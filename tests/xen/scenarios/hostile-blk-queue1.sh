#!/bin/sh
# Attack: two queues; queue 1 only gets bad operations, 12 and 0 segments,
# first_sect > last_sect, a read past the end, a gref never granted, then
# its producer a ring past its responses; queue 0 writes beside each blow.
# Answer: queue 1's requests refused with ids echoed; its producer halts
# queue 1 and closes the whole device (our policy, as for one queue: the
# log line names queue 1), queue 1 gets no answer after that; queue 0
# serves all its writes, and reads them back while the device is Closing.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: a variant of prod-far and bad-op on a second queue)
# timeout: 120
. /xbtest/lib.sh

hostile blk queue1 'queue 1: frontend request producer [0-9]+ is more than'
pass
