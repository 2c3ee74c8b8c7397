#!/bin/sh
# blkbackd refuses to start while the kernel's xen-blkback is bound (both
# would serve the same vbd devices) and says why; -F overrides it.  The
# -F instance is then stopped with SIGTERM and must exit 0 (under ASan this
# also checks it frees what it holds).  No guest is created meanwhile.
# timeout: 60
. /xbtest/lib.sh

DRV=/sys/bus/xen-backend/drivers/vbd
loaded=0
if [ ! -e $DRV ]; then
	insmod /lib/modules/xen-blkback.ko || fail "insmod xen-blkback failed"
	loaded=1
fi
unload() { [ $loaded = 1 ] && rmmod xen-blkback; loaded=0; }
[ -e $DRV ] || { unload; fail "$DRV missing with xen-blkback loaded"; }

out=$(timeout 10 blkbackd -d 2>&1)
rc=$?
log "blkbackd without -F: exit $rc: $out"
[ $rc = 1 ] || { unload; fail "blkbackd exited $rc with the kernel backend bound, want 1"; }
echo "$out" | grep -q "$DRV" || { unload; fail "refusal does not name $DRV: $out"; }

timeout 20 blkbackd -d -F > /tmp/bb-force.log 2>&1 &
pid=$!
i=0
until grep -q 'serving /local/domain/0/backend/vbd' /tmp/bb-force.log; do
	i=$((i + 1))
	[ $i -gt 50 ] && { kill $pid; unload; fail "blkbackd -F did not start: $(cat /tmp/bb-force.log)"; }
	sleep 0.2
done
kill -TERM $pid
wait $pid
rc=$?
unload
log "blkbackd -F after SIGTERM: exit $rc"
[ $rc = 0 ] || fail "blkbackd -F exited $rc after SIGTERM, want 0: $(tail -n 5 /tmp/bb-force.log)"
[ -e $DRV ] && fail "xen-blkback still bound after rmmod"
note "refused with: $out"
pass
