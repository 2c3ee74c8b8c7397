# Guest A of blk-destroy-under-io: write to xvda until destroyed.
i=0
while :; do
	i=$((i + 1))
	dd if=/dev/zero of=/dev/xvda bs=1M count=16 conv=fsync 2>/dev/null || bad writer "write round $i failed"
	[ $i = 1 ] && ok writing
done
