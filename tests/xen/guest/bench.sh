# Guest side of bench-blk (make bench): eth0 gets 10.0.0.2 on dom0's
# xenbr0, and dom0's commands arrive over TCP port 5000, one per
# connection, each served by guest/bench-handler.sh; until dom0 destroys
# the guest.  A TCP round trip lets dom0 block while the guest works, so
# nothing polls in dom0 during a measurement.
dmesg -n 1	# no kernel chatter on the console
i=0
until [ -e /sys/class/net/eth0 ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && bad bench "no eth0 after 30 s"
	sleep 0.1
done
ip link set lo up
ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0 || bad bench "eth0 setup failed"
nc -ll -p 5000 -e /xbtest/guest/bench-handler.sh &
ok "bench listening"
