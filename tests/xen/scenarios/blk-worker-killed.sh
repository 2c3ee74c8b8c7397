#!/bin/sh
# A worker SIGKILLed under a guest that writes, flushes and reads back
# (guest/verifier.sh): the parent restarts it ("worker N killed by signal
# 9 (Killed); restarted as M after X s"), the successor resumes the live
# ring from the journal ("resumed"), the backend stays Connected with no
# error node, and the guest's rounds keep passing: it never noticed.
# xl destroy of the guest is clean afterwards.
# default: no (make extended; make check covers it elsewhere, see
# tests/xen/README.md "Extended")
# timeout: 180
. /xbtest/lib.sh

mkimg $IMAGES/wk.img 40
GUEST_ARGS=xbt.stay=1 guest_cfg wk verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/wk.img"
guest_start wk
D=$(guest_domid wk)
wait_console wk 'XBT-GUEST-OK round 2$' 60
blkbackd_served $D $XVDA
pid=$(blkbackd_worker $D $XVDA | head -n 1)
log "kill -KILL worker $pid (d$D/$XVDA)"
kill -KILL "$pid" || fail "cannot kill worker $pid"

i=0
until line=$(blkbackd_log_new | grep "d$D/$XVDA: worker $pid killed by signal 9.*restarted as"); do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "no restart of worker $pid in blkbackd's log after 10 s: $(blkbackd_log_new | grep "d$D/$XVDA" | tail -n 3)"
	sleep 0.2
done
note "${line#*: }"
blkbackd_log_new | grep -q "d$D/$XVDA: resumed" ||
    fail "the successor did not resume the ring from the journal: $(blkbackd_log_new | grep "d$D/$XVDA" | tail -n 4)"
[ "$(xs_read "$(be_path $D $XVDA)/state")" = 4 ] ||
    fail "backend state after the restart is $(xs_read "$(be_path $D $XVDA)/state"), want 4"
e=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDA/error)
[ -z "$e" ] || fail "error node after a restart: '$e'"
new=$(blkbackd_worker $D $XVDA | head -n 1)
[ -n "$new" ] && [ "$new" != "$pid" ] || fail "no new worker for d$D/$XVDA (found '$new')"
blkbackd_alive || fail "blkbackd parent died"

last=$(console_grep wk 'XBT-GUEST-OK round' | tail -n 1 | sed 's/.*round //')
wait_console wk "XBT-GUEST-OK round $((last + 1))\$" 45
wait_console wk "XBT-GUEST-OK round $((last + 2))\$" 45
console_grep wk 'XBT-GUEST-FAIL' && fail "the guest saw an error: $(console_grep wk 'XBT-GUEST-FAIL')"
log "rounds $((last + 1)) and $((last + 2)) passed after the restart"

xl destroy wk > /tmp/wk.destroy.log 2>&1 || fail "xl destroy wk failed: $(cat /tmp/wk.destroy.log)"
grep -q 'unable to remove' /tmp/wk.destroy.log && fail "xl destroy: $(cat /tmp/wk.destroy.log)"
wait_gone wk 20
wait_xs_gone "$(be_path $D $XVDA)" 10
wait_worker_gone $D $XVDA 10
pass
