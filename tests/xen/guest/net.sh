# Guest side of the net-* scenarios: eth0 was set up by /init (xbt.ip=,
# xbt.mtu=); this starts an iperf3 server and a control server on TCP port
# 5000 (guest/net-handler.sh: one shell command per connection, its output
# and "rc=N" back), then stays up (xbt.stay=1) until dom0 destroys it.
dmesg -n 1	# no kernel chatter on the console
[ -e /sys/class/net/eth0 ] || bad net "no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
iperf3 -s -D -I /tmp/iperf3.pid > /dev/null 2>&1 || bad net "iperf3 -s failed"
nc -ll -p 5000 -e /xbtest/guest/net-handler.sh &
# what netfront negotiated, for the scenario's log
echo "XBT-GUEST-NETINFO mtu=$(cat /sys/class/net/eth0/mtu) queues=$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l) carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
ethtool -k eth0 2>/dev/null | grep -E '^(tx-checksumming|scatter-gather|tcp-segmentation-offload):' |
    sed 's/^/XBT-GUEST-ETHTOOL /'
ok "net listening"
