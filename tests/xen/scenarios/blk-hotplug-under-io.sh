#!/bin/sh
# Hot-plug under I/O: the guest runs the fio verify jobs (twice over) on
# xvdb; meanwhile dom0 xl block-attaches xvdc.  The attach must land while
# fio still runs, the guest reads dom0's token from xvdc and writes its
# own (dom0 finds it in the image), and fio on xvdb passes.
# timeout: 300
. /xbtest/lib.sh

mkimg $IMAGES/ha.img 128
mkimg $IMAGES/hb.img 16
tok=$(mktoken)
put_sector $IMAGES/hb.img 0 "XBT-TOKEN-$tok"
guest_cfg hio hotplug-io "format=raw,vdev=xvdb,access=rw,target=$IMAGES/ha.img"
guest_start hio
D=$(guest_domid hio)
wait_console hio 'XBT-GUEST-OK fio started' 60
blkbackd_served $D $XVDB
sleep 2		# into the first job
spec="format=raw,vdev=xvdc,access=rw,target=$IMAGES/hb.img"
log "xl block-attach $D '$spec'"
timeout 60 xl block-attach $D "$spec" || fail "xl block-attach $D failed or hung for 60s"
wait_console hio 'XBT-GUEST-OK rw xvdc' 60
blkbackd_served $D 51744
a=$(console_grep hio 'XBT-GUEST-ATTACHED xvdc' | sed 's/.*XBT-GUEST-ATTACHED xvdc //')
[ "$a" = fio-running=yes ] || fail "fio on xvdb had already ended when xvdc appeared ($a): not a hot-plug under I/O"
got=$(console_grep hio 'XBT-GUEST-READ xvdc' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdc }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdc }' from the new xvdc, want XBT-TOKEN-$tok"
w=$(get_sector $IMAGES/hb.img 1)
[ "$w" = "XBT-WROTE-$tok" ] || fail "xvdc's image sector 1 has '$w' after the guest's flushed write, want XBT-WROTE-$tok"
wait_console hio 'XBT-GUEST-OK hotplug-io' 240
fio_note hio xvdb
wait_gone hio 30
check_clean_close hio
pass
