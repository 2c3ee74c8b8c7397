#!/bin/bash
# Boot Xen + dom0 under QEMU and run test bed scenarios in dom0.
#   run.sh [--demo] [scenario ...]
# Default: every scenario in tests/xen/scenarios/ (sorted) except those
# marked "# default: no"; --demo (or XB_MODE=demo or MODE=demo) defaults to
# the demo scenario and shows each scenario's own output.  Builds first
# (build.sh is a no-op when nothing changed; XB_NOBUILD=1 skips it).
# Stdout: the failure logs, NOTE lines, one PASS/FAIL line per requested
# scenario (SKIP in an oracle run for those marked "# oracle: no", and in
# an XB_CONSOLE=xenconsoled run for those marked "# xenconsoled: no"), then
# "XBT-SUMMARY <passed> <failed> <skipped>".  Exit 0 iff none failed.
# Progress goes to stderr (XB_VERBOSE=1: the whole serial console).
# Knobs: TIMEOUT (s, 2700; the whole default run takes ~1450), ACCEL (auto|tcg|kvm), MEM (MiB, 2048), SMP (2),
# DOM0_MEM (1024M), XEN_EXTRA (replaces the TCG defaults below), QEMU_CPU
# (max), TCG_THREAD (multi|single), XB_BACKEND (ours, the default: blkbackd
# and netbackd, alias blkbackd; kernel: oracle run, kernel xen-blkback and
# xen-netback instead; none: no backend is started), XB_CONSOLE (ours,
# the default: consoled serves the guests' consoles; xenconsoled: Xen's
# daemon instead, the console scenarios' anchor run), XB_DOM0_EXTRA
# (more dom0 kernel arguments, e.g. xbt.bench.rounds=5), XB_SCENARIOS_EXTRA
# (a directory of more scenario files, never run by default), XB_LOCK (/var/lock/xbtest.lock: only
# one test bed at a time; a second run.sh waits for it).
set -euo pipefail
. "$(dirname "$0")/env.sh"

MODE=${XB_MODE:-${MODE:-check}}	# MODE= too: tests/run-demo.sh uses it
if [ "${1:-}" = --demo ]; then
	MODE=demo
	shift
fi
TIMEOUT=${TIMEOUT:-2700}	# a backstop: each scenario has its own timeout in dom0
ACCEL=${ACCEL:-auto}
MEM=${MEM:-2048}
SMP=${SMP:-2}
DOM0_MEM=${DOM0_MEM:-1024M}
SERIAL=$XB_OUT/serial.log
BACKEND=${XB_BACKEND:-ours}
[ "$BACKEND" = blkbackd ] && BACKEND=ours	# the old name
case $BACKEND in ours | kernel | none) ;; *) xb_die "XB_BACKEND must be ours (or blkbackd), kernel or none" ;; esac
CONSOLE=${XB_CONSOLE:-ours}
case $CONSOLE in ours | xenconsoled) ;; *) xb_die "XB_CONSOLE must be ours or xenconsoled" ;; esac

# ---- scenarios --------------------------------------------------------
# What dom0 is told (xbt.scenarios=): nothing for the default run (dom0-init
# makes the same list), else the arguments, which may be patterns such as
# 'hostile-*': the kernel command line holds about 2 KiB, not 60 names.
SEND=
if [ $# -gt 0 ]; then
	LIST=()
	for p in "$@"; do
		n=0
		for f in "$XB_HERE"/scenarios/$p.sh ${XB_SCENARIOS_EXTRA:+"$XB_SCENARIOS_EXTRA"/$p.sh}; do
			[ -f "$f" ] || continue
			LIST+=("$(basename "$f" .sh)")
			n=$((n + 1))
		done
		[ $n -gt 0 ] || LIST+=("$p")	# reported as missing below
	done
	SEND=$(IFS=+; echo "$*")
elif [ "$MODE" = demo ]; then
	LIST=(demo)
	SEND=demo
else
	LIST=()
	for f in $(LC_ALL=C ls "$XB_HERE"/scenarios/*.sh); do
		grep -q '^# default: no' "$f" || LIST+=("$(basename "$f" .sh)")
	done
fi
for s in "${LIST[@]}"; do
	[ -f "$XB_HERE/scenarios/$s.sh" ] || [ -f "${XB_SCENARIOS_EXTRA:-/nonexistent}/$s.sh" ] ||
	    xb_die "no scenario '$s' in $XB_HERE/scenarios${XB_SCENARIOS_EXTRA:+ or $XB_SCENARIOS_EXTRA}"
done

# One test bed at a time (2 cores; build.sh and QEMU share $XB_OUT): hold
# the lock from the build to the verdicts.  The fd is inherited by QEMU, so
# a QEMU that outlives this script still holds it.
xb_lock

[ "${XB_NOBUILD:-0}" = 1 ] || "$XB_HERE/build.sh" >&2
for f in xen vmlinuz dom0.cpio.zst; do
	[ -f "$XB_OUT/$f" ] || xb_die "$XB_OUT/$f missing: run tests/xen/build.sh"
done
case $XB_OUT in *,* | *' '*) xb_die "XB_OUT must not contain commas or spaces (QEMU multiboot module list)" ;; esac

# ---- accelerator -------------------------------------------------------
# Xen needs real VT-x/AMD-V under KVM; kvm_pvm (software PVM, no SVM/VMX)
# crashes on Xen's first CET instructions, so auto picks TCG there.
if [ "$ACCEL" = auto ]; then
	if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		ACCEL=kvm
	else
		ACCEL=tcg
	fi
fi
case $ACCEL in
kvm)	ACCEL_ARGS=(-accel kvm -cpu host)
	XEN_EXTRA=${XEN_EXTRA-} ;;
tcg)	# tb-size: TCG code cache in MiB (QEMU's 1 GiB default costs RAM)
	ACCEL_ARGS=(-accel "tcg,tb-size=${TB_SIZE:-256},thread=${TCG_THREAD:-multi}" -cpu "${QEMU_CPU:-max}")
	# smap=0: -cpu max advertises SMAP, and Xen's PV bounce frames then
	# fault under TCG.  eager-fpu: with Xen's default lazy FPU switching
	# (CR0.TS/#NM) under TCG, dom0 programs crash at random while guests
	# do I/O (segfaults/GPFs in busybox, libc, ld.so: ~10 per minute of
	# two-guest I/O, none with eager-fpu; scenario blk-stress guards it).
	XEN_EXTRA=${XEN_EXTRA-smap=0 spec-ctrl=eager-fpu} ;;
*)	xb_die "ACCEL must be auto, tcg or kvm" ;;
esac
echo "accel: $ACCEL (qemu -smp $SMP -m $MEM, dom0 $DOM0_MEM, timeout ${TIMEOUT}s, mode $MODE, backend $BACKEND, console $CONSOLE)"

# ---- boot ------------------------------------------------------------------
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=$DOM0_MEM,max:$DOM0_MEM dom0_max_vcpus=${DOM0_VCPUS:-1} loglvl=all guest_loglvl=all noreboot=false $XEN_EXTRA"
# the scenario list uses '+': a ',' would split QEMU's multiboot module list
# XB_MITIGATIONS=off: mitigations=off for dom0 and every guest
# (xbt.guestargs=).  Not the default: over a whole make check it saved
# nothing measurable under TCG (1637 s -> 1660 s for the same scenarios).
MITIG=
[ "${XB_MITIGATIONS:-on}" = on ] || MITIG="mitigations=off xbt.guestargs=mitigations=off "
DOM0_ARGS="console=hvc0 earlyprintk=xen rdinit=/init loglevel=4 ${MITIG}xbt.mode=$MODE xbt.backend=$BACKEND xbt.console=$CONSOLE ${SEND:+xbt.scenarios=$SEND}${XB_DOM0_EXTRA:+ $XB_DOM0_EXTRA}"
[ ${#DOM0_ARGS} -le 1800 ] ||
    xb_die "dom0's command line would be ${#DOM0_ARGS} bytes (Linux keeps 2048): name fewer scenarios, or a pattern such as 'hostile-*'"
case $DOM0_ARGS in *,*) xb_die "XB_DOM0_EXTRA must not contain commas (QEMU multiboot module list)" ;; esac

stamp() {	# timestamp every serial line; progress to stderr
	local t0=${EPOCHREALTIME/./} line d ts
	while IFS= read -r line; do
		line=${line//$'\r'/}
		d=$(( ${EPOCHREALTIME/./} - t0 ))
		printf -v ts '%4d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
		printf '%s %s\n' "$ts" "$line"
		if [ "${XB_VERBOSE:-0}" = 1 ]; then
			printf '%s %s\n' "$ts" "$line" >&2
		else
			case $line in
			XBT-DOM0* | PASS\ * | FAIL\ * | NOTE\ * | *"Panic on CPU"* | *"Kernel panic"*)
				printf '%s %s\n' "$ts" "$line" >&2 ;;
			esac
		fi
	done
}

mkdir -p "$XB_OUT"
rm -f "$XB_OUT/qemu.pid" "$XB_OUT/qemu.rc"
T0=$SECONDS
# In the background so that a signal to this script can stop QEMU (bash
# would only run the trap after a foreground pipeline ended).
{
	set +e
	timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	    "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$SMP" \
	    -display none -vga none -monitor none -serial stdio -no-reboot -nic none \
	    -pidfile "$XB_OUT/qemu.pid" \
	    -kernel "$XB_OUT/xen" -append "$XEN_ARGS" \
	    -initrd "$XB_OUT/vmlinuz $DOM0_ARGS,$XB_OUT/dom0.cpio.zst" \
	    </dev/null 2>&1 | stamp > "$SERIAL"
	echo "${PIPESTATUS[0]}" > "$XB_OUT/qemu.rc"
} &
BOOT=$!
stop_qemu() {
	[ -s "$XB_OUT/qemu.pid" ] && kill "$(cat "$XB_OUT/qemu.pid")" 2>/dev/null
	wait "$BOOT" 2>/dev/null
	exit 130
}
trap stop_qemu INT TERM HUP
wait "$BOOT" || true
trap - INT TERM HUP
RC=$(cat "$XB_OUT/qemu.rc" 2>/dev/null || echo '?')
case $RC in
0) why= ;;
124 | 137) why=" (killed by the ${TIMEOUT}s timeout)" ;;
*) why= ;;
esac
echo "qemu: exit status $RC$why after $((SECONDS - T0))s; serial log: $SERIAL"

# ---- verdicts ------------------------------------------------------------
TEXT=$(sed -E 's/^ *[0-9]+\.[0-9]{2} //' "$SERIAL")
passed=0 failed=0 skipped=0 unseen=0
VERDICTS=()
for s in "${LIST[@]}"; do
	v=$(grep -m 1 -E "^(PASS $s\$|FAIL $s: |SKIP $s: )" <<<"$TEXT" || true)
	# only an oracle run (kernel backends) or a xenconsoled run may skip
	# (dom0-init.sh); anything else is a failure
	if [ "${v#SKIP}" != "$v" ] && [ "$BACKEND" != kernel ] && [ "$CONSOLE" != xenconsoled ]; then
		v="FAIL $s: skipped outside an oracle or xenconsoled run (${v#*: })"
	fi
	if [ -z "$v" ]; then
		v="FAIL $s: no verdict (test bed timed out or crashed)"
		unseen=1
	fi
	if [ "${v#PASS}" != "$v" ]; then
		passed=$((passed + 1))
	elif [ "${v#SKIP}" != "$v" ]; then
		skipped=$((skipped + 1))
	else
		failed=$((failed + 1))
	fi
	if { [ "${v#PASS}" = "$v" ] && [ "${v#SKIP}" = "$v" ]; } || [ "$MODE" = demo ]; then
		# the block dom0 printed for it (lines already start with "| ")
		awk -v b="XBT-LOG-BEGIN $s" -v e="XBT-LOG-END $s" \
		    '$0 == b { on = 1; print "==== logs of " substr(b, 15); next }
		     $0 == e { on = 0; next } on' <<<"$TEXT"
	fi
	VERDICTS+=("$v")
done
if [ "$unseen" = 1 ]; then
	echo "==== last 60 lines of the serial console"
	tail -n 60 "$SERIAL" | sed 's/^/| /'
fi
grep -E '^NOTE ' <<<"$TEXT" || true
printf '%s\n' "${VERDICTS[@]}"
echo "XBT-SUMMARY $passed $failed $skipped"
[ "$failed" = 0 ]
