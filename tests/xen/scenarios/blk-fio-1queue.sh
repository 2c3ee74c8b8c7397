#!/bin/sh
# xen_blkfront.max_queues=1 on a 2-vCPU guest: blkfront uses one queue
# (one entry in /sys/block/xvdb/mq, no multi-queue-num-queues above 1 in
# the frontend's xenstore dir) and the fio verify jobs pass.
# default: no (make extended; make check covers it elsewhere, see
# tests/xen/README.md "Extended")
# timeout: 240
. /xbtest/lib.sh

GUEST_VCPUS=2 GUEST_ARGS=xen_blkfront.max_queues=1 fio_guest f1
q=$(guest_kv f1 xvdb queues)
n=$(xs_read "$FE/multi-queue-num-queues")
note "queues: $q in /sys/block/xvdb/mq, frontend multi-queue-num-queues '$n'"
[ "$q" = 1 ] || fail "the guest has $q queues in /sys/block/xvdb/mq with max_queues=1, want 1"
[ -z "$n" ] || [ "$n" = 1 ] || fail "frontend wrote multi-queue-num-queues=$n with max_queues=1"
fio_finish f1
pass
