#!/bin/sh
# Every feature blkbackd advertises works from a second, independent
# frontend.  A userland frontend in the guest (frontends/blkconform.c,
# "xbfront-blk -C"; xen-blkfront is not loaded) connects xvdb with
# ring-page-order = max-ring-page-order, multi-queue-num-queues = min(max,
# 4) and feature-persistent = 1, wraps every queue's ring twice with the
# same data grants, sends indirect requests up to
# feature-max-indirect-segments (and one past it: refused), flushes, writes
# a barrier, discards a granule-aligned range (zeroes read back, the
# sectors around unchanged), and checks the last sector works and the one
# past it is refused; one "ok"/"FAIL" line per check.  dom0 checks the
# frontend's keys, the worker's "connected:" line and the data the guest
# left at known sectors of the image.
# timeout: 180
. /xbtest/lib.sh

img=$IMAGES/conform.img
mkimg $img 64
GUEST_ARGS="xbt.stay=1 xbt.noblk=1" guest_cfg cf blkconform \
    "format=raw,vdev=xvdb,access=rw,target=$img"
guest_start cf
D=$(guest_domid cf)
wait_console cf 'XBT-GUEST-OK blkconform' 90
n=$(console_grep cf 'XBT-GUEST-CONFORM ok ' | wc -l)
note "$(console_grep cf 'XBT-GUEST-CONFORM ok connected' | sed 's/.*ok //') $n checks passed in the guest"
fe=/local/domain/$D/device/vbd/$XVDB
be=$(be_path $D $XVDB)
mq=$(xs_read $be/multi-queue-max-queues)
mo=$(xs_read $be/max-ring-page-order)
want=$mq; [ "${want:-1}" -gt 4 ] && want=4
got=$(xs_read $fe/multi-queue-num-queues)
[ "$want" -le 1 ] || [ "$got" = "$want" ] ||
    fail "frontend multi-queue-num-queues '$got', want $want (backend max $mq)"
got=$(xs_read $fe/ring-page-order)
[ "${mo:-0}" = 0 ] || [ "$got" = "$mo" ] ||
    fail "frontend ring-page-order '$got', want the backend's max $mo"
[ "$(xs_read $fe/feature-persistent)" = 1 ] ||
    fail "the frontend did not write feature-persistent = 1"
# Known sectors (frontends/blkconform.c): queue q's pages at 8192 + q*8192,
# the indirect write at 65536, the barrier at 40960, the last sector.
q=0
while [ $q -lt "$want" ]; do
	got=$(get_sector $img $((8192 + q * 8192)))
	[ "$got" = "XBCONFORM q$q" ] ||
	    fail "image sector $((8192 + q * 8192)) has '$got', want queue $q's data"
	q=$((q + 1))
done
got=$(get_sector $img 65536)
[ "$got" = "XBCONFORM indirect" ] || fail "image sector 65536 has '$got', want the indirect write"
if [ "$(xs_read $be/feature-barrier)" = 1 ]; then
	got=$(get_sector $img 40960)
	[ "$got" = "XBCONFORM barrier" ] || fail "image sector 40960 has '$got', want the barrier write"
fi
got=$(get_sector $img 131071)
[ "$got" = "XBCONFORM last sector" ] || fail "the image's last sector has '$got'"
r=$(console_grep cf 'XBT-GUEST-CONFORM ok discard of sectors' | sed -n 's/.*sectors \([0-9]*\)\.\.\([0-9]*\).*/\1 \2/p' | head -n 1)
if [ -n "$r" ]; then
	set -- $r
	nz=$(dd if=$img bs=512 skip=$1 count=$(($2 - $1 + 1)) 2>/dev/null | tr -d '\0' | wc -c)
	[ "$nz" = 0 ] || fail "the discarded sectors $1..$2 hold $nz non-zero bytes in the image"
fi
if [ "$XBT_BACKEND" != kernel ]; then
	line=$(blkbackd_log_new | grep "vbd d$D/$XVDB: connected: " | tail -n 1)
	note "worker: ${line#*connected: }"
	echo "$line" | grep -q "connected: $want queues* of $((1 << ${mo:-0})) pages*.*x86_64-abi, persistent grants on" ||
	    fail "worker logged '$line', want $want queue(s) of $((1 << ${mo:-0})) page(s), x86_64-abi, persistent grants on"
fi
guest_stop cf 30
if [ "$XBT_BACKEND" != kernel ]; then
	# Persistent grants really used: every segment through a kept mapping.
	line=$(blkbackd_log_new | grep "vbd d$D/$XVDB: disconnected: " | tail -n 1)
	note "worker: ${line#*disconnected: }"
	echo "$line" | grep -q "segments 0 copied, [1-9][0-9]* persistent" ||
	    fail "worker logged '$line', want every segment through a persistent grant"
fi
pass
