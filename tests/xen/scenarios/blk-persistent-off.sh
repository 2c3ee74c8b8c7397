#!/bin/sh
# xen_blkfront.feature_persistent=0: the frontend writes feature-persistent=0
# and blkfront reports "persistent grants: disabled"; the fio verify jobs pass.
# timeout: 240
. /xbtest/lib.sh

GUEST_ARGS=xen_blkfront.feature_persistent=0 fio_guest poff
f=$(xs_read "$FE/feature-persistent")
l=$(blkfront_line poff xvdb)
note "frontend feature-persistent '$f', backend '$(xs_read "$BE/feature-persistent")'; blkfront: $l"
[ "$f" = 0 ] || fail "frontend feature-persistent is '$f', want 0"
echo "$l" | grep -q 'persistent grants: disabled' ||
    fail "blkfront says '$l', want 'persistent grants: disabled'"
fio_finish poff
pass
