# For every xvd disk: print the token line dom0 put in sector 0, write
# "XBT-WROTE-<token>" to sector 1, flush it through to the backend.
for d in /sys/block/xvd*; do
	[ -e "$d" ] || bad rw "no xvd disk"
	dev=${d##*/}
	tok=$(dd if=/dev/$dev bs=512 count=1 2>/dev/null | tr -d '\0' | head -n 1)
	echo "XBT-GUEST-READ $dev $tok"
	printf 'XBT-WROTE-%s\n' "${tok#XBT-TOKEN-}" |
	    dd of=/dev/$dev bs=512 seek=1 count=1 conv=sync,fsync 2>/dev/null ||
	    bad rw "write to $dev failed"
	blockdev --flushbufs /dev/$dev || bad rw "flush of $dev failed"
	ok "rw $dev"
done
