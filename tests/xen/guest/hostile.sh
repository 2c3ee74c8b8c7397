# Guest side of the hostile-* scenarios: xbt.hostile=KIND:ARG,ARG,... runs
# xbfront-KIND ARG ARG ... (frontends/; the kernel's driver for that
# device is not loaded) and reports its lines as XBT-GUEST-HOSTILE, then
# "ok hostile" if it exited 0 (the backend answered the attack as it
# must: errors or a closed device) or "bad hostile" with its first FAIL.
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
spec=$(garg hostile)
[ -n "$spec" ] || bad hostile "no xbt.hostile= on the command line"
kind=${spec%%:*}
args=$(echo "${spec#*:}" | tr ',' ' ')
command -v xbfront-$kind >/dev/null || bad hostile "no xbfront-$kind in the guest image (build/guest)"
[ -c /dev/xen/gntalloc ] || bad hostile "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad hostile "no /dev/xen/evtchn in the guest"
echo "XBT-GUEST-HOSTILE xbfront-$kind $args"
xbfront-$kind $args > /tmp/hostile.out 2>&1
rc=$?
sed 's/^/XBT-GUEST-HOSTILE /' /tmp/hostile.out
[ $rc = 0 ] || bad hostile "xbfront-$kind $args exited $rc: $(grep -m 1 FAIL /tmp/hostile.out)"
ok hostile
