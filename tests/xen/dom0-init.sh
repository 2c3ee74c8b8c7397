#!/bin/sh
# dom0 /init (busybox): brings up the Xen userland (xenstored,
# xen-init-dom0, consoled or xenconsoled, a bridge), starts our backends
# (blkbackd, netbackd), runs the scenarios named on the kernel command line
# and powers the machine off.
#
# Serial output contract (read by run.sh):
#   XBT-DOM0 ...                   progress
#   PASS <name> | FAIL <name>: <reason>   one verdict per scenario
#   SKIP <name>: <reason>          oracle run of a scenario marked
#                                  "# oracle: no (reason)": the kernel backend
#                                  cannot do what it tests; or a xenconsoled
#                                  run of one marked "# xenconsoled: no (reason)"
#   NOTE <name>: ...               facts a scenario wants shown
#   XBT-LOG-BEGIN <name> ... XBT-LOG-END <name>   logs (failures; all in demo
#                                  mode), every line prefixed with "| "
# Kernel arguments: xbt.scenarios=a+b+c, xbt.mode=check|demo,
# xbt.backend=ours|kernel|none (ours, the default, alias blkbackd: start
# every daemon of ours in /usr/sbin -- blkbackd for vbd, netbackd for vif --
# with no kernel backend loaded; kernel: load xen-blkback and xen-netback
# instead -- an oracle run to check the scenarios themselves; none: no
# backend, the scenario starts what it needs, e.g. bench-blk),
# xbt.console=ours|xenconsoled (ours, the default: consoled serves the
# guests' consoles, started as "consoled -d -v" like the backends, or
# xenconsoled when the image has no consoled; xenconsoled: Xen's daemon,
# the console scenarios' anchor).  Either logs each guest's console to
# /var/log/xen/console/guest-NAME.log.  xbt.guestargs=a+b: kernel
# arguments for every guest ('+' for a space).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /proc/xen /run/xbt /var/log/xbt
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# devtmpfs has no /dev/fd or /dev/std*; the hotplug scripts' locking.sh
# spins forever on `stat -L /dev/stdin` without them.
ln -sf /proc/self/fd /dev/fd
ln -sf fd/0 /dev/stdin
ln -sf fd/1 /dev/stdout
ln -sf fd/2 /dev/stderr

up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "XBT-DOM0 [$(up)] $*"; }
SCENARIOS='' MODE=check XBT_BACKEND=ours XBT_CONSOLE=ours
for a in $(cat /proc/cmdline); do
	case $a in
	xbt.scenarios=*) SCENARIOS=$(echo "${a#*=}" | tr '+' ' ') ;;
	xbt.mode=*) MODE=${a#*=} ;;
	xbt.backend=*) XBT_BACKEND=${a#*=} ;;
	xbt.console=*) XBT_CONSOLE=${a#*=} ;;
	xbt.guestargs=*) XBT_GUEST_ARGS=$(echo "${a#*=}" | tr '+' ' ') ;;
	esac
done
export XBT_GUEST_ARGS=${XBT_GUEST_ARGS:-}
[ "$XBT_BACKEND" = blkbackd ] && XBT_BACKEND=ours	# the old name
export XBT_BACKEND
if [ -n "$SCENARIOS" ]; then
	# patterns (run.sh 'hostile-*') name every scenario they match
	_l=
	for p in $SCENARIOS; do
		_n=
		for f in /xbtest/scenarios/$p.sh; do
			[ -f "$f" ] && _n="$_n $(basename "$f" .sh)"
		done
		_l="$_l ${_n:-$p}"
	done
	SCENARIOS=$_l
else
	if [ "$MODE" = demo ]; then
		SCENARIOS=demo
	else
		for f in /xbtest/scenarios/*.sh; do
			grep -q '^# default: no' "$f" || SCENARIOS="$SCENARIOS $(basename "$f" .sh)"
		done
	fi
fi
say "up: kernel $(uname -r), mode $MODE, backend $XBT_BACKEND, console $XBT_CONSOLE, scenarios:$(printf ' %s' $SCENARIOS)"

# our daemons: each one's log is /var/log/NAME.log, its pid in
# /run/xbt/NAME.pid (lib.sh reads both)
BACKENDS="blkbackd netbackd"
DAEMONS="$BACKENDS consoled"
dlog() { echo "/var/log/$1.log"; }
dpid() { echo "/run/xbt/$1.pid"; }
SETUP_ERR=
# the daemon runs in this boot: a backend when xbt.backend=ours (and it is
# in the image), consoled when xbt.console=ours
in_use() {	# NAME
	case $1 in
	consoled) [ "$XBT_CONSOLE" = ours ] ;;
	*) [ "$XBT_BACKEND" = ours ] && [ -x "/usr/sbin/$1" ] ;;
	esac
}
start_daemon() {	# NAME: "NAME -d -v" in the background, logging to its log
	[ -x "/usr/sbin/$1" ] || return 0
	echo "==== $1 started at $(up)" >> "$(dlog "$1")"
	# -T: the backends' workers answer the sandbox-* test signals
	case $1 in consoled) set -- "$1" ;; *) set -- "$1" -T ;; esac
	"$@" -d -v >> "$(dlog "$1")" 2>&1 &
	echo $! > "$(dpid "$1")"
	sleep 1
	if kill -0 "$(cat "$(dpid "$1")")" 2>/dev/null; then
		say "$1 running, pid $(cat "$(dpid "$1")")"
	else
		say "$1 exited at startup; its log:"
		tail -n 20 "$(dlog "$1")" | sed 's/^/| /'
	fi
}

# ---- Xen userland ------------------------------------------------------------
for m in $(cat /lib/modules/load.list); do
	insmod "/lib/modules/$m" || say "WARNING: insmod $m failed"
done
mount -t xenfs xenfs /proc/xen || SETUP_ERR="mount xenfs failed"

mkdir -p /var/run/xen /var/run/xenstored /var/lib/xen /var/log/xen/console /var/lock
xenstored --pid-file /var/run/xenstored.pid || SETUP_ERR=${SETUP_ERR:-"xenstored failed"}
i=0
until xenstore-read -s / >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { SETUP_ERR=${SETUP_ERR:-"xenstored not answering"}; break; }
	sleep 0.1
done
xen-init-dom0 >/var/log/xen-init-dom0.log 2>&1 || SETUP_ERR=${SETUP_ERR:-"xen-init-dom0 failed"}
# consoled or xenconsoled logs each guest's console to guest-NAME.log: the
# scenarios' only view of their guests
for d in $DAEMONS; do touch "$(dlog $d)"; done
if [ "$XBT_CONSOLE" = ours ] && [ ! -x /usr/sbin/consoled ]; then
	say "WARNING: no /usr/sbin/consoled in this image: xenconsoled serves the consoles"
	XBT_CONSOLE=xenconsoled
fi
export XBT_CONSOLE
case $XBT_CONSOLE in
ours)
	start_daemon consoled
	kill -0 "$(cat "$(dpid consoled)")" 2>/dev/null || SETUP_ERR=${SETUP_ERR:-"consoled failed"} ;;
xenconsoled)
	xenconsoled --pid-file=/var/run/xen/xenconsoled.pid --log=guest \
	    --log-dir=/var/log/xen/console || SETUP_ERR=${SETUP_ERR:-"xenconsoled failed"} ;;
*)
	SETUP_ERR="unknown console daemon '$XBT_CONSOLE' (xbt.console=ours|xenconsoled)" ;;
esac
brctl addbr xenbr0 && ip addr add 10.0.0.1/24 dev xenbr0 && ip link set xenbr0 up ||
    say "WARNING: bridge xenbr0 setup failed"
mkdir -p /var/lib/xen/images
mount -t tmpfs -o size=640m tmpfs /var/lib/xen/images
say "xen userland up: $(xl info 2>/dev/null | awk '/^xen_version|^free_memory/ { printf "%s=%s ", $1, $3 }')"

# ---- backends ------------------------------------------------------------------
case $XBT_BACKEND in
kernel)
	insmod /lib/modules/xen-blkback.ko && say "oracle run: kernel xen-blkback serves vbd devices"
	# dom0 has 1 vCPU, so netback's default max_queues (one per dom0 CPU)
	# would offer a single queue; 4 is netbackd's default
	insmod /lib/modules/xen-netback.ko max_queues=4 &&
	    say "oracle run: kernel xen-netback serves vif devices (max_queues=4)" ;;
none)
	say "backend none: the scenarios start the backends they need" ;;
ours)
	for d in $BACKENDS; do
		if [ -x /usr/sbin/$d ]; then
			start_daemon $d
		else
			say "no /usr/sbin/$d in this image: nothing serves its devices"
		fi
	done ;;
*)
	SETUP_ERR="unknown backend '$XBT_BACKEND' (xbt.backend=ours|kernel|none)" ;;
esac

# ---- scenarios --------------------------------------------------------------------
section() { echo "---- $1"; }
head_tail() {	# head_tail H T: first H and last T lines of stdin
	awk -v h="$1" -v t="$2" '
	    NR <= h { print; next }
	    { buf[NR % t] = $0 }
	    END {
		if (NR > h + t) printf "[... %d lines left out ...]\n", NR - h - t
		for (i = (NR > h + t ? NR - t + 1 : h + 1); i <= NR; i++) print buf[i % t]
	    }'
}
# the logs of one scenario: everything for a failure, only the scenario's
# own output for a pass in demo mode
dump_logs() {	# NAME LOG full|short
	echo "XBT-LOG-BEGIN $1"
	if [ "$3" = short ]; then
		sed 's/^/| /' "$2"
		echo "XBT-LOG-END $1"
		return
	fi
	{
		section "scenario log"
		cat "$2"
		for d in $DAEMONS; do
			[ -s "$(dlog $d)" ] || continue
			section "$d.log (lines added during the scenario)"
			tail -c +$(($(cat /run/xbt/$d.off) + 1)) "$(dlog $d)" | head_tail 60 40
		done
		for c in $(find /var/log/xen/console -type f -newer /run/xbt/stamp 2>/dev/null); do
			section "guest console $c"
			tr -d '\r' < "$c" | head_tail 30 70
		done
		section "xen-hotplug.log (lines added during the scenario)"
		tail -c +$((HP_OFF + 1)) /var/log/xen/xen-hotplug.log 2>/dev/null | tail -n 40
		section "xl list"
		xl list 2>&1
		section "xl dmesg (messages during the scenario, last 40)"
		xl dmesg 2>&1 | tail -n 40
		section "dom0 dmesg (messages during the scenario, last 40)"
		dmesg | tail -n 40
		section "xenstore-ls -f /local/domain/0/backend"
		xenstore-ls -f /local/domain/0/backend 2>&1 | head -n 150
	} 2>&1 | sed 's/^/| /'
	echo "XBT-LOG-END $1"
}

# Leftover guests of a failed scenario must not disturb the next one.
# Guests named in /run/xbt/keep (the hostile suite's neighbour) stay up
# until the scenario that judges them removes them from it.
cleanup_guests() {
	for d in $(xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" { print $1 }'); do
		grep -qx "$d" /run/xbt/keep 2>/dev/null && continue
		say "destroying leftover guest $d"
		timeout 30 xl destroy "$d" >/dev/null 2>&1
	done
	# console backends written by hand (cons-secondary) outlive their guest
	for d in $(xenstore-list /local/domain/0/backend/console 2>/dev/null); do
		xl list "$d" >/dev/null 2>&1 || xenstore-rm "/local/domain/0/backend/console/$d"
	done
	# loop devices a scenario put on its images (FIO_LOOP, close-inflight)
	for l in $(losetup -a 2>/dev/null | grep /var/lib/xen/images/ | cut -d: -f1); do
		losetup -d "$l" 2>/dev/null
	done
	rm -f /var/lib/xen/images/*
	# net-mtu may have raised it by hand (an auto-adjusted one follows its ports)
	[ "$(cat /sys/class/net/xenbr0/mtu 2>/dev/null)" = 9000 ] && [ -z "$(ls /sys/class/net/xenbr0/brif)" ] &&
	    ip link set xenbr0 mtu 1500
}

size_of() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }

run_scenario() {	# NAME
	name=$1
	f=/xbtest/scenarios/$name.sh
	log=/var/log/xbt/$name.log
	if [ ! -f "$f" ]; then
		echo "FAIL $name: no such scenario"
		return
	fi
	if [ -n "$SETUP_ERR" ]; then
		echo "FAIL $name: test bed setup failed: $SETUP_ERR"
		return
	fi
	# never a silent pass: an oracle run says why it did not run it
	if [ "$XBT_BACKEND" = kernel ] && grep -q '^# oracle: no' "$f"; then
		why=$(sed -n 's/^# oracle: no *//p' "$f" | head -n 1 | sed 's/^(\(.*\))$/\1/')
		echo "SKIP $name: not an oracle scenario: ${why:-the kernel backend cannot do this}"
		return
	fi
	if [ "$XBT_CONSOLE" = xenconsoled ] && grep -q '^# xenconsoled: no' "$f"; then
		why=$(sed -n 's/^# xenconsoled: no *//p' "$f" | head -n 1 | sed 's/^(\(.*\))$/\1/')
		echo "SKIP $name: not a xenconsoled scenario: ${why:-xenconsoled cannot do this}"
		return
	fi
	# the hostile suite's standing attacker (lib.sh hostile) lives only
	# from one hostile-* scenario to the next
	case $name in
	hostile-*) ;;
	*)	if grep -qx hatk /run/xbt/keep 2>/dev/null; then
			sed -i '/^hatk$/d' /run/xbt/keep
			timeout 30 xl destroy hatk >/dev/null 2>&1
		fi ;;
	esac
	tmo=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
	tmo=${tmo:-180}
	touch /run/xbt/stamp
	rm -f /run/xbt/pgid
	# the failure dump shows only what happened during the scenario (the
	# serial log has everything up to here)
	xl dmesg -c >/dev/null 2>&1
	dmesg -c >/dev/null
	HP_OFF=$(size_of /var/log/xen/xen-hotplug.log)
	for d in $DAEMONS; do
		echo "==== scenario $name at $(up)" >> "$(dlog $d)"
		size_of "$(dlog $d)" > /run/xbt/$d.off
	done
	say "START $name (timeout ${tmo}s)"
	t0=$(cut -d. -f1 /proc/uptime)
	# own process group, so whatever the scenario left running can be
	# killed (xl's domain watchers setsid themselves and survive)
	XBT_NAME=$name XBT_BB_OFF=$(cat /run/xbt/blkbackd.off) timeout "$tmo" \
	    setsid sh -c 'echo $$ > /run/xbt/pgid; exec sh "$0"' "$f" > "$log" 2>&1 < /dev/null
	rc=$?
	kill -9 -- "-$(cat /run/xbt/pgid)" 2>/dev/null
	t=$(( $(cut -d. -f1 /proc/uptime) - t0 ))

	v=$(grep -E "^(PASS $name\$|FAIL $name: )" "$log" | head -n 1)
	if [ -z "$v" ]; then
		case $rc in
		143|137) v="FAIL $name: timed out after ${tmo}s" ;;
		*) v="FAIL $name: no verdict (exit status $rc)" ;;
		esac
	fi
	# trouble of our daemons fails the scenario even when its checks
	# passed: a sanitizer report in its log, or it died (restarted then)
	for d in $DAEMONS; do
		in_use $d || continue
		new=$(tail -c +$(($(cat /run/xbt/$d.off) + 1)) "$(dlog $d)" |
		    grep -m 1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer')
		if ! kill -0 "$(cat "$(dpid $d)")" 2>/dev/null; then
			wait "$(cat "$(dpid $d)")" 2>/dev/null
			st=$?
			[ "${v#PASS}" != "$v" ] &&
			    v="FAIL $name: $d exited (status $st) during the scenario${new:+: $new}"
			say "$d died (status $st) during $name; restarting it"
			start_daemon $d
		fi
		[ -n "$new" ] && [ "${v#PASS}" != "$v" ] && v="FAIL $name: sanitizer report in $d.log: $new"
	done

	# dom0's kernel ring was cleared at the start: a kernel problem or a
	# crashed dom0 program (a worker of ours, or a tool a check relied
	# on) during the scenario fails it
	k=$(dmesg | grep -v 'traps:' | grep -m 1 -E 'BUG:|Oops|WARNING:|general protection fault.*\[#|Call Trace')
	[ -n "$k" ] && [ "${v#PASS}" != "$v" ] && v="FAIL $name: dom0 kernel: $k"
	k=$(dmesg | grep -m 1 -E 'segfault at|traps:')
	[ -n "$k" ] && [ "${v#PASS}" != "$v" ] && v="FAIL $name: dom0 program crashed: $k"

	say "END $name after ${t}s"
	grep '^XBT-NOTE ' "$log" | sed "s/^XBT-NOTE /NOTE $name: /"
	if [ "${v#PASS}" = "$v" ]; then
		dump_logs "$name" "$log" full
	elif [ "$MODE" = demo ]; then
		dump_logs "$name" "$log" short
	fi
	echo "$v"
	cleanup_guests
	consoled_default
}

# A scenario may restart consoled with other options (lib.sh
# consoled_restart: cons-rotate, cons-restart ...): the next one gets
# "consoled -d -v" again, also after a failure half-way.
consoled_default() {
	in_use consoled || return 0
	p=$(cat "$(dpid consoled)" 2>/dev/null)
	c=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
	[ "$c" = "consoled -d -v " ] && return 0
	say "consoled runs as '$c': restarting it with its defaults"
	kill -TERM "$p" 2>/dev/null
	i=0
	while [ -d "/proc/$p" ] && [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { kill -KILL "$p"; sleep 0.2; break; }
		sleep 0.1
	done
	start_daemon consoled
}

for s in $SCENARIOS; do
	run_scenario "$s"
done
say "all scenarios done"
sync
poweroff -f
