#!/bin/bash
# make bench: a benchmark, not a test.  One test bed boot (scenario
# bench-blk) runs the anchor study's fio jobs (tests/bench/bench.fio) in
# one guest against one 256 MiB tmpfs file in dom0 through kernel
# xen-blkback, QEMU qdisk and blkbackd (the optimised build), interleaved
# per round, plus fio in dom0 on the file as the limit.
# Output: tables on stdout, raw rows in bench/results/blk.tsv
# (measure, ours, anchor, anchor_value, ratio; ratio > 1: blkbackd better)
# and the "blkbackd" section of docs/PERFORMANCE.md.
# Knobs: BENCH_ROUNDS (5), BENCH_RT (10 s per job), BENCH_RAMP (1 s),
# BENCH_VFY_MB (64: the crc32c verify pass per backend), BENCH_QUICK=1
# (smoke test: 1 round of 2 s jobs, 16 MiB verify; results stay in
# build/bench and the committed ones are not touched), BENCH_SAVE=0|1
# (write bench/results and docs; default: 1 unless BENCH_QUICK=1),
# BENCH_REPORT_ONLY=1 (no boot: the report of the last bench boot again,
# e.g. after changing report.sh; the parameters come from its log),
# BENCH_BBFLAGS="-p 0" (extra blkbackd options for a variant run; its
# results are not saved unless BENCH_SAVE=1).
# The test bed knobs (MEM, SMP, DOM0_MEM, ACCEL, ...) pass through; the
# results are only comparable with the defaults (-smp 2 -m 2048, dom0 1
# vCPU 1024 MiB, guest 1 vCPU 384 MiB).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	ROUNDS=${BENCH_ROUNDS:-1} RT=${BENCH_RT:-2} RAMP=${BENCH_RAMP:-1} VFY=${BENCH_VFY_MB:-16}
	SAVE=${BENCH_SAVE:-0}
else
	ROUNDS=${BENCH_ROUNDS:-5} RT=${BENCH_RT:-10} RAMP=${BENCH_RAMP:-1} VFY=${BENCH_VFY_MB:-64}
	SAVE=${BENCH_SAVE:-1}
	[ -z "${BENCH_BBFLAGS:-}" ] || SAVE=${BENCH_SAVE:-0}
fi
OUT=$REPO/build/bench
mkdir -p "$OUT/bin"
SERIAL=$OUT/xen/serial.log

if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
	[ -r "$SERIAL" ] && [ -r "$OUT/run.log" ] || { echo "bench: no previous bench boot in $OUT" >&2; exit 1; }
	p=$(sed -n 's/.*XBT-BENCH PARAMS //p' "$SERIAL" | head -n 1)
	for k in rounds rt ramp vfy; do
		v=$(echo "$p" | tr ' ' '\n' | sed -n "s/^$k=//p" | tr -d 'MiB')
		case $k in rounds) ROUNDS=$v ;; rt) RT=$v ;; ramp) RAMP=$v ;; vfy) VFY=$v ;; esac
	done
	rc=1
	grep -q '^PASS bench-blk' "$OUT/run.log" && rc=0
else
tests/deps.sh
# the optimised blkbackd, alone in its own XB_BIN (the ASan build would
# measure the sanitizer)
make -s build/bin/blkbackd
install -m 755 build/bin/blkbackd "$OUT/bin/blkbackd"
tests/xen/fetch.sh

# ~12 s per run + attach/detach; 16 runs per round
TIMEOUT=${TIMEOUT:-$((900 + ROUNDS * (16 * (RT + RAMP + 12) + 150)))}
echo "bench: $ROUNDS round(s), ${RT}s jobs (${RAMP}s ramp), ${VFY} MiB verify; timeout ${TIMEOUT}s" >&2
# what the numbers belong to (BENCH_REPORT_ONLY reuses it)
dirty=
git diff --quiet HEAD -- daemons common 2>/dev/null || dirty=" (daemons/common modified)"
echo "$(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD)$dirty" > "$OUT/run.info"
set +e
XB_BIN=$OUT/bin XB_OUT=$OUT/xen XB_QDISK=1 XB_BACKEND=none TIMEOUT=$TIMEOUT \
    XB_DOM0_EXTRA="xbt.bench.rounds=$ROUNDS xbt.bench.rt=$RT xbt.bench.ramp=$RAMP xbt.bench.vfy=$VFY${BENCH_BBFLAGS:+ xbt.bench.bbflags=$(echo "$BENCH_BBFLAGS" | tr ' ' +)}" \
    tests/xen/run.sh bench-blk > "$OUT/run.log"
rc=$?
set -e
fi
verdict=$(grep -E '^(PASS|FAIL) bench-blk' "$OUT/run.log" || echo "FAIL bench-blk: no verdict")
[ $rc = 0 ] || sed -n '/^==== /,$p' "$OUT/run.log" | head -n 80 >&2

printf 'measure\tours\tanchor\tanchor_value\tratio\n' > "$OUT/blk.tsv"
tests/bench/report.sh "$SERIAL" "$OUT/blk.tsv" > "$OUT/report.md" || { cat "$OUT/report.md"; echo "$verdict"; exit 1; }
cat "$OUT/report.md"
echo
echo "$verdict"

if [ $rc != 0 ] || [ "$SAVE" != 1 ]; then
	echo "bench: results in $OUT (report.md, blk.tsv, xen/serial.log); bench/results and docs/PERFORMANCE.md not updated" >&2
	exit $rc
fi
mkdir -p bench/results
cp "$OUT/blk.tsv" bench/results/blk.tsv
# replace the section between the markers (or append it)
DOC=docs/PERFORMANCE.md
CMD="make bench"
[ "$ROUNDS/$RT/$RAMP/$VFY" = 5/10/1/64 ] || CMD="BENCH_ROUNDS=$ROUNDS BENCH_RT=$RT BENCH_RAMP=$RAMP BENCH_VFY_MB=$VFY make bench"
{
	echo "<!-- bench:blk begin (written by tests/bench/run.sh) -->"
	echo "## blkbackd against kernel xen-blkback, QEMU qdisk and dom0"
	echo
	echo "Produced by \`$CMD\` on $(cat "$OUT/run.info" 2>/dev/null || echo '?'); host: $(nproc) cores, $(uname -r)."
	echo "Raw rows: \`bench/results/blk.tsv\`."
	echo
	cat "$OUT/report.md"
	echo "<!-- bench:blk end -->"
} > "$OUT/section.md"
if [ -f "$DOC" ] && grep -q '^<!-- bench:blk begin' "$DOC"; then
	awk -v f="$OUT/section.md" '
	    /^<!-- bench:blk begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
	    /^<!-- bench:blk end/ { skip = 0; next }
	    !skip' "$DOC" > "$OUT/doc.tmp"
	mv "$OUT/doc.tmp" "$DOC"
else
	[ -f "$DOC" ] || printf '# Performance\n\n' > "$DOC"
	{ echo; cat "$OUT/section.md"; } >> "$DOC"
fi
echo "bench: wrote bench/results/blk.tsv and the blkbackd section of $DOC" >&2
