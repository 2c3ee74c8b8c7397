# Guest side of net-minios: xen-netfront is not loaded (xbt.nonet=1);
# frontends/netfront.c (xbfront-net) drives device/vif/0 from userland as
# Mini-OS's netfront would, at xbt.fip (session 1: ARP, echo, burst,
# multicast flooded; session 2: multicast control).  Its lines go to the
# console as they come ("XBT-GUEST-NET ok ...", "XBT-GUEST-NET wait
# multicast PHASE": dom0 then sends the multicast frames).
dmesg -n 1	# no kernel chatter between our lines
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
command -v xbfront-net >/dev/null || bad netminios "no xbfront-net in the guest image (build/guest)"
[ -c /dev/xen/gntalloc ] || bad netminios "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad netminios "no /dev/xen/evtchn in the guest"
[ -e /sys/class/net/eth0 ] && bad netminios "xen-netfront has the vif (eth0): xbt.nonet=1 missing"
{ xbfront-net -i "$(garg fip)" -m 0; echo $? > /tmp/nf.rc; } 2>&1 | tee /tmp/nf.out |
    while IFS= read -r l; do echo "XBT-GUEST-NET $l"; done
rc=$(cat /tmp/nf.rc)
[ "$rc" = 0 ] || bad netminios "xbfront-net exited $rc: $(grep -m 1 FAIL /tmp/nf.out)"
ok netminios
