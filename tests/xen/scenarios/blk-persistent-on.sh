#!/bin/sh
# xen_blkfront.feature_persistent=1: the frontend writes feature-persistent=1
# and blkfront reports "persistent grants: enabled"; the fio verify jobs pass.
# timeout: 240
. /xbtest/lib.sh

GUEST_ARGS=xen_blkfront.feature_persistent=1 fio_guest pon
f=$(xs_read "$FE/feature-persistent")
l=$(blkfront_line pon xvdb)
note "frontend feature-persistent '$f', backend '$(xs_read "$BE/feature-persistent")'; blkfront: $l"
[ "$f" = 1 ] || fail "frontend feature-persistent is '$f', want 1"
echo "$l" | grep -q 'persistent grants: enabled' ||
    fail "blkfront says '$l', want 'persistent grants: enabled'"
fio_finish pon
pass
