#!/bin/sh
# mtu=9000 in the vif line: libxl writes mtu=9000 to the backend, the stock
# vif-bridge gives the dom0 interface MTU 9000; the guest sets 9000 on eth0
# (netfront takes more than 1500 only with the backend's feature-sg); the
# bridge carries 9000 (its MTU follows its ports; set here if it did not);
# an unfragmented 8972-byte ping (ping -M do -s 8972: 9000 bytes of IP)
# goes both ways while an 8973-byte one is refused (so the check can tell);
# 16 MiB guest -> dom0 and 16 MiB dom0 -> guest through 9000-byte frames
# arrive intact (sha256).
# timeout: 150
. /xbtest/lib.sh

GUEST_ARGS=xbt.mtu=9000 net_guest nm 3 mtu=9000
vif_check $D 0
k=$(xs_read "$(vif_be_path $D 0)/mtu")
[ "$k" = 9000 ] || fail "backend mtu key is '$k', want 9000 (libxl)"
m=$(cat /sys/class/net/vif$D.0/mtu)
[ "$m" = 9000 ] || fail "dom0 interface vif$D.0 has MTU $m, want 9000"
grun $GIP 10 cat /sys/class/net/eth0/mtu || fail "cannot read the guest's MTU: $GOUT"
[ "$GOUT" = 9000 ] || fail "the guest's eth0 has MTU '$GOUT', want 9000 ($(console_grep nm 'XBT-GUEST-NET '))"
b=$(cat /sys/class/net/$BRIDGE/mtu)
if [ "$b" != 9000 ]; then
	log "$BRIDGE has MTU $b with vif$D.0 as a port; setting 9000"
	ip link set $BRIDGE mtu 9000 || fail "cannot set $BRIDGE's MTU to 9000"
fi

ping_ok dom0 $GIP 3 -M do -s 8972
ping_ok $GIP $DOM0_IP 3 -M do -s 8972
big=$($PING -c 1 -W 2 -M do -s 8973 $GIP 2>&1)
echo "$big" | grep -q '1 received' && fail "an 8973-byte ping with DF set went through an MTU of 9000: $big"
dd if=/dev/urandom of=/tmp/nm.bin bs=1M count=16 2>/dev/null || fail "cannot make /tmp/nm.bin"
sha_to_guest $GIP /tmp/nm.bin 5001
rm -f /tmp/nm.bin
sha_from_guest $GIP 16 5002
note "MTU 9000: backend key, vif$D.0, guest eth0, $BRIDGE (was $b); 8972-byte DF pings both ways"

xl destroy nm
wait_gone nm 20
[ "$b" != 9000 ] && ip link set $BRIDGE mtu "$b"
pass
