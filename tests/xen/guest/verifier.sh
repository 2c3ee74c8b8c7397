# Guest B of blk-destroy-under-io: rounds of write / flush / drop caches /
# read back / compare on xvda, one marker per round, until stopped.
dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null || bad verify "no test data"
n=0
while :; do
	n=$((n + 1))
	# a different pattern and place each round: round number in front
	printf 'round %08d\n' $n | dd of=/tmp/pat bs=512 count=1 conv=notrunc 2>/dev/null
	want=$(sha256sum < /tmp/pat | cut -d' ' -f1)
	seek=$(( (n % 8) * 4 ))
	dd if=/tmp/pat of=/dev/xvda bs=1M seek=$seek conv=fsync 2>/dev/null || bad "round $n" "write failed"
	blockdev --flushbufs /dev/xvda
	echo 3 > /proc/sys/vm/drop_caches
	got=$(dd if=/dev/xvda bs=1M skip=$seek count=4 2>/dev/null | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || bad "round $n" "read back $got, wrote $want"
	ok "round $n"
done
