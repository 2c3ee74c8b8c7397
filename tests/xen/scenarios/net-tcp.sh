#!/bin/sh
# Bulk TCP both ways with the data checked: 16 MiB of random data from dom0
# into the guest and 16 MiB from the guest to dom0, each hashed (sha256) by
# sender and receiver; then iperf3 each way for 3 s (throughput noted, must
# be measurable).
# timeout: 180
. /xbtest/lib.sh

net_guest nt 2
vif_check $D 0
dd if=/dev/urandom of=/tmp/nt.bin bs=1M count=16 2>/dev/null || fail "cannot make /tmp/nt.bin"
sha_to_guest $GIP /tmp/nt.bin 5001
rm -f /tmp/nt.bin
sha_from_guest $GIP 16 5002
tcp_run "dom0 -> guest" 3 -c $GIP
rx=$MBPS
tcp_run "guest -> dom0" 3 -c $GIP -R
note "iperf3 3 s: guest -> dom0 $MBPS Mbit/s, dom0 -> guest $rx Mbit/s; 16 MiB each way sha256-checked"
pass
