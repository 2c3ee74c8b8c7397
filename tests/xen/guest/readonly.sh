# Guest side of blk-readonly: xvdb is attached read-only.  Report the ro
# flag, dom0's token, the checksum of the first 8 MiB (O_DIRECT), then how
# a write ended: first a normal one, then an O_DIRECT one after clearing
# the block layer's ro flag (blockdev --setrw), so that only the backend
# stands between the guest and dom0's image.
d=xvdb
[ -b /dev/$d ] || bad ro "no /dev/$d"
echo "XBT-GUEST-RO $d ro=$(cat /sys/block/$d/ro)"
tok=$(dd if=/dev/$d bs=512 count=1 iflag=direct 2>/dev/null | tr -d '\0' | head -n 1)
echo "XBT-GUEST-READ $d $tok"
sum=$(dd if=/dev/$d bs=1M count=8 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
echo "XBT-GUEST-SHA $d $sum"
if printf 'XBT-WROTE\n' | dd of=/dev/$d bs=512 seek=1 count=1 conv=sync,fsync 2>/tmp/ro.err; then
	echo "XBT-GUEST-WRITE1 $d succeeded"
else
	echo "XBT-GUEST-WRITE1 $d failed: $(head -n 1 /tmp/ro.err)"
fi
blockdev --setrw /dev/$d 2>/dev/null
echo "XBT-GUEST-SETRW $d ro=$(blockdev --getro /dev/$d)"
if printf 'XBT-WROTE\n' | dd of=/dev/$d bs=512 seek=2 count=1 conv=sync oflag=direct 2>/tmp/ro.err; then
	echo "XBT-GUEST-WRITE2 $d succeeded"
else
	echo "XBT-GUEST-WRITE2 $d failed: $(head -n 1 /tmp/ro.err)"
fi
ok readonly
