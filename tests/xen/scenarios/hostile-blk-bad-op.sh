#!/bin/sh
# Attack: operations 4 (BLKIF_OP_RESERVED_1), 7, 8, 77, 128, 255, and indirect
# requests whose indirect_op is barrier, flush, discard, indirect or 77.
# Answer: each refused (EOPNOTSUPP or ERROR) with its id and operation
# echoed (indirect: indirect_op, as Linux); one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk bad-op 'bad request id [0-9]+ \(op 4, .*operation not supported'
pass
