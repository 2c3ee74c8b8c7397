#!/bin/sh
# Attack: gref-revoked with feature-persistent negotiated (the backend keeps
# the pages it maps; a revoke cannot end a grant in use).
# Answer: every request answered; after xl destroy the worker unmaps every
# grant and Xen frees the domain; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-revoked 'grant copy (to|from) guest failed' -p
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE (ok [0-9]+ requests with the grant revoked)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
