#!/bin/sh
# Attack: after notifying, the frontend flips the request in the shared
# slot (operation 77/READ, nr_segments 200/1, last_sect 9/7) and then also
# an indirect request and its descriptors, in a tight loop until it is
# answered, for 3 s each.
# Answer: every answer is the good version served with the right data,
# or a refusal (the backend copies each request once, XSA-155); nothing
# crashes. The log line is the first refusal (or the disconnect totals).
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk double-fetch 'bad request id|disconnected: [0-9]+ requests'
# what the guest counted, for the record
note "$(hostile_con | grep -E 'XBT-GUEST-HOSTILE (ok double fetch)' | sed 's/.*XBT-GUEST-HOSTILE ok //' | tr '\n' ';')"
pass
