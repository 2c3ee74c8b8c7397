#!/bin/sh
# make demo: one guest with an unchanged disk line, served by blkbackd;
# shows the backend's xenstore dir, what both ends negotiated, what the
# guest sees, and a read/write round trip.  Then a guest with an unchanged
# vif line, served by netbackd: its TAP on the bridge, what both ends
# negotiated, ping and TCP both ways; and (consoled, the default) that
# guest's console: consoled's process, the tty, the log, an attach replay.
# default: no
# timeout: 240
. /xbtest/lib.sh

# show_keys SIDE DIR REGEX: the keys of DIR matching REGEX with their values
# (queue-N/ subdirectories expanded)
show_keys() {
	for k in $(xenstore-list "$2" | grep -E "$3" | sort); do
		case $k in
		queue-*) for q in $(xenstore-list "$2/$k"); do
			printf '  %-8s %-32s %s\n' "$1" "$k/$q" "$(xs_read "$2/$k/$q")"; done ;;
		*) printf '  %-8s %-32s %s\n' "$1" "$k" "$(xs_read "$2/$k")" ;;
		esac
	done
}

mkimg $IMAGES/demo.img 64
tok=$(mktoken)
put_sector $IMAGES/demo.img 0 "XBT-TOKEN-$tok"
spec="format=raw,vdev=xvda,access=rw,target=$IMAGES/demo.img"
echo "== guest disk line (xl config, unchanged): '$spec'"
GUEST_ARGS=xbt.stay=1 guest_cfg demo demo "$spec"
guest_start demo
D=$(guest_domid demo)
wait_console demo 'XBT-GUEST-OK rw xvda' 60
BE=$(be_path $D $XVDA)
FE=$(fe_path $D $XVDA)

echo
echo "== backend directory (xenstore-ls -f $BE)"
xenstore-ls -f "$BE"
echo
echo "== negotiated"
show_keys backend "$BE" '^(feature-|max-ring|multi-queue|sectors|sector-size|physical-sector-size|info|mode|state)'
show_keys frontend "$FE" '^(ring-ref|ring-page-order|event-channel|protocol|feature-|multi-queue|queue-|state)'
echo
echo "== blkbackd processes"
echo "  $(blkbackd_procs)"
echo
echo "== the guest sees"
console_grep demo 'XBT-GUEST-(PART|DMESG|READ|OK)' | sed 's/.*XBT-GUEST-/  /'

blkbackd_served $D $XVDA
got=$(console_grep demo 'XBT-GUEST-READ xvda' | head -n 1)
[ "${got#*XBT-GUEST-READ xvda }" = "XBT-TOKEN-$tok" ] || fail "guest read '${got#*XBT-GUEST-READ xvda }', want XBT-TOKEN-$tok"
w=$(get_sector $IMAGES/demo.img 1)
[ "$w" = "XBT-WROTE-$tok" ] || fail "the guest's flushed write is not in the image (sector 1: '$w')"
echo
echo "== read/write check: guest read dom0's token XBT-TOKEN-$tok; dom0 found the guest's XBT-WROTE-$tok in the image"
guest_stop demo 30
check_clean_close demo

echo
spec=$(vif_spec 1)
echo "== guest vif line (xl config, unchanged): vif = [ '$spec' ]"
net_guest dnet 1
vif_check $D 0
BE=$(vif_be_path $D 0)
FE=$(vif_fe_path $D 0)
echo "== dom0 interface vif$D.0 (created by netbackd, attached by vif-bridge)"
ip link show vif$D.0 | sed "s/^/  /"
echo "  bridge ports of $BRIDGE: $(ls /sys/class/net/$BRIDGE/brif | tr '\n' ' ')"
echo
echo "== negotiated"
show_keys backend "$BE" '^(feature-|multi-queue|mac|bridge|script|hotplug-status|state)'
show_keys frontend "$FE" '^(request-|feature-|multi-queue|tx-ring-ref|rx-ring-ref|event-channel|queue-|state|mac)'
echo
echo "== netbackd processes"
echo "  $(daemon_procs netbackd)"
echo
echo "== ping dom0 -> guest $GIP"
ping -c 3 "$GIP" | sed 's/^/  /' | tail -n 2
ping -c 1 -W 5 "$GIP" > /dev/null || fail "the guest does not answer ping"
tcp_run "dom0 -> guest" 3 -c $GIP
rx=$MBPS
tcp_run "guest -> dom0" 3 -c $GIP -R
echo "== iperf3 3 s each way: dom0 -> guest $rx Mbit/s, guest -> dom0 $MBPS Mbit/s"

if [ "$XBT_CONSOLE" = ours ]; then
	echo
	echo "== consoled serves dnet's console ($([ -z "$(daemon_procs xenconsoled)" ] && echo "no xenconsoled running" || echo "xenconsoled running too!"))"
	echo "  $(daemon_procs consoled)"
	echo "  console/tty $(cons_tty $D), attach socket $CONS_SOCKDIR/d$D.0, log $CONSOLE_DIR/guest-dnet.log ($(wc -c < $CONSOLE_DIR/guest-dnet.log) bytes)"
	[ -S "$CONS_SOCKDIR/d$D.0" ] || fail "no consoled attach socket for dnet"
	echo "== consoled-attach -r dnet: the replayed scrollback's last lines (stopped after 2 s)"
	timeout 2 consoled-attach -r dnet < /dev/null > /tmp/demo.attach
	tr -d '\r' < /tmp/demo.attach | grep -v '^$' | tail -n 4 | sed 's/^/  /'
	grep -q XBT-GUEST /tmp/demo.attach || fail "consoled-attach replayed nothing of dnet's console"
fi
guest_stop dnet 30
check_clean_close dnet
pass
