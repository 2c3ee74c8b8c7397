# Guest side of net-conform: xen-netfront is not loaded (xbt.nonet=1);
# frontends/netconform.c (xbfront-net -C) connects device/vif/0 at xbt.fip
# with every feature the backend offers (two queues, split event
# channels, rx-notify, rx-copy, sg, csum offload for IPv4 and IPv6,
# gso-tcpv4, gso-tcpv6) and checks each against dom0; midway it prints
# "wait rx-inject" and takes what dom0's pktinject writes to the vif.
# Its lines go to the console ("XBT-GUEST-NET ok ...", "XBT-GUEST-NET not
# exercised ...").
dmesg -n 1
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
command -v xbfront-net >/dev/null || bad netconform "no xbfront-net in the guest image (build/guest)"
[ -e /sys/class/net/eth0 ] && bad netconform "xen-netfront has the vif (eth0): xbt.nonet=1 missing"
{ xbfront-net -C -i "$(garg fip)" 0; echo $? > /tmp/nf.rc; } 2>&1 | tee /tmp/nf.out |
    while IFS= read -r l; do echo "XBT-GUEST-NET $l"; done
rc=$(cat /tmp/nf.rc)
[ "$rc" = 0 ] || bad netconform "xbfront-net -C exited $rc: $(grep -m 1 FAIL /tmp/nf.out)"
ok netconform
