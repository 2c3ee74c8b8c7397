#!/bin/sh
# Attack: a grant revoked before its request is pushed, then 100 reads and
# writes whose page is unshared (grant ended) while the request is in
# flight, at varying delays.
# Answer: the first refused; each of the others answered once with its id,
# served or refused; the device still serves; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-revoked 'grant copy (to|from) guest failed'
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE (ok [0-9]+ requests with the grant revoked)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
