# Guest side of the hostile suite's neighbour (hostile-00-neighbour): fio
# verify rounds on xvdb until the guest is stopped, one line per round,
# while dom0 pings eth0 (set up by domu-init from xbt.ip=).  A round whose
# data does not verify is a failure of the whole suite.  Rate-capped (256
# KiB/s each way): the neighbour must keep the backends busy all along, not
# take dom0's vCPU from the attacks (under TCG an uncapped fio slows every
# scenario three times over).  Each round writes 4 MiB of 4-64 KiB blocks
# in a region of its own, then reads them back and checks them (crc32c);
# the first writes 256 KiB, so dom0 has its warmed-up baseline in 1 s, not 16.
[ -b /dev/xvdb ] || bad nb "no /dev/xvdb"
n=0
while :; do
	n=$((n + 1))
	cat > /tmp/nb.job <<JOB
[nb]
filename=/dev/xvdb
ioengine=libaio
direct=1
iodepth=4
rw=randwrite
bsrange=4k-64k
offset=$(( (n % 16) * 4 ))m
size=$([ $n = 1 ] && echo 256k || echo 4m)
rate=256k
verify=crc32c
verify_fatal=1
do_verify=1
JOB
	fio --output-format=terse --terse-version=3 /tmp/nb.job > /tmp/nb.out 2>&1
	rc=$?
	err=$(awk -F';' 'NF > 50 { print $5 }' /tmp/nb.out)
	msg=$(grep -v ';' /tmp/nb.out | grep -iE 'verify|bad|crc|error|fail|fio:' | head -n 2 | tr '\n' ' ')
	[ "$rc" = 0 ] && [ "$err" = 0 ] && [ -z "$msg" ] ||
	    bad nb "fio verify round $n: rc=$rc err=$err $msg"
	ok "nb round $n"
done
