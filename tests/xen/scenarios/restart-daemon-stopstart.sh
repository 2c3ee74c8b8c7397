#!/bin/sh
# Stop and start of blkbackd under load (docs/ARCHITECTURE.md "Stop and
# start"; what systemctl restart does): a 2-vCPU guest (2 queues,
# persistent grants) runs fio verify on xvdb while blkbackd is stopped with
# SIGTERM (lib.sh daemon_stop: it must exit 0 within 10 s, no sanitizer
# report) and started again twice (SS_CYCLES; restart-daemon-stopstart-10
# in make restart: 10 times).  A cycle is ~5 s under TCG; fio runs 2N+2
# loops of ~3.7 s, enough to outlast them.  Each stop: the worker logs
# "quiesced for a stop" (its xb-quiesced record); each start: a new worker
# logs "re-attached after a clean stop" and the record is gone.  Zero fio
# errors or verify failures, no error node, and the backend and frontend
# states read 4 (Connected) at every 0.1 s sample from first to last.
# oracle: no (it stops our daemon)
# timeout: 400
. /xbtest/lib.sh

[ "$XBT_BACKEND" = ours ] || fail "this tests our daemons (this run: $XBT_BACKEND)"
N=${SS_CYCLES:-2}
GUEST_VCPUS=2 GUEST_ARGS="xbt.fioloops=$((2 * N + 2))" fio_guest ss
# the states, sampled every 0.1 s until told to stop
rm -f /tmp/ss.states /tmp/ss.stop
( while [ ! -e /tmp/ss.stop ]; do
	echo "$(xs_read "$BE/state") $(xs_read "$FE/state")" >> /tmp/ss.states
	sleep 0.1
  done ) &
SP=$!
k=0
while [ $k -lt $N ]; do
	console_grep ss 'XBT-GUEST-OK fio$|XBT-GUEST-FAIL|XBT-GUEST-FIOFAIL' > /dev/null &&
	    fail "fio ended after $k of $N stops (raise its loops): $(console_grep ss 'XBT-GUEST-(FAIL|FIOFAIL|FIOMSG)' | head -n 3)"
	sleep "$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%.2f", 0.5 + ($1 % 1501) / 1000 }')"
	w0=$(blkbackd_worker $D $XVDB | head -n 1)
	daemon_stop blkbackd
	[ -z "$(blkbackd_worker $D $XVDB)" ] || fail "a worker for d$D/$XVDB outlived its daemon: $(blkbackd_procs)"
	rec=$(xs_read "$BE/xb-quiesced")
	[ -n "$rec" ] || fail "stop $((k + 1)): no xb-quiesced record; log: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 3)"
	log "stop $((k + 1)): worker $w0 left xb-quiesced = '$rec'"
	sleep 0.5
	n0=$(blkbackd_log_new | grep -c "d$D/$XVDB: re-attached after a clean stop")
	daemon_start blkbackd
	i=0
	until [ "$(blkbackd_log_new | grep -c "d$D/$XVDB: re-attached after a clean stop")" -gt "$n0" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "start $((k + 1)): no 're-attached' line in 10 s: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 4)"
		sleep 0.1
	done
	[ -z "$(xs_read "$BE/xb-quiesced")" ] || fail "start $((k + 1)): the record is still there"
	log "start $((k + 1)): $(blkbackd_log_new | grep "d$D/$XVDB: re-attached after" | tail -n 1)"
	k=$((k + 1))
done
log "$k stops and starts done; waiting for fio"
touch /tmp/ss.stop
wait $SP
bad=$(grep -v '^4 4$' /tmp/ss.states | sort | uniq -c | head -n 3)
[ -z "$bad" ] || fail "states (backend frontend) other than '4 4' sampled: $bad"
fio_wait ss 600
fio_note ss xvdb
console_grep ss 'XBT-GUEST-FIOMSG' && fail "fio said: $(console_grep ss 'XBT-GUEST-FIOMSG' | head -n 3)"
re=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDB/error)
[ -z "$re" ] || fail "error node: $re"
q=$(blkbackd_log_new | grep -c "d$D/$XVDB: quiesced for a stop")
[ "$q" -eq $N ] || fail "$q 'quiesced for a stop' lines, want $N"
# the last cycle, as blkbackd logged it (wall-clock stamps: the gap)
note "last stop: $(blkbackd_log_new | grep -E "d$D/$XVDB: quiesced for a stop|signal 15: stopping" | tail -n 2 | cut -c1-160 | tr '\n' '|')"
note "last start: $(blkbackd_log_new | grep -E "d$D/$XVDB: (started worker|re-attached after)" | tail -n 2 | tr '\n' '|')"
note "$N stops and starts under fio verify: $(wc -l < /tmp/ss.states) state samples all Connected; last: $(blkbackd_log_new | grep "d$D/$XVDB: re-attached after" | tail -n 1 | sed "s/.*re-attached/re-attached/")"
wait_gone ss 60
check_clean_close ss
pass
