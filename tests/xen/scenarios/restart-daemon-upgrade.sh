#!/bin/sh
# Upgrade of blkbackd, netbackd and consoled under load (docs/ARCHITECTURE.md
# "Upgrade"): a guest runs fio verify rounds on its disk and prints a
# console tick every 0.2 s while dom0 pings it every 0.2 s.
#  1. SIGHUP to blkbackd's and netbackd's parents: each re-executes itself
#     (same pid, "--handover=" in its command line, "adopted 1 device"),
#     and the device's worker is replaced by one started with -R from the
#     new image ("worker N exited 75; restarted as M").
#  2. consoled --reexec: consoled drains every console, re-executes itself
#     (same pid) and serves the guest's console again.
#  3. A new binary: a copy of each daemon (one byte longer) renamed over
#     /usr/sbin/<daemon>, as a package upgrade does; "blkbackd -r",
#     "netbackd -r" (SIGUSR2 through the pid file) and consoled --reexec:
#     the parent and its new worker run the new file (/proc/PID/exe is its
#     inode).
# Then: every fio round verified with no I/O error in the guest, no ping
# lost (2 at most: frames in flight at a restart) and no gap between two
# replies longer than the longest worker restart (reap -> READY, as the
# parent logged it) plus 1.5 s, every tick in the console log once and in
# order, and the parents hold as many fds as before (the exec leaked none).
# oracle: no (it upgrades our daemons)
# xenconsoled: no (it re-executes consoled)
# timeout: 300
. /xbtest/lib.sh

[ "$XBT_BACKEND" = ours ] || fail "this tests our daemons (this run: $XBT_BACKEND)"
need_consoled
mkimg $IMAGES/up.img 64
GIP=$(guest_ip 6)
GUEST_ARGS="xbt.stay=1 xbt.ip=$GIP/24" GUEST_EXTRA="vif = [ '$(vif_spec 6)' ]" \
    guest_cfg up upgrade "format=raw,vdev=xvdb,access=rw,target=$IMAGES/up.img"
guest_start up
D=$(guest_domid up)
wait_console up 'XBT-GUEST-OK up round 1$' 120
dev_served vbd $D $XVDB
vif_check $D 0
cons_served $D 10
BP=$(cat $BLKBACKD_PIDFILE) NP=$(cat $NETBACKD_PIDFILE) CP=$(consoled_pid)
F0="$(proc_fds $BP) $(proc_fds $NP) $(proc_fds $CP)"
$PING -D -i 0.2 -W 1 $GIP > /tmp/up.ping 2>&1 &
PP=$!
sleep 1

# upgrade DAEMON DEVID [r]: SIGHUP its parent (r: "DAEMON -r"); the same
# process re-executes and adopts the device, whose worker is restarted from
# the new image with -R.  NW is the new worker's pid.
upgrade() {
	_d=$1 _dev=$2 _how=${3:-}
	_p=$(cat "$(daemon_pidfile $_d)")
	_w0=$(daemon_worker $_d $D $_dev | head -n 1)
	[ -n "$_w0" ] || fail "no $_d worker for d$D/$_dev before the upgrade"
	_off=$(wc -c < "$(daemon_log $_d)")
	if [ "$_how" = r ]; then
		log "$_d -r ($_p); its worker for d$D/$_dev is $_w0"
		$_d -r > /tmp/up.r 2>&1 || fail "$_d -r: $(cat /tmp/up.r)"
		grep -q "asked pid $_p " /tmp/up.r || fail "$_d -r did not reach pid $_p: $(cat /tmp/up.r)"
	else
		log "kill -HUP $_d ($_p); its worker for d$D/$_dev is $_w0"
		kill -HUP "$_p"
	fi
	_end=$(( $(now) + 30 ))
	while :; do
		_nl=$(tail -c +$((_off + 1)) "$(daemon_log $_d)")
		NW=$(daemon_worker $_d $D $_dev | head -n 1)
		[ -n "$NW" ] && [ "$NW" != "$_w0" ] &&
		    echo "$_nl" | grep -q "d$D/$_dev: worker $_w0 .*restarted as $NW " && break
		[ "$(now)" -ge "$_end" ] &&
		    fail "$_d: worker $_w0 not replaced 30s after SIGHUP: $(echo "$_nl" | tail -n 6 | tr '\n' '|')"
		sleep 0.3
	done
	pid_running "$_p" || fail "$_d ($_p) is gone after SIGHUP"
	echo "$_nl" | grep -q "re-executing .*1 device handed over" ||
	    fail "$_d did not log its re-exec: $(echo "$_nl" | head -n 4 | tr '\n' '|')"
	echo "$_nl" | grep -q "adopted 1 device (1 workers)" ||
	    fail "$_d did not adopt its device: $(echo "$_nl" | head -n 6 | tr '\n' '|')"
	tr '\0' ' ' < /proc/$_p/cmdline | grep -q -- '--handover=' ||
	    fail "$_d ($_p) was not re-executed: $(tr '\0' ' ' < /proc/$_p/cmdline)"
	tr '\0' ' ' < /proc/$NW/cmdline | grep -q -- ' -R' ||
	    fail "the new $_d worker $NW was not started to resume (-R): $(tr '\0' ' ' < /proc/$NW/cmdline)"
	_t=vbd
	[ $_d = netbackd ] && _t=vif
	_st=$(xs_read /local/domain/0/backend/$_t/$D/$_dev/state)
	[ "$_st" = 4 ] || fail "$_t d$D/$_dev is in state '$_st' after the upgrade"
	note "$_d: $(echo "$_nl" | grep -o "worker $_w0 .*restarted as $NW after [0-9.]* s" | head -n 1)"
	# the longest gap a worker restart left (reap -> READY)
	_g=$(echo "$_nl" | sed -n "s/.*restarted as $NW after \([0-9.]*\) s.*/\1/p" | head -n 1)
	MAXGAP=$(awk -v a="${MAXGAP:-0}" -v b="${_g:-0}" 'BEGIN { print (b > a) ? b : a }')
}

# cons_upgrade: consoled --reexec; the same process serves the guest's
# console again (console/tty rewritten, its socket back)
cons_upgrade() {
	_off=$(wc -c < "$CONSOLED_LOG")
	consoled --reexec > /tmp/up.reexec 2>&1 || fail "consoled --reexec: $(cat /tmp/up.reexec)"
	_end=$(( $(now) + 20 ))
	until tail -c +$((_off + 1)) "$CONSOLED_LOG" | grep -q 'serving consoles'; do
		[ "$(now)" -ge "$_end" ] &&
		    fail "consoled did not serve again 20s after --reexec: $(tail -c +$((_off + 1)) "$CONSOLED_LOG" | tail -n 5 | tr '\n' '|')"
		sleep 0.3
	done
	tail -c +$((_off + 1)) "$CONSOLED_LOG" | grep -q 're-executing' ||
	    fail "consoled did not log its re-exec"
	[ "$(consoled_pid)" = "$CP" ] && pid_running "$CP" || fail "consoled ($CP) is gone after --reexec"
	cons_served $D 15
	log "consoled: $(cat /tmp/up.reexec)"
}

# 1, 2: the same files
upgrade blkbackd $XVDB
upgrade netbackd 0
cons_upgrade
r1=$(console_grep up 'XBT-GUEST-OK up round' | wc -l)

# 3: new files over the old paths (the running ones are deleted files now)
for d in blkbackd netbackd consoled; do
	cp /usr/sbin/$d /usr/sbin/.$d.new && printf '\n' >> /usr/sbin/.$d.new &&
	    mv /usr/sbin/.$d.new /usr/sbin/$d || fail "cannot install a new /usr/sbin/$d"
done
upgrade blkbackd $XVDB r
BW=$NW
upgrade netbackd 0 r
NWW=$NW
cons_upgrade
for x in "blkbackd $BP" "blkbackd $BW" "netbackd $NP" "netbackd $NWW" "consoled $CP"; do
	set -- $x
	want=$(stat -c %i /usr/sbin/$1)
	got=$(stat -L -c %i /proc/$2/exe)
	[ "$got" = "$want" ] ||
	    fail "$1 process $2 runs inode $got ($(readlink /proc/$2/exe)), the new /usr/sbin/$1 is inode $want"
done

# the guest went on: two more fio rounds, every one verified
wait_console up "XBT-GUEST-OK up round $((r1 + 2))\$" 90
g=$(console_grep up 'XBT-GUEST-FAIL' | head -n 1)
[ -z "$g" ] || fail "guest: ${g#*XBT-GUEST-FAIL }"
kill -INT $PP
sleep 0.5
st=$(grep 'packets transmitted' /tmp/up.ping)
gap=$(sed -n 's/^\[\([0-9.]*\)\].*bytes from.*/\1/p' /tmp/up.ping |
    awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { printf "%.2f", m }')
log "ping: $st; longest gap between replies $gap s"
awk -v g="$gap" -v m="$MAXGAP" 'BEGIN { exit !(g <= m + 1.5) }' ||
    fail "ping: $gap s without a reply, the longest restart took $MAXGAP s ($st)"
tx=$(echo "$st" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
rx=$(echo "$st" | sed -n 's/.*, \([0-9]*\) received.*/\1/p')
[ $(( ${tx:-0} - ${rx:-0} )) -le 2 ] && [ "${tx:-0}" -ge 20 ] || fail "ping: $st"
bad=$(console up | grep -o 'XBT-TICK [0-9][0-9]* \.' | cut -d' ' -f2 | awk '
    $1 != i { printf "tick %d expected, got tick %s", i, $1; exit }
    { i++ }')
[ -z "$bad" ] || fail "console ticks: $bad"
ticks=$(console up | grep -c 'XBT-TICK ')
F1="$(proc_fds $BP) $(proc_fds $NP) $(proc_fds $CP)"
log "parents' fds (blkbackd netbackd consoled): $F0 before, $F1 after"
[ "$F1" = "$F0" ] || fail "the parents' fds (blkbackd netbackd consoled) were $F0, are $F1 after the upgrades"
note "4 backend upgrades, 2 of consoled: $(console_grep up 'XBT-GUEST-OK up round' | wc -l) fio rounds verified, $ticks ticks in order, ping $st, longest gap $gap s (longest restart $MAXGAP s)"
timeout 30 xl destroy up || fail "xl destroy up failed"
pass
