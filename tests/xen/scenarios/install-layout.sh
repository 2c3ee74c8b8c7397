#!/bin/sh
# The installed layout (issue 8): the tree "make install" writes with its
# default paths (build.sh: PREFIX=/usr/local, SYSCONFDIR=/etc) serves a
# guest the way systemd would run it.  Every file of make install-files is
# in place; the build-tree daemons are stopped and consoled, blkbackd and
# netbackd are started from the installed units by the test's unit runner
# (lib.sh unit_start: ExecStart= with the flags from /etc/default/NAME,
# RuntimeDirectory=, READY=1 on $NOTIFY_SOCKET from the main pid).  A guest
# with a disk and a vif is served by the installed binaries (/proc/PID/exe of
# parents and workers under /usr/local/sbin): pings both ways, dom0's token
# read and the guest's written with O_DIRECT, its console logged and
# attachable, the installed xbctl lists both devices Connected.  "systemctl
# reload" (ExecReload=: "NAME -n", then SIGHUP) re-executes blkbackd and
# netbackd (RELOADING=1 then READY=1, same main pid, each worker replaced by
# one of the installed binary) and reopens consoled's logs, and the guest
# stays served: pings and a second token.  After the guest's shutdown
# "systemctl stop" (KillMode=mixed: SIGTERM to the parent) ends each unit
# with status 0 and nothing left over; then the build-tree daemons run again
# as the scenario found them.
# oracle: no (it runs our installed daemons)
# xenconsoled: no (it runs the installed consoled)
# timeout: 150
. /xbtest/lib.sh

INST_SBIN=/usr/local/sbin
XBCTL_INST=/usr/local/bin/xbctl
UNITS="consoled blkbackd netbackd"

[ "$XBT_BACKEND" = ours ] || fail "needs our daemons (this run: $XBT_BACKEND)"
[ -s /xbtest/installed-files ] || fail "no /xbtest/installed-files: this image has no installed layout (build.sh: did make install fail?)"

# the tree: every file make install writes, the units where SYSTEMDUNITDIR says
missing=
while read -r f; do
	[ -e "$f" ] || missing="$missing $f"
done < /xbtest/installed-files
[ -z "$missing" ] || fail "installed files missing in dom0:$missing"
for u in $UNITS; do
	[ -f "$UNIT_DIR/$u.service" ] || fail "no $UNIT_DIR/$u.service"
	grep -q "^ExecStart=$INST_SBIN/$u " "$UNIT_DIR/$u.service" ||
	    fail "$u.service does not start $INST_SBIN/$u: $(grep '^ExecStart=' "$UNIT_DIR/$u.service")"
done

# Back to the build-tree daemons however the scenario ends: on a failure
# whatever the units left is killed first (what went wrong is in the
# journals, shown here).
build_tree_back() {
	for u in $UNITS; do
		p=$(unit_pid $u)
		pid_running "$p" || continue
		for x in $p $(unit_tree "$p"); do kill -KILL "$x" 2>/dev/null; done
	done
	sleep 0.5
	for u in $UNITS; do
		echo "---- journal of unit $u (last 30 lines)"
		tail -n 30 "$(unit_journal $u)" 2>/dev/null
		echo "---- sd_notify messages of unit $u"
		unit_notes $u
	done
	rm -f /etc/default/consoled /etc/default/blkbackd /etc/default/netbackd
	pid_running "$(consoled_pid)" || consoled_start
	for d in blkbackd netbackd; do
		daemon_alive $d || daemon_start $d
	done
}
trap 'build_tree_back' EXIT

# the admin's flags, as docs/ADMIN.md puts them (EnvironmentFile=)
mkdir -p /etc/default
echo 'CONSOLED_FLAGS="-v"' > /etc/default/consoled
echo 'BLKBACKD_FLAGS="-v"' > /etc/default/blkbackd
echo 'NETBACKD_FLAGS=-v' > /etc/default/netbackd

daemon_stop blkbackd
daemon_stop netbackd
pid_running "$(consoled_pid)" || fail "consoled (build tree) is not running"
consoled_stop
for u in $UNITS; do
	unit_start $u
	p=$(unit_pid $u)
	e=$(readlink "/proc/$p/exe")
	[ "$e" = "$INST_SBIN/$u" ] || fail "unit $u: main pid $p runs '$e', not $INST_SBIN/$u"
	c=$(tr '\0' ' ' < "/proc/$p/cmdline")
	[ "$c" = "$INST_SBIN/$u -d -v " ] || fail "unit $u: command line '$c', want '$INST_SBIN/$u -d -v' (ExecStart= and /etc/default/$u)"
done
[ -S /run/blkbackd/control.sock ] && [ -S /run/netbackd/control.sock ] ||
    fail "no control sockets in the RuntimeDirectory=s: $(ls /run/blkbackd /run/netbackd 2>&1 | tr '\n' ' ')"

# inst_worker TYPE DEVID: the installed daemon's worker for d$D/DEVID, a
# child of the unit's main pid running the installed binary (W set)
inst_worker() {
	dm=$(daemon_of "$1")
	W=$(daemon_worker "$dm" "$D" "$2" | head -n 1)
	[ -n "$W" ] || fail "no $dm worker for d$D/$2"
	e=$(readlink "/proc/$W/exe")
	[ "$e" = "$INST_SBIN/$dm" ] || fail "$dm worker $W for d$D/$2 runs '$e', not $INST_SBIN/$dm"
	pp=$(sed 's/.*) //' "/proc/$W/stat" | cut -d' ' -f2)
	[ "$pp" = "$(unit_pid "$dm")" ] || fail "$dm worker $W has parent $pp, not the unit's main pid $(unit_pid "$dm")"
}
# token ROUND SECTOR: dom0's token at SECTOR read by the guest (O_DIRECT),
# the guest's reply at SECTOR+1 read back from the image
token() {
	tok=$(mktoken)
	put_sector $IMAGES/il.img "$2" "XBT-TOKEN-$tok"
	grun $GIP 20 ". /xbtest/guest/fiolib.sh && token_rw xvda $2" ||
	    fail "$1: token_rw in the guest failed: $GOUT"
	echo "$GOUT" | grep -q "XBT-GUEST-READ xvda XBT-TOKEN-$tok" ||
	    fail "$1: the guest read '$GOUT', not dom0's token $tok"
	got=$(get_sector $IMAGES/il.img $(($2 + 1)))
	[ "$got" = "XBT-WROTE-$tok" ] || fail "$1: the image has '$got' after the guest's write, want XBT-WROTE-$tok"
}
# status_lists: the installed xbctl lists the vbd and the vif Connected
status_lists() {
	$XBCTL_INST status "$D" > /tmp/il.status 2>&1 || fail "$1: $XBCTL_INST status $D: $(cat /tmp/il.status)"
	grep -qE "^  vbd/$XVDA +Connected +Connected" /tmp/il.status &&
	    grep -qE "^  vif/0 +Connected +Connected" /tmp/il.status ||
	    fail "$1: xbctl status does not list vbd/$XVDA and vif/0 Connected: $(cat /tmp/il.status | tr '\n' '|')"
}

mkimg $IMAGES/il.img 16
NET_DISK="format=raw,vdev=xvda,access=rw,target=$IMAGES/il.img" net_guest il 1
blkbackd_served $D $XVDA
vif_check $D 0
cons_served $D 10
inst_worker vbd $XVDA
bw=$W
inst_worker vif 0
nw=$W
ping_ok $GIP $DOM0_IP 3
ping_ok dom0 $GIP 3
token start 0
status_lists start
$XBCTL_INST -j status > /tmp/il.json 2>&1 || fail "$XBCTL_INST -j status: $(cat /tmp/il.json)"
grep -q '"daemon":"consoled"' /tmp/il.json || fail "xbctl -j status has no consoled: $(head -c 300 /tmp/il.json)"

# systemctl reload
for u in $UNITS; do
	p=$(unit_pid $u)
	unit_reload $u
	pid_running "$p" && [ "$(unit_pid $u)" = "$p" ] || fail "unit $u: main pid $p gone after the reload"
	e=$(readlink "/proc/$p/exe")
	[ "$e" = "$INST_SBIN/$u" ] || fail "unit $u: after the reload pid $p runs '$e'"
	case $u in
	blkbackd|netbackd)
		[ "$UNIT_RELOADED" = yes ] ||
		    fail "unit $u: no RELOADING=1 then READY=1 from pid $p after SIGHUP: $(unit_notes $u | tr '\n' '|')" ;;
	esac
done
# the re-executed parent replaces each worker by one from its image
new_worker() {	# new_worker TYPE DEVID OLD: W, the successor of OLD
	i=0
	while :; do
		W=$(daemon_worker "$(daemon_of "$1")" "$D" "$2" | head -n 1)
		[ -n "$W" ] && [ "$W" != "$3" ] && break
		i=$((i + 1))
		[ $i -gt 150 ] && fail "$(daemon_of "$1"): worker $3 for d$D/$2 not replaced 30s after the reload (now '$W')"
		sleep 0.2
	done
	inst_worker "$1" "$2"
}
new_worker vbd $XVDA $bw
bw="$bw->$W"
new_worker vif 0 $nw
nw="$nw->$W"
blkbackd_served $D $XVDA
vif_check $D 0
ping_ok $GIP $DOM0_IP 3
ping_ok dom0 $GIP 3
token reload 4
status_lists reload
cons_served $D 5
note "units started and reloaded: $(for u in $UNITS; do printf '%s pid %s; ' $u "$(unit_pid $u)"; done)workers vbd $bw, vif $nw; $(echo "$PING_OUT" | grep rtt)"

guest_stop il 30
check_clean_close il
wait_dev_worker_gone vbd $D $XVDA 10
vif_gone $D 0 10

# systemctl stop, then the build-tree daemons again
for u in netbackd blkbackd consoled; do
	unit_stop $u
	[ -z "$UNIT_LEFT" ] || fail "unit $u: processes left after its main pid exited (SIGKILLed):$UNIT_LEFT"
done
trap - EXIT
rm -f /etc/default/consoled /etc/default/blkbackd /etc/default/netbackd
consoled_start
daemon_start blkbackd
daemon_start netbackd
pass
