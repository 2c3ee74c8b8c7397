# Guest side of blk-resize: report xvdb's size, then poll it (with a small
# O_DIRECT read each time: a backend may look at the size only on I/O)
# until it is xbt.newsize sectors; then read dom0's token in the new area
# (sector new-2) and write ours after it, at the new last sector.
. /xbtest/guest/fiolib.sh
d=xvdb
new=$(garg newsize)
[ -b /dev/$d ] || bad resize "no /dev/$d"
echo "XBT-GUEST-SIZE $d $(cat /sys/block/$d/size)"
ok "resize ready"
i=0
while [ "$(cat /sys/block/$d/size)" != "$new" ]; do
	i=$((i + 1))
	[ $i -gt 240 ] && bad resize "size still $(cat /sys/block/$d/size) sectors after 60 s, want $new"
	dd if=/dev/$d of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
	sleep 0.25
done
ok "resized to $new"
token_rw $d $((new - 2)) || bad resize "write at the new last sector failed"
ok resize
