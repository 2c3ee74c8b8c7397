#!/bin/sh
# Requests in the x86_32 layout are served correctly.  A userland frontend
# in the guest (frontends/blkfront.c, xbfront-blk; xen-blkfront is not
# loaded) connects xvdb with "protocol" = x86_32-abi, writes and reads back
# patterns with full and partial segments, flushes, and checks that
# requests breaking the rules get BLKIF_RSP_ERROR / EOPNOTSUPP with the id
# and operation echoed; then the same again with no "protocol" key, which
# means x86_32 too.  dom0 checks the worker logged the layout and that the
# guest's writes are in the image at the right offsets.
# timeout: 240
. /xbtest/lib.sh

img=$IMAGES/abi32.img
mkimg $img 16
GUEST_ARGS="xbt.stay=1 xbt.noblk=1" guest_cfg a32 abi32 \
    "format=raw,vdev=xvdb,access=rw,target=$img"
guest_start a32
D=$(guest_domid a32)
wait_console a32 'XBT-GUEST-OK abi32 x86_32' 90
if [ "$XBT_BACKEND" != kernel ]; then
	blkbackd_log_new | grep -q "vbd d$D/$XVDB: connected: .*x86_32-abi" ||
	    fail "the worker did not log an x86_32-abi connection"
fi
note "$(console_grep a32 'XBT-GUEST-ABI32 x86_32 ok connected' | sed 's/.*ok //')"
# Round 100 wrote its 11 pages at sector (100 * 776) % (32768 - 88) = 12240.
got=$(get_sector $img 12240)
[ "$got" = "XBFRONT x86_32-abi round 100" ] ||
    fail "image sector 12240 has '$got' after the x86_32 run"
# A fresh device for the second run (the frontend closed the first).
xl block-detach a32 xvdb > /tmp/a32.det 2>&1 || fail "block-detach: $(cat /tmp/a32.det)"
wait_xs_gone "$(be_path $D $XVDB)" 20
xl block-attach a32 "format=raw,vdev=xvdb,access=rw,target=$img" > /tmp/a32.att 2>&1 ||
    fail "block-attach: $(cat /tmp/a32.att)"
wait_console a32 'XBT-GUEST-OK abi32 absent' 90
n=$(console_grep a32 'XBT-GUEST-ABI32 .* ok ' | wc -l)
note "$n checks passed in the guest over both layouts"
got=$(get_sector $img 12240)
[ "$got" = "XBFRONT absent round 100" ] ||
    fail "image sector 12240 has '$got' after the run without protocol"
if [ "$XBT_BACKEND" != kernel ]; then
	n=$(blkbackd_log_new | grep -c "vbd d$D/$XVDB: queue 0: bad request")
	[ "$n" = 2 ] || fail "refused requests logged $n times over two connections, want once each"
fi
guest_stop a32 30
pass
