#!/bin/sh
# Offloads: the backend offers feature-sg and feature-gso-tcpv4 and the
# frontend takes them (xenstore); the guest's ethtool shows scatter-gather,
# tx-checksumming and TSO on; 24 MiB guest -> dom0 and dom0 -> guest arrive
# intact (sha256) while the guest really sends GSO packets (eth0's average
# transmitted packet is larger than a 1514-byte frame: netfront counts one
# packet per skb).  Then with ethtool -K eth0 sg off tso off in the guest
# (netfront segments itself; its IPv4 tx checksum offload is fixed on, so
# tx-checksumming stays on): ethtool shows them off, 8 MiB guest -> dom0
# arrive intact, and every packet is a frame of at most 1514 bytes.  The average size of what the guest received is noted
# (GSO towards the guest).
# timeout: 180
. /xbtest/lib.sh

net_guest ng 4
vif_check $D 0
BE=$(vif_be_path $D 0)
FE=$(vif_fe_path $D 0)
for k in $BE/feature-sg $BE/feature-gso-tcpv4 $FE/feature-sg $FE/feature-gso-tcpv4; do
	[ "$(xs_read $k)" = 1 ] || fail "$k is '$(xs_read $k)', want 1"
done
offloads() {	# offloads WANT FEATURE...: the guest's ethtool -k says WANT (on|off) for each
	_w=$1
	shift
	grun $GIP 10 "ethtool -k eth0" || fail "ethtool -k eth0 in the guest failed: $GOUT"
	for f in "$@"; do
		l=$(echo "$GOUT" | grep "^$f:")
		echo "$l" | grep -q ": $_w" || fail "guest ethtool: '$l', want $_w"
	done
	log "guest offloads $_w: $(echo "$GOUT" | grep -E '^(scatter-gather|tx-checksumming|tcp-segmentation-offload):' | tr '\n' ' ')"
}
avg() { echo $(( ($1) / ($2 > 0 ? $2 : 1) )); }	# avg BYTES PACKETS

offloads on scatter-gather tx-checksumming tcp-segmentation-offload
guest_stats $GIP
t0b=$TXB t0p=$TXP r0b=$RXB r0p=$RXP
sha_from_guest $GIP 24 5002
guest_stats $GIP
tx_on=$(avg "$TXB - $t0b" "$TXP - $t0p")
[ "$tx_on" -gt 1514 ] ||
    fail "with TSO on the guest sent $((TXP - t0p)) packets of $tx_on bytes on average: no GSO packet went through"
dd if=/dev/urandom of=/tmp/ng.bin bs=1M count=24 2>/dev/null || fail "cannot make /tmp/ng.bin"
r1b=$RXB r1p=$RXP
sha_to_guest $GIP /tmp/ng.bin 5001
rm -f /tmp/ng.bin
guest_stats $GIP
rx_on=$(avg "$RXB - $r1b" "$RXP - $r1p")

grun $GIP 10 "ethtool -K eth0 sg off tso off" || fail "ethtool -K eth0 sg off tso off failed: $GOUT"
offloads off scatter-gather tcp-segmentation-offload
guest_stats $GIP
t0b=$TXB t0p=$TXP
sha_from_guest $GIP 8 5003
guest_stats $GIP
tx_off=$(avg "$TXB - $t0b" "$TXP - $t0p")
[ "$tx_off" -le 1514 ] ||
    fail "with offloads off the guest sent $tx_off bytes per packet on average, more than a 1514-byte frame"
note "guest tx bytes/packet: $tx_on with offloads on, $tx_off off; guest rx bytes/packet $rx_on (dom0 -> guest, on); all transfers sha256-checked"
pass
