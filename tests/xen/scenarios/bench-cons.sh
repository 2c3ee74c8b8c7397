#!/bin/sh
# make bench (tests/bench/run.sh), not a test: xenconsoled against consoled
# (the optimised build, "consoled -d" with its defaults) on one PV guest
# (1 vCPU, 256 MiB, guest/bench-cons.sh), in one boot.  Exactly one of the
# two daemons runs at any time: each turn stops the other one, waits until
# it has exited, deletes the guest's logs and starts its own daemon, which
# takes over the same console ring (the guest stays up throughout).
#   flood    xbt.bench.rounds rounds, each a turn of both daemons (odd
#            rounds xenconsoled first, even rounds consoled first): the
#            guest writes xbt.bench.cmib MiB (20) of text to hvc0 as fast
#            as it can, between the lines "XBT-CONS-BEGIN TAG bytes=N
#            sha=S" and "XBT-CONS-END TAG".  tools/conswatch follows the
#            log in dom0 (across consoled's size rotation) and times the
#            two lines appearing; the bytes between them are counted and
#            hashed against the guest's N and S; CPU over the window: the
#            daemon's utime+stime (/proc/PID/stat), dom0's vCPU time as Xen
#            counts it and dom0's busy time from /proc/stat (both less
#            conswatch's own polling; /proc/stat's tick samples undercount
#            in this PV dom0, below the daemon's own time at times).
#   forever  the guest writes /payload to hvc0 without end; over
#            xbt.bench.cfsecs s (20) after 3 s: what reaches the log per
#            second and the daemon's CPU share, under xenconsoled and
#            consoled with its default limits (-r 8M -c 25), -r 1M, -c 10
#            and -r 0 -c 0 (no limit: what the guest could do).
#   idle     the guest is destroyed and xbt.bench.cidle (100) paused
#            domains are created with tools/tinypv.S (libxl sets up their
#            console ring, event channel and xenstore keys before it would
#            unpause them) and memory=4 (or the smallest that works); each
#            daemon serves them all, then xbt.bench.cisecs s (30) of idle
#            CPU, and RSS/PSS from /proc/PID/smaps_rollup.
# Every measurement prints one "XBT-BENCH-CONS ..." line on the console
# (tests/bench/report.sh --cons makes the tables).  The verdict is about
# the bench working: every flood ended (its END line arrived), each daemon
# started, served and stopped (consoled exit 0 on SIGTERM).  Bytes lost
# are a result, not a failure: they are reported, with consoled's log.
# Needs the xenconsoled that dom0-init starts (XB_CONSOLE=xenconsoled);
# it runs again at the end.
# default: no
# oracle: no (a console benchmark; it starts both console daemons itself)
# timeout: 7200
. /xbtest/lib.sh

ROUNDS=5 MIB=20 FSECS=20 IDLE=100 ISECS=30
for a in $(cat /proc/cmdline); do
	case $a in
	xbt.bench.rounds=*) ROUNDS=${a#*=} ;;
	xbt.bench.cmib=*) MIB=${a#*=} ;;
	xbt.bench.cfsecs=*) FSECS=${a#*=} ;;
	xbt.bench.cidle=*) IDLE=${a#*=} ;;
	xbt.bench.cisecs=*) ISECS=${a#*=} ;;
	esac
done
LOG=$CONSOLE_DIR/guest-bcons.log
CW=/usr/libexec/xbt/conswatch		# tools/conswatch.c
TINYPV=/xbtest/guest/tinypv		# tools/tinypv.S
XCD_PIDFILE=/var/run/xen/xenconsoled.pid
CDLOG=/var/log/consoled.log
SOCKDIR=/run/consoled
GIP=10.0.0.4
FTMO=$((MIB * 6 + 60))	# xenconsoled drains ~0.28 MiB/s
out() { echo "XBT-BENCH-CONS $*" > /dev/console; log "XBT-BENCH-CONS $*"; }
kv() { echo " $2 " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }	# KEY LINE
size_of() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }
BAD=
bad() { log "BAD: $*"; BAD=${BAD:-$*}; }

# ---- the two daemons ---------------------------------------------------------------
# pids_of NAME: live (not zombie) processes whose comm is NAME
pids_of() {
	awk -v c="($1)" '$2 == c && $3 != "Z" { print $1 }' /proc/[0-9]*/stat 2>/dev/null
}
alive() { [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# evidence for a report, on the console: WHY, and when consoled runs (or
# just ran) what it logged since its turn began, after its counters
# (SIGUSR1)
cd_evidence() {	# WHY
	if [ "$DAEMON" != consoled ]; then
		out "EVIDENCE ${DAEMON:-no daemon}: $1"
		return 0
	fi
	if alive "$PID"; then
		kill -USR1 "$PID"
		sleep 1
	fi
	out "EVIDENCE $1: consoled.log since the turn began (last 60 lines):"
	tail -c +$((CD_OFF + 1)) $CDLOG | tail -n 60 | sed 's/^/XBT-BENCH-CONS | /' > /dev/console
	tail -c +$((CD_OFF + 1)) $CDLOG | tail -n 60 | sed 's/^/| /'
}
DAEMON= PID= CD_OFF=0
stop_daemon() {
	for _d in consoled xenconsoled; do
		for _p in $(pids_of $_d); do
			log "stopping $_d ($_p)"
			kill -TERM "$_p"
			_i=0
			while alive "$_p"; do
				_i=$((_i + 1))
				if [ $_i -gt 300 ]; then
					[ $_d = consoled ] && cd_evidence "consoled did not exit 30 s after SIGTERM"
					kill -KILL "$_p"
					bad "$_d ($_p) still running 30 s after SIGTERM"
					sleep 0.5
					break
				fi
				sleep 0.1
			done
			if [ "$_d" = consoled ] && [ "$_p" = "$PID" ]; then
				wait "$_p"
				_st=$?
				[ $_st = 0 ] || { cd_evidence "exit status $_st"; bad "consoled exited with status $_st after SIGTERM"; }
			fi
		done
	done
	rm -f $XCD_PIDFILE
	DAEMON= PID=
}
# start_daemon xenconsoled | consoled [OPTS...]: the other one must be gone
start_daemon() {
	_d=$1
	shift
	[ -z "$(pids_of consoled)$(pids_of xenconsoled)" ] ||
	    fail "starting $_d while another console daemon runs: consoled $(pids_of consoled), xenconsoled $(pids_of xenconsoled)"
	case $_d in
	xenconsoled)
		# as dom0-init.sh starts it (it daemonizes)
		xenconsoled --pid-file=$XCD_PIDFILE --log=guest --log-dir=$CONSOLE_DIR ||
		    fail "xenconsoled failed to start"
		# one process once its forks are done
		_i=0
		until PID=$(pids_of xenconsoled) && [ -n "$PID" ] && [ "$PID" = "$(echo $PID)" ]; do
			_i=$((_i + 1))
			[ $_i -gt 50 ] && fail "no xenconsoled process after starting it"
			sleep 0.1
		done ;;
	consoled)
		CD_OFF=$(size_of $CDLOG)
		echo "==== bench-cons at $(cut -d' ' -f1 /proc/uptime): consoled -d $*" >> $CDLOG
		consoled -d "$@" >> $CDLOG 2>&1 < /dev/null &
		PID=$!
		sleep 0.3
		alive "$PID" || fail "consoled -d $* exited at startup: $(tail -n 5 $CDLOG | tr '\n' ' ')" ;;
	esac
	DAEMON=$_d
	log "$_d $* running, pid $PID"
}
# Both daemons write each console's pty to its tty key: the keys are
# deleted while no daemon runs, and a console counts as served once its
# key is back (consoled: and its attach socket exists).
tty_rm() {	# DOMID...
	for _i in "$@"; do echo "/local/domain/$_i/console/tty"; done | xargs xenstore-rm 2>/dev/null
	return 0
}
# n_served DOMID...: how many of these consoles the running daemon serves
n_served() {
	xenstore-ls -f /local/domain 2>/dev/null | awk -v ids="$*" -v cd="$([ "$DAEMON" = consoled ] && ls "$SOCKDIR" 2>/dev/null | tr '\n' ' ')" '
	    BEGIN {
		n = split(ids, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1
		if (cd != "") { m = split(cd, s, " "); for (i = 1; i <= m; i++) sock[s[i]] = 1 }
	    }
	    $1 ~ /^\/local\/domain\/[0-9]+\/console\/tty$/ && $3 ~ /^"\/dev\/pts\/[0-9]+"$/ {
		split($1, p, "/")
		if ((p[4] in want) && (cd == "" || ("d" p[4] ".0" in sock))) c++
	    }
	    END { print c + 0 }'
}
# wait_served TIMEOUT DOMID...: until the running daemon serves them all;
# SERVED_S: how long that took
wait_served() {
	_tmo=$1
	shift
	_t0=$(cut -d' ' -f1 /proc/uptime)
	_end=$(( $(now) + _tmo ))
	until [ "$(n_served "$@")" = $# ]; do
		alive "$PID" || { cd_evidence "$DAEMON exited"; fail "$DAEMON exited while taking over $# console(s)"; }
		if [ "$(now)" -ge "$_end" ]; then
			cd_evidence "consoles not served"
			fail "$DAEMON serves $(n_served "$@") of $# console(s) after $_tmo s"
		fi
		sleep 0.3
	done
	SERVED_S=$(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
}
# switch_to DAEMON [OPTS...]: a fresh turn for the bench guest
switch_to() {
	stop_daemon
	rm -f "$LOG" "$LOG".*
	tty_rm "$D"
	start_daemon "$@"
	wait_served 30 "$D"
}

# ---- the guest -------------------------------------------------------------------
ctl() {	# ctl TIMEOUT CMD...: one command to the guest, its answer on stdout
	_t=$1
	shift
	echo "$*" | timeout "$_t" nc $GIP 5000
}

[ -x /usr/sbin/consoled ] || fail "no /usr/sbin/consoled in dom0"
[ -x $CW ] || fail "no $CW in dom0 (tests/xen/tools/conswatch.c)"
[ -f $TINYPV ] || fail "no $TINYPV in dom0 (tests/xen/tools/tinypv.S)"
[ -n "$(pids_of xenconsoled)" ] ||
    fail "xenconsoled is not running (consoled $(pids_of consoled)): run with XB_CONSOLE=xenconsoled"
# an ASan build would measure the sanitizer
if grep -q __asan_init /usr/sbin/consoled; then bin=asan; else bin=opt; fi
out "PARAMS rounds=$ROUNDS mib=$MIB fsecs=$FSECS idle=$IDLE isecs=$ISECS consoled=$bin kernel=$(uname -r) dom0_vcpus=$(grep -c ^processor /proc/cpuinfo) dom0_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo) guest_vcpus=1 guest_mem_mb=256"

# dom0 talks to the guest over TCP (kernel xen-netback, for this only)
NB_LOADED=0
if [ ! -e /sys/bus/xen-backend/drivers/vif ]; then
	insmod /lib/modules/xen-netback.ko || fail "insmod xen-netback failed"
	NB_LOADED=1
fi
GUEST_MEM=256 GUEST_ARGS="xbt.stay=1 xbt.ip=$GIP/24 xbt.cmib=$MIB" guest_cfg bcons bench-cons
echo "vif = [ 'bridge=xenbr0,mac=00:16:3e:5a:00:11' ]" >> /tmp/bcons.cfg
DAEMON=xenconsoled PID=$(pids_of xenconsoled)
guest_start bcons
D=$(guest_domid bcons)
wait_console bcons 'XBT-GUEST-OK bench-cons listening' 240
log "guest: $(console_grep bcons 'XBT-GUEST-PAYLOAD' | sed 's/.*XBT-GUEST-//')"
i=0
until [ "$(ctl 10 HELLO)" = ok ]; do
	i=$((i + 1))
	[ $i -gt 30 ] && fail "no answer from the guest on $GIP:5000"
	sleep 1
done

# ---- flood rounds ----------------------------------------------------------------
# the reference payload (the guest's awk), made only to show where a
# damaged flood first differs
ref_payload() {
	[ -f /tmp/payload.ref ] && return 0
	awk -v n=$((MIB * 8192)) 'BEGIN {
		a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-"
		a = a a a
		for (i = 0; i < n; i++) printf "%08d %s\n", i, substr(a, i % 64 + 1, 118)
	}' > /tmp/payload.ref
}
flood() {	# flood DAEMON ROUND
	switch_to "$1"
	_tag=$1-r$2
	log "round $2: $1 flood $_tag"
	$CW flood "$LOG" "$_tag" "$PID" $FTMO /tmp/cut.bin -- \
	    sh -c "echo 'FLOOD $_tag' | timeout $FTMO nc $GIP 5000 > /tmp/flood.ans 2>&1" > /tmp/watch.out 2>&1
	_rc=$?
	_w=$(head -n 1 /tmp/watch.out)
	_ans=$(cat /tmp/flood.ans)
	log "conswatch (rc $_rc): $_w; guest: $_ans"
	if [ $_rc != 0 ]; then
		out "ERR daemon=$1 round=$2 rc=$_rc $_w guest=$(echo "$_ans" | tr ' ' ,)"
		[ "$1" = consoled ] && cd_evidence "flood $_tag did not end"
		bad "$1 round $2: the flood's END line did not reach the log within ${FTMO}s (conswatch: $_w)"
		return 1
	fi
	_exp=$(kv expect_bytes "$_w") _found=$(kv found "$_w")
	_sha=$(sha256sum < /tmp/cut.bin | cut -d' ' -f1)
	_ok=0
	[ "$_sha" = "$(kv expect_sha "$_w")" ] && [ "$_found" = "$_exp" ] && _ok=1
	_lost=0 _extra=0
	[ "$_found" -lt "$_exp" ] && _lost=$((_exp - _found))
	[ "$_found" -gt "$_exp" ] && _extra=$((_found - _exp))
	_notes=$(grep -c '\[consoled:' /tmp/cut.bin)
	out "RUN daemon=$1 round=$2 bytes=$_exp found=$_found lost=$_lost extra=$_extra sha_ok=$_ok notes=$_notes guest_secs=$(kv guest_secs "$_ans") $(echo "$_w" | sed 's/ expect_[a-z]*=[^ ]*//g; s/ found=[^ ]*//')"
	if [ $_ok != 1 ]; then
		ref_payload
		_at=$(cmp /tmp/payload.ref /tmp/cut.bin 2>&1 | head -n 1)
		out "DAMAGE daemon=$1 round=$2 found $_found of $_exp bytes, sha256 $_sha; cmp: $_at"
		_o=$(echo "$_at" | sed -nE 's/.*(byte|char) ([0-9]+).*/\2/p')
		if [ -n "$_o" ]; then
			tail -c +$(( _o > 200 ? _o - 200 : 1 )) /tmp/cut.bin | head -c 400 | tr -c '[:print:]\n' '?' |
			    sed 's/^/XBT-BENCH-CONS DAMAGE | /' > /dev/console
		fi
		[ "$1" = consoled ] && cd_evidence "flood $_tag damaged"
	fi
	rm -f /tmp/cut.bin
}
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then
		flood xenconsoled "$r" && flood consoled "$r" || break
	else
		flood consoled "$r" && flood xenconsoled "$r" || break
	fi
done

# ---- flood forever ---------------------------------------------------------------
forever() {	# forever LABEL DAEMON [OPTS...]
	_l=$1
	shift
	switch_to "$@"
	_a=$(ctl 30 FOREVER)
	case $_a in ok*) ;; *) bad "$_l: the guest did not start its endless writer: $_a"; return 1 ;; esac
	$CW rate "$LOG" "$PID" 3 "$FSECS" > /tmp/rate.out 2>&1 || bad "$_l: conswatch rate failed: $(cat /tmp/rate.out)"
	_w=$(head -n 1 /tmp/rate.out)
	_a=$(ctl 60 STOP)
	[ "$_a" = ok ] || bad "$_l: the guest did not stop its writer: $_a"
	out "FOREVER label=$_l daemon=$1 opts=$(shift; echo "$*" | tr ' ' +) $_w"
	alive "$PID" || { cd_evidence "$1 gone after flood forever"; bad "$_l: $1 exited during the endless flood"; }
	# what was still queued in the guest drains before the next turn
	_s=-1 _i=0
	while [ "$(size_of "$LOG")" != "$_s" ] && [ $_i -lt 40 ]; do
		_s=$(size_of "$LOG")
		_i=$((_i + 1))
		sleep 0.5
	done
}
if [ -z "$BAD" ]; then
	forever xenconsoled xenconsoled
	forever consoled consoled
	forever consoled-r1M consoled -r 1M
	forever consoled-c10 consoled -c 10
	forever consoled-nolimit consoled -r 0 -c 0
fi

# ---- idle consoles ---------------------------------------------------------------
idle() {	# idle DAEMON
	sleep 5		# settle after the take-over
	_w=$($CW idle "$PID" "$ISECS")
	_m=$(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { printf "rss_kb=%d pss_kb=%d", r, p }' "/proc/$PID/smaps_rollup")
	out "IDLE daemon=$1 domains=$NIDLE $_w $_m fds=$(ls /proc/$PID/fd | wc -l)"
}
if [ -z "$BAD" ]; then
	timeout 30 xl destroy bcons > /tmp/bcons.destroy 2>&1 || bad "xl destroy bcons: $(cat /tmp/bcons.destroy)"
	wait_gone bcons 30
	stop_daemon
	rm -f "$LOG" "$LOG".*
	start_daemon xenconsoled
	log "free memory: $(xl info | awk '/^free_memory/ { print $3 }') MiB"
	# the smallest memory xl and the PV domain builder accept
	TMEM=
	for m in 4 8 16 32; do
		printf 'name = "cidle1"\ntype = "pv"\nkernel = "%s"\nmemory = %s\nvcpus = 1\non_poweroff = "destroy"\non_crash = "destroy"\n' \
		    $TINYPV $m > /tmp/cidle.cfg
		if timeout 60 xl create -p -e /tmp/cidle.cfg > /tmp/cidle.create 2>&1; then
			TMEM=$m
			break
		fi
		log "memory=$m: xl create failed: $(xl_error /tmp/cidle.create)"
		sed 's/^/  xl: /' /tmp/cidle.create
		timeout 30 xl destroy cidle1 > /dev/null 2>&1
	done
	[ -n "$TMEM" ] || fail "no tinypv domain could be created (memory 4..32): $(xl_error /tmp/cidle.create)"
	t0=$(cut -d' ' -f1 /proc/uptime)
	NIDLE=1
	while [ $NIDLE -lt "$IDLE" ]; do
		n=$((NIDLE + 1))
		sed "s/^name = .*/name = \"cidle$n\"/" /tmp/cidle.cfg > /tmp/cidle.n.cfg
		if ! timeout 60 xl create -p -e /tmp/cidle.n.cfg > /tmp/cidle.create 2>&1; then
			note "only $NIDLE tinypv domains fit (memory=$TMEM): domain $n: $(xl_error /tmp/cidle.create)"
			timeout 30 xl destroy "cidle$n" > /dev/null 2>&1
			break
		fi
		NIDLE=$n
	done
	CREATE_S=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }')
	xl list | awk '$1 ~ /^cidle[0-9]+$/ { print $2, $1 }' > /tmp/cidle.ids
	IDS=$(cut -d' ' -f1 /tmp/cidle.ids)
	[ "$(wc -l < /tmp/cidle.ids)" = "$NIDLE" ] || fail "xl list shows $(wc -l < /tmp/cidle.ids) cidle domains, created $NIDLE"
	log "$NIDLE paused tinypv domains (memory=$TMEM) in ${CREATE_S}s; free memory now $(xl info | awk '/^free_memory/ { print $3 }') MiB"
	wait_served 120 $IDS
	idle xenconsoled
	stop_daemon
	rm -f "$CONSOLE_DIR"/guest-cidle*.log*
	tty_rm $IDS
	start_daemon consoled
	wait_served 120 $IDS
	log "consoled took over $NIDLE existing consoles in ${SERVED_S}s"
	idle consoled
	out "IDLESETUP domains=$NIDLE memory_mb=$TMEM create_s=$CREATE_S consoled_takeover_s=$SERVED_S"
	# the consoles go away under consoled: each log gets its closing note
	t0=$(cut -d' ' -f1 /proc/uptime)
	for n in $(seq 1 "$NIDLE"); do
		timeout 30 xl destroy "cidle$n" > /tmp/cidle.destroy 2>&1 || bad "xl destroy cidle$n: $(cat /tmp/cidle.destroy)"
	done
	sleep 2
	g=0
	for f in "$CONSOLE_DIR"/guest-cidle*.log; do
		grep -q '^\[consoled: domain [0-9]* (cidle[0-9]*) gone\]' "$f" && g=$((g + 1))
	done
	out "CHECK idle domains destroyed in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }')s; consoled alive=$(alive "$PID" && echo 1 || echo 0); closing notes in $g of $NIDLE logs; consoled sockets left: $(ls $SOCKDIR 2>/dev/null | wc -l)"
	alive "$PID" || { cd_evidence "consoled gone after the idle domains were destroyed"; bad "consoled exited while the idle domains were destroyed"; }
fi

# ---- back to dom0-init's state ---------------------------------------------------
stop_daemon
rm -f "$CONSOLE_DIR"/guest-bcons.log* "$CONSOLE_DIR"/guest-cidle*.log* /tmp/payload.ref
start_daemon xenconsoled
if [ $NB_LOADED = 1 ] && ! guest_domid bcons > /dev/null; then
	rmmod xen-netback || log "rmmod xen-netback failed"
fi
[ -z "$BAD" ] || fail "$BAD"
pass
