#!/bin/sh
# A worker killed under a running guest: the parent reaps it and says why
# (log and xenstore error node name the signal), the device is Closed so
# the guest and the toolstack see it, the parent keeps running, xl destroy
# of that guest is clean and the next guest is served.
# timeout: 150
. /xbtest/lib.sh

mkimg $IMAGES/wk.img 16
GUEST_ARGS=xbt.stay=1 guest_cfg wk info "format=raw,vdev=xvda,access=rw,target=$IMAGES/wk.img"
guest_start wk
D=$(guest_domid wk)
wait_console wk 'XBT-GUEST-OK info' 60
blkbackd_served $D $XVDA
pid=$(blkbackd_worker $D $XVDA | head -n 1)
log "kill -KILL worker $pid (d$D/$XVDA)"
kill -KILL "$pid" || fail "cannot kill worker $pid"

wait_xs "$(be_path $D $XVDA)/state" 6 10
e=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDA/error)
echo "$e" | grep -q "killed by signal 9" ||
    fail "error node after the kill is '$e', want it to say 'killed by signal 9'"
blkbackd_log_new | grep -q "d$D/$XVDA: worker $pid killed by signal 9" ||
    fail "blkbackd's log does not report worker $pid of d$D/$XVDA killed by signal 9"
blkbackd_alive || fail "blkbackd parent died with its worker"
note "xenstore error: $e"

xl destroy wk > /tmp/wk.destroy.log 2>&1 || fail "xl destroy wk failed: $(cat /tmp/wk.destroy.log)"
grep -q 'unable to remove' /tmp/wk.destroy.log && fail "xl destroy: $(cat /tmp/wk.destroy.log)"
wait_gone wk 20
wait_xs_gone "$(be_path $D $XVDA)" 10

mkimg $IMAGES/wk2.img 16
tok=$(mktoken)
put_sector $IMAGES/wk2.img 0 "XBT-TOKEN-$tok"
guest_cfg wk2 rw "format=raw,vdev=xvda,access=rw,target=$IMAGES/wk2.img"
guest_start wk2
wait_console wk2 'XBT-GUEST-OK rw xvda' 60
got=$(console_grep wk2 'XBT-GUEST-READ xvda' | head -n 1)
[ "${got#*XBT-GUEST-READ xvda }" = "XBT-TOKEN-$tok" ] ||
    fail "next guest read '${got#*XBT-GUEST-READ xvda }', want XBT-TOKEN-$tok"
wait_gone wk2 30
pass
