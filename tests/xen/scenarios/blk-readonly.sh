#!/bin/sh
# A disk attached with access=ro: the guest reads dom0's token and the same
# 8 MiB checksum dom0 computes; its writes fail cleanly (a normal write,
# and an O_DIRECT write after blockdev --setrw, which only the backend can
# refuse); dom0's image is unchanged.
# timeout: 150
. /xbtest/lib.sh

img=$IMAGES/ro.img
mkimg $img 32
dd if=/dev/urandom of=$img bs=1M count=8 conv=notrunc 2>/dev/null || fail "cannot fill $img"
tok=$(mktoken)
put_sector $img 0 "XBT-TOKEN-$tok"
want=$(dd if=$img bs=1M count=8 2>/dev/null | sha256sum | cut -d' ' -f1)
before=$(sha256sum < $img | cut -d' ' -f1)
GUEST_ARGS=xbt.stay=1 guest_cfg ro readonly "format=raw,vdev=xvdb,access=ro,target=$img"
guest_start ro
D=$(guest_domid ro)
wait_console ro 'XBT-GUEST-SHA xvdb ' 60
blkbackd_served $D $XVDB
wait_console ro 'XBT-GUEST-OK readonly' 60
m=$(xs_read "$(be_path $D $XVDB)/mode")
[ "$m" = r ] || fail "backend mode is '$m', want r"
got=$(console_grep ro 'XBT-GUEST-READ xvdb' | head -n 1)
[ "${got#*XBT-GUEST-READ xvdb }" = "XBT-TOKEN-$tok" ] ||
    fail "guest read '${got#*XBT-GUEST-READ xvdb }', want XBT-TOKEN-$tok"
sum=$(console_grep ro 'XBT-GUEST-SHA xvdb' | head -n 1 | sed 's/.*XBT-GUEST-SHA xvdb //')
[ "$sum" = "$want" ] || fail "guest read sha256 $sum over 8 MiB, dom0's image has $want"
ro=$(console_grep ro 'XBT-GUEST-RO xvdb' | sed 's/.*ro=//')
w1=$(console_grep ro 'XBT-GUEST-WRITE1 xvdb' | sed 's/.*XBT-GUEST-WRITE1 xvdb //')
w2=$(console_grep ro 'XBT-GUEST-WRITE2 xvdb' | sed 's/.*XBT-GUEST-WRITE2 xvdb //')
sr=$(console_grep ro 'XBT-GUEST-SETRW xvdb' | sed 's/.*ro=//')
note "guest /sys/block/xvdb/ro=$ro; write: $w1; O_DIRECT write after --setrw (getro then: $sr): $w2"
[ "$ro" = 1 ] || fail "/sys/block/xvdb/ro is '$ro' in the guest, want 1"
case $w1 in failed*) ;; *) fail "a write to the read-only disk $w1" ;; esac
case $w2 in failed*) ;; *) fail "an O_DIRECT write after blockdev --setrw $w2" ;; esac
guest_stop ro 30
check_clean_close ro
after=$(sha256sum < $img | cut -d' ' -f1)
[ "$after" = "$before" ] || fail "dom0's image changed under a read-only disk (sector 1: '$(get_sector $img 1)', sector 2: '$(get_sector $img 2)')"
pass
