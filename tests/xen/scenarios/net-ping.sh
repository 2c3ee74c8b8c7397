#!/bin/sh
# A guest with an admin's vif line (bridge=xenbr0, a fixed MAC; the stock
# vif-bridge script): the vif is Connected and served by netbackd (oracle
# run: the kernel), its dom0 interface is named exactly vif<domid>.0, is up
# and is a port of xenbr0; the guest's eth0 has the configured MAC; pings
# go both ways (guest -> dom0 and dom0 -> guest), also 4000-byte ones
# (fragmented at MTU 1500).  After xl shutdown the backend directory, the
# interface and the worker are gone.
# timeout: 120
. /xbtest/lib.sh

net_guest np 1
vif_check $D 0
fst=$(xs_read "$(vif_fe_path $D 0)/state")
[ "$fst" = 4 ] || fail "frontend vif state is '$fst', not 4 (Connected)"
gm=$(console_grep np 'XBT-GUEST-NET ' | tail -n 1 | tr ' ' '\n' | sed -n 's/^mac=//p')
[ "$gm" = "$(guest_mac 1)" ] || fail "the guest's eth0 has MAC '$gm', the vif line says $(guest_mac 1)"

ping_ok $GIP $DOM0_IP 5
ping_ok dom0 $GIP 5
ping_ok dom0 $GIP 3 -s 4000
ping_ok $GIP $DOM0_IP 3 -s 4000
note "vif$D.0 on $BRIDGE; $(echo "$PING_OUT" | grep rtt)"

guest_stop np 30
check_clean_close np
vif_gone $D 0 10
pass
