#!/bin/bash
# make bench: a benchmark, not a test.  One test bed boot runs three
# scenarios:
#  - bench-blk: the anchor study's fio jobs (tests/bench/bench.fio) in one
#    guest against one 256 MiB tmpfs file in dom0 through kernel
#    xen-blkback, QEMU qdisk and blkbackd (the optimised build),
#    interleaved per round, plus fio in dom0 on the file as the limit;
#  - bench-net: iperf3 TCP (1 and 4 streams each way), UDP 64-byte
#    packets/s each way and ping through kernel xen-netback and netbackd
#    (the optimised build), interleaved per round, a fresh guest per arm;
#  - bench-cons: xenconsoled against consoled (the optimised build, its
#    defaults), interleaved per round on one guest: a 20 MiB flood of
#    hvc0 (drain MiB/s, bytes lost, CPU per MiB), then a flood without end
#    (consoled's default limit and -r 1M) and 100 idle paused domains.
# Output: tables on stdout, raw rows in bench/results/blk.tsv, net.tsv and
# cons.tsv (measure, ours, anchor, anchor_value, ratio; ratio > 1: ours
# better) and the "blkbackd", "netbackd" and "consoled" sections of
# docs/PERFORMANCE.md (each replaced only when its scenario passed).
# Knobs: BENCH_ONLY=blk|net|cons (one of them), BENCH_ROUNDS (5), BENCH_RT
# (10 s per job/run), BENCH_RAMP (1 s, fio), BENCH_VFY_MB (64: the
# integrity pass per backend, fio crc32c and sha256 over TCP), BENCH_QUICK=1
# (smoke test: 1 round of 2 s runs, 16 MiB verify; results stay in
# build/bench and the committed ones are not touched), BENCH_SAVE=0|1
# (write bench/results and docs; default: 1 unless BENCH_QUICK=1),
# BENCH_CONS_MIB (20: the console flood), BENCH_CONS_FSECS (20 s: the
# flood without end), BENCH_CONS_IDLE (100 idle domains), BENCH_CONS_ISECS
# (30 s of idle; quick: 4 MiB, 5 s, 10 domains, 10 s),
# BENCH_REPORT_ONLY=1 (no boot: the reports of the last bench boot again,
# e.g. after changing report.sh; the parameters come from its log),
# BENCH_BBFLAGS="-p 0" / BENCH_NBFLAGS="..." (extra blkbackd / netbackd
# options for a variant run; its results are not saved unless
# BENCH_SAVE=1).
# The test bed knobs (MEM, SMP, DOM0_MEM, ACCEL, ...) pass through; the
# results are only comparable with the defaults (-smp 2 -m 2048, dom0 1
# vCPU 1024 MiB, guest 1 vCPU, 384 MiB for blk and 256 MiB for net and
# cons).  The boot runs xenconsoled (XB_CONSOLE=xenconsoled); bench-cons
# switches between it and consoled and starts it again at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-}
case $ONLY in '' | blk | net | cons) ;; *) echo "bench: BENCH_ONLY must be blk, net or cons" >&2; exit 2 ;; esac
if [ "$QUICK" = 1 ]; then
	ROUNDS=${BENCH_ROUNDS:-1} RT=${BENCH_RT:-2} RAMP=${BENCH_RAMP:-1} VFY=${BENCH_VFY_MB:-16}
	CMIB=${BENCH_CONS_MIB:-4} CFSECS=${BENCH_CONS_FSECS:-5} CIDLE=${BENCH_CONS_IDLE:-10} CISECS=${BENCH_CONS_ISECS:-10}
	SAVE=${BENCH_SAVE:-0}
else
	ROUNDS=${BENCH_ROUNDS:-5} RT=${BENCH_RT:-10} RAMP=${BENCH_RAMP:-1} VFY=${BENCH_VFY_MB:-64}
	CMIB=${BENCH_CONS_MIB:-20} CFSECS=${BENCH_CONS_FSECS:-20} CIDLE=${BENCH_CONS_IDLE:-100} CISECS=${BENCH_CONS_ISECS:-30}
	SAVE=${BENCH_SAVE:-1}
	[ -z "${BENCH_BBFLAGS:-}${BENCH_NBFLAGS:-}" ] || SAVE=${BENCH_SAVE:-0}
fi
KINDS=()
[ -n "$ONLY" ] && [ "$ONLY" != blk ] || KINDS+=(blk)
[ -n "$ONLY" ] && [ "$ONLY" != net ] || KINDS+=(net)
[ -n "$ONLY" ] && [ "$ONLY" != cons ] || KINDS+=(cons)
OUT=$REPO/build/bench
mkdir -p "$OUT/bin"
SERIAL=$OUT/xen/serial.log

if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
	[ -r "$SERIAL" ] && [ -r "$OUT/run.log" ] || { echo "bench: no previous bench boot in $OUT" >&2; exit 1; }
	p=$(sed -n 's/.*XBT-BENCH\(-NET\|-CONS\)\{0,1\} PARAMS //p' "$SERIAL" | tr '\n' ' ')
	for k in rounds rt ramp vfy mib fsecs idle isecs; do
		v=$(echo "$p" | tr ' ' '\n' | sed -n "s/^$k=//p" | head -n 1 | tr -d 'MiB')
		[ -n "$v" ] || continue
		case $k in
		rounds) ROUNDS=$v ;; rt) RT=$v ;; ramp) RAMP=$v ;; vfy) VFY=$v ;;
		mib) CMIB=$v ;; fsecs) CFSECS=$v ;; idle) CIDLE=$v ;; isecs) CISECS=$v ;;
		esac
	done
	KINDS=()
	for k in blk net cons; do
		grep -qE "^(PASS|FAIL) bench-$k" "$OUT/run.log" && KINDS+=("$k")
	done
	rc=0
	grep -q '^FAIL ' "$OUT/run.log" && rc=1
else
tests/deps.sh
# the optimised daemons, alone in their own XB_BIN (the ASan build would
# measure the sanitizer)
rm -f "$OUT/bin/"*
for k in "${KINDS[@]}"; do
	case $k in blk) d=blkbackd ;; net) d=netbackd ;; cons) d=consoled ;; esac
	make -s build/bin/$d
	install -m 755 build/bin/$d "$OUT/bin/$d"
done
tests/xen/fetch.sh

# blk: ~12 s per run + attach/detach, 16 runs per round; net: 2 arms of
# 6 runs of RT + ~3 s, a ping and a guest boot (~25 s) per round; cons:
# xenconsoled drains ~0.28 MiB/s, two daemon switches per round, 3 floods
# without end, ~5 s to create and destroy an idle domain
tmo=900
for k in "${KINDS[@]}"; do
	case $k in
	blk) tmo=$((tmo + ROUNDS * (16 * (RT + RAMP + 12) + 150))) ;;
	net) tmo=$((tmo + ROUNDS * 2 * (6 * (RT + 4) + 40))) ;;
	cons) tmo=$((tmo + ROUNDS * (CMIB * 5 + 60) + 3 * (CFSECS + 30) + CIDLE * 6 + 2 * CISECS + 300)) ;;
	esac
done
TIMEOUT=${TIMEOUT:-$tmo}
echo "bench: ${KINDS[*]}: $ROUNDS round(s), ${RT}s runs (fio ramp ${RAMP}s), ${VFY} MiB verify, console ${CMIB} MiB floods, ${CFSECS}s floods without end, $CIDLE idle domains for ${CISECS}s; timeout ${TIMEOUT}s" >&2
# what the numbers belong to (BENCH_REPORT_ONLY reuses it)
dirty=
git diff --quiet HEAD -- daemons common 2>/dev/null || dirty=" (daemons/common modified)"
echo "$(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD)$dirty" > "$OUT/run.info"
extra="xbt.bench.rounds=$ROUNDS xbt.bench.rt=$RT xbt.bench.ramp=$RAMP xbt.bench.vfy=$VFY"
[ -z "${BENCH_BBFLAGS:-}" ] || extra="$extra xbt.bench.bbflags=$(echo "$BENCH_BBFLAGS" | tr ' ' +)"
[ -z "${BENCH_NBFLAGS:-}" ] || extra="$extra xbt.bench.nbflags=$(echo "$BENCH_NBFLAGS" | tr ' ' +)"
extra="$extra xbt.bench.cmib=$CMIB xbt.bench.cfsecs=$CFSECS xbt.bench.cidle=$CIDLE xbt.bench.cisecs=$CISECS"
qdisk=0
[[ " ${KINDS[*]} " != *" blk "* ]] || qdisk=1
set +e
XB_BIN=$OUT/bin XB_OUT=$OUT/xen XB_QDISK=$qdisk XB_BACKEND=none XB_CONSOLE=xenconsoled TIMEOUT=$TIMEOUT \
    XB_DOM0_EXTRA="$extra" tests/xen/run.sh "${KINDS[@]/#/bench-}" > "$OUT/run.log"
rc=$?
set -e
fi
[ $rc = 0 ] || sed -n '/^==== /,$p' "$OUT/run.log" | head -n 80 >&2

# one report, TSV and PERFORMANCE.md section per kind
DOC=docs/PERFORMANCE.md
# the command that reproduces the run: the knobs that differ from the defaults
CMD=
[ -z "$ONLY" ] || CMD="BENCH_ONLY=$ONLY "
for kv in ROUNDS=$ROUNDS/5 RT=$RT/10 RAMP=$RAMP/1 VFY_MB=$VFY/64 CONS_MIB=$CMIB/20 \
    CONS_FSECS=$CFSECS/20 CONS_IDLE=$CIDLE/100 CONS_ISECS=$CISECS/30; do
	v=${kv#*=}
	[ "${v%/*}" = "${v#*/}" ] || CMD="${CMD}BENCH_${kv%%=*}=${v%/*} "
done
CMD="${CMD}make bench"
saved=
for k in "${KINDS[@]}"; do
	verdict=$(grep -E "^(PASS|FAIL) bench-$k" "$OUT/run.log" || echo "FAIL bench-$k: no verdict")
	case $k in
	blk)	title="blkbackd against kernel xen-blkback, QEMU qdisk and dom0"; opt= ;;
	net)	title="netbackd against kernel xen-netback"; opt=--net ;;
	cons)	title="consoled against xenconsoled"; opt=--cons ;;
	esac
	printf 'measure\tours\tanchor\tanchor_value\tratio\n' > "$OUT/$k.tsv"
	echo "==== bench-$k"
	# shellcheck disable=SC2086
	if ! tests/bench/report.sh $opt "$SERIAL" "$OUT/$k.tsv" > "$OUT/report-$k.md"; then
		cat "$OUT/report-$k.md"
		echo "$verdict"
		rc=1
		continue
	fi
	cat "$OUT/report-$k.md"
	echo
	echo "$verdict"
	[ "${verdict#PASS}" != "$verdict" ] && [ "$SAVE" = 1 ] || continue
	mkdir -p bench/results
	cp "$OUT/$k.tsv" bench/results/$k.tsv
	# replace the section between the markers (or append it)
	{
		echo "<!-- bench:$k begin (written by tests/bench/run.sh) -->"
		echo "## $title"
		echo
		echo "Produced by \`$CMD\` on $(cat "$OUT/run.info" 2>/dev/null || echo '?'); host: $(nproc) cores, $(uname -r)."
		echo "Raw rows: \`bench/results/$k.tsv\`."
		echo
		cat "$OUT/report-$k.md"
		echo "<!-- bench:$k end -->"
	} > "$OUT/section-$k.md"
	if [ -f "$DOC" ] && grep -q "^<!-- bench:$k begin" "$DOC"; then
		awk -v f="$OUT/section-$k.md" -v b="<!-- bench:$k begin" -v e="<!-- bench:$k end" '
		    index($0, b) == 1 { while ((getline l < f) > 0) print l; skip = 1; next }
		    index($0, e) == 1 { skip = 0; next }
		    !skip' "$DOC" > "$OUT/doc.tmp"
		mv "$OUT/doc.tmp" "$DOC"
	else
		[ -f "$DOC" ] || printf '# Performance\n\n' > "$DOC"
		{ echo; cat "$OUT/section-$k.md"; } >> "$DOC"
	fi
	saved="$saved bench/results/$k.tsv"
done
if [ -n "$saved" ]; then
	echo "bench: wrote$saved and their sections of $DOC" >&2
else
	echo "bench: results in $OUT (report-*.md, *.tsv, xen/serial.log); bench/results and docs/PERFORMANCE.md not updated" >&2
fi
exit $rc
