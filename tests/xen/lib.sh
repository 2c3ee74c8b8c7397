# lib.sh - helpers for the scenarios; sourced in dom0 (busybox sh).
#
# A scenario prints exactly one verdict line through pass or fail, which
# also end it.  fail (and every helper that fails) must run in the
# scenario's own shell, not inside $(...), or its verdict is lost.
#
# Guests talk back only through their console (hvc0, logged by consoled or
# xenconsoled to $CONSOLE_DIR/guest-NAME.log): the guest scripts print
#   XBT-GUEST-OK <what>    XBT-GUEST-FAIL <what>: <reason>    XBT-GUEST-DONE

XBT_NAME=${XBT_NAME:-$(basename "$0" .sh)}
XBT_BACKEND=${XBT_BACKEND:-ours}	# ours | kernel | none (dom0-init.sh)
IMAGES=/var/lib/xen/images
CONSOLE_DIR=/var/log/xen/console
BLKBACKD_LOG=/var/log/blkbackd.log
BLKBACKD_PIDFILE=/run/xbt/blkbackd.pid
NETBACKD_LOG=/var/log/netbackd.log
NETBACKD_PIDFILE=/run/xbt/netbackd.pid
GUEST_KERNEL=/xbtest/guest/kernel
GUEST_RAMDISK=/xbtest/guest/domu.cpio
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
# nbd_serve SOCK QCOW2: qemu-nbd serving the image on the unix socket SOCK
# (forked, persistent), stopped when the scenario exits: fail exits, and
# qemu-nbd must not outlive the scenario
nbd_serve() {
	qemu-nbd --socket=$1 --format=qcow2 --persistent --fork $2 > /tmp/qemu-nbd.log 2>&1 ||
	    fail "qemu-nbd failed: $(cat /tmp/qemu-nbd.log)"
	trap nbd_stop EXIT
	[ -S $1 ] || fail "qemu-nbd made no socket $1"
}
nbd_stop() {	# every qemu-nbd, waiting up to 5 s for them to go
	for p in $(pidof qemu-nbd); do kill $p; done
	i=0
	while pidof qemu-nbd >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# ---- guests ---------------------------------------------------------------

# guest_cfg NAME SCRIPT [DISK...]: /tmp/NAME.cfg for a PV guest that runs
# /xbtest/guest/SCRIPT.sh.  DISK lines go in verbatim, as an admin writes
# them (no script= override: the stock block hotplug script runs).
# GUEST_ARGS adds kernel arguments (xbt.stay=1: stay up after the script;
# xen_blkfront.PARAM=V: module parameters, domu-init passes them to insmod),
# GUEST_VCPUS and GUEST_MEM size the guest (1 vCPU, 256 MiB), GUEST_EXTRA
# is more config lines, verbatim (e.g. a vif line: net_guest),
# GUEST_ON_POWEROFF replaces on_poweroff's "destroy" (e.g. "preserve").
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
extra = "console=hvc0 rdinit=/init loglevel=6 xbt.guest=$_s ${XBT_GUEST_ARGS:+$XBT_GUEST_ARGS }${GUEST_ARGS:-}"
memory = ${GUEST_MEM:-256}
vcpus = ${GUEST_VCPUS:-1}
${_d:+disk = [ $_d ]}
${GUEST_EXTRA:-}
on_poweroff = "${GUEST_ON_POWEROFF:-destroy}"
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

# ---- our backends: blkbackd (vbd) and netbackd (vif) ------------------------
# dom0-init.sh starts each daemon in /usr/sbin as "NAME -d -v", logging to
# /var/log/NAME.log (pid in /run/xbt/NAME.pid), and writes the log's size at
# the scenario's start to /run/xbt/NAME.off.  XBT_BACKEND=kernel (oracle
# runs): kernel xen-blkback and xen-netback serve the devices; these helpers
# then check them instead.

daemon_of() { case $1 in vbd) echo blkbackd ;; vif) echo netbackd ;; esac; }	# TYPE
kmod_of() { case $1 in vbd) echo xen-blkback ;; vif) echo xen-netback ;; esac; }
type_of() { case $1 in blkbackd) echo vbd ;; netbackd) echo vif ;; esac; }	# DAEMON
daemon_log() { echo "/var/log/$1.log"; }
daemon_pidfile() { echo "/run/xbt/$1.pid"; }

daemon_alive() {	# daemon_alive NAME: its parent process is running
	[ "$XBT_BACKEND" = kernel ] && return 0
	[ -f "$(daemon_pidfile "$1")" ] && kill -0 "$(cat "$(daemon_pidfile "$1")")" 2>/dev/null
}

# daemon_worker NAME DOMID DEVID: pids of NAME's processes whose command
# line (process title) names d<domid>/<devid>, e.g. "blkbackd: d3/51712";
# in an oracle run "kernel" when the kernel driver is bound to the device.
daemon_worker() {
	if [ "$XBT_BACKEND" = kernel ]; then
		[ -e "/sys/bus/xen-backend/devices/$(type_of "$1")-$2-$3/driver" ] && echo kernel
		return 0
	fi
	# one grep over every command line, not a tr per process: this runs
	# in wait loops, and a fork costs ~10 ms under TCG (arguments are
	# NUL-separated: NUL is one of the [^0-9A-Za-z])
	proc_grep "(^|[^0-9A-Za-z])d$2/$3([^0-9]|\$)" "$1"
	return 0
}
daemon_procs() {	# daemon_procs NAME: one line, every process title of NAME
	for _p in $(proc_grep "$1"); do
		printf '[%s] ' "$(tr '\0' ' ' 2>/dev/null < "/proc/$_p/cmdline")"
	done
}
# proc_grep ERE [STRING]: pids whose command line matches the extended
# regular expression ERE and, given STRING, contains it too
proc_grep() {
	grep -lsaE -- "$1" /proc/[0-9]*/cmdline | while read -r _f; do
		[ -z "${2:-}" ] || grep -qsaF -- "$2" "$_f" || continue
		_f=${_f#/proc/}
		echo "${_f%/cmdline}"
	done
}

# dev_served TYPE DOMID DEVID: the device is Connected and our daemon, not
# the kernel, serves it (oracle run: the kernel driver does).
dev_served() {
	_dm=$(daemon_of "$1")
	if [ "$XBT_BACKEND" != kernel ] && [ -e "/sys/bus/xen-backend/drivers/$1" ]; then
		fail "kernel $(kmod_of "$1") is loaded (/sys/bus/xen-backend/drivers/$1)"
	fi
	_st=$(xs_read "/local/domain/0/backend/$1/$2/$3/state")
	[ "$_st" = 4 ] || fail "backend $1 $2/$3 state is '$_st', not 4 (Connected)"
	[ -n "$(daemon_worker "$_dm" "$2" "$3")" ] ||
	    fail "no $_dm process titled d$2/$3 ($_dm processes: $(daemon_procs "$_dm"))"
	_w=$(daemon_worker "$_dm" "$2" "$3" | head -n 1)
	[ "$_w" = kernel ] || _w="pid $_w: $(tr '\0' ' ' 2>/dev/null < "/proc/$_w/cmdline")"
	log "$1 $2/$3 served by $XBT_BACKEND ($_w)"
}

# wait_dev_worker_gone TYPE DOMID DEVID TIMEOUT
wait_dev_worker_gone() {
	_dm=$(daemon_of "$1")
	_end=$(( $(now) + $4 ))
	while [ -n "$(daemon_worker "$_dm" "$2" "$3")" ]; do
		[ "$(now)" -ge "$_end" ] &&
		    fail "$_dm worker for d$2/$3 still running $4s after its device went away"
		sleep 0.3
	done
}

# daemon_log_new NAME: what NAME logged since this scenario started (the
# oracle run: the kernel's ring, cleared at each scenario start).
daemon_log_new() {
	if [ "$XBT_BACKEND" = kernel ]; then
		dmesg
	else
		tail -c +$(( $(cat "/run/xbt/$1.off" 2>/dev/null || echo 0) + 1 )) "$(daemon_log "$1")" 2>/dev/null
	fi
}

# daemon_stop NAME: SIGTERM NAME's parent and wait (10 s) until it is
# gone; it must have exited 0 ("exiting" in its log) with no sanitizer
# report (LeakSanitizer runs at exit: memory a parent lost while serving
# is reported then).  daemon_start NAME: "NAME -d -v" again in its own
# session (the scenario's process group is killed at its end), pid in its
# pidfile.  dom0-init.sh checks the log of the whole scenario as well.
daemon_stop() {
	_dp=$(cat "$(daemon_pidfile "$1")" 2>/dev/null)
	pid_running "$_dp" || fail "$1 is not running"
	_off=$(wc -c < "$(daemon_log "$1")")
	log "kill -TERM $1 ($_dp)"
	kill -TERM "$_dp"
	_end=$(( $(now) + 10 ))
	while pid_running "$_dp"; do
		[ "$(now)" -lt "$_end" ] || { kill -KILL "$_dp"; fail "$1 ($_dp) still running 10s after SIGTERM"; }
		sleep 0.1
	done
	_san=$(tail -c +$((_off + 1)) "$(daemon_log "$1")" |
	    grep -m 1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer')
	[ -z "$_san" ] || fail "$1 at its exit: $_san"
}
daemon_start() {
	echo "==== $1 started by $XBT_NAME at $(cut -d' ' -f1 /proc/uptime)" >> "$(daemon_log "$1")"
	# -T as dom0-init.sh: the sandbox-* test signals
	case $1 in consoled) set -- "$1" ;; *) set -- "$1" -T ;; esac
	setsid "$@" -d -v >> "$(daemon_log "$1")" 2>&1 < /dev/null &
	echo $! > "$(daemon_pidfile "$1")"
	sleep 1
	pid_running "$!" || fail "$1 exited at startup: $(tail -n 3 "$(daemon_log "$1")" | tr '\n' ' ')"
	log "$1 -d -v running again, pid $!"
}

# the blkbackd names the blk-* scenarios use
blkbackd_alive() { daemon_alive blkbackd; }
blkbackd_worker() { daemon_worker blkbackd "$@"; }	# DOMID DEVID
blkbackd_procs() { daemon_procs blkbackd; }
blkbackd_served() { dev_served vbd "$@"; }		# DOMID DEVID
wait_worker_gone() { wait_dev_worker_gone vbd "$@"; }	# DOMID DEVID TIMEOUT
blkbackd_log_new() { daemon_log_new blkbackd; }

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
# image; FIO_LOOP=1: a loop device on it); GUEST_ARGS and GUEST_VCPUS as
# for guest_cfg.  Returns once
# blkfront has connected and reported, with D, FE and BE set.
fio_guest() {
	mkimg $IMAGES/$1.img 128
	_ft=$IMAGES/$1.img
	if [ "${FIO_LOOP:-0}" = 1 ]; then
		# a block device: blkbackd serves it with O_DIRECT through
		# io_uring, completions after submission (an image on dom0's
		# memory file system it serves inline)
		_ft=$(losetup -f) && losetup $_ft $IMAGES/$1.img ||
		    fail "cannot put a loop device on $IMAGES/$1.img"
	fi
	guest_cfg $1 fio "format=raw,vdev=xvdb,access=rw,target=$_ft"
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

# ---- networking (guest/net.sh, guest/net-handler.sh) ---------------------
# dom0 is 10.0.0.1 on the bridge xenbr0 (dom0-init.sh); net guest N gets
# MAC 00:16:3e:5b:00:NN and 10.0.0.(10+N)/24 on its eth0 (domu-init.sh:
# xbt.ip).  guest/net.sh runs an iperf3 server and a control server on TCP
# port 5000 that runs one shell command per connection (gctl, grun).
# dom0 runs the iperf3 clients (tcp_run; -R: the guest sends).

BRIDGE=xenbr0
DOM0_IP=10.0.0.1
# Debian's busybox sh runs its own applets before anything on PATH: the
# real tools by their paths (dom0 /usr/bin, guests /bin; build.sh)
PING=/usr/bin/ping GPING=/bin/ping GTC=/bin/tc
vif_be_path() { echo "/local/domain/0/backend/vif/$1/$2"; }	# DOMID DEVID
vif_fe_path() { echo "/local/domain/$1/device/vif/$2"; }
guest_ip() { echo "10.0.0.$((10 + $1))"; }			# N
guest_mac() { printf '00:16:3e:5b:00:%02x\n' "$1"; }		# N
vif_spec() { echo "bridge=$BRIDGE,mac=$(guest_mac "$1")${2:+,$2}"; }	# N [MORE]
vif_served() { dev_served vif "$@"; }			# DOMID DEVID
netbackd_log_new() { daemon_log_new netbackd; }

# net_guest NAME N [VIF_OPTS] [IP_N]: a guest running guest/net.sh with one
# vif 'bridge=xenbr0,mac=<N's>[,VIF_OPTS]' (an admin's line, stock
# vif-bridge) and eth0 at the address of IP_N (default N).  Returns once
# the guest says its network is up and its control channel answers, with D
# (domid) and GIP (its address) set.  GUEST_ARGS (e.g. xbt.mtu=9000),
# GUEST_VCPUS, GUEST_MEM as for guest_cfg; NET_DISK: one disk line for
# guest_cfg too (no spaces in it); NET_NOWAIT=1: return after xl create.
net_guest() {
	_n=$1
	[ "$XBT_BACKEND" = ours ] && [ ! -x /usr/sbin/netbackd ] &&
	    fail "no /usr/sbin/netbackd in dom0: nothing serves vif devices"
	GIP=$(guest_ip "${4:-$2}")
	_ga="xbt.stay=1 xbt.ip=$GIP/24 ${GUEST_ARGS:-}"
	_vl="vif = [ '$(vif_spec "$2" "${3:-}")' ]"
	GUEST_ARGS="$_ga" GUEST_EXTRA="$_vl" guest_cfg "$_n" net ${NET_DISK:-}
	guest_start "$_n"
	D=$(guest_domid "$_n")
	[ "${NET_NOWAIT:-0}" = 1 ] && return 0
	net_guest_wait "$_n"
}
# net_guest_wait NAME: its eth0 came up without error, guest/net.sh is
# listening and the control channel answers (GIP set)
net_guest_wait() {
	wait_console "$1" 'XBT-GUEST-NET |XBT-GUEST-OK net listening' 90
	_l=$(console_grep "$1" 'XBT-GUEST-NET ' | tail -n 1)
	log "$1: ${_l#*XBT-GUEST-}"
	case $_l in
	*error=*) fail "$1: eth0 setup: ${_l#*error=}" ;;
	*"no eth0"*) fail "$1: ${_l#*XBT-GUEST-NET }" ;;
	esac
	wait_console "$1" 'XBT-GUEST-OK net listening' 60
	wait_ctl "$GIP" 30
}

# gctl IP TIMEOUT CMD...: run CMD (one line: no newline) in the guest at IP; its
# output on stdout, then "rc=<status>" (no such line: no answer)
gctl() {
	_gi=$1 _gt=$2
	shift 2
	echo "$*" | timeout "$_gt" nc "$_gi" 5000 2>&1
}
# grun IP TIMEOUT CMD...: as gctl, with CMD's output in GOUT; returns CMD's
# status, or 255 when the guest did not answer (GOUT then says what nc got)
grun() {
	gctl "$@" > /tmp/grun.$$ 2>&1
	_rc=$(tail -n 1 /tmp/grun.$$ | sed -n 's/^rc=\([0-9][0-9]*\)$/\1/p')
	if [ -z "$_rc" ]; then
		GOUT="no answer from $1 to '$(echo "$*" | cut -d' ' -f3-)' within $2s: $(head -c 300 /tmp/grun.$$)"
		return 255
	fi
	GOUT=$(sed '$d' /tmp/grun.$$)
	return "$_rc"
}
wait_ctl() {	# wait_ctl IP TIMEOUT: until the guest's control server answers
	_end=$(( $(now) + $2 ))
	until grun "$1" 5 true; do
		[ "$(now)" -ge "$_end" ] && fail "no answer from the guest's control server $1:5000 after $2s ($GOUT)"
		sleep 1
	done
}

# ping_ok FROM TO COUNT [PING_OPTS...]: COUNT pings from dom0 ("dom0") or
# the guest at FROM to TO, all answered (iputils ping; fails with its
# summary); PING_OUT has the summary lines
ping_ok() {
	_pf=$1 _pt=$2 _pc=$3
	shift 3
	if [ "$_pf" = dom0 ]; then
		PING_OUT=$($PING -c "$_pc" -i 0.2 -W 2 "$@" "$_pt" 2>&1)
	else
		grun "$_pf" $((_pc + 20)) $GPING -c "$_pc" -i 0.2 -W 2 "$@" "$_pt"
		PING_OUT=$GOUT
	fi
	echo "$PING_OUT" | grep -qE "^$_pc packets transmitted, $_pc received" ||
	    fail "ping $* from $_pf to $_pt: $(echo "$PING_OUT" | grep -vE '^(PING|[0-9]+ bytes from|---|$)' | head -n 4 | tr '\n' ' ')"
	PING_OUT=$(echo "$PING_OUT" | grep -E 'transmitted|rtt')
	log "ping $* $_pf -> $_pt: $(echo "$PING_OUT" | tr '\n' ' ')"
}

# vif_check DOMID DEVID: served (vif_served), its dom0 interface is named
# exactly vif<domid>.<devid>, is up and is a port of xenbr0, and the
# hotplug script said connected
vif_check() {
	vif_served "$1" "$2"
	_if=vif$1.$2
	[ -e "/sys/class/net/$_if" ] ||
	    fail "no interface $_if in dom0 (have: $(ls /sys/class/net | tr '\n' ' '))"
	[ -e "/sys/class/net/$BRIDGE/brif/$_if" ] ||
	    fail "$_if is not a port of $BRIDGE (ports: $(ls /sys/class/net/$BRIDGE/brif 2>/dev/null | tr '\n' ' '))"
	[ $(( $(cat "/sys/class/net/$_if/flags") & 1 )) = 1 ] || fail "$_if is down"
	_hs=$(xs_read "$(vif_be_path "$1" "$2")/hotplug-status")
	[ "$_hs" = connected ] || fail "vif $1/$2 hotplug-status is '$_hs', not connected"
}

# iperf3_mbps FILE: the receiver's Mbit/s in iperf3 -f m output (the SUM
# line with -P), empty when there is none
iperf3_mbps() {
	awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { print v }' "$1"
}
# tcp_run DESC SECONDS CLIENT_ARGS...: iperf3 from dom0 to the guest's
# server (-R in the args: the guest sends), fails without a result;
# MBPS set
tcp_run() {
	_td=$1 _ts=$2
	shift 2
	timeout $((_ts + 30)) iperf3 -f m -t "$_ts" --connect-timeout 5000 --forceflush "$@" > /tmp/iperf3.out 2>&1
	MBPS=$(iperf3_mbps /tmp/iperf3.out)
	[ -n "$MBPS" ] || fail "iperf3 $_td ($*): no result: $(tail -n 3 /tmp/iperf3.out | tr '\n' ' ')"
	log "iperf3 $_td: $MBPS Mbit/s"
}

# sha_to_guest IP FILE PORT: FILE through TCP into the guest, which
# hashes what arrives; the digests must match
sha_to_guest() {
	_want=$(sha256sum < "$2" | cut -d' ' -f1)
	# (a listener whose stdin ends would stop reading: busybox nc)
	grun "$1" 10 "{ sleep 120 | nc -l -p $3 | sha256sum > /tmp/rx.$3.sha; } > /dev/null 2>&1 &" ||
	    fail "cannot start the receiver in the guest: $GOUT"
	sleep 0.5
	timeout 120 nc "$1" "$3" < "$2" || fail "nc to $1:$3 failed (status $?)"
	_i=0
	until grun "$1" 10 "test -s /tmp/rx.$3.sha && cut -d' ' -f1 /tmp/rx.$3.sha"; do
		_i=$((_i + 1))
		[ $_i -gt 30 ] && fail "the guest's digest of what came in on port $3 did not appear: $GOUT"
		sleep 1
	done
	[ "$GOUT" = "$_want" ] || fail "$(wc -c < "$2") bytes dom0 -> guest: guest's sha256 $GOUT, sent $_want"
	log "$(wc -c < "$2") bytes dom0 -> guest $1: sha256 $_want matches"
}
# sha_from_guest IP MIB PORT: the guest sends MIB MiB of random data that it
# hashed; dom0 hashes what arrives; the digests must match
sha_from_guest() {
	sleep 120 | nc -l -p "$3" | sha256sum > /tmp/rx.$3.sha &
	_lp=$!
	sleep 0.5
	grun "$1" 180 "head -c $(($2 * 1048576)) /dev/urandom > /tmp/tx.bin && sha256sum < /tmp/tx.bin | cut -d' ' -f1 > /tmp/tx.sha && nc $DOM0_IP $3 < /tmp/tx.bin && cat /tmp/tx.sha; rm -f /tmp/tx.bin" ||
	    fail "guest -> dom0 send failed (status $?): $GOUT"
	_sent=$(echo "$GOUT" | tail -n 1)
	_i=0
	until [ -s /tmp/rx.$3.sha ]; do
		_i=$((_i + 1))
		[ $_i -gt 60 ] && fail "no digest of what came in on dom0 port $3"
		sleep 0.5
	done
	_got=$(cut -d' ' -f1 /tmp/rx.$3.sha)
	[ "$_got" = "$_sent" ] || fail "$2 MiB guest -> dom0: dom0's sha256 $_got, guest sent $_sent"
	log "$2 MiB guest $1 -> dom0: sha256 $_sent matches"
}
# sha_between FROM_IP TO_IP MIB PORT: guest FROM sends MIB MiB of random data
# to guest TO over TCP; both hash it; the digests must match
sha_between() {
	grun "$2" 10 "{ sleep 120 | nc -l -p $4 | sha256sum > /tmp/rx.$4.sha; } > /dev/null 2>&1 &" ||
	    fail "cannot start the receiver in $2: $GOUT"
	sleep 0.5
	grun "$1" 180 "head -c $(($3 * 1048576)) /dev/urandom > /tmp/tx.bin && sha256sum < /tmp/tx.bin | cut -d' ' -f1 > /tmp/tx.sha && nc $2 $4 < /tmp/tx.bin && cat /tmp/tx.sha; rm -f /tmp/tx.bin" ||
	    fail "$1 -> $2 send failed (status $?): $GOUT"
	_sent=$(echo "$GOUT" | tail -n 1)
	_i=0
	until grun "$2" 10 "test -s /tmp/rx.$4.sha && cut -d' ' -f1 /tmp/rx.$4.sha"; do
		_i=$((_i + 1))
		[ $_i -gt 30 ] && fail "$2's digest of what came in on port $4 did not appear: $GOUT"
		sleep 1
	done
	[ "$GOUT" = "$_sent" ] || fail "$3 MiB $1 -> $2: receiver's sha256 $GOUT, sender's $_sent"
	log "$3 MiB $1 -> $2: sha256 $_sent matches"
}
# tcp_loops_start NAME MIB: a ping from dom0 to the guest $GIP every 0.2 s
# (into /tmp/NAME.ping) and a TCP stream each way (ports 5001, 5002) for
# a scenario that disturbs the backend under load: each side sends a MIB
# MiB chunk again and again until /tmp/NAME.stop exists, counting whole
# chunks, and the receiver hashes all it gets.  Sets ping_pid, to_pid
# (dom0 -> guest) and from_pid (the guest's sender, its output in
# /tmp/NAME.from).
tcp_loops_start() {
	dd if=/dev/urandom of=/tmp/$1.bin bs=1M count=$2 2>/dev/null || fail "cannot make /tmp/$1.bin"
	rm -f /tmp/$1.stop /tmp/$1.count /tmp/rx.5002.sha
	grun $GIP 10 "rm -f /tmp/$1.stop; { sleep 900 | nc -l -p 5001 | sha256sum > /tmp/rx.5001.sha; } > /dev/null 2>&1 &" ||
	    fail "cannot start the receiver in the guest: $GOUT"
	{ sleep 900 | nc -l -p 5002 | sha256sum > /tmp/rx.5002.sha; } &
	grun $GIP 60 "head -c $(($2 * 1048576)) /dev/urandom > /tmp/tx.bin && echo made" ||
	    fail "the guest could not make its data: $GOUT"
	sleep 0.5

	$PING -D -i 0.2 -W 1 $GIP > /tmp/$1.ping 2>&1 &
	ping_pid=$!
	(
		_c=0
		while [ ! -e /tmp/$1.stop ]; do
			cat /tmp/$1.bin || break
			_c=$((_c + 1))
			echo $_c > /tmp/$1.count
		done | timeout 600 nc $GIP 5001 > /dev/null 2>&1
	) &
	to_pid=$!
	_gsend='c=0; while [ ! -e /tmp/'$1'.stop ]; do cat /tmp/tx.bin || break; c=$((c + 1)); echo $c > /tmp/tx.count; done | nc '$DOM0_IP' 5002; c=$(cat /tmp/tx.count); i=0; while [ $i -lt $c ]; do cat /tmp/tx.bin; i=$((i + 1)); done | sha256sum | cut -d" " -f1; echo chunks=$c'
	gctl $GIP 600 "$_gsend" > /tmp/$1.from 2>&1 &
	from_pid=$!
}
# tcp_loops_stop NAME WHEN: both streams of tcp_loops_start must still run
# (else one ended before WHEN, e.g. "the last kill"); stop both senders.
tcp_loops_stop() {
	_live=""
	kill -0 $to_pid 2>/dev/null && _live="dom0->guest"
	kill -0 $from_pid 2>/dev/null && _live="$_live guest->dom0"
	[ "$_live" = "dom0->guest guest->dom0" ] ||
	    fail "a stream ended before $2 (still running: ${_live:-none}); to guest: $(cat /tmp/$1.count 2>/dev/null) chunks, from guest: $(head -c 300 /tmp/$1.from)"
	touch /tmp/$1.stop
	grun $GIP 10 "touch /tmp/$1.stop" || fail "cannot stop the guest's sender: $GOUT"
}
# tcp_loops_check NAME MIB ACROSS WAIT: after tcp_loops_stop, each side's
# digest of all it received must equal the sender's (ACROSS names the
# disturbance, e.g. "20 kills"; the guest's digest gets WAIT s to
# appear).  Sets c and cg, the chunks sent to and from the guest.
tcp_loops_check() {
	wait $to_pid
	c=$(cat /tmp/$1.count)
	_want=$(_i=0; while [ $_i -lt $c ]; do cat /tmp/$1.bin; _i=$((_i + 1)); done | sha256sum | cut -d' ' -f1)
	_i=0
	until grun $GIP 10 "test -s /tmp/rx.5001.sha && cut -d' ' -f1 /tmp/rx.5001.sha"; do
		_i=$((_i + 1))
		[ $_i -gt $4 ] && fail "the guest's digest of the stream from dom0 did not appear: $GOUT"
		sleep 1
	done
	[ "$GOUT" = "$_want" ] || fail "$((c * $2)) MiB dom0 -> guest across $3: guest's sha256 $GOUT, sent $_want"
	wait $from_pid
	_sent=$(grep -E '^[0-9a-f]{64}$' /tmp/$1.from | tail -n 1)
	cg=$(sed -n 's/^chunks=//p' /tmp/$1.from)
	[ -n "$_sent" ] || fail "guest -> dom0 stream: no digest from the guest: $(head -c 300 /tmp/$1.from)"
	_i=0
	until [ -s /tmp/rx.5002.sha ]; do
		_i=$((_i + 1))
		[ $_i -gt 60 ] && fail "no digest of the stream from the guest in dom0"
		sleep 0.5
	done
	_got=$(cut -d' ' -f1 /tmp/rx.5002.sha)
	[ "$_got" = "$_sent" ] || fail "$((cg * $2)) MiB guest -> dom0 across $3: dom0's sha256 $_got, guest sent $_sent"
	log "both streams' digests match ($((c * $2)) MiB dom0 -> guest, $((cg * $2)) MiB guest -> dom0)"
}
# tcp_loops_ping NAME: stop tcp_loops_start's ping; gap is the longest time
# (s) between two replies and replies their number, which must pass 20.
tcp_loops_ping() {
	kill $ping_pid 2>/dev/null
	wait $ping_pid 2>/dev/null
	# Largest gap between two replies ([epoch.usec] from ping -D).
	gap=$(sed -n 's/^\[\([0-9.]*\)\].*bytes from.*/\1/p' /tmp/$1.ping |
	    awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1; n++ } END { printf "%.2f %d\n", g, n }')
	replies=${gap#* }
	gap=${gap% *}
	[ "${replies:-0}" -gt 20 ] || fail "only ${replies:-0} ping replies: $(tail -n 3 /tmp/$1.ping | tr '\n' ' ')"
}

# guest_stats IP: eth0's counters in the guest at IP into TXB TXP RXB RXP
# (netfront counts one packet per skb: a GSO packet is one)
guest_stats() {
	grun "$1" 10 "cd /sys/class/net/eth0/statistics && echo \$(cat tx_bytes tx_packets rx_bytes rx_packets)" ||
	    fail "cannot read eth0's counters in $1: $GOUT"
	set -- $GOUT
	TXB=$1 TXP=$2 RXB=$3 RXP=$4
}

# vif_gone DOMID DEVID TIMEOUT: the backend directory, the dom0 interface
# (and so its bridge port) and the worker are gone
vif_gone() {
	wait_xs_gone "$(vif_be_path "$1" "$2")" "$3"
	_end=$(( $(now) + $3 ))
	while [ -e "/sys/class/net/vif$1.$2" ]; do
		[ "$(now)" -ge "$_end" ] && fail "interface vif$1.$2 still in dom0 $3s after its vif went away"
		sleep 0.3
	done
	wait_dev_worker_gone vif "$1" "$2" "$3"
}

# ---- refusal while the kernel backend is bound ---------------------------

# refuse_kernel_case DAEMON MODULE TYPE: with MODULE (xen-blkback,
# xen-netback) bound to TYPE (vbd, vif), DAEMON refuses to start (exit 1)
# and names the driver directory; with -F it starts, and SIGTERM makes it
# exit 0.  MODULE is unloaded again if this loaded it.  REFUSED: the message.
refuse_kernel_case() {
	_d=$1 _m=$2 _drv=/sys/bus/xen-backend/drivers/$3
	[ -x /usr/sbin/$_d ] || fail "no /usr/sbin/$_d in dom0"
	_loaded=0
	if [ ! -e $_drv ]; then
		insmod /lib/modules/$_m.ko || fail "insmod $_m failed"
		_loaded=1
	fi
	_unload() { [ $_loaded = 1 ] && rmmod $_m; _loaded=0; }
	[ -e $_drv ] || { _unload; fail "$_drv missing with $_m loaded"; }

	REFUSED=$(timeout 10 $_d -d 2>&1)
	_rc=$?
	log "$_d without -F: exit $_rc: $REFUSED"
	[ $_rc = 1 ] || { _unload; fail "$_d exited $_rc with the kernel backend bound, want 1"; }
	echo "$REFUSED" | grep -q "$_drv" || { _unload; fail "refusal does not name $_drv: $REFUSED"; }

	timeout 20 $_d -d -F > /tmp/$_d-force.log 2>&1 &
	_pid=$!
	_i=0
	until grep -q "serving /local/domain/0/backend/$3" /tmp/$_d-force.log; do
		_i=$((_i + 1))
		[ $_i -gt 50 ] && { kill $_pid; _unload; fail "$_d -F did not start: $(cat /tmp/$_d-force.log)"; }
		sleep 0.2
	done
	kill -TERM $_pid
	wait $_pid
	_rc=$?
	_unload
	log "$_d -F after SIGTERM: exit $_rc"
	[ $_rc = 0 ] || fail "$_d -F exited $_rc after SIGTERM, want 0: $(tail -n 5 /tmp/$_d-force.log)"
	[ -e $_drv ] && fail "$_m still bound after rmmod"
	return 0
}

# ---- consoles: consoled or xenconsoled (guest/cons.sh) --------------------
# dom0-init.sh starts "consoled -d -v" (log /var/log/consoled.log, pid in
# /run/xbt/consoled.pid) when XBT_CONSOLE=ours, else xenconsoled.  Both log
# to $CONSOLE_DIR/guest-NAME.log.  A guest running guest/cons.sh first does
# its xbt.cons.do= action (flood, burst, tick, sec, esc), prints
# "XBT-GUEST-OK cons ready", then reads commands from hvc0 in a loop
# (prompt "xbt-cons# "): dom0 types shell lines through `xl console` or
# consoled-attach, and the guest's tty echoes them into the log.

XBT_CONSOLE=${XBT_CONSOLE:-ours}	# ours | xenconsoled (dom0-init.sh)
CONSOLED_LOG=/var/log/consoled.log
CONSOLED_PIDFILE=/run/xbt/consoled.pid
CONS_SOCKDIR=/run/consoled
PTYEXPECT=/usr/libexec/xbt/ptyexpect	# tools/ptyexpect.c
GGREP=/usr/libexec/xbt/grep		# GNU grep: -b, -a
CONS_PROMPT='xbt-cons# '

consoled_pid() { cat "$CONSOLED_PIDFILE" 2>/dev/null; }
pid_running() {	# pid_running PID: alive and not a zombie
	[ -n "$1" ] && [ -d "/proc/$1" ] &&
	    [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
consoled_log_new() { daemon_log_new consoled; }
# need_consoled: the scenario tests consoled itself; fail unless it runs
need_consoled() {
	[ "$XBT_CONSOLE" = ours ] ||
	    fail "needs consoled; this run's consoles are served by $XBT_CONSOLE"
	pid_running "$(consoled_pid)" || fail "consoled is not running"
	[ -x /usr/bin/consoled-attach ] || fail "no /usr/bin/consoled-attach in dom0"
}

# consoled_stop [SIGNAL]: stop the running consoled (default TERM) and wait
# until it is gone (10 s, then KILL and fail)
consoled_stop() {
	_cp=$(consoled_pid)
	pid_running "$_cp" || return 0
	log "kill -${1:-TERM} consoled ($_cp)"
	kill "-${1:-TERM}" "$_cp"
	_end=$(( $(now) + 10 ))
	while pid_running "$_cp"; do
		if [ "$(now)" -ge "$_end" ]; then
			kill -KILL "$_cp"
			fail "consoled ($_cp) still running 10s after SIG${1:-TERM}"
		fi
		sleep 0.1
	done
}
# consoled_start [OPTS...]: "consoled -d -v OPTS" in its own session (the
# scenario's process group is killed at its end), logging to its log, pid
# in the pidfile (dom0-init.sh restores "consoled -d -v" after the
# scenario); fails when it exits within 1 s
consoled_start() {
	echo "==== consoled started by $XBT_NAME at $(cut -d' ' -f1 /proc/uptime): consoled -d -v $*" >> "$CONSOLED_LOG"
	setsid consoled -d -v "$@" >> "$CONSOLED_LOG" 2>&1 < /dev/null &
	echo $! > "$CONSOLED_PIDFILE"
	sleep 1
	pid_running "$(consoled_pid)" ||
	    fail "consoled $* exited at startup: $(tail -n 3 "$CONSOLED_LOG" | tr '\n' ' ')"
	log "consoled -d -v $* running, pid $(consoled_pid)"
}
consoled_restart() { consoled_stop; consoled_start "$@"; }	# [OPTS...]

cons_tty() { xs_read "/local/domain/$1/console/tty"; }	# DOMID
# cons_served DOMID TIMEOUT: the primary console has a tty in xenstore
# that is a character device, and (consoled) its attach socket exists
cons_served() {
	_end=$(( $(now) + $2 ))
	while :; do
		_t=$(cons_tty "$1")
		if [ -n "$_t" ] && [ -c "$_t" ]; then
			[ "$XBT_CONSOLE" != ours ] || [ -S "$CONS_SOCKDIR/d$1.0" ] && return 0
		fi
		[ "$(now)" -ge "$_end" ] &&
		    fail "console of domain $1 not served after $2s: tty '$_t', socket $(ls "$CONS_SOCKDIR" 2>/dev/null | tr '\n' ' ')"
		sleep 0.3
	done
}

# cons_guest NAME [ACTION]: a guest running guest/cons.sh (xbt.cons.do=
# ACTION; more in GUEST_ARGS, e.g. xbt.cons.mib=8); returns once it is
# created, with D set.  CONS_PAUSED=1: created paused (xl create -p), for
# readers that must attach before it prints.
cons_guest() {
	GUEST_ARGS="${2:+xbt.cons.do=$2} ${GUEST_ARGS:-}" guest_cfg "$1" cons
	if [ "${CONS_PAUSED:-0}" = 1 ]; then
		log "xl create -p $1"
		timeout 120 xl create -p "/tmp/$1.cfg" > "/tmp/$1.create.log" 2>&1 ||
		    fail "xl create -p $1 failed: $(xl_error "/tmp/$1.create.log")"
	else
		guest_start "$1"
	fi
	D=$(guest_domid "$1")
	[ -n "$D" ] || fail "no domain id for $1"
}

# cons_send NAME TEXT: type TEXT and Enter into the guest's console through
# consoled-attach (stdin a pipe); returns once the guest's tty echoed TEXT
# into the log (10 s)
cons_send() {
	_cl="$CONSOLE_DIR/guest-$1.log"
	_co=$(wc -c < "$_cl" 2>/dev/null || echo 0)
	printf '%s\r' "$2" | consoled-attach "$1" > /dev/null 2>/tmp/cons_send.err &
	_cp=$!
	_end=$(( $(now) + 10 ))
	until tail -c +$((_co + 1)) "$_cl" | tr -d '\r' | grep -qF -- "$2"; do
		if [ "$(now)" -ge "$_end" ]; then
			kill $_cp 2>/dev/null
			fail "typed '$2' into $1's console (consoled-attach): no echo in its log after 10s ($(cat /tmp/cons_send.err))"
		fi
		sleep 0.2
	done
	kill $_cp 2>/dev/null
	wait $_cp 2>/dev/null
	return 0
}

# wait_tail NAME FIXED TIMEOUT: until the last 64 KiB of the guest's log
# contain the string FIXED (cheap on a log of many MiB: grepping all of it
# every half second would take dom0's one vCPU from the daemon under test)
wait_tail() {
	_end=$(( $(now) + $3 ))
	until tail -c 65536 "$CONSOLE_DIR/guest-$1.log" 2>/dev/null | grep -qF -- "$2"; do
		_g=$(tail -c 65536 "$CONSOLE_DIR/guest-$1.log" 2>/dev/null | grep -m 1 'XBT-GUEST-FAIL')
		[ -n "$_g" ] && fail "$1: ${_g#*XBT-GUEST-FAIL }"
		[ "$(now)" -ge "$_end" ] &&
		    fail "$1: no '$2' at the end of its console log after $3s (log: $(wc -c < "$CONSOLE_DIR/guest-$1.log") bytes, ends '$(tail -c 120 "$CONSOLE_DIR/guest-$1.log" | tr -d '\r' | tr '\n' '|')')"
		sleep 1
	done
}

# cons_log_all NAME OUT: the guest's whole console log, rotated files
# included (consoled rotates at 16 MiB by default: NAME.log.N .. .1 are
# older), oldest first, into OUT
cons_log_all() {
	_n=0
	while [ -e "$CONSOLE_DIR/guest-$1.log.$((_n + 1))" ]; do _n=$((_n + 1)); done
	: > "$2"
	while [ $_n -gt 0 ]; do
		cat "$CONSOLE_DIR/guest-$1.log.$_n" >> "$2"
		_n=$((_n - 1))
	done
	cat "$CONSOLE_DIR/guest-$1.log" >> "$2"
}

# flood_check FILE TAG: FILE (a log or a reader's output) holds the guest's
# flood TAG intact: the bytes after the line "XBT-FLOOD-BEGIN TAG bytes=N
# sha=S" are N bytes with sha256 S, followed by the line "XBT-FLOOD-END
# TAG".  Returns 1 with FLOOD_ERR set otherwise; FLOOD_BYTES is N.
flood_check() {
	FLOOD_ERR= FLOOD_BYTES=
	_fl=$($GGREP -a -b -m 1 -F "XBT-FLOOD-BEGIN $2 " "$1")
	[ -n "$_fl" ] || { FLOOD_ERR="no 'XBT-FLOOD-BEGIN $2' line in $1"; return 1; }
	_fo=${_fl%%:*}
	_fl=${_fl#*:}
	_fl=${_fl%"$(printf '\r')"}
	FLOOD_BYTES=$(echo "$_fl" | sed -n 's/.* bytes=\([0-9]*\).*/\1/p')
	_fs=$(echo "$_fl" | sed -n 's/.* sha=\([0-9a-f]*\).*/\1/p')
	_fstart=$((_fo + ${#_fl} + 1))
	# the announced line may have ended in \r\n (reader output of a
	# terminal with opost): skip a \r
	[ "$(tail -c +$((_fstart + 1)) "$1" | head -c 1 | od -An -c | tr -d ' ')" = '\n' ] &&
	    _fstart=$((_fstart + 1))
	_fe=$($GGREP -a -b -m 1 -F "XBT-FLOOD-END $2" "$1" | cut -d: -f1)
	_fgot=$(tail -c +$((_fstart + 1)) "$1" | head -c "$FLOOD_BYTES" | sha256sum | cut -d' ' -f1)
	_fnext=$(tail -c +$((_fstart + FLOOD_BYTES + 1)) "$1" | head -c 40 | head -n 1 | tr -d '\r')
	if [ "$_fgot" != "$_fs" ] || [ "$_fnext" != "XBT-FLOOD-END $2" ]; then
		_flen=$(( ${_fe:-$((_fstart + FLOOD_BYTES))} - _fstart ))
		_fd=$(tail -c +$((_fstart + 1)) "$1" | head -c "$_flen" | grep -c '\[consoled:')
		if [ -n "$_fe" ]; then
			_fe="$((_fe - _fstart)) bytes before 'XBT-FLOOD-END $2'"
		else
			_fe="no 'XBT-FLOOD-END $2' line"
		fi
		FLOOD_ERR="flood $2 in $1: the guest wrote $FLOOD_BYTES bytes (sha256 $_fs); found $_fe, sha256 of the first $FLOOD_BYTES $_fgot, followed by '$_fnext'; consoled notes inside: $_fd"
		return 1
	fi
	return 0
}
# flood_secs NAME TAG: the guest's own time for writing flood TAG (its
# XBT-GUEST-FLOOD line)
flood_secs() {
	console_grep "$1" "XBT-GUEST-FLOOD $2 " | tail -n 1 | sed -n 's/.* secs=\([0-9.]*\).*/\1/p'
}
mibps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f", b / 1048576 / s; else print "inf" }'; }

# ---- hostile guests (the hostile-* scenarios; docs/SECURITY.md) -------------
# One attack per scenario: a guest whose device is driven by one of our
# userland frontends (frontends/, xbfront-blk|net|cons) in a hostile mode
# (-H MODE) instead of the kernel's driver.  The frontend checks, from the
# guest's side, that the backend answered the attack with errors or closed
# the device (and never with success for something it must refuse); dom0
# checks the rest here.  The neighbour (hostile-00-neighbour starts it,
# hostile-zz-neighbour judges it) runs fio verify and answers ping all along.

HOSTILE_KEEP=/run/xbt/keep	# guests cleanup_guests leaves up, one name a line
NB=nb				# the neighbour's name
NB_STATE=/var/tmp/nb		# its baseline and ping log (hostile-00)

# backend_pids DAEMON: the pids of DAEMON's processes (parent and workers)
backend_pids() {
	# the first argument is NAME or the title "NAME: ..."; one grep
	# finds the candidates (a tr per process costs seconds under TCG)
	proc_grep "^$1" | while read -r _p; do
		case $(tr '\0' ' ' 2>/dev/null < "/proc/$_p/cmdline") in
		"$1 "* | "$1: "*) echo "$_p" ;;
		esac
	done
}
# proc_fds PID / proc_gntmaps PID: its open fds / its mappings of
# /dev/xen/gntdev (grant maps; persistent grants and rings)
proc_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
proc_gntmaps() { grep -c gntdev "/proc/$1/maps" 2>/dev/null; }

# hostile KIND MODE LOGRE [ARG...]: run attack MODE from a guest and check
# that
#  - the guest's frontend saw the backend answer with errors or close the
#    device (xbfront-KIND -H MODE exits 0: "XBT-GUEST-OK hostile");
#  - the backend logged a line naming the domain, the device and the reason
#    ("vbd|vif|console d<domid>/<devid>: ..." matching the extended regex
#    LOGRE), and did not flood its log (at most 40 lines for the device);
#  - the daemon's parent and every worker that ran before (the
#    neighbour's among them) still run, with the same pids;
#  - once the device is gone its worker exits, and the parent holds no
#    more fds and grant mappings than before the attack.
# blk and net attacks come from the suite's standing attacker "hatk"
# (hostile_attacker: booted once, xen-blkfront and xen-netfront not
# loaded): dom0 attaches the device (xvdb, a fresh 16 MiB image, written
# as libxl writes it: hostile_attach) or with xl network-attach (vif 0 on
# $BRIDGE), hands the guest
# the command through xenstore, and detaches the device after the checks.
# A guest boot per attack cost ~4 s more each.  hatk stays in
# $HOSTILE_KEEP only between attacks that passed: after a failure
# cleanup_guests destroys it and the next attack boots a fresh one;
# hostile-zz-neighbour destroys it last and checks that Xen frees it (a
# grant mapping left behind keeps a domain dying).  cons attacks, and any
# with HOSTILE_FRESH=1, boot a fresh guest "h<kind>" instead, destroyed
# after the checks, and Xen must free it.  cons: console 1, backend
# written by dom0 as a toolstack would; the guest's frontend writes
# device/console/1 without ever saying Initialising, so hvc_xen does not
# bind it.  ARGs go to the frontend after "-H MODE", before the device id.
# HOSTILE_TOOL=xs runs xbfront-xs (xenstore and state machine abuse, any
# device type: "-t vbd|vif|console" comes first) instead of xbfront-KIND.
# HOSTILE_TIMEOUT bounds the attack (90 s); HOSTILE_TARGET is a blk
# attack's disk (hostile_disk).  HOSTILE_HOOK names a function
# run in this shell with the domid once the device is there (the console
# backend written): dom0's part of an attack, e.g. hostile-net-rx-never's
# flood; it may fail.
HOSTILE_ATK=hatk
hostile() {
	_hk=$1 _hm=$2 _hre=$3
	shift 3
	case $_hk in
	blk) _hd=blkbackd _ht=vbd _hdev=$XVDB ;;
	net) _hd=netbackd _ht=vif _hdev=0 ;;
	cons) _hd=consoled _ht=console _hdev=1 ;;
	*) fail "hostile: unknown kind '$_hk'" ;;
	esac
	[ "$XBT_BACKEND" = ours ] || fail "hostile-* scenarios test our daemons (this run: $XBT_BACKEND)"
	[ "$_hk" != cons ] || need_consoled
	_hpar=$(cat "$(daemon_pidfile "$_hd")" 2>/dev/null)
	[ "$_hk" != cons ] || _hpar=$(consoled_pid)
	pid_running "$_hpar" || fail "$_hd is not running before the attack"
	_htool=${HOSTILE_TOOL:-$_hk}
	[ "$_htool" != xs ] || set -- -t $_ht "$@"
	_hcmd="$_htool -H $_hm $* $_hdev"
	_hfresh=${HOSTILE_FRESH:-0}
	[ "$_hk" != cons ] || _hfresh=1
	if [ "$_hfresh" = 1 ]; then
		_hn=h$_hk
		_hga="xbt.stay=1 xbt.hostile=$(echo "$_hcmd" | tr ' ' ',' | sed 's/,/:/')"
		case $_hk in
		blk)	hostile_disk
			GUEST_ARGS="$_hga xbt.noblk=1" guest_cfg $_hn hostile \
			    "format=raw,vdev=xvdb,access=rw,target=$_htarget" ;;
		net)	GUEST_ARGS="$_hga xbt.nonet=1" GUEST_EXTRA="vif = [ '$(vif_spec 9)' ]" \
			    guest_cfg $_hn hostile ;;
		cons)	GUEST_ARGS="$_hga" guest_cfg $_hn hostile ;;
		esac
	else
		_hn=$HOSTILE_ATK
		hostile_attacker
	fi
	_hbefore=$(backend_pids blkbackd; backend_pids netbackd; consoled_pid)
	for _p in $_hbefore; do
		echo "$_p $(tr '\0' ' ' < /proc/$_p/cmdline 2>/dev/null)"
	done > /tmp/hostile.before
	_hfd0=$(proc_fds "$_hpar") _hgm0=$(proc_gntmaps "$_hpar")
	_hl0=0
	log "attack $_hm: attacker ready"
	if [ "$_hfresh" = 1 ]; then
		guest_start $_hn
		D=$(guest_domid $_hn)
		_htag=hostile
	else
		D=$(guest_domid $_hn)
		_hl0=$(console $_hn | wc -l)
		hostile_attach
		_hnum=$(( $(cat /run/xbt/hostile.n 2>/dev/null || echo 0) + 1 ))
		echo $_hnum > /run/xbt/hostile.n
		_htag="hostile $_hnum"
		_hx=/local/domain/$D/data/xbt-hostile
		# made under data/, the node is the guest's (its parent's
		# permissions): xbfront-get reads and removes it
		xenstore-write $_hx "$_hnum $_hcmd" || fail "cannot write the command to $_hx"
	fi
	[ "$_hk" != cons ] || hostile_cons_backend "$D"
	[ -z "${HOSTILE_HOOK:-}" ] || "$HOSTILE_HOOK" "$D"
	log "attack $_hm: device there, attack under way"
	_hend=$(( $(now) + ${HOSTILE_TIMEOUT:-90} ))
	until hostile_con | grep -qE "XBT-GUEST-(OK|FAIL) $_htag(:|\$)"; do
		if [ "$(now)" -ge "$_hend" ]; then
			hostile_con | grep 'XBT-GUEST-HOSTILE' | tail -n 20 | sed 's/^/  guest: /'
			fail "the guest's frontend did not finish attack $_hm within ${HOSTILE_TIMEOUT:-90}s"
		fi
		guest_domid $_hn > /dev/null || fail "guest $_hn is gone during attack $_hm"
		sleep 0.3
	done
	log "attack $_hm: the frontend finished"
	hostile_con | grep 'XBT-GUEST-HOSTILE' | sed 's/.*XBT-GUEST-HOSTILE /  guest: /'
	_hg=$(hostile_con | grep -E "XBT-GUEST-FAIL $_htag(:|\$)" | head -n 1)
	[ -z "$_hg" ] || fail "guest: ${_hg#*XBT-GUEST-FAIL }"
	# the backend's own account of it
	daemon_log_new "$_hd" | grep -E "$_ht d$D/$_hdev[: ]" > /tmp/hostile.dlog
	sed 's/^/  '"$_hd"': /' /tmp/hostile.dlog | head -n 20
	_hl=$(grep -E "$_ht d$D/$_hdev[: ].*($_hre)" /tmp/hostile.dlog | head -n 1)
	[ -n "$_hl" ] || fail "$_hd logged no line for $_ht d$D/$_hdev matching '$_hre'"
	_hc=$(wc -l < /tmp/hostile.dlog)
	[ "$_hc" -le 40 ] || fail "$_hd logged $_hc lines for $_ht d$D/$_hdev (a guest must not flood the log)"
	hostile_survivors "$_hbefore"
	log "attack $_hm: checked; the device goes"
	if [ "$_hfresh" = 1 ]; then
		# the guest goes; so must its worker and every grant mapping of it
		log "xl destroy $_hn"
		timeout 30 xl destroy $_hn || fail "xl destroy $_hn failed or hung"
		hostile_domain_freed "$D" 30
	else
		hostile_detach
	fi
	[ "$_hk" = cons ] || wait_dev_worker_gone $_ht "$D" "$_hdev" 15
	hostile_survivors "$_hbefore"
	[ "$_hk" = cons ] || hostile_parent_same
	log "attack $_hm: done"
	[ "$_hfresh" = 1 ] || echo $_hn >> "$HOSTILE_KEEP"	# passed: it may serve the next
	note "$_hm: $(echo "${_hl#*"$_ht d$D/$_hdev"}" | sed 's/^[: ]*//' | cut -c1-160)"
}

# hostile_con: the attacker's console since this attack began
hostile_con() { console "$_hn" | tail -n +$((_hl0 + 1)); }

# hostile_attacker: hatk is up and waiting for commands (booted when it is
# not); it leaves $HOSTILE_KEEP until its attack passed (hostile)
hostile_attacker() {
	if grep -qx "$HOSTILE_ATK" "$HOSTILE_KEEP" 2>/dev/null && guest_domid $HOSTILE_ATK > /dev/null; then
		sed -i "/^$HOSTILE_ATK\$/d" "$HOSTILE_KEEP"
		return 0
	fi
	sed -i "/^$HOSTILE_ATK\$/d" "$HOSTILE_KEEP" 2>/dev/null
	guest_domid $HOSTILE_ATK > /dev/null && { timeout 30 xl destroy $HOSTILE_ATK; sleep 0.5; }
	GUEST_ARGS="xbt.stay=1 xbt.hostile=serve xbt.noblk=1 xbt.nonet=1" guest_cfg $HOSTILE_ATK hostile
	guest_start $HOSTILE_ATK
	wait_console $HOSTILE_ATK 'XBT-GUEST-OK hostile ready' 60
}

# hostile_disk: the attacked vbd's target: $HOSTILE_TARGET when set (e.g. a
# loop device, which blkbackd serves through io_uring: requests stay in
# flight a while), else a fresh 16 MiB image (a memory file system, which
# blkbackd serves inline)
hostile_disk() {
	_htarget=${HOSTILE_TARGET:-$IMAGES/hostile.img}
	[ -n "${HOSTILE_TARGET:-}" ] || mkimg $IMAGES/hostile.img 16
}

# hostile_attach / hostile_detach: the attacked device on hatk.  vif: as
# an administrator adds and removes one (xl network-attach: the vif-bridge
# script puts the TAP on the bridge).  vbd: as libxl does it, written by
# dom0 (libxl_device.c, docs/ARCHITECTURE.md "Device lifecycle"): the
# backend and frontend directories in one transaction each with their
# permissions, then hotplug-status=connected, which Debian's block script
# writes after it set up a loop device blkbackd does not use; removal:
# online=0, and when the backend is Connected state=5 and Closed within
# 10 s (libxl's limit), then both directories go.  xl block-attach took 2.7 s and
# block-detach 1.2 s under TCG, 1.4 s of it the block script; xl's own
# disk path is tested by every blk-* scenario.  HOSTILE_XL=1 uses xl for
# vbds too.  Either way no backend directory may be left behind.
hostile_attach() {
	case $_hk in
	blk)	hostile_disk
		if [ "${HOSTILE_XL:-0}" = 1 ]; then
			timeout 60 xl block-attach $_hn "format=raw,vdev=xvdb,access=rw,target=$_htarget" \
			    > /tmp/hostile.attach 2>&1 ||
			    fail "xl block-attach $_hn xvdb failed: $(xl_error /tmp/hostile.attach)"
		else
			hostile_vbd_add
		fi ;;
	net)	# xl network-attach takes the vif spec's keys as separate words
		timeout 60 xl network-attach $_hn $(vif_spec 9 | tr ',' ' ') > /tmp/hostile.attach 2>&1 ||
		    fail "xl network-attach $_hn failed: $(xl_error /tmp/hostile.attach)" ;;
	esac
	xenstore-exists /local/domain/$D/device/$_ht/$_hdev ||
	    fail "no device/$_ht/$_hdev attached to $_hn"
	log "$_ht $_hdev attached to $_hn (domain $D)"
}
hostile_vbd_add() {
	_hbe=/local/domain/0/backend/vbd/$D/$_hdev
	_hfe=/local/domain/$D/device/vbd/$_hdev
	# the frontend directory first: the backend reads it as it starts
	xenstore-write $_hfe/backend $_hbe $_hfe/backend-id 0 $_hfe/state 1 \
	    $_hfe/virtual-device $_hdev $_hfe/device-type disk $_hfe/trusted 1 ||
	    fail "cannot write $_hfe"
	xenstore-chmod -r $_hfe n$D r0 || fail "cannot chmod $_hfe"
	xenstore-write $_hbe/frontend $_hfe $_hbe/frontend-id $D \
	    $_hbe/params "$_htarget" $_hbe/script /etc/xen/scripts/block \
	    $_hbe/online 1 $_hbe/removable 0 $_hbe/bootable 1 $_hbe/state 1 \
	    $_hbe/dev xvdb $_hbe/type phy $_hbe/mode w $_hbe/device-type disk \
	    $_hbe/discard-enable 1 ||
	    fail "cannot write $_hbe"
	xenstore-chmod -r $_hbe n0 r$D || fail "cannot chmod $_hbe"
	# libxl waits for InitWait before it runs the script (10 s)
	wait_xs $_hbe/state 2 10
	xenstore-write $_hbe/hotplug-status connected || fail "cannot write $_hbe/hotplug-status"
}
hostile_detach() {
	case $_hk in
	blk) _hxl="block-detach $_hn xvdb" ;;
	net) _hxl="network-detach $_hn $_hdev" ;;
	esac
	if [ "$_hk" = blk ] && [ "${HOSTILE_XL:-0}" != 1 ]; then
		# libxl__initiate_device_generic_remove(): online=0; Closing
		# and a 10 s wait for Closed only when the backend is
		# Connected, else the directories go at once
		_hbe=/local/domain/0/backend/vbd/$D/$_hdev
		xenstore-write $_hbe/online 0 || fail "cannot write $_hbe/online"
		if [ "$(xs_read $_hbe/state)" = 4 ]; then
			xenstore-write $_hbe/state 5 || fail "cannot write $_hbe/state"
			_end=$(( $(now) + 10 ))
			until [ "$(xs_read $_hbe/state)" = 6 ]; do
				[ "$(now)" -ge "$_end" ] &&
				    fail "the backend never reached Closed at detach: state $(xs_read $_hbe/state) 10 s after online=0, state=5"
				sleep 0.1
			done
		fi
		xenstore-rm $_hbe && xenstore-rm /local/domain/$D/device/vbd/$_hdev ||
		    fail "cannot remove the device's directories"
	else
		timeout 30 xl $_hxl > /tmp/hostile.detach 2>&1 ||
		    fail "xl $_hxl failed or hung: $(xl_error /tmp/hostile.detach)"
		grep -q 'unable to remove' /tmp/hostile.detach &&
		    fail "the backend never reached Closed at detach: $(grep -m 1 'unable to remove' /tmp/hostile.detach)"
	fi
	wait_xs_gone /local/domain/0/backend/$_ht/$D/$_hdev 10
	# what a hook left for this attack's frontend (data/xbt-flood ...)
	for _k in $(xenstore-list /local/domain/$D/data 2>/dev/null); do
		case $_k in xbt-*) xenstore-rm /local/domain/$D/data/$_k ;; esac
	done
	log "$_ht $_hdev detached from $_hn"
}

# hostile_parent_same: the daemon's parent holds the fds and grant
# mappings it held before the attack (a device it set up and tore down
# leaves nothing; the worker held the rest and is gone)
hostile_parent_same() {
	_f=$(proc_fds "$_hpar") _m=$(proc_gntmaps "$_hpar")
	[ "$_f" -le "$_hfd0" ] || fail "$_hd ($_hpar) has $_f fds after the attack, $_hfd0 before"
	[ "$_m" -le "$_hgm0" ] || fail "$_hd ($_hpar) has $_m grant mappings after the attack, $_hgm0 before"
}

# hostile_attacker_end: hatk goes (hostile-zz-neighbour): Xen must free
# it, which it cannot while a mapping of its pages is left anywhere
hostile_attacker_end() {
	_ad=$(guest_domid $HOSTILE_ATK) || return 0
	sed -i "/^$HOSTILE_ATK\$/d" "$HOSTILE_KEEP" 2>/dev/null
	log "xl destroy $HOSTILE_ATK (domain $_ad, $(cat /run/xbt/hostile.n 2>/dev/null) attacks)"
	timeout 30 xl destroy $HOSTILE_ATK || fail "xl destroy $HOSTILE_ATK failed or hung"
	hostile_domain_freed "$_ad" 30
}

# hostile_survivors PIDS: every pid still runs (the daemons' parents and
# workers that ran before an attack, the neighbour's among them)
hostile_survivors() {
	for _p in $1; do
		pid_running "$_p" ||
		    fail "process $_p ($(grep "^$_p " /tmp/hostile.before | cut -d' ' -f2-)) is gone after the attack"
	done
	if [ -s "$HOSTILE_KEEP" ] && grep -qx "$NB" "$HOSTILE_KEEP"; then
		guest_domid $NB > /dev/null || fail "the neighbour guest $NB is gone"
		_g=$(console_grep $NB 'XBT-GUEST-FAIL' | head -n 1)
		[ -z "$_g" ] || fail "the neighbour: ${_g#*XBT-GUEST-FAIL }"
	fi
}

# hostile_domain_freed DOMID TIMEOUT: Xen has freed the domain: it is not
# listed at all, not even as a dying domain, whose pages a backend still
# maps (grant mappings not released)
hostile_domain_freed() {
	_end=$(( $(now) + $2 ))
	while xl list 2>/dev/null | awk -v d="$1" 'NR > 1 && $2 == d { f = 1 } END { exit !f }'; do
		if [ "$(now)" -ge "$_end" ]; then
			xl list 2>&1 | sed 's/^/  /'
			fail "domain $1 is still there $2s after xl destroy (a mapping of its pages was never released)"
		fi
		sleep 0.3
	done
}

# hostile_cons_backend DOMID: the toolstack's part of a secondary console
# (as cons-secondary writes it): backend/console/DOMID/1, readable by the
# guest, and device/console owned by the guest; the frontend writes the
# rest
hostile_cons_backend() {
	_be=/local/domain/0/backend/console/$1/1
	_fe=/local/domain/$1/device/console/1
	xenstore-write $_be/frontend $_fe $_be/frontend-id $1 $_be/online 1 $_be/state 1 ||
	    fail "cannot write $_be"
	xenstore-chmod -r $_be n0 r$1 || fail "cannot chmod $_be"
	for _p in /local/domain/$1/device /local/domain/$1/device/console; do
		xenstore-exists $_p || xenstore-write $_p "" || fail "cannot write $_p"
		xenstore-chmod $_p n$1 r0 || fail "cannot chmod $_p"
	done
}

# ---- lifecycle (lifecycle-4, lifecycle-100) ---------------------------------

proc_rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null; }	# PID: KiB

# lifecycle N: N cycles of xl create and xl destroy of a small guest with
# a disk (blkbackd) and a vif (netbackd); each cycle the guest has booted
# with both devices Connected and served by our workers, and answers a
# ping.  Afterwards nothing of the N domains is left: no worker, no
# backend/<type>/<domid> or error node, no vif link, and Xen freed each
# domain (a grant mapping left anywhere keeps it dying).  The parents
# (blkbackd, netbackd, consoled) hold as many fds as before the loop and
# no grant mapping more, and their RSS at the end is within 10% of its
# value after cycle 2, when every lazy first use is done.  The checks in
# the loop are cheap on purpose (one /proc scan a cycle: under TCG every
# fork counts).
lifecycle() {
	_ln=$1
	[ "$XBT_BACKEND" = ours ] || fail "lifecycle tests our daemons (this run: $XBT_BACKEND)"
	# ASan's quarantine keeps freed memory from being reused, so a
	# sanitizer build's RSS grows with every allocation until it is full:
	# it would fake a leak's slope.  The parents run the loop without it,
	# both parts: the global one (256 MiB) and each thread's cache in front
	# of it (1 MiB), which quarantine_size_mb=0 alone leaves on.  With only
	# the first off, the ASan allocator recycled not one chunk in 30 cycles
	# ("really freed by 0 calls") and the parents' RSS grew 24-50 KiB a
	# cycle at a flat 188 KiB in use (lifecycle-30, log_heap).  At the end
	# each parent is stopped, and LeakSanitizer reports what it lost
	# (daemon_stop), then started again as before.
	export ASAN_OPTIONS=quarantine_size_mb=0:thread_local_quarantine_size_kb=0${LC_ASAN:+:$LC_ASAN}
	lifecycle_restart
	unset ASAN_OPTIONS
	_lpar="blkbackd:$(cat "$BLKBACKD_PIDFILE" 2>/dev/null) netbackd:$(cat "$NETBACKD_PIDFILE" 2>/dev/null)"
	[ "$XBT_CONSOLE" = ours ] && _lpar="$_lpar consoled:$(consoled_pid)"
	for _x in $_lpar; do
		pid_running "${_x#*:}" || fail "${_x%%:*} is not running"
		echo "$_x $(proc_fds "${_x#*:}") $(proc_gntmaps "${_x#*:}")"
	done > /tmp/lc.before
	mkimg $IMAGES/lc0.img 16
	mkimg $IMAGES/lc1.img 16
	# Pipelined: cycle i's guest boots while cycle i-1's is destroyed (the
	# guest's vCPU and dom0's work overlap); odd and even cycles use their
	# own image, MAC and address.
	_ldoms= _li=0 _lprev= _lt0=$(cut -d' ' -f1 /proc/uptime)
	while [ $_li -lt "$_ln" ]; do
		_li=$((_li + 1))
		_lg=lc$_li _lk=$((_li % 2))
		_lip=$(guest_ip $((6 + _lk)))
		GUEST_MEM=128 GUEST_ARGS="xbt.stay=1 xbt.ip=$_lip/24" \
		    GUEST_EXTRA="vif = [ '$(vif_spec $((6 + _lk)))' ]" guest_cfg $_lg smoke \
		    "format=raw,vdev=xvdb,access=rw,target=$IMAGES/lc$_lk.img"
		_lc0=$(cut -d' ' -f1 /proc/uptime)
		guest_start $_lg
		_lc1=$(cut -d' ' -f1 /proc/uptime)
		_ld=$(guest_domid $_lg)
		_ldoms="$_ldoms $_ld"
		[ -z "$_lprev" ] || lifecycle_destroy $_lprev
		wait_console $_lg 'XBT-GUEST-DONE' 60
		_l=$(console_grep $_lg 'XBT-GUEST-NET ' | tail -n 1)
		case $_l in *" ip="*) ;; *) fail "cycle $_li: $_lg's eth0: ${_l#*XBT-GUEST-NET }" ;; esac
		case $_l in *error=*) fail "cycle $_li: $_lg's eth0: ${_l#*error=}" ;; esac
		console_grep $_lg 'XBT-GUEST-DISKS .*xvdb' > /dev/null ||
		    fail "cycle $_li: $_lg has no xvdb ($(console_grep $_lg 'XBT-GUEST-DISKS'))"
		_lc2=$(cut -d' ' -f1 /proc/uptime)
		# both Connected, each served by a worker of ours (process titles)
		_st=$(xenstore-read $(be_path $_ld $XVDB)/state $(vif_be_path $_ld 0)/state 2>&1 | tr '\n' ' ')
		[ "$_st" = "4 4 " ] || fail "cycle $_li: backend states (vbd, vif) are '$_st', not 4 4"
		_lw=$(grep -lsE "^(blkbackd: d$_ld/$XVDB|netbackd: d$_ld/0)" /proc/[0-9]*/cmdline | wc -l)
		[ "$_lw" = 2 ] || fail "cycle $_li: $_lw workers titled d$_ld/..., want 2 ($(daemon_procs backd))"
		$PING -c 1 -W 5 "$_lip" > /dev/null || $PING -c 1 -W 5 "$_lip" > /dev/null ||
		    fail "cycle $_li: $_lg (domain $_ld) does not answer ping"
		log "cycle $_li (domain $_ld): xl create $_lc0-$_lc1, ready $_lc2, checked $(cut -d' ' -f1 /proc/uptime); VmRSS KiB $(for _x in $_lpar; do printf '%s %s ' "${_x%%:*}" "$(proc_rss "${_x#*:}")"; done)"
		_lprev=$_lg
		if [ $_li = 2 ]; then
			# nothing but cycle 2's guest up: the RSS reference
			lifecycle_destroy $_lprev
			_lprev=
			lifecycle_gone "$_ldoms"
			for _x in $_lpar; do
				echo "$_x $(proc_rss "${_x#*:}") $(proc_heap "$_x")"
			done > /tmp/lc.rss2
			[ -z "$LC_MEM" ] || lifecycle_mem "after cycle 2" "$_lpar"
		elif [ -n "$LC_MEM" ] && [ $((_li % 10)) = 0 ] && [ $_li -lt "$_ln" ]; then
			lifecycle_mem "at cycle $_li" "$_lpar"
		fi
	done
	[ -z "$_lprev" ] || lifecycle_destroy $_lprev
	_lt=$(awk -v a="$_lt0" -v b="$(cut -d' ' -f1 /proc/uptime)" -v n="$_ln" \
	    'BEGIN { printf "%.1f s, %.1f s a cycle", b - a, (b - a) / n }')
	lifecycle_gone "$_ldoms"
	[ -z "$LC_MEM" ] || lifecycle_mem "after cycle $_ln" "$_lpar"
	_lbad=
	while read -r _x _f0 _m0; do
		_p=${_x#*:} _dn=${_x%%:*}
		pid_running "$_p" || fail "$_dn ($_p) is gone"
		_f=$(proc_fds $_p) _m=$(proc_gntmaps $_p) _r=$(proc_rss $_p)
		_r2=$(awk -v x="$_x" '$1 == x { print $2 }' /tmp/lc.rss2 2>/dev/null)
		_r2=${_r2:-$_r}
		_u2=$(awk -v x="$_x" '$1 == x { print $3 }' /tmp/lc.rss2 2>/dev/null)
		_u=$(proc_heap "$_x")
		note "$_dn ($_p): fds $_f0 before, $_f after; grant mappings $_m0 -> $_m; VmRSS $_r2 KiB after cycle 2, $_r KiB after cycle $_ln; heap in use $_u2 -> $_u KiB"
		[ "$_f" -le "$_f0" ] || _lbad="$_lbad; $_dn has $_f fds, $_f0 before the loop ($(ls -l /proc/$_p/fd | awk 'NR > 1 { print $NF }' | sort | uniq -c | sort -rn | head -n 4 | tr -s ' \n' ' '))"
		[ "$_m" -le "$_m0" ] || _lbad="$_lbad; $_dn has $_m grant mappings, $_m0 before the loop"
		[ "$_r" -le $(( _r2 + _r2 / 10 )) ] || _lbad="$_lbad; $_dn's VmRSS grew from $_r2 KiB after cycle 2 to $_r KiB"
		# live data, what a table that grows per device shows first
		# (64 KiB for glibc's tcache and fastbins, counted as in use)
		[ -z "$_u2" ] || [ -z "$_u" ] || [ "$_u" -le $(( _u2 + _u2 / 10 + 64 )) ] ||
		    _lbad="$_lbad; $_dn's heap in use grew from $_u2 KiB after cycle 2 to $_u KiB"
	done < /tmp/lc.before
	[ -z "$_lbad" ] || fail "after $_ln cycles: ${_lbad#; }"
	lifecycle_restart
	note "$_ln cycles in $_lt; every domain freed, no worker, link or xenstore node left; the parents exited with no leak"
}

# proc_heap NAME:PID: the KiB of heap in use (malloc'd, not freed) that the
# parent NAME logs on SIGUSR1 (log_heap), or nothing
proc_heap() {
	case ${1%%:*} in
	blkbackd) _hf=$BLKBACKD_LOG ;;
	netbackd) _hf=$NETBACKD_LOG ;;
	*) _hf=$CONSOLED_LOG ;;
	esac
	_ho=$(wc -c < "$_hf")
	kill -USR1 "${1#*:}" 2> /dev/null || return 0
	_hw=0
	while [ $_hw -lt 20 ]; do
		sleep 0.1
		_hl=$(tail -c +$((_ho + 1)) "$_hf" | grep -m 1 -E ' heap( \(ASan\))?: ')
		[ -n "$_hl" ] && break
		_hw=$((_hw + 1))
	done
	echo "$_hl" | sed -n 's/.*, \([0-9]*\) KiB in use.*/\1/p'
}

# lifecycle_mem WHEN "NAME:PID ...": with LC_MEM set (lifecycle-30), a note
# per parent of where its memory is: VmRSS split by mapping (the brk heap,
# other anonymous memory such as thread arenas and stacks, files) from
# /proc/PID/smaps, and its own heap line (SIGUSR1, log_heap: mallinfo2),
# to tell live data from what malloc keeps
lifecycle_mem() {
	for _x in $2; do
		_p=${_x#*:} _dn=${_x%%:*}
		case $_dn in
		blkbackd) _lf=$BLKBACKD_LOG ;;
		netbackd) _lf=$NETBACKD_LOG ;;
		*) _lf=$CONSOLED_LOG ;;
		esac
		_off=$(wc -c < "$_lf")
		kill -USR1 "$_p"
		_h= _w=0
		while [ -z "$_h" ] && [ $_w -lt 20 ]; do
			sleep 0.1
			_h=$(tail -c +$((_off + 1)) "$_lf" | grep -m 1 -E ' heap( \(ASan\))?: ')
			_w=$((_w + 1))
		done
		# anonymous memory of a sanitizer build by address: its shadow
		# (below 0x10007fff8000), its heap (0x6000...-0x6400...)
		_m=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {
			n = $6 == "" ? "anon" : $6 ~ /^\// ? "file" : $6
			a = substr($1, 1, index($1, "-") - 1)
			if (n == "anon" && length(a) <= 12) {
				if (length(a) < 12 || a < "10007fff8000")
					n = "shadow"
				else if (a >= "600000000000" && a < "640000000000")
					n = "asanheap"
			}
		    }
		    /^Rss:/ { r[n] += $2 }
		    END { printf "heap %d anon %d stack %d file %d", r["[heap]"], r["anon"], r["[stack]"], r["file"]
			if (r["shadow"] + r["asanheap"] > 0)
				printf " shadow %d asan-heap %d", r["shadow"], r["asanheap"] }' /proc/$_p/smaps)
		note "$_dn ($_p) $1: VmRSS $(proc_rss $_p) KiB = $_m KiB (smaps Rss); heap${_h#* heap}"
		# a sanitizer build's allocator statistics (log_heap), to the log
		tail -c +$((_off + 1)) "$_lf" | grep -E '^(Stats:|  [0-9][0-9] \(|Quarantine|Global)' |
		    sed "s/^/$_dn $1: /"
	done
}

# lifecycle_restart: stop blkbackd, netbackd and consoled (SIGTERM; a
# sanitizer report at exit fails) and start them again
lifecycle_restart() {
	for _d in blkbackd netbackd; do
		daemon_stop $_d
		daemon_start $_d
	done
	[ "$XBT_CONSOLE" = ours ] || return 0
	_off=$(wc -c < "$CONSOLED_LOG")
	consoled_stop TERM
	_san=$(tail -c +$((_off + 1)) "$CONSOLED_LOG" |
	    grep -m 1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer')
	[ -z "$_san" ] || fail "consoled at its exit: $_san"
	consoled_start
}

lifecycle_destroy() {	# lifecycle_destroy NAME
	timeout 30 xl destroy $1 > /tmp/lc.destroy 2>&1 ||
	    fail "xl destroy $1 failed or hung: $(cat /tmp/lc.destroy)"
}

# lifecycle_left "DOMIDS": what is left of the destroyed domains (empty:
# nothing): workers titled d<domid>/..., backend and error nodes, vif
# links, domains Xen still lists (dying: a mapping of their pages is held)
lifecycle_left() {
	_re=$(echo $1 | tr ' ' '|')
	_w=$(grep -lsE "^(blkbackd|netbackd): d($_re)/" /proc/[0-9]*/cmdline | cut -d/ -f3 | tr '\n' ' ')
	[ -z "$_w" ] && _w=$(for _t in vbd vif console; do
		xenstore-list /local/domain/0/backend/$_t 2>/dev/null | grep -xE "$_re" | sed "s|^|backend/$_t/|"
		xenstore-list /local/domain/0/error/backend/$_t 2>/dev/null | grep -xE "$_re" | sed "s|^|error/backend/$_t/|"
	done | tr '\n' ' ')
	[ -z "$_w" ] && _w=$(ls /sys/class/net | grep -E "^vif($_re)\." | tr '\n' ' ')
	[ -z "$_w" ] && _w=$(xl list 2>/dev/null | awk -v re="^($_re)\$" 'NR > 1 && $2 ~ re { printf "domain %s (%s) ", $2, $5 }')
	echo "$_w"
}
# lifecycle_gone "DOMIDS": nothing of them left within 15 s (the
# processes listed are workers still running)
lifecycle_gone() {
	_end=$(( $(now) + 15 ))
	while _left=$(lifecycle_left "$1"); [ -n "$_left" ]; do
		[ "$(now)" -ge "$_end" ] && fail "15s after xl destroy, still there: $_left"
		sleep 0.5
	done
}

# ---- crash-only restart (restart-blk, restart-blk-100) -----------------------

# restart_blk_case NAME KILLS LOOPS: a 2-vCPU guest runs the fio verify jobs
# LOOPS times on xvdb (FIO_LOOP=1: a loop device, so blkbackd's io_uring
# and the stale-I/O fence are used) while its worker is SIGKILLed KILLS
# times at random intervals of 0.2-1.5 s.  fio must pass with no error and
# no verify failure, the backend must stay Connected with no error node,
# every restart gap (reap -> READY, blkbackd's "restarted as M after X s")
# must be under RB_GAP_MAX seconds (default 1.0), and at least one
# successor must have redone requests from the journal ("resumed ... N
# requests done again", N > 0).
restart_blk_case() {
	GUEST_VCPUS=2 GUEST_ARGS="xbt.fioloops=$3" fio_guest "$1"
	_rk=0
	while [ $_rk -lt "$2" ]; do
		console_grep "$1" 'XBT-GUEST-OK fio$|XBT-GUEST-FAIL|XBT-GUEST-FIOFAIL' > /dev/null &&
		    fail "fio ended after $_rk of $2 kills (raise its loops): $(console_grep "$1" 'XBT-GUEST-(FAIL|FIOFAIL|FIOMSG)' | head -n 3)"
		# Each kill falls on a serving worker: the previous successor
		# is READY first, so each kill is one restart and one gap (a
		# successor killed while it starts would make the guest's
		# gap two restarts long).
		_rw=0
		while [ "$(blkbackd_log_new | grep -c "d$D/$XVDB: worker .* restarted as .* after ")" -lt $_rk ]; do
			_rw=$((_rw + 1))
			[ $_rw -gt 100 ] && fail "no restart logged 10 s after kill $_rk: $(blkbackd_log_new | grep "d$D/$XVDB" | tail -n 3 | tr '\n' ' ')"
			sleep 0.1
		done
		sleep "$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%.2f", 0.2 + ($1 % 1301) / 1000 }')"
		# the parent's children only: a scan of /proc takes a second here
		_rpar=$(cat "$BLKBACKD_PIDFILE") _rp=
		for _c in $(cat /proc/$_rpar/task/$_rpar/children 2>/dev/null); do
			case $(tr '\0' ' ' < /proc/$_c/cmdline 2>/dev/null) in
			*"d$D/$XVDB "*) _rp=$_c ;;
			esac
		done
		[ -e /proc/$_rpar/task/$_rpar/children ] ||
		    _rp=$(blkbackd_worker $D $XVDB | head -n 1)
		[ -n "$_rp" ] || continue
		kill -KILL "$_rp" 2> /dev/null || continue
		_rk=$((_rk + 1))
	done
	log "$_rk kills done; waiting for fio"
	# now, not after fio: the guest powers off when fio is done
	[ "$(xs_read "$BE/state")" = 4 ] || fail "backend state is $(xs_read "$BE/state") after the kills, want 4"
	fio_wait "$1" 600
	fio_note "$1" xvdb
	console_grep "$1" 'XBT-GUEST-FIOMSG' && fail "fio said: $(console_grep "$1" 'XBT-GUEST-FIOMSG' | head -n 3)"
	_re=$(xs_read /local/domain/0/error/backend/vbd/$D/$XVDB/error)
	[ -z "$_re" ] || fail "error node: $_re"
	blkbackd_log_new | grep "d$D/$XVDB: worker .* restarted as .* after " > /tmp/rb.gaps
	_rn=$(wc -l < /tmp/rb.gaps)
	[ "$_rn" -ge "$_rk" ] || fail "$_rk kills but $_rn restart lines in blkbackd's log"
	_rmax=$(sed 's/.* after \([0-9.]*\) s.*/\1/' /tmp/rb.gaps | sort -n | tail -n 1)
	if ! awk -v m="$_rmax" -v l="${RB_GAP_MAX:-1.0}" 'BEGIN { exit !(m < l) }'; then
		# what the parent and the successor did meanwhile
		blkbackd_log_new | grep -B 14 "after $_rmax s" | sed 's/^/  blkbackd: /' | head -n 15
		log "gaps over 1 s: $(sed 's/.* after \([0-9.]*\) s.*/\1/' /tmp/rb.gaps | awk '$1 >= 1.0' | tr '\n' ' ')"
		fail "a restart gap was $_rmax s (want < ${RB_GAP_MAX:-1.0}): $(grep "after $_rmax s" /tmp/rb.gaps | head -n 1)"
	fi
	blkbackd_log_new | grep "d$D/$XVDB: resumed" > /tmp/rb.resumed
	grep -qE ' [1-9][0-9]* requests? done again' /tmp/rb.resumed ||
	    fail "no successor redid a request ($(wc -l < /tmp/rb.resumed) resumed lines; last: $(tail -n 1 /tmp/rb.resumed))"
	_rr=$(sed -n 's/.* \([0-9]*\) requests\{0,1\} done again.*/\1/p' /tmp/rb.resumed | awk '{ s += $1 } END { print s + 0 }')
	note "$_rk kills, $_rn restarts, largest gap $_rmax s, $(wc -l < /tmp/rb.resumed) resumes redid $_rr requests; blkfront: $(blkfront_line "$1" xvdb)"
	wait_gone "$1" 60
	check_clean_close "$1"
}

# ---- the worker sandbox (sandbox-blk, sandbox-net; docs/SECURITY.md) ----------
# SIGRTMIN for glibc is 34 (glibc keeps 32 and 33): the -T hooks, numerically
SB_SIG_DENIED=35	# SIGRTMIN+1: open, execve, socket, each denied
SB_SIG_KILLED=36	# SIGRTMIN+2: ptrace, the filter kills the worker
SB_PROBED=none		# pids the probes signalled (their lines are expected)
# sandbox_check DAEMON PID ROOT STORE: worker PID of DAEMON runs confined:
# no uid 0, Seccomp 2, NoNewPrivs 1, root ROOT (/ in a sanitizer build,
# which skips the chroot and says so in its log), comm and ps title, and
# every fd past 2 of a known kind (STORE: its backing file, or "")
sandbox_check() {
	_sd=$1 _sp=$2 _sr=$3 _ss=$4
	# Until the probes, the filter never fired: not in this scenario nor
	# in any scenario this boot ran before it (a row missing in a table)
	_sbad=$(grep -E "tried [a-z0-9_]+ \(syscall [0-9]+\): denied|killed by its seccomp filter|killed by SIGSYS" "$(daemon_log "$_sd")" |
	    grep -v "selftest" | grep -vE "worker ($SB_PROBED) " | head -n 3)
	[ -z "$_sbad" ] || fail "$_sd's filter fired outside the probes: $_sbad"
	_st=/proc/$_sp/status
	[ -r "$_st" ] || fail "$_sd worker $_sp is not running"
	_su=$(sed -n 's/^Uid:[[:space:]]*//p' "$_st" | tr -s '\t ' ' ')
	_sg=$(sed -n 's/^Gid:[[:space:]]*//p' "$_st" | tr -s '\t ' ' ')
	case " $_su $_sg " in *" 0 "*) fail "$_sd worker $_sp runs with uid/gid 0: Uid $_su, Gid $_sg" ;; esac
	grep -q '^Seccomp:[[:space:]]*2$' "$_st" || fail "$_sd worker $_sp: $(grep '^Seccomp:' "$_st"), want 2 (filter)"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "$_st" || fail "$_sd worker $_sp: $(grep '^NoNewPrivs:' "$_st"), want 1"
	_sroot=$(readlink "/proc/$_sp/root")
	if daemon_log_new "$_sd" | grep -q "sandbox: entering .*sanitizer profile"; then
		[ "$_sroot" = / ] || fail "$_sd worker $_sp: root $_sroot"
		_sroot="/ (sanitizer build: no chroot)"
	else
		[ "$_sroot" = "$_sr" ] || fail "$_sd worker $_sp: root is $_sroot, want $_sr"
		[ -z "$(ls -A "$_sr")" ] || fail "$_sr is not empty: $(ls -A "$_sr" | head -n 3)"
	fi
	[ "$(cat "/proc/$_sp/comm")" = "$_sd" ] || fail "$_sd worker $_sp: comm is $(cat "/proc/$_sp/comm")"
	ps | grep -v grep | grep -qE "^ *$_sp .*$_sd: d[0-9]+/[0-9]+" ||
	    fail "ps shows no title '$_sd: d<domid>/<devid>' for $_sp: $(ps | grep "^ *$_sp ")"
	_skinds=
	for _sf in /proc/$_sp/fd/*; do
		_sn=${_sf##*/}
		[ "$_sn" -le 2 ] && continue
		_sl=$(readlink "$_sf") || continue
		case $_sl in
		socket:*) _sk=socket ;;
		pipe:*) _sk=pipe ;;
		anon_inode:*) _sk=${_sl#anon_inode:} ;;
		/dev/xen/evtchn|/dev/xen/gntdev|/dev/net/tun) _sk=${_sl##*/} ;;
		/memfd:*) _sk=memfd ;;
		*) [ -n "$_ss" ] && [ "$_sl" = "$_ss" ] && _sk=store ||
		    fail "$_sd worker $_sp holds fd $_sn -> $_sl: not one it was handed" ;;
		esac
		_skinds="$_skinds $_sk"
	done
	_skinds=$(echo $_skinds | tr ' ' '\n' | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')
	note "$_sd worker $_sp: $_su, root $_sroot, Seccomp 2, NoNewPrivs 1, fds 0-2 +$_skinds"
}
# sandbox_probe DAEMON TYPE DOMID DEVID PID: SIGRTMIN+1 -> the parent logs
# openat, execve and socket denied for PID, the worker logs EACCES for
# each, and it keeps serving
sandbox_probe() {
	_sd=$1 _sty=$2 _sdom=$3 _sdev=$4 _sp=$5
	SB_PROBED="$SB_PROBED|$_sp"
	kill -$SB_SIG_DENIED "$_sp" || fail "cannot signal $_sd worker $_sp"
	for _sc in "openat (syscall 257)" "execve (syscall 59)" "socket (syscall 41)"; do
		_si=0
		until daemon_log_new "$_sd" | grep -q "d$_sdom/$_sdev: worker $_sp tried $_sc: denied"; do
			_si=$((_si + 1))
			[ $_si -gt 25 ] && fail "$_sd: no 'worker $_sp tried $_sc: denied': $(daemon_log_new "$_sd" | grep "d$_sdom/$_sdev" | tail -n 4)"
			sleep 0.2
		done
	done
	for _sc in "open /etc/passwd" "execve /bin/true" "socket AF_INET"; do
		daemon_log_new "$_sd" | grep -q "d$_sdom/$_sdev.*selftest: $_sc: Permission denied" ||
		    fail "$_sd worker $_sp did not log '$_sc: Permission denied': $(daemon_log_new "$_sd" | grep selftest | tail -n 3)"
	done
	[ "$(daemon_worker "$_sd" "$_sdom" "$_sdev" | head -n 1)" = "$_sp" ] || fail "$_sd worker $_sp did not survive the denied calls"
	[ "$(xs_read "/local/domain/0/backend/$_sty/$_sdom/$_sdev/state")" = 4 ] || fail "$_sty d$_sdom/$_sdev no longer Connected"
	note "$_sd worker $_sp: open, execve and socket denied and logged; still serving"
}
# sandbox_kill DAEMON TYPE DOMID DEVID PID: SIGRTMIN+2 -> ptrace -> the
# parent logs "killed by its seccomp filter (syscall 101 ptrace)"; SB_NEW
# is the successor's pid, or empty when the device was failed instead
sandbox_kill() {
	_sd=$1 _sty=$2 _sdom=$3 _sdev=$4 _sp=$5
	SB_NEW=
	SB_PROBED="$SB_PROBED|$_sp"
	kill -$SB_SIG_KILLED "$_sp" || fail "cannot signal $_sd worker $_sp"
	_si=0
	until _sline=$(daemon_log_new "$_sd" | grep "d$_sdom/$_sdev: worker $_sp killed by its seccomp filter (syscall 101 ptrace)"); do
		_si=$((_si + 1))
		[ $_si -gt 50 ] && fail "$_sd: no 'worker $_sp killed by its seccomp filter (syscall 101 ptrace)': $(daemon_log_new "$_sd" | grep "d$_sdom/$_sdev" | tail -n 4)"
		sleep 0.2
	done
	note "${_sline#*: }"
	case $_sline in
	*"restarted as"*)
		_si=0
		until SB_NEW=$(daemon_worker "$_sd" "$_sdom" "$_sdev" | head -n 1) && [ -n "$SB_NEW" ] && [ "$SB_NEW" != "$_sp" ]; do
			_si=$((_si + 1))
			[ $_si -gt 50 ] && fail "$_sd: no successor of worker $_sp"
			sleep 0.2
		done ;;
	*)	# no restart path: the device is failed with the reason
		wait_xs "/local/domain/0/backend/$_sty/$_sdom/$_sdev/state" 6 10
		xs_read "/local/domain/0/error/backend/$_sty/$_sdom/$_sdev/error" |
		    grep -q "killed by its seccomp filter" || fail "error node does not say 'killed by its seccomp filter'" ;;
	esac
}

# ---- the installed layout: a unit runner (install-layout) ---------------------
# build.sh puts the tree "make install" writes with its default paths
# (PREFIX=/usr/local, SYSCONFDIR=/etc) into dom0, and the list of its files
# (make install-files) in /xbtest/installed-files.  dom0 has no systemd:
# unit_start NAME starts the daemon the way systemd would start the
# installed NAME.service, from what the unit file says, and unit_stop and
# unit_reload do what systemctl stop and reload would.  Every directive of
# the unit must be one the runner knows; an unknown one fails the scenario,
# so that a changed unit is looked at before this test passes again:
#   acted on      ExecStartPre= (a "-" prefix: failure ignored), ExecStart=,
#                 ExecReload= (with $MAINPID), Environment=, EnvironmentFile=
#                 ("-" prefix: optional; read after Environment=, as systemd
#                 does), $VAR (split at whitespace) and ${VAR} expansion,
#                 Type=simple|exec|notify (notify: READY=1 on the socket in
#                 $NOTIFY_SOCKET, tools/notifysock.c, within 30 s),
#                 NotifyAccess=main|all, KillMode=mixed|control-group|process,
#                 TimeoutStopSec=, RuntimeDirectory= (made before the start,
#                 removed after the stop), RuntimeDirectoryMode=,
#                 LogsDirectory=, LogsDirectoryMode=, UMask=, LimitNOFILE=,
#                 ConditionPathExists=, Conflicts= (fails while a process of
#                 that name runs)
#   not emulated  ordering (Wants=, After=, Before=, WantedBy=),
#                 Restart=/RestartSec= (the bed fails a scenario whose daemon
#                 dies anyway), and the sandboxing directives (Protect*,
#                 Private*, Restrict*, LockPersonality=, NoNewPrivileges=,
#                 MemoryDenyWriteExecute=, SystemCallArchitectures=,
#                 DevicePolicy=, DeviceAllow=): the daemons run without them
#                 here; systemd-analyze verify checks them (tests/packaging.sh)
# The process gets a clean environment (PATH, NOTIFY_SOCKET and the unit's
# variables) and stdin /dev/null; stdout and stderr, the journal, go to
# /var/log/unit-NAME.journal.  It stays in the scenario's process group, so
# that whatever a failed scenario leaves is killed at its end.

UNIT_DIR=/usr/local/lib/systemd/system	# make install's SYSTEMDUNITDIR
NOTIFYSOCK=/usr/libexec/xbt/notifysock	# tools/notifysock.c
UNIT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

unit_journal() { echo "/var/log/unit-$1.journal"; }	# NAME
unit_pid() { cat "/run/xbt/unit-$1.pid" 2>/dev/null; }	# NAME: its main pid
unit_notes() { cat "/run/xbt/unit-$1.notify.log" 2>/dev/null; }	# NAME: what it sent

# unit_load NAME: read $UNIT_DIR/NAME.service into the U_* variables;
# fails on anything the runner does not understand
unit_load() {
	_uf=$UNIT_DIR/$1.service
	[ -f "$_uf" ] || fail "no unit file $_uf"
	U_TYPE=simple U_NACC=none U_KILL=control-group U_TSTOP=90 U_UMASK=0022 U_NOFILE=
	U_RT= U_RTMODE=0755 U_LOGS= U_LOGMODE=0755 U_ENV= U_ENVFILES= U_PRE= U_START= U_RELOAD=
	U_COND= U_CONFLICTS=
	_nl='
'
	_ut=$(printf '\t')
	# "Section<TAB>Key<TAB>Value" per directive; continuation lines and
	# quoting are refused below rather than parsed
	awk '
	/^[ \t]*([#;].*)?$/ { next }
	/^\[.*\][ \t]*$/ { sec = $0; gsub(/^\[|\][ \t]*$/, "", sec); next }
	{
		i = index($0, "=")
		if (i == 0) { printf "%s\t%s\t%s\n", sec, "(no =)", $0; next }
		k = substr($0, 1, i - 1); v = substr($0, i + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
		printf "%s\t%s\t%s\n", sec, k, v
	}' "$_uf" > "/run/xbt/unit-$1.dirs" || fail "cannot read $_uf"
	while IFS=$_ut read -r _us _uk _uv; do
		_ubad=
		case $_uk in Exec*|Environment*)
			case $_uv in *\\*|*\"*|*\'*) _ubad="quoting or line continuation" ;; esac ;;
		esac
		case $_uv in *\\) _ubad="line continuation" ;; esac
		case $_us/$_uk in
		Unit/Description|Unit/Documentation|Unit/Wants|Unit/After|Unit/Before) ;;
		Install/WantedBy) ;;
		Unit/ConditionPathExists) U_COND="$U_COND${U_COND:+$_nl}$_uv" ;;
		Unit/Conflicts)
			for _ux in $_uv; do
				case $_ux in *.service) U_CONFLICTS="$U_CONFLICTS ${_ux%.service}" ;;
				*) _ubad="not a service" ;; esac
			done ;;
		Service/Type)
			case $_uv in simple|exec|notify) U_TYPE=$_uv ;; *) _ubad="type" ;; esac ;;
		Service/NotifyAccess)
			case $_uv in main|all) U_NACC=$_uv ;; *) _ubad="access" ;; esac ;;
		Service/KillMode)
			case $_uv in mixed|control-group|process) U_KILL=$_uv ;; *) _ubad="mode" ;; esac ;;
		Service/TimeoutStopSec)
			case $_uv in *[!0-9s]*|s*|*s?*) _ubad="not seconds" ;; *) U_TSTOP=${_uv%s} ;; esac ;;
		Service/Restart|Service/RestartSec) ;;
		Service/RuntimeDirectory) U_RT="$U_RT $_uv" ;;
		Service/RuntimeDirectoryMode) U_RTMODE=$_uv ;;
		Service/LogsDirectory) U_LOGS="$U_LOGS $_uv" ;;
		Service/LogsDirectoryMode) U_LOGMODE=$_uv ;;
		Service/UMask) U_UMASK=$_uv ;;
		Service/LimitNOFILE)
			case $_uv in *[!0-9]*|'') _ubad="not a number" ;; *) U_NOFILE=$_uv ;; esac ;;
		Service/Environment) U_ENV="$U_ENV $_uv" ;;
		Service/EnvironmentFile) U_ENVFILES="$U_ENVFILES${U_ENVFILES:+$_nl}$_uv" ;;
		Service/ExecStartPre)
			case $_uv in [@+!:]*) _ubad="prefix" ;; esac
			U_PRE="$U_PRE${U_PRE:+$_nl}$_uv" ;;
		Service/ExecStart)
			case $_uv in /*) ;; *) _ubad="not an absolute path without prefix" ;; esac
			[ -z "$U_START" ] || _ubad="a second ExecStart="
			U_START=$_uv ;;
		Service/ExecReload)
			case $_uv in /*) ;; *) _ubad="not an absolute path without prefix" ;; esac
			U_RELOAD="$U_RELOAD${U_RELOAD:+$_nl}$_uv" ;;
		Service/ProtectSystem|Service/ProtectHome|Service/PrivateTmp|Service/ProtectKernelTunables|\
		Service/ProtectKernelModules|Service/ProtectKernelLogs|Service/ProtectControlGroups|\
		Service/ProtectHostname|Service/ProtectClock|Service/RestrictRealtime|Service/RestrictSUIDSGID|\
		Service/LockPersonality|Service/MemoryDenyWriteExecute|Service/RestrictNamespaces|\
		Service/SystemCallArchitectures|Service/RestrictAddressFamilies|Service/NoNewPrivileges|\
		Service/DevicePolicy|Service/DeviceAllow) ;;
		*) fail "$1.service: [$_us] $_uk= is not a directive the test's unit runner (lib.sh unit_load) knows; teach it what the directive changes" ;;
		esac
		[ -z "$_ubad" ] ||
		    fail "$1.service: [$_us] $_uk=$_uv: the unit runner (lib.sh unit_load) cannot do this ($_ubad)"
	done < "/run/xbt/unit-$1.dirs"
	[ -n "$U_START" ] || fail "$1.service has no ExecStart="
	case $U_UMASK in 0[0-7][0-7][0-7]|[0-7][0-7][0-7]) ;; *) fail "$1.service: UMask=$U_UMASK" ;; esac
	return 0
}

# unit_env NAME [K=V...]: /run/xbt/unit-NAME.env, the unit's variables
# (Environment=, then each EnvironmentFile=; the last assignment wins),
# then K=V (MAINPID for ExecReload=)
unit_env() {
	_ue=/run/xbt/unit-$1.env
	shift
	: > "$_ue"
	for _ux in $U_ENV; do
		case $_ux in [A-Za-z_]*=*) echo "$_ux" >> "$_ue" ;;
		*) fail "Environment=$_ux: not an assignment" ;; esac
	done
	while read -r _ux; do
		[ -n "$_ux" ] || continue
		_uo=${_ux#-}
		if [ ! -f "$_uo" ]; then
			[ "$_uo" != "$_ux" ] && continue
			fail "EnvironmentFile=$_ux does not exist (no - prefix: systemd would not start the unit)"
		fi
		# KEY=VALUE lines; one pair of quotes around VALUE is taken off
		_ub='[[:blank:]]*' _uk='[A-Za-z_][A-Za-z0-9_]*'
		sed -n -e "/^$_ub[#;]/d" \
		    -e "s/^$_ub\\($_uk\\)$_ub=$_ub\"\\(.*\\)\"$_ub\$/\\1=\\2/p;t" \
		    -e "s/^$_ub\\($_uk\\)$_ub=$_ub'\\(.*\\)'$_ub\$/\\1=\\2/p;t" \
		    -e "s/^$_ub\\($_uk\\)$_ub=$_ub\\(.*\\)\$/\\1=\\2/p" "$_uo" >> "$_ue"
	done <<EOF2
$U_ENVFILES
EOF2
	for _ux in "$@"; do echo "$_ux" >> "$_ue"; done
}

# unit_cmd NAME LINE: UCMD, LINE expanded as systemd expands an Exec line
# with the variables of unit_env ($VAR alone: split at whitespace; ${VAR}:
# one word; $$: a $), every word single-quoted for eval
unit_cmd() {
	_uw=$(awk -v line="$2" '
	{ i = index($0, "="); if (i > 1) env[substr($0, 1, i - 1)] = substr($0, i + 1) }
	END {
		n = split(line, w, /[ \t]+/)
		for (j = 1; j <= n; j++) {
			x = w[j]
			if (x == "") continue
			if (x ~ /^\$[A-Za-z_][A-Za-z0-9_]*$/) {
				m = split(env[substr(x, 2)], v, /[ \t]+/)
				for (k = 1; k <= m; k++) if (v[k] != "") print v[k]
				continue
			}
			out = ""
			while ((p = index(x, "$")) > 0) {
				out = out substr(x, 1, p - 1); x = substr(x, p)
				if (substr(x, 1, 2) == "$$") { out = out "$"; x = substr(x, 3); continue }
				if (match(x, /^\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
					out = out env[substr(x, 3, RLENGTH - 3)]; x = substr(x, RLENGTH + 1); continue
				}
				print "BAD " w[j]; exit 1
			}
			print out x
		}
	}' "/run/xbt/unit-$1.env") || fail "$1.service: cannot expand '$2' (${_uw##*BAD })"
	UCMD=
	while read -r _ux; do
		[ -n "$_ux" ] || continue
		UCMD="$UCMD '$(printf '%s' "$_ux" | sed "s/'/'\\\\''/g")'"
	done <<EOF2
$_uw
EOF2
	# the process's environment: PATH, NOTIFY_SOCKET, the unit's variables
	_uv="'PATH=$UNIT_PATH'"
	[ "$U_TYPE" = notify ] && _uv="$_uv 'NOTIFY_SOCKET=/run/xbt/unit-$1.notify'"
	while read -r _ux; do
		case $_ux in MAINPID=*|'') continue ;; esac
		_uv="$_uv '$(printf '%s' "$_ux" | sed "s/'/'\\\\''/g")'"
	done < "/run/xbt/unit-$1.env"
	UENV=$_uv
}

# unit_run NAME LINE: one ExecStartPre=/ExecReload= command, to its end;
# returns its status
unit_run() {
	unit_cmd "$1" "$2"
	log "unit $1: $2 ->$UCMD"
	eval "( umask $U_UMASK; exec env -i $UENV $UCMD ) >> \"\$(unit_journal \"\$1\")\" 2>&1 < /dev/null"
}

# unit_tree PID: PID's descendants, one a line
unit_tree() {
	for _us in /proc/[0-9]*/stat; do
		_ul=$(cat "$_us" 2>/dev/null) || continue
		_up=${_us#/proc/}
		_ur=${_ul##*) }
		echo "${_up%/stat} $(echo "$_ur" | cut -d' ' -f2)"
	done | awk -v root="$1" '
	    { kids[$2] = kids[$2] " " $1 }
	    END { q = root; while (q != "") { n = split(q, a, " "); q = ""
		for (i = 1; i <= n; i++) { m = split(kids[a[i]], b, " ")
		    for (j = 1; j <= m; j++) { print b[j]; q = q " " b[j] } } } }'
}

# unit_notify_wait NAME FROM TIMEOUT WHAT: a WHAT (e.g. READY=1) message
# from the main pid (NotifyAccess=all: from anyone) in the notify log
# after its line FROM; fails when the main pid exits first
unit_notify_wait() {
	_up=$(unit_pid "$1")
	_end=$(( $(now) + $3 ))
	while :; do
		unit_notes "$1" | tail -n +$(($2 + 1)) | awk -v p="pid=$_up" -v acc="$U_NACC" -v w="$4" '
		    (acc == "all" || $1 == p) { for (i = 2; i <= NF; i++) if ($i == w) f = 1 }
		    END { exit !f }' && return 0
		pid_running "$_up" ||
		    fail "unit $1: main pid $_up exited before $4 ($(tail -n 3 "$(unit_journal "$1")" | tr '\n' ' '))"
		[ "$(now)" -lt "$_end" ] ||
		    fail "unit $1: no $4 from pid $_up within $3s (NotifyAccess=$U_NACC; it sent: $(unit_notes "$1" | tr '\n' ' '))"
		sleep 0.2
	done
}

# unit_start NAME: "systemctl start NAME": checks, directories, the
# variables, ExecStartPre=, then ExecStart= in the background (its pid in
# /run/xbt/unit-NAME.pid); Type=notify returns at READY=1
unit_start() {
	unit_load "$1"
	pid_running "$(unit_pid "$1")" && fail "unit $1 is running already"
	while read -r _ux; do
		[ -n "$_ux" ] || continue
		case $_ux in
		!*) [ ! -e "${_ux#!}" ] || fail "unit $1: ConditionPathExists=$_ux is false: systemd would skip it" ;;
		*) [ -e "$_ux" ] || fail "unit $1: ConditionPathExists=$_ux is false: systemd would skip it" ;;
		esac
	done <<EOF2
$U_COND
EOF2
	for _ux in $U_CONFLICTS; do
		pidof "$_ux" > /dev/null && fail "unit $1 conflicts with $_ux.service, and $_ux runs (pid $(pidof "$_ux"))"
	done
	for _ux in $U_RT; do
		mkdir -p "/run/$_ux" && chmod "$U_RTMODE" "/run/$_ux" || fail "unit $1: RuntimeDirectory=$_ux"
	done
	for _ux in $U_LOGS; do
		mkdir -p "/var/log/$_ux" && chmod "$U_LOGMODE" "/var/log/$_ux" || fail "unit $1: LogsDirectory=$_ux"
	done
	unit_env "$1"
	echo "==== unit $1 started by $XBT_NAME at $(cut -d' ' -f1 /proc/uptime)" >> "$(unit_journal "$1")"
	while read -r _ux; do
		[ -n "$_ux" ] || continue
		unit_run "$1" "${_ux#-}" || [ "${_ux#-}" != "$_ux" ] ||
		    fail "unit $1: ExecStartPre=$_ux failed: $(tail -n 3 "$(unit_journal "$1")" | tr '\n' ' ')"
	done <<EOF2
$U_PRE
EOF2
	if [ "$U_TYPE" = notify ]; then
		: > "/run/xbt/unit-$1.notify.log"
		rm -f "/run/xbt/unit-$1.notify"
		"$NOTIFYSOCK" "/run/xbt/unit-$1.notify" >> "/run/xbt/unit-$1.notify.log" 2>&1 &
		echo $! > "/run/xbt/unit-$1.notifysock.pid"
		_ui=0
		until [ -S "/run/xbt/unit-$1.notify" ]; do
			_ui=$((_ui + 1))
			[ $_ui -gt 50 ] && fail "unit $1: notifysock did not make its socket: $(unit_notes "$1")"
			sleep 0.1
		done
	fi
	unit_cmd "$1" "$U_START"
	_ulim=
	[ -n "$U_NOFILE" ] && _ulim="ulimit -n $U_NOFILE || exit 99;"
	log "unit $1: ExecStart=$U_START ->$UCMD"
	eval "( umask $U_UMASK; $_ulim exec env -i $UENV $UCMD ) >> \"\$(unit_journal \"\$1\")\" 2>&1 < /dev/null &"
	echo $! > "/run/xbt/unit-$1.pid"
	if [ "$U_TYPE" = notify ]; then
		unit_notify_wait "$1" 0 30 READY=1
	else
		sleep 1
		pid_running "$!" || fail "unit $1 exited at startup: $(tail -n 3 "$(unit_journal "$1")" | tr '\n' ' ')"
	fi
	log "unit $1 started ($U_TYPE), main pid $(unit_pid "$1"): $(tr '\0' ' ' < "/proc/$(unit_pid "$1")/cmdline")"
}

# unit_reload NAME: "systemctl reload NAME": each ExecReload= in turn
# (MAINPID set), failing at the first that fails; then, when the main pid
# says RELOADING=1 within 2 s, until it says READY=1 again (UNIT_RELOADED
# is then "yes", else "no")
unit_reload() {
	unit_load "$1"
	_urp=$(unit_pid "$1")
	pid_running "$_urp" || fail "unit $1 is not running"
	[ -n "$U_RELOAD" ] || fail "unit $1 has no ExecReload=: systemctl reload would fail"
	unit_env "$1" "MAINPID=$_urp"
	_un=$(unit_notes "$1" | wc -l)
	while read -r _ux; do
		[ -n "$_ux" ] || continue
		unit_run "$1" "$_ux" || fail "unit $1: ExecReload=$_ux failed: $(tail -n 3 "$(unit_journal "$1")" | tr '\n' ' ')"
	done <<EOF2
$U_RELOAD
EOF2
	UNIT_RELOADED=no
	[ "$U_TYPE" = notify ] || return 0
	_ui=0
	while [ $_ui -lt 10 ]; do
		if unit_notes "$1" | tail -n +$((_un + 1)) | grep -q "^pid=$_urp .*RELOADING=1"; then
			_un=$(( _un + $(unit_notes "$1" | tail -n +$((_un + 1)) | grep -n "^pid=$_urp .*RELOADING=1" | head -n 1 | cut -d: -f1) ))
			unit_notify_wait "$1" "$_un" 30 READY=1
			UNIT_RELOADED=yes
			break
		fi
		_ui=$((_ui + 1))
		sleep 0.2
	done
	log "unit $1 reloaded (RELOADING=1 ... READY=1 seen: $UNIT_RELOADED)"
}

# unit_stop NAME: "systemctl stop NAME": SIGTERM to the main pid
# (KillMode=mixed or process) or to every process of the unit
# (control-group), up to TimeoutStopSec= for the main pid to exit (then
# SIGKILL to all, and fail), SIGKILL to whatever of the unit is left
# (mixed, control-group: UNIT_LEFT lists them), then the RuntimeDirectory=
# goes.  Fails unless the main pid exited 0 or on the SIGTERM (systemd would
# call the unit failed).
unit_stop() {
	unit_load "$1"
	_usp=$(unit_pid "$1")
	pid_running "$_usp" || fail "unit $1 is not running"
	_utree=$(unit_tree "$_usp")
	log "unit $1: stop (KillMode=$U_KILL): main $_usp, others: $(echo $_utree)"
	case $U_KILL in
	control-group) kill -TERM "$_usp" $_utree 2>/dev/null ;;
	*) kill -TERM "$_usp" ;;
	esac
	_end=$(( $(now) + U_TSTOP ))
	while pid_running "$_usp"; do
		if [ "$(now)" -ge "$_end" ]; then
			kill -KILL "$_usp" $_utree 2>/dev/null
			fail "unit $1: main pid $_usp still running ${U_TSTOP}s after SIGTERM (TimeoutStopSec=)"
		fi
		sleep 0.1
	done
	wait "$_usp"
	_ust=$?
	UNIT_LEFT=
	if [ "$U_KILL" != process ]; then
		for _ux in $_utree; do
			pid_running "$_ux" && UNIT_LEFT="$UNIT_LEFT $_ux"
		done
		[ -z "$UNIT_LEFT" ] || kill -KILL $UNIT_LEFT 2>/dev/null
	fi
	if [ -f "/run/xbt/unit-$1.notifysock.pid" ]; then
		kill "$(cat "/run/xbt/unit-$1.notifysock.pid")" 2>/dev/null
		rm -f "/run/xbt/unit-$1.notifysock.pid" "/run/xbt/unit-$1.notify"
	fi
	for _ux in $U_RT; do rm -rf "/run/$_ux"; done
	rm -f "/run/xbt/unit-$1.pid"
	log "unit $1 stopped: main pid $_usp exit status $_ust${UNIT_LEFT:+; SIGKILLed what was left:$UNIT_LEFT}"
	case $_ust in 0|143) ;; *) fail "unit $1: main pid $_usp exited with status $_ust: $(tail -n 3 "$(unit_journal "$1")" | tr '\n' ' ')" ;; esac
}
