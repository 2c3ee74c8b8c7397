#!/bin/sh
# xen_blkfront.max_indirect_segments=256: blkfront enables indirect
# descriptors and its queue takes 256 segments per request (the backend
# must offer feature-max-indirect-segments >= 256); the fio verify jobs
# (up to 1 MiB per request) pass.  The disk is a loop device, so blkbackd
# serves it with O_DIRECT through io_uring, completions arriving after
# submission (the path a real disk takes; images on dom0's memory file
# system are served inline).
# timeout: 240
. /xbtest/lib.sh

FIO_LOOP=1 GUEST_ARGS=xen_blkfront.max_indirect_segments=256 fio_guest fi
l=$(blkfront_line fi xvdb)
s=$(guest_kv fi xvdb max_segments)
m=$(xs_read "$BE/feature-max-indirect-segments")
note "blkfront: $l; max_segments $s; backend feature-max-indirect-segments '$m'"
echo "$l" | grep -q 'indirect descriptors: enabled' ||
    fail "blkfront did not enable indirect descriptors ('$l'; backend feature-max-indirect-segments '$m')"
[ "$s" = 256 ] || fail "/sys/block/xvdb/queue/max_segments is $s, want 256"
fio_finish fi
pass
