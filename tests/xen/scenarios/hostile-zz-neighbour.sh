#!/bin/sh
# Judges the hostile suite's neighbour (hostile-00-neighbour) after every
# attack, once the standing attacker hatk is destroyed and freed by Xen (a
# grant mapping of its pages left anywhere keeps it dying): nb still runs;
# its fio verify rounds all verified (at least one more ran during the
# suite); dom0's ping got every answer; the backend processes of the
# baseline all still run with no more fds and no more grant mappings than
# before the suite (nb's workers: within their persistent grant table's
# bound more); no worker of any other guest is left; then nb shuts down
# cleanly, its workers exit (LeakSanitizer runs at their exit: a leak
# fails this scenario through the sanitizer check) and Xen frees the
# domain.  Last, blkbackd, netbackd and consoled are stopped with SIGTERM
# and started again: each parent has served every attack, and
# LeakSanitizer at its exit reports any memory it lost doing so.
# oracle: no (it judges the suite of our daemons)
# timeout: 180
. /xbtest/lib.sh

[ -s $NB_STATE/base ] || fail "no baseline: hostile-00-neighbour did not run (or failed) in this boot"
grep -qx $NB $HOSTILE_KEEP 2>/dev/null || fail "nb is not kept: hostile-00-neighbour did not finish"
D=$(guest_domid $NB)
[ -n "$D" ] || fail "the neighbour guest is gone"
# the suite's standing attacker goes first: Xen must free it
hostile_attacker_end
r0=$(console_grep $NB 'XBT-GUEST-OK nb round' | wc -l)
g=$(console_grep $NB 'XBT-GUEST-FAIL|XBT-GUEST-FIOFAIL|XBT-GUEST-FIOMSG' | head -n 1)
[ -z "$g" ] || fail "the neighbour's fio: ${g#*XBT-GUEST-}"
# at least one round wholly inside the suite: wait for the next if need be
wait_console $NB "XBT-GUEST-OK nb round $((r0 + 1))\$" 240
rounds=$(console_grep $NB 'XBT-GUEST-OK nb round' | wc -l)

# ping: every request answered
kill -INT "$(cat $NB_STATE/ping.pid)" 2>/dev/null
sleep 1
st=$(grep 'packets transmitted' $NB_STATE/ping.log)
[ -n "$st" ] || fail "no ping statistics in $NB_STATE/ping.log: $(tail -n 2 $NB_STATE/ping.log | tr '\n' ' ')"
tx=$(echo "$st" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
# iputils: "N received"; busybox: "N packets received"
rx=$(echo "$st" | sed -n 's/.*, \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p')
log "ping: $st"
[ "${tx:-0}" -ge 10 ] || fail "ping sent only '$tx' requests: $st"
[ "$tx" = "$rx" ] || fail "the neighbour missed pings during the suite: $st"

# no process of the baseline lost, none grew in fds or grant mappings
while read -r p fds gm cmd; do
	pid_running "$p" || fail "backend process $p ($cmd) of the baseline is gone"
	f=$(proc_fds $p)
	m=$(proc_gntmaps $p)
	log "pid $p ($cmd): fds $fds -> $f, grant mappings $gm -> $m"
	[ "$f" -le "$fds" ] || fail "process $p ($cmd) has $f fds, $fds before the suite"
	# a worker's persistent grants come and go within their table's bound
	# (blkbackd -p, 1056 a ring); the parents map none
	lim=$gm
	case $cmd in *": d"*) lim=$((gm + 1100)) ;; esac
	[ "$m" -le "$lim" ] || fail "process $p ($cmd) has $m grant mappings, $gm before the suite"
done < $NB_STATE/base
for p in $(backend_pids blkbackd; backend_pids netbackd); do
	grep -q "^$p " $NB_STATE/base ||
	    fail "backend process $p ($(tr '\0' ' ' < /proc/$p/cmdline)) was not there before the suite and outlived its guest"
done

# nb goes, cleanly; its workers exit (LeakSanitizer) and Xen frees it
sed -i "/^$NB\$/d" $HOSTILE_KEEP
guest_stop $NB 60
wait_dev_worker_gone vbd $D $XVDB 15
wait_dev_worker_gone vif $D 0 15
hostile_domain_freed $D 30

# the parents: nothing lost over the whole suite (LeakSanitizer at exit)
for d in blkbackd netbackd; do
	daemon_stop $d
	daemon_start $d
done
if [ "$XBT_CONSOLE" = ours ]; then
	_off=$(wc -c < "$CONSOLED_LOG")
	consoled_stop TERM
	_san=$(tail -c +$((_off + 1)) "$CONSOLED_LOG" |
	    grep -m 1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer')
	[ -z "$_san" ] || fail "consoled at its exit: $_san"
	consoled_start
fi
note "neighbour: $rounds fio verify rounds, all verified; ping $tx sent, $rx answered; no backend process grew in fds or grant mappings; the parents exited with no leak and serve again"
pass
