# Guest side of the blk-fio-* scenarios: what blkfront negotiated for each
# disk named by xbt.fio= (default xvdb; several joined with '+': their fio
# runs go at the same time), then the fio verify jobs of fiolib.sh.
. /xbtest/guest/fiolib.sh
disks=$(garg fio xvdb | tr '+' ' ')
for d in $disks; do
	[ -b /dev/$d ] || bad fio "no /dev/$d"
	blk_info $d
done
t0=$(uptime_s)
for d in $disks; do
	( fio_verify $d && touch /tmp/fio-$d.ok ) &
done
wait
echo "XBT-GUEST-FIOTIME $t0..$(uptime_s)"
for d in $disks; do
	[ -e /tmp/fio-$d.ok ] || bad fio "fio verify on $d failed: $(cat /tmp/fio-$d.fail 2>/dev/null)"
	ok "fio $d"
done
ok fio
