#!/bin/sh
# Attack: indirect requests whose indirect page holds random bytes, random
# grant refs, is never granted, or is granted to another domain; and a
# legal read into its own indirect page (the descriptors get overwritten).
# Answer: the bad ones refused (io/blkif.h; descriptors copied once,
# XSA-155), the legal one served with the right data; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk indirect-garbage 'bad request id [0-9]+ \(indirect, 256 segments'
pass
