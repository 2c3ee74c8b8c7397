#!/bin/sh
# A guest with an unchanged admin-style disk line boots; it sees xvda with
# the image's size; while it is up, blkbackd (not the kernel) serves the
# device; at poweroff the backend closes with the frontend and goes away.
# timeout: 150
. /xbtest/lib.sh

mkimg $IMAGES/g1.img 64
GUEST_ARGS=xbt.stay=1 guest_cfg bb info \
    "format=raw,vdev=xvda,access=rw,target=$IMAGES/g1.img"
guest_start bb
D=$(guest_domid bb)
wait_console bb 'XBT-GUEST-OK info' 60

blkbackd_served $D $XVDA
part=$(console_grep bb 'XBT-GUEST-PART .* xvda$')
log "guest: ${part#*XBT-GUEST-}"
# /proc/partitions counts 1 KiB blocks: 64 MiB = 65536
echo "$part" | grep -qE 'PART +202 +0 +65536 +xvda$' ||
    fail "guest sees '${part#*XBT-GUEST-PART }', want '202 0 65536 xvda'"
line=$(console_grep bb 'XBT-GUEST-DMESG .*blkfront: xvda' | head -n 1)
[ -n "$line" ] || fail "no blkfront line for xvda in the guest's kernel log"
note "${line#*XBT-GUEST-DMESG }"

guest_stop bb 30
check_clean_close bb
wait_xs_gone "$(be_path $D $XVDA)" 10
wait_worker_gone $D $XVDA 10
pass
