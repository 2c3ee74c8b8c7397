# Guest side of the hostile suite's neighbour (hostile-00-neighbour): fio
# verify rounds (fiolib.sh) on xvdb until the guest is stopped, one line
# per round, while dom0 pings eth0 (set up by domu-init from xbt.ip=).
# A round whose data does not verify is a failure of the whole suite.
. /xbtest/guest/fiolib.sh
[ -b /dev/xvdb ] || bad nb "no /dev/xvdb"
blk_info xvdb
n=0
while :; do
	n=$((n + 1))
	fio_verify xvdb 1 || bad nb "fio verify round $n: $(cat /tmp/fio-xvdb.fail)"
	ok "nb round $n"
done
