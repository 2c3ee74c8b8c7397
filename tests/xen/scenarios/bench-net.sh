#!/bin/sh
# make bench (tests/bench/run.sh), not a test: kernel xen-netback against
# netbackd (the optimised build), one PV guest (1 vCPU, 256 MiB, one vif on
# xenbr0, eth0 10.0.0.30) per arm, interleaved in one boot: every round
# runs both arms (kernel then netbackd in odd rounds, the other way round
# in even ones), each arm on a freshly created guest: insmod xen-netback /
# start netbackd, xl create, the runs, xl destroy, rmmod / SIGTERM (exit 0).
# Runs, each xbt.bench.rt seconds, dom0 the iperf3 client and the guest
# the server (guest/net.sh):
#   tcp-tx-1, tcp-tx-4   TCP guest -> dom0 (iperf3 -R), 1 and 4 streams
#   tcp-rx-1, tcp-rx-4   TCP dom0 -> guest
#   udp-tx-64            UDP guest -> dom0, 64-byte payloads, unlimited rate
#   udp-rx-64            UDP dom0 -> guest, the same
#   ping                 dom0 -> guest, 20 pings 0.1 s apart (rtt avg)
# Each run prints one "XBT-BENCH-NET RUN ..." line (tests/bench/report.sh
# --net turns them into tables): the receiver's Mbit/s, bytes, packets/s
# (UDP), and over the run's wall time dom0's busy CPU seconds from
# /proc/stat (user+nice+system+irq+softirq of dom0's one vCPU: the backend,
# the bridge, softirqs and dom0's iperf3 endpoint alike, minus idle and
# steal), dom0's and the guest's CPU seconds as xl list counts them, the
# backend's own (netbackd's processes, found by command line, or kernel
# netback's vif* threads) and ksoftirqd's.  Then, per arm, 64 MiB each way sha256-checked, and
# dom0's tools and libraries against their checksums from the start.  The
# verdict is about those sanity checks and every run having numbers.
# Needs XB_BACKEND=none; knobs on the dom0 command line: xbt.bench.rounds
# (5), xbt.bench.rt (10 s), xbt.bench.vfy (64 MiB), xbt.bench.nbflags
# (extra netbackd options, + for spaces).
# default: no
# oracle: no (it loads kernel xen-netback itself)
# timeout: 7200
. /xbtest/lib.sh

ROUNDS=5 RT=10 VFY=64 NBFLAGS=
for a in $(cat /proc/cmdline); do
	case $a in
	xbt.bench.rounds=*) ROUNDS=${a#*=} ;;
	xbt.bench.rt=*) RT=${a#*=} ;;
	xbt.bench.vfy=*) VFY=${a#*=} ;;
	xbt.bench.nbflags=*) NBFLAGS=$(echo "${a#*=}" | tr + ' ') ;;
	esac
done
JOBS="tcp-tx-1 tcp-rx-1 tcp-tx-4 tcp-rx-4 udp-tx-64 udp-rx-64 ping"
NBLOG=/var/log/netbackd.log
DRV=/sys/bus/xen-backend/drivers/vif
out() { echo "XBT-BENCH-NET $*" > /dev/console; log "XBT-BENCH-NET $*"; }
size_of() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }

[ "$XBT_BACKEND" = none ] || fail "run with XB_BACKEND=none: this scenario starts the backends itself"
[ -x /usr/sbin/netbackd ] || fail "no /usr/sbin/netbackd in dom0"
# bench-blk, earlier in the same boot, leaves xen-netback loaded
if [ -e $DRV ]; then
	rmmod xen-netback || fail "xen-netback is loaded and cannot be unloaded"
fi
if grep -q __asan_init /usr/sbin/netbackd; then bin=asan; else bin=opt; fi
out "PARAMS rounds=$ROUNDS rt=$RT vfy=${VFY}MiB netbackd=$bin${NBFLAGS:+ nbflags=$(echo $NBFLAGS | tr ' ' +)} kernel=$(uname -r) dom0_vcpus=$(grep -c ^processor /proc/cpuinfo) dom0_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo) guest_vcpus=1 guest_mem_mb=256"
find /usr/lib/xen-4.17 /usr/libexec /usr/sbin /usr/bin /lib/x86_64-linux-gnu \
    -type f 2>/dev/null | xargs sha256sum > /tmp/rootfs.sha256 2>/dev/null

# ---- arms -------------------------------------------------------------------
on_kernel() {
	insmod /lib/modules/xen-netback.ko || fail "insmod xen-netback failed"
}
off_kernel() {
	rmmod xen-netback || fail "rmmod xen-netback failed"
}
on_netbackd() {
	[ -e $DRV ] && fail "xen-netback still bound when starting netbackd"
	_off=$(size_of $NBLOG)
	# shellcheck disable=SC2086
	netbackd -d $NBFLAGS >> $NBLOG 2>&1 &
	NB=$!
	_i=0
	until tail -c +$((_off + 1)) $NBLOG | grep -q 'serving /local/domain/0/backend/vif'; do
		_i=$((_i + 1))
		kill -0 $NB 2>/dev/null || fail "netbackd exited at startup: $(tail -c +$((_off + 1)) $NBLOG | tail -n 3)"
		[ $_i -gt 100 ] && fail "netbackd did not start serving within 10 s"
		sleep 0.1
	done
}
off_netbackd() {
	kill -TERM $NB
	_i=0
	while kill -0 $NB 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && { kill -KILL $NB; fail "netbackd did not exit within 10 s of SIGTERM"; }
		sleep 0.1
	done
	wait $NB || fail "netbackd exited with status $? after SIGTERM"
}
# guest_up ARM: a fresh guest served by ARM (D, GIP set)
guest_up() {
	case $1 in kernel) XBT_BACKEND=kernel ;; *) XBT_BACKEND=ours ;; esac
	net_guest bnet 20
	vif_check $D 0
}
guest_down() {
	timeout 30 xl destroy bnet > /tmp/bnet.destroy 2>&1 || fail "xl destroy bnet failed: $(cat /tmp/bnet.destroy)"
	wait_gone bnet 20
	vif_gone $D 0 10
	XBT_BACKEND=none
}

# ---- measuring ----------------------------------------------------------------
# snap: uptime, dom0 busy jiffies (/proc/stat), xl's CPU seconds of dom0
# and of the guest, ticks of the backend's processes or threads (netbackd's
# by their command line: its workers run /proc/self/exe, so their comm is
# "exe"; the kernel's vif* threads by comm) and of ksoftirqd
snap() {
	_nb=$(grep -lE '^(/usr/sbin/)?netbackd' /proc/[0-9]*/cmdline 2>/dev/null | sed 's|cmdline$|stat|')
	echo "$(cut -d' ' -f1 /proc/uptime)" \
	    "$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)" \
	    "$(xl list 2>/dev/null | awk '$1 == "Domain-0" { d = $6 } $1 == "bnet" { b = $6 } END { print d + 0, b + 0 }')" \
	    "$({ for _f in $_nb; do sed 's/^/NB /' "$_f"; done; cat /proc/[0-9]*/stat; } 2>/dev/null | awk '
		{ nb = 0; if ($1 == "NB") { nb = 1; $1 = ""; $0 = $0 }
		  c = $2; i = 2; while (c !~ /\)$/ && i < NF) { i++; c = c " " $i }	# comm may hold spaces
		  t = $(i + 12) + $(i + 13) }
		nb || c ~ /^\(vif[0-9]/ { be += t; next }
		c ~ /^\(ksoftirqd/ { ks += t }
		END { print be + 0, ks + 0 }')"
}
BAD=
# record ARM JOB ROUND "SNAP_BEGIN" "SNAP_END" OUTPUT_FILE
record() {
	_hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	if [ "$2" = ping ]; then
		_v=$(sed -n 's|^rtt min/avg/max/mdev = [0-9.]*/\([0-9.]*\)/.*|\1|p' "$6")
		_x="received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$6")"
	else
		# the receiver's line: seconds (end of the interval), Mbit/s,
		# and for UDP lost/total datagrams
		_x=$(awk '/receiver/ {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[0-9.]+-[0-9.]+$/) { split($i, iv, "-"); s = iv[2] }
				if ($i == "Mbits/sec") m = $(i - 1)
				if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, lt, "/"); lost = lt[1]; tot = lt[2] }
			} }
			END { if (m != "" && s > 0)
				printf "secs=%s mbps=%s bytes=%.0f pps=%.0f", s, m, m * 125000 * s, (tot != "") ? (tot - lost) / s : 0 }' "$6")
		_v=$(echo "$_x" | sed -n 's/.*mbps=\([0-9.]*\).*/\1/p')
		case $2 in udp*) _v=$(echo "$_x" | sed -n 's/.*pps=\([0-9]*\).*/\1/p') ;; esac
	fi
	if [ -z "$_v" ]; then
		out "ERR backend=$1 job=$2 round=$3 $(tail -n 3 "$6" | tr '\n' ' ')"
		BAD=${BAD:-"$1 $2 round $3: no result ($(tail -n 1 "$6"))"}
		return
	fi
	echo "$4 $5" | awk -v be="$1" -v job="$2" -v r="$3" -v v="$_v" -v x="$_x" -v hz="$_hz" '{
		# t0 busy dom0 domu be ks  t1 busy dom0 domu be ks
		printf "RUN backend=%s job=%s round=%s value=%s %s wall=%.2f busy_s=%.2f dom0_s=%.1f domu_s=%.1f be_s=%.2f ksoftirqd_s=%.2f\n",
		    be, job, r, v, x, $7 - $1, ($8 - $2) / hz, $9 - $3, $10 - $4, ($11 - $5) / hz, ($12 - $6) / hz
	}' > /tmp/rec
	out "$(cat /tmp/rec)"
}
run_job() {	# run_job ARM JOB ROUND
	case $2 in
	tcp-tx-1) set -- "$@" -R ;;
	tcp-rx-1) ;;
	tcp-tx-4) set -- "$@" -R -P 4 ;;
	tcp-rx-4) set -- "$@" -P 4 ;;
	udp-tx-64) set -- "$@" -u -l 64 -b 0 -R ;;
	udp-rx-64) set -- "$@" -u -l 64 -b 0 ;;
	esac
	_b=$(snap)
	if [ "$2" = ping ]; then
		$PING -c 20 -i 0.1 -q $GIP > /tmp/b.out 2>&1
	else
		_a=$1 _j=$2 _r=$3
		shift 3
		timeout $((RT + 30)) iperf3 -f m -t $RT --connect-timeout 5000 -c $GIP "$@" > /tmp/b.out 2>&1
		set -- $_a $_j $_r
	fi
	_e=$(snap)
	record $1 $2 $3 "$_b" "$_e" /tmp/b.out
}
arm() {	# arm ARM ROUND
	log "round $2: $1"
	on_$1
	guest_up $1
	for j in $JOBS; do run_job $1 $j $2; done
	guest_down
	off_$1
}

# ---- rounds ---------------------------------------------------------------------
for r in $(seq 1 $ROUNDS); do
	if [ $((r % 2)) = 1 ]; then
		arm kernel $r
		arm netbackd $r
	else
		arm netbackd $r
		arm kernel $r
	fi
done

# ---- sanity ---------------------------------------------------------------------
for a in kernel netbackd; do
	on_$a
	guest_up $a
	dd if=/dev/urandom of=/tmp/bn.bin bs=1M count=$VFY 2>/dev/null || fail "cannot make /tmp/bn.bin"
	sha_to_guest $GIP /tmp/bn.bin 5001
	rm -f /tmp/bn.bin
	sha_from_guest $GIP $VFY 5002
	out "VFY backend=$a ok=1 size=${VFY}MiB each way, sha256 intact"
	guest_down
	off_$a
done
n=$(sha256sum -c /tmp/rootfs.sha256 2>&1 | grep -vc ': OK$')
out "ROOTFS files=$(wc -l < /tmp/rootfs.sha256) changed=$n"
[ "$n" = 0 ] || BAD=${BAD:-"$n of dom0's tool and library files changed during the bench"}
[ -z "$BAD" ] || fail "$BAD"
pass
