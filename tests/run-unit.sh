#!/bin/bash
# Run cmocka unit-test binaries (built by `make unit`) and summarise.
#
#   tests/run-unit.sh build/asan/tests/test_parse build/asan/tests/test_ring ...
#
# Each binary's output is printed.  Per-test results are the cmocka lines
# "[       OK ] name" and "[  FAILED  ] name" that follow "[ RUN      ] name"
# (the summary cmocka prints at the end repeats the FAILED lines; those are
# not counted twice).  A binary that crashes (ASan/UBSan, a signal), hangs,
# is missing, dies in the middle of a test or exits non-zero without a
# FAILED line counts as one failure named after the binary.
#
# The last line is exactly "UNIT <passed> <failed>"; the exit status is
# non-zero if anything failed.
set -uo pipefail

export CMOCKA_MESSAGE_OUTPUT=stdout
# Sanitizer reports must end the process with a non-zero status.
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}"
TIMEOUT="${UNIT_TIMEOUT:-300}"

pass=0
fail=0
failed_names=()

if [ $# = 0 ]; then
    echo "run-unit.sh: no test binaries given" >&2
    echo "UNIT 0 1"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-unit.XXXXXX") || { echo "UNIT 0 1"; exit 1; }
trap 'rm -rf "$tmp"' EXIT

for bin in "$@"; do
    name=$(basename "$bin")
    out="$tmp/$name.out"
    echo "=== $name"
    if [ ! -x "$bin" ]; then
        echo "run-unit.sh: $bin: not found or not executable"
        fail=$((fail + 1))
        failed_names+=("$name (missing)")
        continue
    fi
    if command -v timeout >/dev/null 2>&1; then
        timeout -k 10 "$TIMEOUT" "$bin" >"$out" 2>&1
    else
        "$bin" >"$out" 2>&1
    fi
    rc=$?
    cat "$out"

    # p f dangling(1 if a test started and never reported) names-of-failed
    read -r p f dangling < <(awk '
        /^\[ RUN      \] / { if (cur != "") dangling = 1; cur = substr($0, 14); next }
        /^\[       OK \] / {
            n = substr($0, 14)
            if (cur != "" && n == cur) { p++; cur = "" }
            next
        }
        /^\[  FAILED  \] / {
            n = substr($0, 14)
            if (cur != "" && n == cur) { f++; cur = ""; print n > "/dev/stderr" }
            next
        }
        /^\[  SKIPPED \] / {
            n = substr($0, 14)
            if (cur != "" && n == cur) cur = ""
            next
        }
        END { if (cur != "") dangling = 1; print p + 0, f + 0, dangling + 0 }
    ' "$out" 2>"$tmp/$name.failed")
    while IFS= read -r t; do
        [ -n "$t" ] && failed_names+=("$name: $t")
    done <"$tmp/$name.failed"

    pass=$((pass + p))
    fail=$((fail + f))
    why=""
    if [ "$rc" = 124 ]; then
        why="timed out after ${TIMEOUT}s"
    elif [ "$rc" -gt 128 ]; then
        why="killed by signal $((rc - 128))"
    elif [ "$rc" = 86 ]; then
        why="sanitizer report (status 86)"
    elif [ "$dangling" = 1 ]; then
        why="a test started and never finished (status $rc)"
    elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        why="exit status $rc without a failed test"
    elif [ "$rc" != "$f" ] && [ "$f" -lt 256 ]; then
        why="exit status $rc but $f failed test(s)"
    elif [ $((p + f)) = 0 ]; then
        why="ran no tests"
    fi
    if [ -n "$why" ]; then
        echo "FAIL $name: $why"
        fail=$((fail + 1))
        failed_names+=("$name ($why)")
    fi
done

echo
if [ "$fail" != 0 ]; then
    echo "Failed unit tests:"
    for t in "${failed_names[@]}"; do
        echo "  $t"
    done
fi
echo "UNIT $pass $fail"
[ "$fail" = 0 ]
