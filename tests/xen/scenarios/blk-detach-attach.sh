#!/bin/sh
# Hot-unplug and hot-plug under a running guest: xl block-detach removes
# xvdb (backend dir and its blkbackd worker go away) while xvda stays;
# xl block-attach of a new image brings xvdb back, and the guest reads
# dom0's token from it and writes its own.
# timeout: 200
. /xbtest/lib.sh

mkimg $IMAGES/g3a.img 16
mkimg $IMAGES/g3b.img 16
mkimg $IMAGES/g3c.img 32
tok=$(mktoken)
put_sector $IMAGES/g3c.img 0 "XBT-TOKEN-$tok"
GUEST_ARGS=xbt.stay=1 guest_cfg hp hotplug "format=raw,vdev=xvda,access=rw,target=$IMAGES/g3a.img" \
    "format=raw,vdev=xvdb,access=rw,target=$IMAGES/g3b.img"
guest_start hp
D=$(guest_domid hp)
wait_console hp 'XBT-GUEST-OK attached xvdb' 60
blkbackd_served $D $XVDA
blkbackd_served $D $XVDB

log "xl block-detach $D xvdb"
timeout 60 xl block-detach $D xvdb || fail "xl block-detach $D xvdb failed or hung for 60s"
wait_xs_gone "$(be_path $D $XVDB)" 10
wait_worker_gone $D $XVDB 10
wait_console hp 'XBT-GUEST-OK detached' 30
blkbackd_served $D $XVDA

spec="format=raw,vdev=xvdb,access=rw,target=$IMAGES/g3c.img"
log "xl block-attach $D '$spec'"
timeout 60 xl block-attach $D "$spec" || fail "xl block-attach $D failed or hung for 60s"
wait_console hp 'XBT-GUEST-OK reattached' 40
wait_console hp 'XBT-GUEST-OK hotplug' 40
blkbackd_served $D $XVDB

got=$(console_grep hp 'XBT-GUEST-READ xvdb' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdb }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdb }' from the new xvdb, want XBT-TOKEN-$tok"
# the guest flushed; a backend honouring flush has written it to the image
w=$(get_sector $IMAGES/g3c.img 1)
[ "$w" = "XBT-WROTE-$tok" ] || fail "image sector 1 has '$w' after the guest's flushed write, want XBT-WROTE-$tok"
guest_stop hp 30
check_clean_close hp
pass
