#!/bin/sh
# Attack: a guest TX slot with offset + size > 4096, first in the first
# slot, then (reconnected) in a fragment (xbfront-net -H tx-cross-page).
# Answer: a slot ending exactly at the page end is forwarded; each crossing
# closes the vif (Closing within 5 s), nothing of it forwarded.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-cross-page 'slot crosses a page boundary' -i $(guest_ip 9)
pass
