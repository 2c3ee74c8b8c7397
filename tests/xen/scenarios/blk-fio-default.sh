#!/bin/sh
# fio verify jobs (crc32c; random and sequential writes of 4 KiB..1 MiB,
# libaio, O_DIRECT; guest/fiolib.sh) through a guest with blkfront's
# defaults and 2 vCPUs, so blkfront may ask for 2 queues.  Notes what
# blkfront negotiated (persistent grants, indirect descriptors, queues);
# persistent grants must be on at both ends (blkfront's default).
# timeout: 240
. /xbtest/lib.sh

GUEST_VCPUS=2 fio_guest fd
l=$(blkfront_line fd xvdb)
note "blkfront: $l"
# blkfront's default asks for persistent grants (blk-persistent-on, make
# extended, sets it explicitly): both ends must agree
[ "$(xs_read "$FE/feature-persistent")" = 1 ] ||
    fail "frontend feature-persistent is '$(xs_read "$FE/feature-persistent")', want 1 (blkfront's default)"
echo "$l" | grep -q "persistent grants: enabled" ||
    fail "blkfront says '$l', want 'persistent grants: enabled'"
note "queues: $(guest_kv fd xvdb queues) in /sys/block/xvdb/mq (2 vCPUs; backend multi-queue-max-queues '$(xs_read "$BE/multi-queue-max-queues")', frontend multi-queue-num-queues '$(xs_read "$FE/multi-queue-num-queues")'); max_segments $(guest_kv fd xvdb max_segments); ring-page-order '$(xs_read "$FE/ring-page-order")'"
fio_finish fd
pass
