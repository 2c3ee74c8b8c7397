#!/bin/sh
# netbackd refuses to start while the kernel's xen-netback is bound (both
# would serve the same vif devices) and names it; -F overrides it.  The -F
# instance is then stopped with SIGTERM and must exit 0 (under ASan this
# also checks it frees what it holds).  No guest is created meanwhile.
# oracle: no (it tests netbackd's own start-up check)
# timeout: 60
. /xbtest/lib.sh

[ -x /usr/sbin/netbackd ] || fail "no /usr/sbin/netbackd in dom0"
DRV=/sys/bus/xen-backend/drivers/vif
loaded=0
if [ ! -e $DRV ]; then
	insmod /lib/modules/xen-netback.ko || fail "insmod xen-netback failed"
	loaded=1
fi
unload() { [ $loaded = 1 ] && rmmod xen-netback; loaded=0; }
[ -e $DRV ] || { unload; fail "$DRV missing with xen-netback loaded"; }

out=$(timeout 10 netbackd -d 2>&1)
rc=$?
log "netbackd without -F: exit $rc: $out"
[ $rc = 1 ] || { unload; fail "netbackd exited $rc with the kernel backend bound, want 1"; }
echo "$out" | grep -q "$DRV" || { unload; fail "refusal does not name $DRV: $out"; }

timeout 20 netbackd -d -F > /tmp/nb-force.log 2>&1 &
pid=$!
i=0
until grep -q 'serving /local/domain/0/backend/vif' /tmp/nb-force.log; do
	i=$((i + 1))
	[ $i -gt 50 ] && { kill $pid; unload; fail "netbackd -F did not start: $(cat /tmp/nb-force.log)"; }
	sleep 0.2
done
kill -TERM $pid
wait $pid
rc=$?
unload
log "netbackd -F after SIGTERM: exit $rc"
[ $rc = 0 ] || fail "netbackd -F exited $rc after SIGTERM, want 0: $(tail -n 5 /tmp/nb-force.log)"
[ -e $DRV ] && fail "xen-netback still bound after rmmod"
note "refused with: $out"
pass
