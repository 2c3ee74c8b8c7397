#!/bin/sh
# Discard: the image file in dom0 is fully allocated; the guest's blkfront
# must have discard enabled (discard_max_bytes > 0) and blkdiscard's first
# 48 MiB of its 64 MiB disk; dom0 then sees the file's allocated blocks
# drop by about that much, and the last MiB (dom0's token) is untouched.
# A second disk attached with no-discard is offered no discard.
# timeout: 150
. /xbtest/lib.sh

img=$IMAGES/dc.img
rm -f $img
dd if=/dev/zero of=$img bs=1M count=64 2>/dev/null || fail "cannot write $img"
tok=$(mktoken)
put_sector $img $((63 * 2048)) "XBT-TOKEN-$tok"
b0=$(stat -c %b $img)
[ "$b0" -ge 131072 ] || fail "$img has only $b0 blocks allocated after writing 64 MiB"
du0=$(du -k $img | cut -f1)
GUEST_ARGS=xbt.stay=1 guest_cfg dc discard "format=raw,vdev=xvdb,access=rw,target=$img"
guest_start dc
D=$(guest_domid dc)
wait_console dc 'XBT-GUEST-SYSFS xvdb ' 60
blkbackd_served $D $XVDB
BE=$(be_path $D $XVDB)
log "backend: feature-discard '$(xs_read $BE/feature-discard)' discard-granularity '$(xs_read $BE/discard-granularity)' discard-alignment '$(xs_read $BE/discard-alignment)'"
wait_console dc 'XBT-GUEST-OK discarded' 60
# the discard completed in the guest, so it has reached the backend; give
# a backend that punches holes asynchronously a few seconds
end=$(( $(now) + 10 ))
while b1=$(stat -c %b $img) && [ "$b1" -gt $((b0 - 40 * 2048)) ] && [ "$(now)" -lt "$end" ]; do
	sleep 0.5
done
du1=$(du -k $img | cut -f1)
note "allocated 512-byte blocks $b0 -> $b1 (du $du0 -> $du1 KiB) after discarding 48 MiB; guest discard_max_bytes $(guest_kv dc xvdb discard_max_bytes)"
[ "$b1" -le $((b0 - 40 * 2048)) ] ||
    fail "image still has $b1 of $b0 blocks allocated 10 s after the guest discarded 48 MiB"
wait_console dc 'XBT-GUEST-OK discard$' 30
got=$(console_grep dc 'XBT-GUEST-READ xvdb' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdb }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdb }' in the last MiB after the discard, want XBT-TOKEN-$tok"
# The backend's physical-sector-size comes from the store (the file
# system's block size), and a disk line with no-discard (discard-enable=0)
# gets no discard: the frontend is told feature-discard=0.
# (the kernel backend serves the loop device instead, with its own size)
ps=$(xs_read $BE/physical-sector-size)
[ "$XBT_BACKEND" = kernel ] || [ "$ps" = "$(stat -c %o $img)" ] ||
    fail "physical-sector-size is '$ps', the store's block size is $(stat -c %o $img)"
img2=$IMAGES/dc2.img
mkimg $img2 16
xl block-attach dc "format=raw,vdev=xvdc,access=rw,no-discard,target=$img2" > /tmp/dc.att 2>&1 ||
    fail "block-attach with no-discard: $(cat /tmp/dc.att)"
BE2=$(be_path $D 51744)
wait_xs $BE2/state 4 30
[ "$(xs_read $BE2/discard-enable)" = 0 ] || fail "libxl wrote discard-enable '$(xs_read $BE2/discard-enable)' for no-discard"
[ "$(xs_read $BE2/feature-discard)" = 0 ] ||
    fail "no-discard disk: backend feature-discard is '$(xs_read $BE2/feature-discard)', want 0"
note "no-discard disk: feature-discard 0; physical-sector-size $ps"
guest_stop dc 30
check_clean_close dc
[ "$(get_sector $img $((63 * 2048)))" = "XBT-TOKEN-$tok" ] || fail "the token outside the discarded range is gone from the image"
pass
