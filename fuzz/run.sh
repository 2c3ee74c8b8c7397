#!/bin/bash
# Run libFuzzer harnesses for a set time each, one at a time, niced.
#
#   fuzz/run.sh SECONDS build/fuzz/bin/fuzz_blkif ...
#
# Each target starts from its seeds in fuzz/corpus/<target> (read only)
# and the inputs earlier runs found in build/fuzz/corpus/<target> (where
# new ones go).  One line per target: "PASS <target>: <execs> execs in
# <s> s, <n> corpus units" or "FAIL <target>: <why>" with the crashing
# input kept in build/fuzz/artifacts/.  Last line "FUZZ <passed> <failed>";
# the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:?usage: fuzz/run.sh SECONDS BINARY...}
shift
pass=0 fail=0
out=build/fuzz
mkdir -p "$out/artifacts" "$out/log"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for bin in "$@"; do
    t=$(basename "$bin")
    seeds="fuzz/corpus/${t#fuzz_}"
    log="$out/log/$t.log"
    mkdir -p "$out/corpus/$t"
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "FAIL $t: binary or seed corpus $seeds missing"
        fail=$((fail + 1))
        continue
    fi
    # A crash on a seed (a regression) fails at once; otherwise run.
    nice -n 10 timeout -k 10 $((secs + 60)) "$bin" -max_total_time="$secs" \
        -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" \
        "$out/corpus/$t" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(awk '/^stat::number_of_executed_units/{print $NF}' "$log" | tail -1)
    units=$(ls "$out/corpus/$t" "$seeds" 2>/dev/null | grep -vc ':$')
    if [ "$rc" = 0 ] && [ -n "$execs" ]; then
        echo "PASS $t: $execs execs in $secs s, $units corpus units"
        pass=$((pass + 1))
    else
        art=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/.* to //')
        echo "FAIL $t: status $rc${art:+, input $art} (log $log)"
        grep -m1 -E "ERROR: (AddressSanitizer|libFuzzer)|runtime error|invariant broken" "$log" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
echo "FUZZ $pass $fail"
[ "$fail" = 0 ]
