# Guest side of restart-daemon-upgrade: a console ticker ("XBT-TICK <n> ."
# every 0.2 s, n from 0) and fio verify rounds on xvdb until the guest is
# stopped, one "XBT-GUEST-OK up round N" line a round, while dom0 pings
# eth0 (xbt.ip=) and upgrades the daemons under it.  Rounds are small and
# rate-capped (2 MiB/s each way) so that dom0's vCPU stays with the
# daemons being re-executed: the load is for seeing errors, not speed.
[ -b /dev/xvdb ] || bad up "no /dev/xvdb"
( i=0; while :; do echo "XBT-TICK $i ."; i=$((i + 1)); sleep 0.2; done ) &
n=0
while :; do
	n=$((n + 1))
	cat > /tmp/up.job <<JOB
[up]
filename=/dev/xvdb
ioengine=libaio
direct=1
iodepth=8
rw=randwrite
bsrange=4k-64k
offset=$(( (n % 8) * 4 ))m
size=4m
rate=2m
verify=crc32c
verify_fatal=1
do_verify=1
JOB
	fio --output-format=terse --terse-version=3 /tmp/up.job > /tmp/up.out 2>&1
	rc=$?
	err=$(awk -F';' 'NF > 50 { print $5 }' /tmp/up.out)
	msg=$(grep -v ';' /tmp/up.out | grep -iE 'verify|bad|crc|error|fail|fio:' | head -n 2 | tr '\n' ' ')
	[ "$rc" = 0 ] && [ "$err" = 0 ] && [ -z "$msg" ] ||
	    bad up "fio verify round $n: rc=$rc err=$err $msg"
	# blkfront's own complaints (I/O errors, timeouts) fail it too
	k=$(dmesg | grep -iE 'I/O error|blk_update_request|timed out|xvdb.*error' | head -n 1)
	[ -z "$k" ] || bad up "round $n: kernel: $k"
	ok "up round $n"
done
