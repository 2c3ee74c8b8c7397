# Guest side of the blk-fio-* scenarios: what blkfront negotiated for each
# disk named by xbt.fio= (default xvdb; several joined with '+': their fio
# runs go at the same time), then the fio verify jobs of fiolib.sh.
# xbt.fioloops=N: each job N times (restart-blk: fio runs while its
# worker is killed).  xbt.go=SECTOR: wait first until dom0 writes "XBT-GO" to that sector of
# the first disk (so that several guests start together).
. /xbtest/guest/fiolib.sh
disks=$(garg fio xvdb | tr '+' ' ')
for d in $disks; do
	[ -b /dev/$d ] || bad fio "no /dev/$d"
	blk_info $d
done
go=$(garg go)
if [ -n "$go" ]; then
	set -- $disks
	ok "waiting for go"
	i=0
	until dd if=/dev/$1 bs=512 skip=$go count=1 iflag=direct 2>/dev/null | grep -q '^XBT-GO'; do
		i=$((i + 1))
		[ $i -gt 600 ] && bad fio "no XBT-GO at sector $go of $1 after 120 s"
		sleep 0.2
	done
	ok go
fi
t0=$(uptime_s)
for d in $disks; do
	( fio_verify $d "$(garg fioloops 1)" && touch /tmp/fio-$d.ok ) &
done
wait
echo "XBT-GUEST-FIOTIME $t0..$(uptime_s)"
for d in $disks; do
	[ -e /tmp/fio-$d.ok ] || bad fio "fio verify on $d failed: $(cat /tmp/fio-$d.fail 2>/dev/null)"
	ok "fio $d"
done
ok fio
