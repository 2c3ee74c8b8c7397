#!/bin/sh
# Crash-only restart of an NBD-backed vbd (docs/ARCHITECTURE.md "Restart
# protocol", NBD): a qcow2 image on qemu-nbd, the guest reads 16 MiB it
# wrote first and compares it in a loop while its worker is SIGKILLed 6
# times: no read fails or differs, every kill is followed by a restart
# line (the parent opens the export again).  Then one kill under a write
# load: the writes in flight cannot be fenced, so the successor fails the
# device with the reason in the log and the error node ("NBD: N writes
# were in flight when worker P died; NBD cannot fence them"); if no write
# happened to be in flight it is restarted.  Either is accepted; the log
# must say which.  When restarted, qemu-nbd is then stopped under the
# Connected device: the worker logs "NBD connection lost" and is not killed
# by its seccomp filter.
# oracle: no (kernel xen-blkback cannot serve an NBD URI)
# timeout: 300
. /xbtest/lib.sh

SOCK=/run/xbt-nbdr.sock
[ -x /etc/xen/scripts/block-xb-nbd ] || fail "no hotplug script /etc/xen/scripts/block-xb-nbd"
q=$IMAGES/nbdr.qcow2
qemu-img create -q -f qcow2 $q 64M || fail "qemu-img create failed"
rm -f $SOCK
nbd_serve $SOCK $q

GUEST_ARGS="xbt.readsecs=25 xbt.stay=1" guest_cfg nr nbdrestart \
    "vdev=xvdb,format=raw,script=block-xb-nbd,target=nbd+unix:///?socket=$SOCK"
guest_start nr
D=$(guest_domid nr)
BE=$(be_path $D $XVDB)
EN=/local/domain/0/error/backend/vbd/$D/$XVDB/error
wait_console nr 'XBT-GUEST-SYSFS xvdb ' 60
blkbackd_served $D $XVDB
wait_console nr 'XBT-GUEST-OK written' 60
wait_console nr 'XBT-GUEST-ROUND 1$' 60

# the worker of d$D/$XVDB, from the parent's children
nbdr_worker() {
	_par=$(cat "$BLKBACKD_PIDFILE") _w=
	for _c in $(cat /proc/$_par/task/$_par/children 2>/dev/null); do
		case $(tr '\0' ' ' < /proc/$_c/cmdline 2>/dev/null) in
		*"d$D/$XVDB "*) _w=$_c ;;
		esac
	done
	echo "$_w"
}
k=0 tries=0
while [ $k -lt 6 ]; do
	tries=$((tries + 1))
	[ $tries -lt 200 ] || fail "only $k kills in 200 tries"
	console_grep nr 'XBT-GUEST-FAIL|XBT-GUEST-OK reads' > /dev/null &&
	    fail "the read loop ended after $k kills: $(console_grep nr 'XBT-GUEST-(FAIL|OK reads)' | head -n 2)"
	sleep "$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%.2f", 0.3 + ($1 % 1001) / 1000 }')"
	w=$(nbdr_worker)
	[ -n "$w" ] || continue
	kill -KILL "$w" 2> /dev/null || continue
	k=$((k + 1))
	# the next kill hits a READY successor: one restart line per kill
	i=0
	until [ "$(blkbackd_log_new | grep -c "d$D/$XVDB: worker .* restarted as .* after ")" -ge $k ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "no restart line 10 s after kill $k (worker $w): $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 3)"
		sleep 0.1
	done
done
log "$k kills done during the reads"
wait_console nr 'XBT-GUEST-OK reads|XBT-GUEST-FAIL' 120
console_grep nr 'XBT-GUEST-FAIL' && fail "guest: $(console_grep nr 'XBT-GUEST-FAIL' | head -n 1)"
[ "$(xs_read "$BE/state")" = 4 ] || fail "backend state $(xs_read "$BE/state") after the read kills, want 4"
re=$(xs_read $EN)
[ -z "$re" ] || fail "error node after the read kills: $re"
nr_=$(blkbackd_log_new | grep -c "d$D/$XVDB: worker .* restarted as .* after ")
[ "$nr_" -ge 6 ] || fail "$nr_ restart lines for 6 kills: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 5)"
console_grep nr 'XBT-GUEST-WRITEERR' && fail "write error before the write kill"
rounds=$(console_grep nr 'XBT-GUEST-ROUND' | tail -n 1 | sed 's/.*ROUND //')
blkbackd_log_new | grep "d$D/$XVDB: resumed" > /tmp/nbdr.resumed
rr=$(sed -n 's/.* \([0-9]*\) requests\{0,1\} done again.*/\1/p' /tmp/nbdr.resumed | awk '{ s += $1 } END { print s + 0 }')
note "reads: $k kills, $nr_ restarts, $rounds rounds of 16 MiB verified, $(wc -l < /tmp/nbdr.resumed) resumes redid $rr requests"

# one kill under the write load
wait_console nr 'XBT-GUEST-OK writing' 60
sleep 2
w=$(nbdr_worker)
[ -n "$w" ] || fail "no worker for d$D/$XVDB under the write load"
kill -KILL "$w"
log "killed worker $w under the write load"
i=0 verdict=
while [ $i -lt 60 ] && [ -z "$verdict" ]; do
	sleep 0.5
	i=$((i + 1))
	if blkbackd_log_new | grep -q "d$D/$XVDB: NBD: [0-9]* writes\{0,1\} w[a-z]* in flight when worker $w died; NBD cannot fence them"; then
		verdict=failed
	elif blkbackd_log_new | grep -q "d$D/$XVDB: worker $w .* restarted as "; then
		# the successor says READY before its first connect has run
		# the resume, and its lines reach the log after the parent's:
		# a failure comes within a moment
		sleep 2
		verdict=restarted
		blkbackd_log_new | grep -q "d$D/$XVDB: NBD: [0-9]* writes\{0,1\} w[a-z]* in flight when worker $w died; NBD cannot fence them" &&
		    verdict=failed
	fi
done
case $verdict in
failed)
	line=$(blkbackd_log_new | grep "d$D/$XVDB: NBD: .* when worker $w died" | head -n 1)
	i=0
	until xs_read $EN | grep -q "NBD cannot fence them" || [ $i -ge 20 ]; do sleep 0.5; i=$((i + 1)); done
	re=$(xs_read $EN)
	echo "$re" | grep -q "when worker $w died; NBD cannot fence them" || fail "error node '$re' does not give the reason"
	st=$(xs_read "$BE/state")
	case $st in 5|6) ;; *) fail "backend state $st after the failure, want Closing or Closed" ;; esac
	note "write kill: device failed cleanly (state $st): ${line#*: }; error node: $re"
	;;
restarted)
	blkbackd_log_new | grep -q "d$D/$XVDB: NBD: .* cannot fence" && fail "restarted and failed at once"
	sleep 3
	console_grep nr 'XBT-GUEST-WRITEERR' && fail "restarted, but the guest saw write errors: $(console_grep nr 'XBT-GUEST-WRITEERR' | head -n 1)"
	[ -z "$(xs_read $EN)" ] || fail "restarted, but error node: $(xs_read $EN)"
	# the server goes while the device is Connected: the worker notices
	# and fails I/O; its filter allows the shutdown(2) it does then
	nbd_stop
	i=0
	until blkbackd_log_new | grep -q "d$D/$XVDB: NBD connection lost" || [ $i -ge 40 ]; do
		sleep 0.25
		i=$((i + 1))
	done
	blkbackd_log_new | grep -q "d$D/$XVDB: NBD connection lost" ||
	    fail "no 'NBD connection lost' line 10 s after qemu-nbd went"
	blkbackd_log_new | grep "d$D/$XVDB: .*seccomp filter" &&
	    fail "the worker was killed by its filter after the server went"
	note "server gone: $(blkbackd_log_new | grep -m 1 "d$D/$XVDB: NBD connection lost" | sed 's/.*: NBD/NBD/')"
	note "write kill: no write was in flight; restarted ($(blkbackd_log_new | grep "d$D/$XVDB: worker $w " | tail -n 1 | sed 's/.*: worker/worker/'))"
	;;
*)
	s=$(nbdr_worker)
	[ -n "$s" ] && log "successor $s: wchan $(cat /proc/$s/wchan 2>/dev/null), state $(grep State /proc/$s/status 2>/dev/null)"
	log "its device's log: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 15)"
	fail "neither a restart nor the NBD failure line 30 s after killing $w: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 4)"
	;;
esac
xl destroy nr
wait_gone nr 30
nbd_stop
pass
