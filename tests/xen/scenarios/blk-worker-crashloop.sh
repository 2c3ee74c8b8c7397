#!/bin/sh
# A worker that keeps crashing by itself (SIGABRT three times within 60 s,
# the restart budget) is not restarted a fourth time: the device is failed
# as before restarts existed.  The parent says why in its log and in the
# xenstore error node, the device goes Closed (the guest's I/O stops), the
# parent and a second guest's disk go on.
# timeout: 180
. /xbtest/lib.sh

mkimg $IMAGES/cl.img 40
mkimg $IMAGES/cl2.img 40
GUEST_ARGS=xbt.stay=1 guest_cfg cl verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/cl.img"
GUEST_ARGS=xbt.stay=1 guest_cfg cl2 verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/cl2.img"
guest_start cl
guest_start cl2
D=$(guest_domid cl)
D2=$(guest_domid cl2)
wait_console cl 'XBT-GUEST-OK round 1$' 60
wait_console cl2 'XBT-GUEST-OK round 1$' 60
blkbackd_served $D $XVDA
other=$(blkbackd_worker $D2 $XVDA | head -n 1)

n=0
while [ $n -lt 3 ]; do
	n=$((n + 1))
	i=0
	# the successor must have resumed (READY) before the next crash counts
	until pid=$(blkbackd_worker $D $XVDA | head -n 1) && [ -n "$pid" ] &&
	    [ "$(blkbackd_log_new | grep -c "d$D/$XVDA: worker .*restarted as")" -ge $((n - 1)) ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && fail "crash $n: no running worker for d$D/$XVDA"
		sleep 0.2
	done
	log "crash $n: kill -ABRT worker $pid"
	kill -ABRT "$pid" || fail "cannot signal worker $pid"
	sleep 1
done

wait_xs "$(be_path $D $XVDA)/state" 6 10
e=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDA/error)
echo "$e" | grep -q "killed by signal 6.*3 deaths within 60 s" ||
    fail "error node after the third crash is '$e', want 'killed by signal 6 ... 3 deaths within 60 s'"
blkbackd_log_new | grep -q "d$D/$XVDA: worker $pid killed by signal 6" ||
    fail "blkbackd's log does not report worker $pid of d$D/$XVDA killed by signal 6"
[ "$(blkbackd_log_new | grep -c "d$D/$XVDA: worker .*restarted as")" = 2 ] ||
    fail "want exactly 2 restarts before the device failed: $(blkbackd_log_new | grep "d$D/$XVDA: worker" )"
sleep 2
[ -z "$(blkbackd_worker $D $XVDA)" ] || fail "a worker runs for the failed device d$D/$XVDA"
blkbackd_alive || fail "blkbackd parent died with its worker"
note "xenstore error: $e"
# No backend now: Linux blkfront keeps a device in use open and its I/O
# waits (blkfront_closing: "Device in use; refusing to close"); say what
# the guest shows, as before restarts existed.
sleep 2
note "guest after the failure: $(console_grep cl 'XBT-GUEST-(OK round|FAIL)' | tail -n 1)"
# Nothing else was touched.
[ "$(blkbackd_worker $D2 $XVDA | head -n 1)" = "$other" ] || fail "cl2's worker changed"
last=$(console_grep cl2 'XBT-GUEST-OK round' | tail -n 1 | sed 's/.*round //')
wait_console cl2 "XBT-GUEST-OK round $((last + 1))\$" 45

xl destroy cl > /tmp/cl.destroy.log 2>&1 || fail "xl destroy cl failed: $(cat /tmp/cl.destroy.log)"
xl destroy cl2 > /tmp/cl2.destroy.log 2>&1 || fail "xl destroy cl2 failed: $(cat /tmp/cl2.destroy.log)"
wait_gone cl 20
wait_gone cl2 20
wait_xs_gone "$(be_path $D $XVDA)" 10
pass
