#!/bin/sh
# A qcow2 image served over NBD: dom0 runs qemu-nbd on a unix socket and
# the disk line names the NBD URI with the block-xb-nbd hotplug script (from
# daemons/blkbackd/, installed by build.sh when it exists).  The guest
# reads dom0's token, runs the fio verify jobs and writes its own token;
# afterwards qemu-img finds it in the qcow2 file and the image checks out.
# oracle: no (kernel xen-blkback cannot serve an NBD URI)
# timeout: 240
. /xbtest/lib.sh

SOCK=/run/xbt-nbd.sock
[ -x /etc/xen/scripts/block-xb-nbd ] ||
    fail "no hotplug script /etc/xen/scripts/block-xb-nbd (build.sh installs daemons/blkbackd/block-xb-nbd when it exists)"
raw=$IMAGES/nbd.raw
q=$IMAGES/nbd.qcow2
tsec=$((100 * 2048))		# past the fio jobs' 96 MiB
mkimg $raw 128
tok=$(mktoken)
put_sector $raw $tsec "XBT-TOKEN-$tok"
qemu-img convert -f raw -O qcow2 $raw $q || fail "qemu-img convert to qcow2 failed"
rm -f $raw $SOCK
nbd_serve $SOCK $q
log "qemu-nbd serving $q on $SOCK (pid $(pidof qemu-nbd))"

GUEST_ARGS="xbt.tsec=$tsec" guest_cfg nq nbd \
    "vdev=xvdb,format=raw,script=block-xb-nbd,target=nbd+unix:///?socket=$SOCK"
guest_start nq
D=$(guest_domid nq)
wait_console nq 'XBT-GUEST-SYSFS xvdb ' 60
blkbackd_served $D $XVDB
log "backend params '$(xs_read "$(be_path $D $XVDB)/params")'"
wait_console nq 'XBT-GUEST-OK nbd' 240
fio_note nq xvdb
got=$(console_grep nq 'XBT-GUEST-READ xvdb' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdb }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdb }' at sector $tsec, want XBT-TOKEN-$tok"
wait_gone nq 30
check_clean_close nq
nbd_stop
# the guest's flushed write is in the qcow2 file itself
qemu-img check -q $q > /tmp/qcheck.log 2>&1 || fail "qemu-img check $q: $(cat /tmp/qcheck.log)"
# (qemu-img dd of 7.2 refuses skip= beyond count*bs: convert it all)
qemu-img convert -f qcow2 -O raw $q $raw 2>/tmp/qconv.log ||
    fail "qemu-img convert of $q failed: $(cat /tmp/qconv.log)"
w=$(get_sector $raw $((tsec + 1)))
[ "$w" = "XBT-WROTE-$tok" ] || fail "the qcow2 has '$w' at sector $((tsec + 1)), want XBT-WROTE-$tok"
note "qcow2 $(qemu-img info $q | awk '/disk size/ { print "disk size " $3 $4 }'); the guest's token is in it"
pass
