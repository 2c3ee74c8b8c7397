#!/bin/sh
# Requests in the x86_32 layout are served correctly, and a frontend may
# reconnect after closing.  A userland frontend in the guest
# (frontends/blkfront.c, xbfront-blk; xen-blkfront is not loaded) connects
# xvdb with "protocol" = x86_32-abi, writes and reads back patterns with
# full and partial segments, flushes, and checks that requests breaking the
# rules get BLKIF_RSP_ERROR / EOPNOTSUPP with the id and operation echoed;
# then it closes and reconnects on the same device (Closed ->
# Initialising -> InitWait, as after a guest kexec) with no "protocol" key,
# which means x86_32 too, and does it all again.  dom0 checks that the
# same worker logged both connections with the x86_32 layout, one warning
# per connection, and that each session's data is in the image at its
# sector.
# timeout: 240
. /xbtest/lib.sh

img=$IMAGES/abi32.img
mkimg $img 16
GUEST_ARGS="xbt.stay=1 xbt.noblk=1" guest_cfg a32 abi32 \
    "format=raw,vdev=xvdb,access=rw,target=$img"
guest_start a32
D=$(guest_domid a32)
wait_console a32 'XBT-GUEST-OK abi32' 120
n=$(console_grep a32 'XBT-GUEST-ABI32 ok ' | wc -l)
note "$(console_grep a32 'XBT-GUEST-ABI32 ok connected' | sed 's/.*ok //' | tr '\n' ';') $n checks passed in the guest"
console_grep a32 'XBT-GUEST-ABI32 ok reconnecting' >/dev/null ||
    fail "the guest did not reconnect"
# Round r wrote its 11 pages at sector (r * 776) % (32768 - 88); session 1
# used rounds 0-2 and 100, session 2 rounds 200-202 and 300.
got=$(get_sector $img 12240)
[ "$got" = "XBFRONT x86_32-abi round 100" ] ||
    fail "image sector 12240 has '$got', want the x86_32 session's round 100"
got=$(get_sector $img 4040)
[ "$got" = "XBFRONT absent round 300" ] ||
    fail "image sector 4040 has '$got', want the second session's round 300"
if [ "$XBT_BACKEND" != kernel ]; then
	n=$(blkbackd_log_new | grep -c "vbd d$D/$XVDB: connected: .*x86_32-abi")
	[ "$n" = 2 ] || fail "the worker logged $n x86_32-abi connections, want 2"
	n=$(blkbackd_log_new | grep -c "vbd d$D/$XVDB: started worker")
	[ "$n" = 1 ] || fail "$n workers were started for the device, want 1 (reconnect, not re-create)"
	n=$(blkbackd_log_new | grep -c "vbd d$D/$XVDB: queue 0: bad request")
	[ "$n" = 2 ] || fail "refused requests logged $n times over two connections, want once each"
fi
guest_stop a32 30
pass
