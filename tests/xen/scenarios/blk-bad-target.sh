#!/bin/sh
# A target xl accepts but blkbackd cannot open: a block device node with no
# driver behind it (major 60, "local/experimental use"; open gives ENXIO).
# Not a loop minor: on this 6.1 kernel opening 7:250 creates loop250, an
# empty but openable device.  Accepted outcomes:
# xl create fails, or the device ends up Closed with an error.  Either way
# blkbackd logs the device and the reason, keeps running, and serves the
# next guest.
# timeout: 180
. /xbtest/lib.sh

rm -f $IMAGES/bad
mknod $IMAGES/bad b 60 0
GUEST_ARGS=xbt.stay=1 guest_cfg bt info "format=raw,vdev=xvda,access=rw,target=$IMAGES/bad"
log "xl create bt (target: $IMAGES/bad, block 60:0)"
t0=$(now)
xl create /tmp/bt.cfg > /tmp/bt.create.log 2>&1
rc=$?
sed 's/^/  xl: /' /tmp/bt.create.log
if [ $rc != 0 ]; then
	D=$(sed -n 's/.*Domain \([0-9][0-9]*\):.*/\1/p' /tmp/bt.create.log | head -n 1)
	grep -qiE 'unable to add|error' /tmp/bt.create.log ||
	    fail "xl create failed without saying why"
	note "xl create failed after $(( $(now) - t0 ))s: $(xl_error /tmp/bt.create.log)"
else
	D=$(guest_domid bt)
	note "xl create succeeded (domain $D); waiting for the device to be Closed"
	wait_xs "$(be_path $D $XVDA)/state" 6 20
	e=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDA/error)
	[ -n "$e" ] || e=$(xs_read "$(be_path $D $XVDA)/hotplug-error")
	[ -n "$e" ] || fail "device Closed but no error node in xenstore"
	note "xenstore error: $e"
	timeout 30 xl destroy bt
fi
wait_gone bt 20

blkbackd_alive || fail "blkbackd is not running after the bad target"
if [ "$XBT_BACKEND" = kernel ]; then	# oracle run: the kernel's words
	bl=$(blkbackd_log_new | grep -iE 'could not be opened|vbd' | head -n 3)
else
	bl=$(blkbackd_log_new | grep -E "d${D:-[0-9]+}/$XVDA|$IMAGES/bad" |
	    grep -iE 'No such device or address|ENXIO|open' | head -n 3)
fi
[ -n "$bl" ] || fail "blkbackd's log does not name d${D:-?}/$XVDA (or $IMAGES/bad) with the open error"
echo "$bl" | while read -r l; do note "$XBT_BACKEND: $l"; done

# the next guest with a good disk is served
mkimg $IMAGES/g5.img 16
tok=$(mktoken)
put_sector $IMAGES/g5.img 0 "XBT-TOKEN-$tok"
guest_cfg bt2 rw "format=raw,vdev=xvda,access=rw,target=$IMAGES/g5.img"
guest_start bt2
wait_console bt2 'XBT-GUEST-OK rw xvda' 60
got=$(console_grep bt2 'XBT-GUEST-READ xvda' | head -n 1)
[ "${got#*XBT-GUEST-READ xvda }" = "XBT-TOKEN-$tok" ] ||
    fail "next guest read '${got#*XBT-GUEST-READ xvda }', want XBT-TOKEN-$tok"
wait_gone bt2 30
[ "$(get_sector $IMAGES/g5.img 1)" = "XBT-WROTE-$tok" ] || fail "next guest's write is not in its image"
pass
