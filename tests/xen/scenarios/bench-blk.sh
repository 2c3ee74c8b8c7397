#!/bin/sh
# make bench (tests/bench/run.sh), not a test: the anchor study's fio jobs
# (bench.fio: 4k randread/randwrite iodepth 32, 1M read/write iodepth 8,
# libaio, O_DIRECT in the guest) in one guest against one 256 MiB file on
# a tmpfs in dom0, through kernel xen-blkback, QEMU qdisk and blkbackd in
# turn (A B C per round, xbt.bench.rounds rounds), then the same jobs run
# by dom0 itself on the file (direct=0: tmpfs has no O_DIRECT) as the
# limit.  Every run prints one "XBT-BENCH RUN ..." line on the console
# (tests/bench/report.sh turns them into tables).  The verdict is about
# the sanity checks only: every run produced numbers, a crc32c verify
# pass through each backend, dom0's tools and libraries unchanged.
#
# kernel xen-blkback and blkbackd both serve "vbd": they take turns
# (insmod, attach, fio, detach, rmmod; start blkbackd, attach, fio, detach,
# stop it).  qdisk needs the guest's QEMU, which libxl starts only for a
# guest created with a qdisk disk: the guest boots with it and it is
# detached before the first round.  dom0 drives the guest over TCP (kernel
# xen-netback, loaded here only): it blocks in nc while the guest runs fio.
# Needs XB_BACKEND=none and XB_QDISK=1; knobs on the dom0 command line:
# xbt.bench.rounds (5), .rt (10 s), .ramp (1 s), .vfy (64 MiB),
# .bbflags (extra blkbackd options, + for spaces: "-p+0"; a comma would
# split QEMU's -initrd list).
# default: no
# oracle: no (it loads kernel xen-blkback itself)
# timeout: 7200
. /xbtest/lib.sh

ROUNDS=5 RT=10 RAMP=1 VFY=64 BBFLAGS=
for a in $(cat /proc/cmdline); do
	case $a in
	xbt.bench.rounds=*) ROUNDS=${a#*=} ;;
	xbt.bench.rt=*) RT=${a#*=} ;;
	xbt.bench.ramp=*) RAMP=${a#*=} ;;
	xbt.bench.vfy=*) VFY=${a#*=} ;;
	xbt.bench.bbflags=*) BBFLAGS=$(echo "${a#*=}" | tr + ' ') ;;
	esac
done
JOBS="randread-4k randwrite-4k seqread-1m seqwrite-1m"
FILE=/bench/disk.img
KDEV=xvdb QDEV=xvdd ODEV=xvdc	# one vdev per backend: no stale device
BBLOG=/var/log/blkbackd.log
out() { echo "XBT-BENCH $*" > /dev/console; log "XBT-BENCH $*"; }

[ "$XBT_BACKEND" = none ] || fail "run with XB_BACKEND=none: this scenario starts the backends itself"
[ -x /usr/libexec/xen-qemu-system-i386 ] || fail "no qdisk device model in dom0 (build with XB_QDISK=1)"
[ -x /usr/sbin/blkbackd ] || fail "no /usr/sbin/blkbackd in dom0"
[ -e /sys/bus/xen-backend/drivers/vbd ] && fail "a vbd backend driver is bound at the start"
# an ASan build would measure the sanitizer
if grep -q __asan_init /usr/sbin/blkbackd; then bin=asan; else bin=opt; fi
out "PARAMS rounds=$ROUNDS rt=$RT ramp=$RAMP vfy=${VFY}MiB blkbackd=$bin kernel=$(uname -r) dom0_vcpus=$(grep -c ^processor /proc/cpuinfo) dom0_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"

insmod /lib/modules/xen-netback.ko || fail "insmod xen-netback failed"
mkdir -p /bench
mount -t tmpfs -o size=288m tmpfs /bench || fail "cannot mount the bench tmpfs"
dd if=/dev/zero of=$FILE bs=1M count=256 2>/dev/null || fail "cannot write $FILE"
# reference checksums of dom0's tools and libraries (the anchor study saw
# dom0 page-cache corruption under guest I/O at -smp 1)
find /usr/lib/xen-4.17 /usr/libexec /usr/sbin /usr/bin/fio /lib/x86_64-linux-gnu \
    -type f 2>/dev/null | xargs sha256sum > /tmp/rootfs.sha256 2>/dev/null

GUEST_MEM=384 GUEST_ARGS=xbt.stay=1 guest_cfg bench bench \
    "format=raw,vdev=$QDEV,access=rw,backendtype=qdisk,target=$FILE"
echo "vif = [ 'bridge=xenbr0,mac=00:16:3e:5a:00:10' ]" >> /tmp/bench.cfg
guest_start bench
D=$(guest_domid bench)
wait_console bench 'XBT-GUEST-OK bench listening' 90

ctl() {	# ctl TIMEOUT CMD...: one command to the guest, its answer on stdout
	_t=$1
	shift
	echo "$*" | timeout "$_t" nc 10.0.0.2 5000
}
i=0
until [ "$(ctl 10 HELLO)" = ok ]; do
	i=$((i + 1))
	[ $i -gt 30 ] && fail "no answer from the guest on 10.0.0.2:5000"
	sleep 1
done
log "control channel up"

# ---- backends -----------------------------------------------------------------
attach() {	# attach SPEC
	timeout 60 xl block-attach bench "$1" > /tmp/attach.log 2>&1 ||
	    fail "xl block-attach '$1' failed: $(xl_error /tmp/attach.log)"
}
detach() {	# detach VDEV
	timeout 60 xl block-detach bench "$1" > /tmp/detach.log 2>&1 ||
	    fail "xl block-detach $1 failed: $(xl_error /tmp/detach.log)"
	[ "$(ctl 60 GONE "$1")" = ok ] || fail "$1 did not go away in the guest"
}
on_kernel() {
	insmod /lib/modules/xen-blkback.ko || fail "insmod xen-blkback failed"
	attach "format=raw,vdev=$KDEV,access=rw,target=$FILE"
	[ -e /sys/bus/xen-backend/devices/vbd-$D-51728 ] || fail "kernel xen-blkback does not serve $KDEV"
	wait_xs "$(be_path $D 51728)/state" 4 30
}
off_kernel() {
	detach $KDEV
	rmmod xen-blkback || fail "rmmod xen-blkback failed"
}
on_ours() {
	[ -e /sys/bus/xen-backend/drivers/vbd ] && fail "xen-blkback still bound when starting blkbackd"
	_off=$(size_of $BBLOG)
	# shellcheck disable=SC2086
	blkbackd -d $BBFLAGS >> $BBLOG 2>&1 &
	BB=$!
	_i=0
	until tail -c +$((_off + 1)) $BBLOG | grep -q 'serving /local/domain/0/backend/vbd'; do
		_i=$((_i + 1))
		kill -0 $BB 2>/dev/null || fail "blkbackd exited at startup: $(tail -c +$((_off + 1)) $BBLOG | tail -n 3)"
		[ $_i -gt 100 ] && fail "blkbackd did not start serving within 10 s"
		sleep 0.1
	done
	attach "format=raw,vdev=$ODEV,access=rw,target=$FILE"
	wait_xs "$(be_path $D 51744)/state" 4 30
	[ -n "$(blkbackd_worker $D 51744)" ] || fail "no blkbackd worker for d$D/51744"
}
off_ours() {
	detach $ODEV
	kill -TERM $BB
	_i=0
	while kill -0 $BB 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && { kill -KILL $BB; fail "blkbackd did not exit within 10 s of SIGTERM"; }
		sleep 0.1
	done
	wait $BB || fail "blkbackd exited with status $? after SIGTERM"
}
on_qdisk() {
	attach "format=raw,vdev=$QDEV,access=rw,backendtype=qdisk,target=$FILE"
	wait_xs /local/domain/0/backend/qdisk/$D/51760/state 4 30
}
off_qdisk() { detach $QDEV; }
size_of() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }

# ---- measuring ----------------------------------------------------------------
ticks() {	# ticks PROGRAM: utime+stime (clock ticks) of all its processes
	_s=0
	for _p in $(pidof "$1"); do
		_s=$((_s + $(awk '{ print $14 + $15 }' /proc/$_p/stat 2>/dev/null || echo 0)))
	done
	echo $_s
}
# snap: uptime, xl's CPU seconds of dom0 and of the guest, ticks of QEMU
# and of blkbackd (both included in dom0's time: informational only)
snap() {
	echo "$(cut -d' ' -f1 /proc/uptime)" \
	    "$(xl list 2>/dev/null | awk '$1 == "Domain-0" { d = $6 } $1 == "bench" { b = $6 } END { print d + 0, b + 0 }')" \
	    "$(ticks xen-qemu-system-i386) $(ticks blkbackd)"
}
BAD=
# record BACKEND JOB ROUND "SNAP_BEGIN" "SNAP_END" FIO_OUTPUT_FILE
record() {
	_l=$(grep ';' "$6" | head -n 1)
	if [ -z "$_l" ]; then
		out "ERR backend=$1 job=$2 round=$3 $(head -n 3 "$6" | tr '\n' ' ')"
		BAD=${BAD:-"$1 $2 round $3: no fio result ($(head -n 1 "$6"))"}
		return
	fi
	echo "$4 $5;$_l" | awk -F';' -v be="$1" -v job="$2" -v r="$3" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" '{
		split($1, s, " ")	# t0 dom0 domu qemu bb  t1 dom0 domu qemu bb
		proc = (be == "qdisk") ? s[9] - s[4] : (be == "blkbackd") ? s[10] - s[5] : 0
		printf "RUN backend=%s job=%s round=%s err=%s iops=%.0f kibps=%.0f bytes=%.0f wall=%.2f dom0_s=%.1f domu_s=%.1f proc_s=%.2f\n",
		    be, job, r, $6, $9 + $50, $8 + $49, ($7 + $48) * 1024, s[6] - s[1], s[7] - s[2], s[8] - s[3], proc / hz
	}' > /tmp/rec
	out "$(cat /tmp/rec)"
	grep -q ' err=0 ' /tmp/rec || BAD=${BAD:-"$1 $2 round $3: fio error $(sed 's/.*err=\([0-9]*\).*/\1/' /tmp/rec)"}
}
run_guest() {	# run_guest BACKEND DEV JOB ROUND
	_b=$(snap)
	ctl $((RT + RAMP + 120)) FIO $2 $3 $RT $RAMP > /tmp/f.out 2>&1
	_e=$(snap)
	record $1 $3 $4 "$_b" "$_e" /tmp/f.out
}
run_dom0() {	# run_dom0 JOB ROUND
	_b=$(snap)
	DEV=$FILE DIRECT=0 RT=$RT RAMP=$RAMP fio --section=$1 --output-format=terse \
	    --terse-version=3 /xbtest/bench.fio > /tmp/f.out 2>&1
	_e=$(snap)
	record dom0-limit $1 $2 "$_b" "$_e" /tmp/f.out
}

# ---- rounds ---------------------------------------------------------------------
off_qdisk	# booted with it only so that libxl started the guest's QEMU
for r in $(seq 1 $ROUNDS); do
	log "round $r"
	on_kernel
	for j in $JOBS; do run_guest kernel $KDEV $j $r; done
	off_kernel
	on_qdisk
	for j in $JOBS; do run_guest qdisk $QDEV $j $r; done
	off_qdisk
	on_ours
	for j in $JOBS; do run_guest blkbackd $ODEV $j $r; done
	off_ours
	for j in $JOBS; do run_dom0 $j $r; done
done

# ---- sanity ---------------------------------------------------------------------
for be in kernel qdisk ours; do
	case $be in kernel) dev=$KDEV ;; qdisk) dev=$QDEV ;; ours) dev=$ODEV ;; esac
	on_$be
	ctl 600 VFY $dev $VFY > /tmp/v.out 2>&1
	off_$be
	[ $be = ours ] && be=blkbackd
	rc=$(sed -n 's/^rc=//p' /tmp/v.out | head -n 1)
	l=$(grep ';' /tmp/v.out | head -n 1)
	err=$(echo "$l" | cut -d';' -f5)
	out "VFY backend=$be rc=${rc:-none} err=${err:-none} size=${VFY}MiB $(grep -v ';' /tmp/v.out | grep -v '^rc=' | head -n 2 | tr '\n' ' ')"
	[ "$rc" = 0 ] && [ "$err" = 0 ] || BAD=${BAD:-"crc32c verify through $be failed (rc=${rc:-none} err=${err:-none})"}
done
n=$(sha256sum -c /tmp/rootfs.sha256 2>&1 | grep -vc ': OK$')
out "ROOTFS files=$(wc -l < /tmp/rootfs.sha256) changed=$n"
[ "$n" = 0 ] || BAD=${BAD:-"$n of dom0's tool and library files changed during the bench"}
timeout 30 xl destroy bench
[ -z "$BAD" ] || fail "$BAD"
pass
