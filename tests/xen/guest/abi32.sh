# Guest side of blk-abi-32: xen-blkfront is not loaded (xbt.noblk=1);
# frontends/blkfront.c (xbfront-blk) drives xvdb from userland: one
# connection in the x86_32 request layout ("protocol" = x86_32-abi), then,
# on the same device, a reconnect (Closed -> Initialising, as a rebooted
# driver does) with no "protocol" key, which means x86_32 too (Linux
# BLKIF_PROTOCOL_DEFAULT).
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
command -v xbfront-blk >/dev/null || bad abi32 "no xbfront-blk in the guest image (build/guest)"
[ -c /dev/xen/gntalloc ] || bad abi32 "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad abi32 "no /dev/xen/evtchn in the guest"
xbfront-blk -a x86_32 -a none -n 3 51728 > /tmp/abi.out 2>&1
rc=$?
sed 's/^/XBT-GUEST-ABI32 /' /tmp/abi.out
[ $rc = 0 ] || bad abi32 "xbfront-blk exited $rc: $(grep -m 1 FAIL /tmp/abi.out)"
ok abi32
