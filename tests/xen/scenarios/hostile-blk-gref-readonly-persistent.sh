#!/bin/sh
# Attack: gref-readonly with feature-persistent negotiated: the backend
# tries to map the read-only grant read/write for keeps.
# Answer: the mapping fails, grant copy fails: refused, page unchanged;
# one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-readonly 'grant copy to guest failed' -p
pass
