#!/bin/sh
# Online resize: while the guest runs, dom0 grows its 64 MiB image to
# 96 MiB with truncate.  The guest sees the new size in
# /sys/block/xvdb/size within 30 s, reads dom0's token from the new area
# and writes its own at the new last sector, which dom0 finds in the image.
# timeout: 150
. /xbtest/lib.sh

img=$IMAGES/rs.img
new=$((96 * 2048))
mkimg $img 64
GUEST_ARGS="xbt.newsize=$new" guest_cfg rs resize "format=raw,vdev=xvdb,access=rw,target=$img"
guest_start rs
D=$(guest_domid rs)
wait_console rs 'XBT-GUEST-OK resize ready' 60
blkbackd_served $D $XVDB
BE=$(be_path $D $XVDB)
tok=$(mktoken)
t0=$(now)
truncate -s 96M $img || fail "truncate $img failed"
put_sector $img $((new - 2)) "XBT-TOKEN-$tok"
# The stock block script put a loop device on the file, which is what the
# kernel's blkback serves: an admin refreshes its size.  blkbackd serves
# the file itself and must notice the truncate on its own.
loop=$(xs_read $BE/physical-device-path)
if [ "$XBT_BACKEND" = kernel ] && [ -n "$loop" ]; then
	losetup -c "$loop" || fail "losetup -c $loop failed"
fi
log "grew $img to 96 MiB at $t0 (loop device: ${loop:-none})"
wait_console rs "XBT-GUEST-OK resized to $new" 30
note "the guest saw $new sectors about $(( $(now) - t0 )) s after the truncate; backend sectors '$(xs_read $BE/sectors)'"
[ "$(xs_read $BE/sectors)" = $new ] || fail "backend sectors is '$(xs_read $BE/sectors)', want $new"
wait_console rs 'XBT-GUEST-OK resize$' 30
got=$(console_grep rs 'XBT-GUEST-READ xvdb' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdb }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdb }' at sector $((new - 2)), want XBT-TOKEN-$tok"
w=$(get_sector $img $((new - 1)))
[ "$w" = "XBT-WROTE-$tok" ] || fail "the image's new last sector has '$w' after the guest's flushed write, want XBT-WROTE-$tok"
wait_gone rs 30
check_clean_close rs
pass
