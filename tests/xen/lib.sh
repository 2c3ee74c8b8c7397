# lib.sh - helpers for the scenarios; sourced in dom0 (busybox sh).
#
# A scenario prints exactly one verdict line through pass or fail, which
# also end it.  fail (and every helper that fails) must run in the
# scenario's own shell, not inside $(...), or its verdict is lost.
#
# Guests talk back only through their console (hvc0, logged by xenconsoled
# to $CONSOLE_DIR/guest-NAME.log): the guest scripts print
#   XBT-GUEST-OK <what>    XBT-GUEST-FAIL <what>: <reason>    XBT-GUEST-DONE

XBT_NAME=${XBT_NAME:-$(basename "$0" .sh)}
XBT_BACKEND=${XBT_BACKEND:-blkbackd}
IMAGES=/var/lib/xen/images
CONSOLE_DIR=/var/log/xen/console
BLKBACKD_LOG=/var/log/blkbackd.log
BLKBACKD_PIDFILE=/run/xbt/blkbackd.pid
GUEST_KERNEL=/xbtest/guest/kernel
GUEST_RAMDISK=/xbtest/guest/domu.cpio.gz
XVDA=51712			# vbd device ids (xen vbd-interface encoding)
XVDB=51728

now() { cut -d. -f1 /proc/uptime; }
log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
# note: also shown as "NOTE <scenario>: ..." in the run's summary
note() { log "$*"; echo "XBT-NOTE $*"; }
pass() { echo "PASS $XBT_NAME"; exit 0; }
fail() { echo "FAIL $XBT_NAME: $*"; exit 1; }

be_path() { echo "/local/domain/0/backend/vbd/$1/$2"; }	# DOMID DEVID
fe_path() { echo "/local/domain/$1/device/vbd/$2"; }
xs_read() { xenstore-read "$1" 2>/dev/null; }

# ---- disk images --------------------------------------------------------

mkimg() {	# mkimg PATH MiB: sparse raw image
	rm -f "$1"
	truncate -s "${2}M" "$1" || fail "cannot create $1"
}
mktoken() { head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
put_sector() {	# put_sector IMG SECTOR TEXT: one line, zero-padded sector
	printf '%s\n' "$3" | dd of="$1" bs=512 seek="$2" count=1 conv=sync,notrunc 2>/dev/null ||
	    fail "cannot write sector $2 of $1"
}
get_sector() {	# get_sector IMG SECTOR: its first line
	dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\0' | head -n 1
}

# ---- guests ---------------------------------------------------------------

# guest_cfg NAME SCRIPT [DISK...]: /tmp/NAME.cfg for a PV guest that runs
# /xbtest/guest/SCRIPT.sh.  DISK lines go in verbatim, as an admin writes
# them (no script= override: the stock block hotplug script runs).
# GUEST_ARGS adds kernel arguments (xbt.stay=1: stay up after the script;
# xen_blkfront.PARAM=V: module parameters, domu-init passes them to insmod),
# GUEST_VCPUS and GUEST_MEM size the guest (1 vCPU, 256 MiB).
guest_cfg() {
	_n=$1 _s=$2
	shift 2
	_d=
	for _x in "$@"; do _d="$_d${_d:+, }'$_x'"; done
	rm -f "$CONSOLE_DIR/guest-$_n.log"	# a name's log is appended to
	cat > "/tmp/$_n.cfg" <<EOF
name = "$_n"
type = "pv"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0 rdinit=/init loglevel=6 xbt.guest=$_s ${GUEST_ARGS:-}"
memory = ${GUEST_MEM:-256}
vcpus = ${GUEST_VCPUS:-1}
${_d:+disk = [ $_d ]}
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}

guest_start() {	# guest_start NAME: xl create, fail with xl's error
	log "xl create $1"
	# libxl bounds each step (10 s backend, 40 s hotplug); bound the rest
	if ! timeout 120 xl create "/tmp/$1.cfg" > "/tmp/$1.create.log" 2>&1; then
		sed 's/^/  xl: /' "/tmp/$1.create.log"
		fail "xl create $1 failed: $(xl_error "/tmp/$1.create.log")"
	fi
	log "$1 is domain $(guest_domid "$1")"
}
guest_domid() { xl domid "$1" 2>/dev/null; }
xl_error() {	# xl_error LOG: the line of xl's output that says what failed
	grep -m 1 -iE 'error|fail' "$1" || grep . "$1" | tail -n 1
}

console() { tr -d '\r' 2>/dev/null < "$CONSOLE_DIR/guest-$1.log"; }
console_grep() { console "$1" | grep -E "$2"; }	# NAME REGEX

# wait_console NAME REGEX TIMEOUT: until the guest's console shows REGEX.
# Fails early when the guest reports XBT-GUEST-FAIL or is gone.
wait_console() {
	_end=$(( $(now) + $3 ))
	while :; do
		console_grep "$1" "$2" >/dev/null && return 0
		_g=$(console_grep "$1" 'XBT-GUEST-FAIL' | head -n 1)
		[ -n "$_g" ] && fail "$1: ${_g#*XBT-GUEST-FAIL }"
		if ! guest_domid "$1" >/dev/null; then
			sleep 1		# xenconsoled may still be draining
			console_grep "$1" "$2" >/dev/null && return 0
			fail "$1 is gone without printing '$2'"
		fi
		[ "$(now)" -ge "$_end" ] && fail "$1: no '$2' on its console after $3s"
		sleep 0.5
	done
}

# wait_gone NAME TIMEOUT: until the domain is gone; else destroy it, fail.
wait_gone() {
	_end=$(( $(now) + $2 ))
	while guest_domid "$1" >/dev/null; do
		if [ "$(now)" -ge "$_end" ]; then
			# e.g. "--ps--": shut down, but xl could not finish the
			# teardown (devices not released)
			_st=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
			# bounded: a backend that never closes can make xl block
			timeout 30 xl destroy "$1" ||
			    fail "$1 still there (state $_st) after $2s; xl destroy failed or hung"
			fail "$1 still there (state $_st) after $2s (destroyed it)"
		fi
		sleep 0.5
	done
}

guest_stop() {	# guest_stop NAME TIMEOUT: orderly shutdown (frontends close)
	log "xl shutdown $1"
	xl shutdown "$1" || fail "xl shutdown $1 failed"
	wait_gone "$1" "$2"
}

# A frontend that is Connected at guest poweroff switches to Closing and
# waits 5 s for the backend to follow (xenbus_dev_shutdown).
check_clean_close() {	# check_clean_close NAME (after it is gone)
	_t=$(console_grep "$1" 'timeout closing device' | head -n 1)
	[ -z "$_t" ] || fail "$1: the backend did not follow the frontend to Closing at poweroff ($_t)"
}

# ---- xenstore -------------------------------------------------------------

wait_xs() {	# wait_xs PATH VALUE TIMEOUT
	_end=$(( $(now) + $3 ))
	until [ "$(xs_read "$1")" = "$2" ]; do
		[ "$(now)" -ge "$_end" ] &&
		    fail "$1 is '$(xs_read "$1")', not '$2', after $3s"
		sleep 0.3
	done
}
wait_xs_gone() {	# wait_xs_gone PATH TIMEOUT
	_end=$(( $(now) + $2 ))
	while xenstore-exists "$1" 2>/dev/null; do
		[ "$(now)" -ge "$_end" ] && fail "$1 still exists after $2s"
		sleep 0.3
	done
}

# ---- blkbackd ----------------------------------------------------------------
# XBT_BACKEND=kernel (oracle runs, see dom0-init.sh): kernel xen-blkback
# serves the devices; these helpers then check it instead of blkbackd.

blkbackd_alive() {
	[ "$XBT_BACKEND" = kernel ] && return 0
	[ -f "$BLKBACKD_PIDFILE" ] && kill -0 "$(cat "$BLKBACKD_PIDFILE")" 2>/dev/null
}

# blkbackd_worker DOMID DEVID: pids of blkbackd processes whose command
# line (process title) names d<domid>/<devid>, e.g. "blkbackd: d3/51712".
blkbackd_worker() {
	if [ "$XBT_BACKEND" = kernel ]; then
		[ -e "/sys/bus/xen-backend/devices/vbd-$1-$2" ] && echo kernel
		return 0
	fi
	for _p in /proc/[0-9]*; do
		_c=$(tr '\0' ' ' 2>/dev/null < "$_p/cmdline") || continue
		case $_c in *blkbackd*) ;; *) continue ;; esac
		echo "$_c" | grep -qE "(^|[^0-9A-Za-z])d$1/$2([^0-9]|\$)" && echo "${_p#/proc/}"
	done
	return 0
}
blkbackd_procs() {	# one line: every blkbackd process title
	for _p in /proc/[0-9]*; do
		_c=$(tr '\0' ' ' 2>/dev/null < "$_p/cmdline") || continue
		case $_c in *blkbackd*) printf '[%s] ' "$_c" ;; esac
	done
}

# blkbackd_served DOMID DEVID: the device is Connected and blkbackd, not the
# kernel, serves it.
blkbackd_served() {
	if [ "$XBT_BACKEND" != kernel ] && [ -e /sys/bus/xen-backend/drivers/vbd ]; then
		fail "kernel xen-blkback is loaded (/sys/bus/xen-backend/drivers/vbd)"
	fi
	_st=$(xs_read "$(be_path "$1" "$2")/state")
	[ "$_st" = 4 ] || fail "backend vbd $1/$2 state is '$_st', not 4 (Connected)"
	[ -n "$(blkbackd_worker "$1" "$2")" ] ||
	    fail "no blkbackd process titled d$1/$2 (blkbackd processes: $(blkbackd_procs))"
	_w=$(blkbackd_worker "$1" "$2" | head -n 1)
	[ "$_w" = kernel ] || _w="pid $_w: $(tr '\0' ' ' 2>/dev/null < "/proc/$_w/cmdline")"
	log "vbd $1/$2 served by $XBT_BACKEND ($_w)"
}

# wait_worker_gone DOMID DEVID TIMEOUT
wait_worker_gone() {
	_end=$(( $(now) + $3 ))
	while [ -n "$(blkbackd_worker "$1" "$2")" ]; do
		[ "$(now)" -ge "$_end" ] &&
		    fail "blkbackd worker for d$1/$2 still running $3s after its device went away"
		sleep 0.3
	done
}

# What the backend logged since this scenario started (dom0-init sets the
# offset; the kernel ring is cleared at each scenario start).
blkbackd_log_new() {
	if [ "$XBT_BACKEND" = kernel ]; then
		dmesg
	else
		tail -c +$(( ${XBT_BB_OFF:-0} + 1 )) "$BLKBACKD_LOG" 2>/dev/null
	fi
}

# ---- fio and blkfront (guest/fio.sh, guest/fiolib.sh) --------------------

# fio_wait NAME TIMEOUT: the guest's fio verify jobs passed on every disk
# (fails at once, with fio's complaint, when one did not).
fio_wait() {
	wait_console "$1" 'XBT-GUEST-OK fio$' "$2"
}
# fio_note NAME DEV: fio's throughput per job as a NOTE (MiB/s written and
# read back; IOPS for the 4 KiB job)
fio_note() {
	_f=$(console_grep "$1" "XBT-GUEST-FIO $2 " | sed 's/.*XBT-GUEST-FIO //' | awk '
	    { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	      s = sprintf("%s w %.1f r %.1f MiB/s", $2, v["w"] / 1024, v["r"] / 1024)
	      if ($2 == "rand-4k") s = s sprintf(" (%d/%d IOPS)", v["wiops"], v["riops"])
	      out = out (out ? "; " : "") s }
	    END { print out }')
	note "fio $2: ${_f:-no numbers}"
}
# guest_kv NAME DEV KEY: KEY's value in the guest's XBT-GUEST-SYSFS line
guest_kv() {
	console_grep "$1" "XBT-GUEST-SYSFS $2 " | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# blkfront_line NAME DEV: blkfront's "flush diskcache: ...; persistent
# grants: ...; indirect descriptors: ..." kernel log line for DEV
blkfront_line() {
	console_grep "$1" "XBT-GUEST-BLKFRONT $2 " | tail -n 1 | sed "s/.*XBT-GUEST-BLKFRONT $2 //"
}
# fio_guest NAME: a guest that runs guest/fio.sh on xvdb (a fresh 128 MiB
# image); GUEST_ARGS and GUEST_VCPUS as for guest_cfg.  Returns once
# blkfront has connected and reported, with D, FE and BE set.
fio_guest() {
	mkimg $IMAGES/$1.img 128
	guest_cfg $1 fio "format=raw,vdev=xvdb,access=rw,target=$IMAGES/$1.img"
	guest_start $1
	D=$(guest_domid $1)
	FE=$(fe_path $D $XVDB)
	BE=$(be_path $D $XVDB)
	wait_console $1 'XBT-GUEST-SYSFS xvdb ' 60
	blkbackd_served $D $XVDB
	log "guest: $(console_grep $1 'XBT-GUEST-BLKPARAMS' | sed 's/.*XBT-GUEST-//')"
}
# fio_finish NAME: its fio verify passed (numbers noted); it powered off
# and the backend followed its frontend
fio_finish() {
	fio_wait $1 180
	fio_note $1 xvdb
	wait_gone $1 30
	check_clean_close $1
}

# persistent_case NAME 0|1: blk-persistent-on/-off.  The guest's blkfront
# gets feature_persistent=VAL; the frontend key and blkfront's log line must
# agree with it, and the fio verify jobs must pass.
persistent_case() {
	_want=disabled
	[ "$2" = 1 ] && _want=enabled
	GUEST_ARGS=xen_blkfront.feature_persistent=$2 fio_guest "$1"
	_f=$(xs_read "$FE/feature-persistent")
	_l=$(blkfront_line "$1" xvdb)
	note "frontend feature-persistent '$_f', backend '$(xs_read "$BE/feature-persistent")'; blkfront: $_l"
	[ "$_f" = "$2" ] || fail "frontend feature-persistent is '$_f', want $2"
	echo "$_l" | grep -q "persistent grants: $_want" ||
	    fail "blkfront says '$_l', want 'persistent grants: $_want'"
	fio_finish "$1"
}
