#!/bin/sh
# Attack: req_prod moved back 2 behind requests already answered; after a
# reconnect, 16 reads pushed and, once the first is answered, req_prod
# moved back by 12 (behind what the backend took).
# Answer: the device is closed both times ("went back behind the requests we
# took" or "more than N past our response index"); a reconnect works.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk prod-back 'request producer [0-9]+ (went back|is more than).*ring halted'
pass
