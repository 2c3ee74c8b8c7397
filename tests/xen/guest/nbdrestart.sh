# Guest side of restart-blk-nbd: 16 MiB of random data written to xvdb
# (O_DIRECT, fsync), then read back with O_DIRECT and compared for
# xbt.readsecs seconds (dom0 kills the worker meanwhile: no read may
# fail or differ), then a write load until dom0 stops the guest (one more
# kill: the device is failed or restarted, the scenario says which).
. /xbtest/guest/fiolib.sh
[ -b /dev/xvdb ] || bad nbdr "no /dev/xvdb"
blk_info xvdb
dd if=/dev/urandom of=/tmp/pat bs=1M count=16 2>/dev/null || bad nbdr "no test data"
want=$(sha256sum < /tmp/pat | cut -d' ' -f1)
dd if=/tmp/pat of=/dev/xvdb bs=1M oflag=direct conv=fsync 2>/dev/null || bad nbdr "writing the data failed"
ok written
end=$(awk -v t="$(uptime_s)" -v d="$(garg readsecs 60)" 'BEGIN { printf "%d", t + d }')
n=0
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
	n=$((n + 1))
	got=$(dd if=/dev/xvdb bs=1M count=16 iflag=direct 2>/tmp/dd.err | sha256sum | cut -d' ' -f1)
	grep -qi 'error' /tmp/dd.err && bad nbdr "read round $n: $(cat /tmp/dd.err)"
	[ "$got" = "$want" ] || bad nbdr "read round $n: got $got, want $want"
	echo "XBT-GUEST-ROUND $n"
done
ok "reads $n"
i=0
while :; do
	i=$((i + 1))
	# buffered, then fsync: writeback keeps many writes in flight
	dd if=/tmp/pat of=/dev/xvdb bs=1M count=4 seek=$((16 + i % 32)) conv=fsync 2>/tmp/dd.err ||
	    { echo "XBT-GUEST-WRITEERR round $i: $(head -c 200 /tmp/dd.err)"; sleep 1; }
	[ $i = 1 ] && ok writing
done
