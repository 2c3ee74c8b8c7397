# Guest side of blk-conform: xen-blkfront is not loaded (xbt.noblk=1);
# frontends/blkconform.c (xbfront-blk -C) connects xvdb with every feature
# blkbackd advertises (multi-page ring, multi-queue, indirect segments,
# persistent grants, flush, barrier, discard) and checks each end to end.
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
command -v xbfront-blk >/dev/null || bad blkconform "no xbfront-blk in the guest image (build/guest)"
[ -c /dev/xen/gntalloc ] || bad blkconform "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad blkconform "no /dev/xen/evtchn in the guest"
xbfront-blk -C -n 2 51728 > /tmp/conform.out 2>&1
rc=$?
sed 's/^/XBT-GUEST-CONFORM /' /tmp/conform.out
[ $rc = 0 ] || bad blkconform "xbfront-blk -C exited $rc: $(grep -m 1 FAIL /tmp/conform.out)"
ok blkconform
