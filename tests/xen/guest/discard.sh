# Guest side of blk-discard: blkfront must have discard
# (discard_max_bytes > 0); discard the first 48 MiB of xvdb (dom0 then
# checks that its image file's allocated blocks dropped) and read dom0's
# token from the last MiB, outside the range.
. /xbtest/guest/fiolib.sh
d=xvdb
[ -b /dev/$d ] || bad discard "no /dev/$d"
blk_info $d
max=$(cat /sys/block/$d/queue/discard_max_bytes)
[ "$max" -gt 0 ] || bad discard "discard_max_bytes is $max: blkfront did not enable discard"
blkdiscard -o 0 -l $((48 * 1048576)) /dev/$d 2>/tmp/d.err ||
    bad discard "blkdiscard -o 0 -l 48MiB /dev/$d failed: $(cat /tmp/d.err)"
ok "discarded 48 MiB"
tok=$(dd if=/dev/$d bs=512 skip=$((63 * 2048)) count=1 iflag=direct 2>/dev/null | tr -d '\0' | head -n 1)
echo "XBT-GUEST-READ $d $tok"
ok discard
