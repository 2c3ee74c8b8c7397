#!/bin/sh
# Two guests on xenbr0 talk to each other through the bridge (not through
# dom0's IP stack): both vifs are served, pings go A -> B and B -> A, 16 MiB
# A -> B and 16 MiB B -> A arrive intact (sha256), and iperf3 A -> B runs.
# timeout: 180
. /xbtest/lib.sh

NET_NOWAIT=1 net_guest nta 6
A=$D AIP=$GIP
NET_NOWAIT=1 net_guest ntb 7
B=$D BIP=$GIP
GIP=$AIP net_guest_wait nta
GIP=$BIP net_guest_wait ntb
vif_check $A 0
vif_check $B 0
ping_ok $AIP $BIP 5
ping_ok $BIP $AIP 5
sha_between $AIP $BIP 16 5004
sha_between $BIP $AIP 16 5005
grun $AIP 40 "iperf3 -f m -t 3 --connect-timeout 5000 -c $BIP" || fail "iperf3 A -> B failed: $(echo "$GOUT" | tail -n 3)"
echo "$GOUT" > /tmp/ntg.out
mbps=$(iperf3_mbps /tmp/ntg.out)
[ -n "$mbps" ] || fail "iperf3 A -> B: no result: $(tail -n 3 /tmp/ntg.out)"
note "guest A (d$A) -> guest B (d$B): iperf3 3 s $mbps Mbit/s; 16 MiB each way sha256-checked"
pass
