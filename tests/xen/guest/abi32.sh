# Guest side of blk-abi-32: xen-blkfront is not loaded (xbt.noblk=1);
# frontends/blkfront.c (xbfront-blk) drives xvdb from userland, once in the
# x86_32 request layout ("protocol" = x86_32-abi) and once with no
# "protocol" key, which means x86_32 too (Linux BLKIF_PROTOCOL_DEFAULT).
# Between the two it waits for dom0 to reset the device
# (xl block-detach / block-attach).
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
command -v xbfront-blk >/dev/null || bad abi32 "no xbfront-blk in the guest image (build/guest)"
[ -c /dev/xen/gntalloc ] || bad abi32 "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad abi32 "no /dev/xen/evtchn in the guest"
run() {	# run LABEL ABI
	echo "XBT-GUEST-ABI32 start $1"
	xbfront-blk -a "$2" -n 3 51728 > /tmp/abi.out 2>&1
	rc=$?
	sed "s/^/XBT-GUEST-ABI32 $1 /" /tmp/abi.out
	[ $rc = 0 ] || bad abi32 "$1: xbfront-blk exited $rc: $(grep -m 1 FAIL /tmp/abi.out)"
	ok "abi32 $1"
}
run x86_32 x86_32
# dom0 detaches and re-attaches xvdb: a fresh backend device.  xenbus
# drops the device when its directory goes and adds it when it is back.
i=0
while [ -e /sys/bus/xen/devices/vbd-51728 ]; do
	i=$((i + 1)); [ $i -gt 300 ] && bad abi32 "xvdb was not detached"
	sleep 0.1
done
i=0
while ! [ -e /sys/bus/xen/devices/vbd-51728 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && bad abi32 "xvdb was not re-attached"
	sleep 0.1
done
run absent none
