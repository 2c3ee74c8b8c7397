#!/bin/sh
# 64 MiB of random data written by the guest through blkbackd: the guest
# reads back the same checksum after dropping its caches, and dom0 finds
# the same bytes in the image file once the guest is gone.
# timeout: 300
. /xbtest/lib.sh

mkimg $IMAGES/g2.img 80
guest_cfg bd data "format=raw,vdev=xvda,access=rw,target=$IMAGES/g2.img"
guest_start bd
wait_console bd 'XBT-GUEST-SHA ' 60
sum=$(console_grep bd 'XBT-GUEST-SHA ' | head -n 1 | sed 's/.*XBT-GUEST-SHA //')
wait_console bd 'XBT-GUEST-OK data' 120
log "guest: $(console_grep bd 'XBT-GUEST-TIMES' | sed 's/.*XBT-GUEST-//')"
wait_gone bd 30
check_clean_close bd

img=$(dd if=$IMAGES/g2.img bs=1M count=64 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$img" = "$sum" ] || fail "image file has sha256 $img, the guest wrote $sum"
log "image sha256 $img matches the guest's"
pass
