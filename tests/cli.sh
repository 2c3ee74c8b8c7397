#!/bin/bash
# The daemons' command line without Xen (make test-cli; part of make check):
# -n with -f on good and bad configuration files (xb-backends.conf(5)),
# flags over the file, --print-capabilities as JSON (python3 -m json.tool),
# and the example file etc/xb-backends.conf, whose values must be the
# defaults.  Runs the built daemons in build/bin; none of this needs root
# (the workers' user is given as "nobody", which exists everywhere).
#
# One "PASS cli-<check>" or "FAIL cli-<check>: <why>" line per check, then
# exactly "CLI <passed> <failed>".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${XB_BIN:-build/bin}
T=/tmp/xbcli.$$
trap 'rm -rf "$T"' EXIT
rm -rf "$T"
if ! mkdir -p "$T"; then echo "CLI 0 1"; exit 1; fi

pass=0 fail=0
ok()  { echo "PASS cli-$1"; pass=$((pass + 1)); }
bad() { echo "FAIL cli-$1: $2"; fail=$((fail + 1)); }
verdict() { if [ -z "$err" ]; then ok "$1"; else bad "$1" "$err"; fi; }

DAEMONS="blkbackd netbackd consoled"
# The workers' user: blkbackd and netbackd resolve it at -n.
user() { [ "$1" = consoled ] || echo "-u nobody"; }
# run DAEMON ARGS...: status in $rc, stdout and stderr in $out.
run() {
    local d=$1
    shift
    out=$(timeout 10 "$B/$d" "$@" 2>&1)
    rc=$?
}
# json_get FILE KEY...: the value at that path, printed by python3.
json_get() {
    python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print(json.dumps(v))' "$@"
}

for d in $DAEMONS; do
    [ -x "$B/$d" ] || { bad "$d" "$B/$d not built"; continue; }

    # ---- --print-capabilities: valid JSON, naming the daemon --------------
    err=""
    if ! timeout 10 "$B/$d" --print-capabilities -f /dev/null >"$T/$d.caps" 2>"$T/$d.caps.err"; then
        err="status $?: $(cat "$T/$d.caps.err")"
    elif ! python3 -m json.tool "$T/$d.caps" >/dev/null 2>"$T/$d.json.err"; then
        err="not JSON: $(tr '\n' ' ' <"$T/$d.json.err")"
    elif [ "$(json_get "$T/$d.caps" daemon)" != "\"$d\"" ]; then
        err="\"daemon\" is not \"$d\""
    fi
    verdict "caps-$d"

    # ---- the example's values are the defaults ------------------------------
    err=""
    sed 's/^#\([a-z]\)/\1/' etc/xb-backends.conf >"$T/example-on.conf"
    # shellcheck disable=SC2046
    run "$d" -n -f etc/xb-backends.conf $(user "$d")
    [ $rc = 0 ] || err="-n on the example as installed: status $rc: $out;"
    # shellcheck disable=SC2046
    run "$d" -n -f "$T/example-on.conf" $(user "$d")
    [ $rc = 0 ] || err="$err -n on the example uncommented: status $rc: $out;"
    timeout 10 "$B/$d" --print-capabilities -f "$T/example-on.conf" >"$T/$d.caps.ex" 2>&1
    cmp -s "$T/$d.caps" "$T/$d.caps.ex" ||
        err="$err the uncommented example is not the defaults: $(diff "$T/$d.caps" "$T/$d.caps.ex" | tr '\n' ' ');"
    verdict "example-$d"

    # ---- -n: 0 and a line on stdout; no file at all is the defaults ---------
    err=""
    # shellcheck disable=SC2046
    run "$d" -d -v -n -f /dev/null $(user "$d")
    [ $rc = 0 ] || err="-d -v -n -f /dev/null: status $rc: $out;"
    grep -q "^$d: /dev/null: .*ok" <<<"$out" || err="$err no ok line: $out;"
    run "$d" -h
    grep -q -- '-f file' <<<"$out" || err="$err usage does not show -f file: $out;"
    grep -q -- '--print-capabilities' <<<"$out" || err="$err usage does not show --print-capabilities;"
    verdict "check-$d"
done

# ---- flags win over the file; the file over the defaults --------------------
cat >"$T/good.conf" <<'EOF'
# good
[blkbackd]
max-queues 8
persistent-grants 0
user nobody

[netbackd]
max-queues 2	# a comment
user nobody
[consoled]
rotate-size 4K
rotate-keep 0
log all
timestamps hv
scrollback 1K
EOF
err=""
for d in $DAEMONS; do
    run "$d" -n -f "$T/good.conf"
    [ $rc = 0 ] || err="$err $d -n: status $rc: $out;"
done
timeout 10 "$B/blkbackd" --print-capabilities -f "$T/good.conf" >"$T/b.json" 2>&1
[ "$(json_get "$T/b.json" features multi-queue-max-queues)" = 8 ] ||
    err="$err blkbackd max-queues 8 not taken;"
[ "$(json_get "$T/b.json" features feature-persistent)" = 0 ] ||
    err="$err blkbackd persistent-grants 0 does not turn feature-persistent off;"
timeout 10 "$B/blkbackd" --print-capabilities -f "$T/good.conf" -q 3 -p 5 >"$T/b.json" 2>&1
[ "$(json_get "$T/b.json" features multi-queue-max-queues)" = 3 ] ||
    err="$err blkbackd -q 3 does not win over the file;"
[ "$(json_get "$T/b.json" persistent-grants)" = 5 ] ||
    err="$err blkbackd -p 5 does not win over the file;"
timeout 10 "$B/netbackd" --print-capabilities -f "$T/good.conf" >"$T/n.json" 2>&1
[ "$(json_get "$T/n.json" features multi-queue-max-queues)" = 2 ] ||
    err="$err netbackd max-queues 2 not taken;"
timeout 10 "$B/consoled" --print-capabilities -f "$T/good.conf" -t none >"$T/c.json" 2>&1
[ "$(json_get "$T/c.json" rotation size)" = 4096 ] || err="$err consoled rotate-size not taken;"
[ "$(json_get "$T/c.json" log hv)" = true ] || err="$err consoled log all not taken;"
[ "$(json_get "$T/c.json" timestamps hv)" = false ] || err="$err consoled -t none does not win;"
verdict flags-over-file

# ---- bad files: status 1 and a message naming the file, line and key ----------
# case NAME DAEMON "EXPECTED MESSAGE" [ARGS...] < file
case_bad() {
    local name=$1 d=$2 want=$3
    shift 3
    cat >"$T/bad.conf"
    err=""
    # shellcheck disable=SC2046
    run "$d" -n -f "$T/bad.conf" $(user "$d") "$@"
    [ $rc = 1 ] || err="status $rc, expected 1;"
    grep -qF -- "$want" <<<"$out" || err="$err expected \"$want\", got: $out"
    verdict "bad-$name"
}
case_bad unknown-key blkbackd "bad.conf:3: unknown key max-queue in [blkbackd]" <<'EOF'
[blkbackd]
max-queues 4
max-queue 4
EOF
case_bad duplicate-key netbackd "bad.conf:4: duplicate key max-queues in [netbackd] (first on line 2)" <<'EOF'
[netbackd]
max-queues 4

max-queues 2
EOF
case_bad out-of-range blkbackd 'bad.conf:2: max-queues "17": out of range (1 to 16)' <<'EOF'
[blkbackd]
max-queues 17
EOF
# A flag overriding a bad key does not hide it.
case_bad overridden-bad-value netbackd 'bad.conf:2: max-queues "0": out of range (1 to 16)' -q 2 <<'EOF'
[netbackd]
max-queues 0
EOF
case_bad bad-number blkbackd 'bad.conf:2: persistent-grants "lots": not a decimal number' <<'EOF'
[blkbackd]
persistent-grants lots
EOF
case_bad bad-section consoled "bad.conf:1: unknown section [consoledd]" <<'EOF'
[consoledd]
EOF
case_bad outside-section netbackd "bad.conf:1: user: outside a section" <<'EOF'
user nobody
EOF
case_bad bad-size consoled 'bad.conf:2: rotate-size "1K": at least 4K (or 0: never)' <<'EOF'
[consoled]
rotate-size 1K
EOF
case_bad bad-enum consoled 'bad.conf:2: log "some": expected none, guest, hv or all' <<'EOF'
[consoled]
log some
EOF
case_bad relative-path consoled 'bad.conf:2: log-dir "log": not an absolute path' <<'EOF'
[consoled]
log-dir log
EOF
case_bad long-line blkbackd "bad.conf:2: line too long" < <(printf '[blkbackd]\nuser %02000d\n' 0)
# The workers' user must exist (without -u, which would win).
err=""
printf '[blkbackd]\nuser _xbnone\n' >"$T/user.conf"
run blkbackd -n -f "$T/user.conf"
[ $rc = 1 ] || err="status $rc, expected 1;"
grep -qF 'user "_xbnone" does not exist' <<<"$out" || err="$err got: $out"
verdict bad-no-user

# Each daemon checks its own section only.
err=""
printf '[netbackd]\nbogus 1\n' >"$T/other.conf"
run blkbackd -n -f "$T/other.conf" -u nobody
[ $rc = 0 ] || err="blkbackd refused netbackd's section: $out;"
run netbackd -n -f "$T/other.conf" -u nobody
[ $rc = 1 ] || err="$err netbackd took an unknown key;"
verdict own-section

# -f names a file that must exist; every daemon says which.
err=""
for d in $DAEMONS; do
    # shellcheck disable=SC2046
    run "$d" -n -f "$T/absent.conf" $(user "$d")
    [ $rc = 1 ] || err="$err $d: status $rc;"
    grep -qF "$T/absent.conf: No such file or directory" <<<"$out" ||
        err="$err $d: $out;"
done
verdict missing-file

# A bad flag value is refused as before.
err=""
for d in blkbackd netbackd; do
    run "$d" -n -f /dev/null -q 0 -u nobody
    [ $rc = 1 ] || err="$err $d -q 0: status $rc;"
done
run consoled -n -f /dev/null -K 1001
[ $rc = 1 ] || err="$err consoled -K 1001: status $rc;"
verdict bad-flags

echo "CLI $pass $fail"
[ "$fail" = 0 ]
