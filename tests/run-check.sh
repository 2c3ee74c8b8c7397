#!/bin/bash
# make check: build, then the real-Xen test bed (every scenario in tests/xen/scenarios/ not
# marked "default: no", in one boot) in the background while the unit tests (ASan/UBSan)
# and the fuzzers run briefly.
# Last line: "N passed, N failed" over unit tests, fuzz targets, packaging checks,
# command-line checks and scenarios.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=build/check
mkdir -p "$OUT"
pass=0 fail=0

tests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
# The test bed's downloads (Xen, the kernel, Debian packages) while the
# compilers use the cores
fetch=''
if [ "${XBT_SKIP_TESTBED:-0}" != 1 ]; then
    tests/xen/fetch.sh >"$OUT/fetch.log" 2>&1 &
    fetch=$!
fi
if ! make -j2 all >"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log"
    [ -z "$fetch" ] || kill "$fetch" 2>/dev/null
    echo "FAIL build"
    echo "0 passed, 1 failed"
    exit 1
fi

# The test bed starts first and runs in the background while the unit
# tests and the fuzzers use the other core (QEMU keeps about one busy):
# its output is shown once they are done.
bed=''
if [ "${XBT_SKIP_TESTBED:-0}" = 1 ]; then
    : # counted below: never silent
elif wait "$fetch" && tests/xen/build.sh; then
    # The default list: every scenario not marked "# default: no" (demo is).
    tests/xen/run.sh >"$OUT/testbed.log" 2>&1 &
    bed=$!
    trap 'kill "$bed" 2>/dev/null; exit 130' INT TERM HUP	# run.sh stops QEMU
else
    cat "$OUT/fetch.log"
    bed=none
fi

# niced: QEMU's vCPU threads come first (the test bed is the long pole)
nice -n 10 make -s unit 2>&1 | tee "$OUT/unit.log"
read -r up uf < <(awk '/^UNIT /{print $2, $3}' "$OUT/unit.log" | tail -1)
if [ -z "${up:-}" ]; then up=0; uf=1; echo "FAIL unit: no result line"; fi
pass=$((pass + up)); fail=$((fail + uf))

# Each libFuzzer harness a few seconds from its seeds (fuzz/, make fuzz for
# longer runs): one PASS/FAIL per target; a crash on a seed is a regression.
nice -n 10 make -s fuzz-short 2>&1 | tee "$OUT/fuzz.log"
read -r fp ff < <(awk '/^FUZZ /{print $2, $3}' "$OUT/fuzz.log" | tail -1)
if [ -z "${fp:-}" ]; then fp=0; ff=1; echo "FAIL fuzz: no result line"; fi
pass=$((pass + fp)); fail=$((fail + ff))

# make install into a temporary DESTDIR and back out, systemd-analyze
# verify on the units, the rc.d scripts, mandoc -Tlint on the man pages
# (tests/packaging.sh, make test-install): one PASS/FAIL per check.
nice -n 10 tests/packaging.sh 2>&1 | tee "$OUT/pkg.log"
read -r pp pf < <(awk '/^PKG /{print $2, $3}' "$OUT/pkg.log" | tail -1)
if [ -z "${pp:-}" ]; then pp=0; pf=1; echo "FAIL packaging: no result line"; fi
pass=$((pass + pp)); fail=$((fail + pf))

# The daemons' command line without Xen: -n on good and bad configuration
# files, flags over the file, --print-capabilities as JSON (tests/cli.sh,
# make test-cli): one PASS/FAIL per check.
nice -n 10 tests/cli.sh 2>&1 | tee "$OUT/cli.log"
read -r clp clf < <(awk '/^CLI /{print $2, $3}' "$OUT/cli.log" | tail -1)
if [ -z "${clp:-}" ]; then clp=0; clf=1; echo "FAIL cli: no result line"; fi
pass=$((pass + clp)); fail=$((fail + clf))

case $bed in
'') # Never silent: a skipped test bed counts as a failure.
    echo "FAIL testbed: skipped (XBT_SKIP_TESTBED=1)"
    fail=$((fail + 1)) ;;
none)
    echo "FAIL testbed: could not fetch or build the test bed"
    fail=$((fail + 1)) ;;
*)  # what it printed so far, then the rest as it comes
    tail -n +1 --pid="$bed" -f "$OUT/testbed.log"
    wait "$bed"
    sp=$(grep -c '^PASS ' "$OUT/testbed.log")
    sf=$(grep -c '^FAIL ' "$OUT/testbed.log")
    if [ $((sp + sf)) = 0 ]; then sf=1; echo "FAIL testbed: no verdicts"; fi
    pass=$((pass + sp)); fail=$((fail + sf)) ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
