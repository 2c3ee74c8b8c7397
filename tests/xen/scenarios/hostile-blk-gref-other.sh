#!/bin/sh
# Attack: reads into and writes from pages granted to another domain than the
# backend (the guest itself, and domain 0x7fef).
# Answer: Xen lets only the grantee use a grant: refused, the pages and the
# disk unchanged; one log line.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# default: no (make hostile, make extended; see tests/xen/README.md "Extended")
# timeout: 120
. /xbtest/lib.sh

hostile blk gref-other 'grant copy (to|from) guest failed'
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE ok (granting a page|a page granted to domain [0-9]+: the page is unchanged)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
