#!/bin/bash
# make install / make uninstall, the systemd units, the rc.d scripts and the
# man pages, checked without Xen (make test-install; part of make check).
#
#   1. make install into a temporary DESTDIR with the default paths: the
#      tree holds exactly the files expected (listed below, not taken from
#      the Makefile), with their modes and contents;
#   2. the same with every path variable changed, as an unprivileged user
#      (nobody when run as root, in a copy of the tree): DESTDIR installs
#      need no root;
#   3. systemd-analyze verify on each installed unit (ExecStart= pointed
#      into the DESTDIR, MANPATH at its man pages), which must print
#      nothing; the directives the units promise are there;
#   4. each rc.d script: sh -n, the rc.subr variables, and a run against a
#      stand-in for FreeBSD's rc.subr (the host is Linux) that shows what
#      it would start;
#   5. mandoc -Tlint on every man page;
#   6. make uninstall: nothing is left but directories, and a stand-in for
#      Debian's /etc/xen/scripts/block-nbd stays as it was.
#
# One "PASS pkg-<check>" or "FAIL pkg-<check>: <why>" line per check, then
# exactly "PKG <passed> <failed>".  A missing tool is a FAIL, never a skip.
# shellcheck disable=SC2016  # the patterns hold a literal $
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
T=/tmp/xbpkg.$$
D=$T/root
trap 'rm -rf "$T"' EXIT
rm -rf "$T"
if ! mkdir -p "$T" || ! chmod 755 "$T"; then echo "PKG 0 1"; exit 1; fi

pass=0 fail=0
ok()  { echo "PASS pkg-$1"; pass=$((pass + 1)); }
bad() { echo "FAIL pkg-$1: $2"; fail=$((fail + 1)); }
# verdict NAME: PASS if $err is empty, else FAIL with $err as the reason.
verdict() { if [ -z "$err" ]; then ok "$1"; else bad "$1" "$err"; fi; }
# Inner makes must not inherit the outer make's jobserver or flags.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "$@"; }

DAEMONS="blkbackd netbackd consoled"
MAN_PAGES=""
for m in man/*.1 man/*.5 man/*.8; do
    [ -e "$m" ] && MAN_PAGES="$MAN_PAGES ${m#man/}"
done

# ---- 1. default paths -------------------------------------------------------
# path mode: what make install must put under DESTDIR with the defaults.
expected() {
    local d m
    for d in $DAEMONS; do
        echo "/usr/local/sbin/$d 755"
        echo "/usr/local/lib/systemd/system/$d.service 644"
        echo "/etc/rc.d/$d 755"
    done
    echo "/usr/local/bin/consoled-attach 755"
    echo "/usr/local/bin/xbctl 755"
    for m in $MAN_PAGES; do
        echo "/usr/local/share/man/man${m##*.}/$m 644"
    done
    echo "/usr/local/lib/sysusers.d/xb-backends.conf 644"
    echo "/etc/modprobe.d/blkbackd.conf 644"
    echo "/etc/modprobe.d/netbackd.conf 644"
    echo "/etc/xen/scripts/block-xb-nbd 755"
    echo "/usr/local/share/examples/xb-backends/xb-backends.conf 644"
}
expected | sort >"$T/expected"
cut -d' ' -f1 "$T/expected" >"$T/expected.paths"
# The tree under a root: "path mode" of everything that is not a directory.
tree() { (cd "$1" && find . ! -type d -printf '/%P %m\n' | sort); }

if mk install DESTDIR="$D" >"$T/install.log" 2>&1; then
    ok install
else
    bad install "make install DESTDIR=$D failed: $(tail -3 "$T/install.log" | tr '\n' ' ')"
fi

err=$(diff "$T/expected" <(tree "$D") | grep '^[<>]' | tr '\n' ' ')
verdict tree

# The list make uninstall works from must be the same files.
err=$(diff "$T/expected.paths" <(mk install-files | sort) | grep '^[<>]' | tr '\n' ' ')
verdict install-files

# Contents: binaries and man pages as built, placeholders substituted.
err=""
for d in $DAEMONS; do
    cmp -s "build/bin/$d" "$D/usr/local/sbin/$d" || err="$err $d differs from build/bin;"
done
cmp -s build/bin/consoled-attach "$D/usr/local/bin/consoled-attach" ||
    err="$err consoled-attach differs;"
cmp -s build/bin/xbctl "$D/usr/local/bin/xbctl" || err="$err xbctl differs;"
for m in $MAN_PAGES; do
    cmp -s "man/$m" "$D/usr/local/share/man/man${m##*.}/$m" || err="$err $m differs;"
done
cmp -s daemons/blkbackd/block-xb-nbd "$D/etc/xen/scripts/block-xb-nbd" || err="$err block-xb-nbd differs;"
cmp -s etc/xb-backends.conf "$D/usr/local/share/examples/xb-backends/xb-backends.conf" ||
    err="$err the example xb-backends.conf differs;"
[ -e "$D/etc/xen/xb-backends.conf" ] && err="$err installed /etc/xen/xb-backends.conf (the admin's file);"
cmp -s rc.d/xb-backends.sysusers "$D/usr/local/lib/sysusers.d/xb-backends.conf" ||
    err="$err sysusers differs;"
left=$(grep -l '@[A-Z]*DIR@' "$D"/usr/local/lib/systemd/system/* "$D"/etc/rc.d/* 2>/dev/null)
[ -z "$left" ] || err="$err placeholders left in $left;"
for d in $DAEMONS; do
    grep -q "^ExecStart=/usr/local/sbin/$d -d " "$D/usr/local/lib/systemd/system/$d.service" ||
        err="$err $d.service: ExecStart is not /usr/local/sbin/$d -d;"
    grep -q "^procname=\"/usr/local/sbin/\${name}\"" "$D/etc/rc.d/$d" ||
        err="$err rc.d/$d: procname is not /usr/local/sbin;"
done
verdict contents

# The modprobe snippets: the blacklist line, what it does, how to go back.
for k in blk net; do
    f="$D/etc/modprobe.d/${k}backd.conf"
    err=""
    grep -qx "blacklist xen-${k}back" "$f" || err="no 'blacklist xen-${k}back' line;"
    grep -q '^# What it does:' "$f" || err="$err no '# What it does:' comment;"
    grep -q "^# To go back to xen-${k}back:" "$f" || err="$err no '# To go back' comment;"
    grep -q "modprobe xen-${k}back" "$f" || err="$err the revert does not reload xen-${k}back;"
    # Nothing but comments and the one blacklist line.
    other=$(grep -v '^#' "$f" | grep -vx "blacklist xen-${k}back" | grep -v '^$')
    [ -z "$other" ] || err="$err unexpected lines: $other;"
    verdict "modprobe-${k}backd"
done

# The daemons really tell systemd they are ready (Type=notify).
err=""
for d in $DAEMONS; do
    grep -qa 'READY=1' "$D/usr/local/sbin/$d" || err="$err $d has no READY=1;"
    grep -q 'libsystemd\.so' <<<"$(ldd "$D/usr/local/sbin/$d" 2>&1)" ||
        err="$err $d is not linked with libsystemd;"
done
verdict sd-notify

err=""
if command -v systemd-sysusers >/dev/null; then
    mkdir -p "$T/sysusers"
    out=$(systemd-sysusers --dry-run --root="$T/sysusers" \
        "$D/usr/local/lib/sysusers.d/xb-backends.conf" 2>&1)
    rc=$?
    [ $rc = 0 ] || err="systemd-sysusers --dry-run: status $rc: $out"
    for u in _xbblk _xbnet; do
        grep -q "Creating user '$u'" <<<"$out" || err="$err no user $u: $out"
    done
else
    err="systemd-sysusers not found (tests/deps.sh installs systemd)"
fi
verdict sysusers

# ---- 3. systemd units ---------------------------------------------------------
# verify wants ExecStart= executable and Documentation= man pages found:
# copies point into the DESTDIR, MANPATH at its man pages.  Any output
# (an unknown key is only a warning, status 0) is a failure.
mkdir -p "$T/units"
for d in $DAEMONS; do
    sed "s|=/usr/local/sbin/|=$D/usr/local/sbin/|" \
        "$D/usr/local/lib/systemd/system/$d.service" >"$T/units/$d.service"
done
for d in $DAEMONS; do
    err=""
    if ! command -v systemd-analyze >/dev/null; then
        err="systemd-analyze not found (tests/deps.sh installs systemd)"
    elif ! command -v man >/dev/null; then
        err="man not found (tests/deps.sh installs man-db)"
    else
        out=$(cd "$T/units" && MANPATH="$D/usr/local/share/man" \
            systemd-analyze verify "$T/units/$d.service" 2>&1)
        rc=$?
        if [ $rc != 0 ] || [ -n "$out" ]; then
            err="systemd-analyze verify: status $rc: $(tr '\n' ' ' <<<"$out")"
        fi
    fi
    verdict "verify-$d"
done

# What the units promise (issue 8, docs/ARCHITECTURE.md "Stop and start").
for d in $DAEMONS; do
    u="$D/usr/local/lib/systemd/system/$d.service"
    err=""
    for k in 'Type=notify' 'NotifyAccess=main' 'Restart=on-failure' \
        'ExecReload=/bin/kill -HUP $MAINPID' "RuntimeDirectory=$d" \
        'Wants=xenstored.service proc-xen.mount' \
        'After=xenstored.service proc-xen.mount xen.service' \
        'Before=xendomains.service' 'NoNewPrivileges=yes' 'ProtectSystem=full' \
        'MemoryDenyWriteExecute=yes' 'RestrictNamespaces=yes' \
        'SystemCallArchitectures=native' 'LockPersonality=yes'; do
        grep -qxF "$k" "$u" || err="$err no '$k';"
    done
    grep -q '^RestrictAddressFamilies=AF_UNIX' "$u" || err="$err no RestrictAddressFamilies;"
    case $d in
    consoled)
        grep -qx 'Conflicts=xenconsoled.service' "$u" || err="$err no Conflicts=xenconsoled.service;"
        grep -qx 'DevicePolicy=closed' "$u" || err="$err no DevicePolicy=closed;" ;;
    netbackd)
        grep -qx 'KillMode=mixed' "$u" || err="$err no KillMode=mixed;"
        grep -qx 'DevicePolicy=closed' "$u" || err="$err no DevicePolicy=closed;" ;;
    blkbackd)
        # Workers must get the parent's stop message before any signal.
        grep -qx 'KillMode=mixed' "$u" || err="$err no KillMode=mixed;"
        # Disk lines name any block device.
        grep -q '^Device\|^PrivateDevices=\|^ProtectClock=' "$u" &&
            err="$err restricts devices;" ;;
    esac
    # Every directive in [Service] says why on the comment line right
    # above it, or follows one of its own kind (EnvironmentFile= twice,
    # RuntimeDirectoryMode= after RuntimeDirectory=).
    nc=$(awk -F= '/^\[Service\]/ {s = 1; prev = ""; next} /^\[/ {s = 0}
        !s {next}
        /^#/ {prev = "#"; next}
        /^[A-Za-z]/ {
            if (prev != "#" && (prev == "" || index($1, prev) != 1)) print $1
            prev = $1; next
        }
        {prev = ""}' "$u" | tr '\n' ' ')
    [ -z "$nc" ] || err="$err uncommented: $nc;"
    verdict "unit-$d"
done

# ---- 4. rc.d scripts ------------------------------------------------------------
# A stand-in for FreeBSD's /etc/rc.subr (the host is Linux):
# load_rc_config takes <name>_flags from XB_FLAGS, and run_rc_command
# prints what rc.subr would use.
cat >"$T/rc.subr" <<'EOF'
load_rc_config() { eval "${1}_flags=\${XB_FLAGS}"; }
run_rc_command() {
    eval "en=\${${name}_enable-unset}"
    printf 'arg=%s\nname=%s\nrcvar=%s\nenable=%s\ncommand=%s\nprocname=%s\n' \
        "$1" "$name" "$rcvar" "$en" "$command" "$procname"
    printf 'command_args=%s\npidfile=%s\nrequired_files=%s\nsig_reload=%s\n' \
        "$command_args" "$pidfile" "${required_files-}" "${sig_reload-}"
}
EOF
for d in $DAEMONS; do
    f="$D/etc/rc.d/$d"
    err=""
    sh -n "$f" 2>"$T/shn" || err="sh -n: $(cat "$T/shn");"
    for k in "^# PROVIDE: $d\$" '^# REQUIRE: .*xencommons' '^# KEYWORD: .*shutdown' \
        '^\. /etc/rc\.subr$' "^name=\"$d\"\$" "^rcvar=\"${d}_enable\"\$" \
        '^load_rc_config \$name$' "^: \\\${${d}_enable:=\"NO\"}\$" \
        "^: \\\${${d}_flags:=\"\"}\$" '^command=' '^pidfile=' \
        '^run_rc_command "\$1"$'; do
        grep -q "$k" "$f" || err="$err no line matching $k;"
    done
    sed "s|^\. /etc/rc\.subr\$|. $T/rc.subr|" "$f" >"$T/rc.$d"
    out=$(XB_FLAGS="-v -x" sh "$T/rc.$d" start 2>&1) || err="$err the rc.subr stand-in run failed: $out;"
    for k in "arg=start" "name=$d" "rcvar=${d}_enable" "enable=NO" \
        "command=/usr/sbin/daemon" "procname=/usr/local/sbin/$d" \
        "command_args=-f /usr/local/sbin/$d -v -x" "pidfile=/var/run/$d.pid" \
        "required_files=/usr/local/sbin/$d" "sig_reload=HUP"; do
        grep -qxF "$k" <<<"$out" || err="$err expected '$k' from the rc.subr stand-in run;"
    done
    verdict "rcd-$d"
done

err=""
sh -n "$D/etc/xen/scripts/block-xb-nbd" 2>"$T/shn" || err="sh -n: $(cat "$T/shn")"
verdict block-xb-nbd

# ---- 5. man pages ------------------------------------------------------------------
# Everything mandoc -Tlint reports, down to style, except what depends on
# the host: whether xl(1), daemon(8)... are installed here.
for m in $MAN_PAGES; do
    err=""
    if ! command -v mandoc >/dev/null; then
        err="mandoc not found (tests/deps.sh installs it)"
    else
        out=$(mandoc -Tlint -W style "$D/usr/local/share/man/man${m##*.}/$m" 2>&1)
        rc=$?
        out=$(grep -v 'referenced manual not found\|outdated mandoc\.db' <<<"$out")
        # 0 clean, 1 only style messages; above: warnings or worse.
        if [ $rc -gt 1 ] || [ -n "$out" ]; then
            err="mandoc -Tlint: status $rc: $(tr '\n' ' ' <<<"$out")"
        fi
    fi
    verdict "man-$m"
done

# ---- 2. every path changed, unprivileged ------------------------------------------
ALT="PREFIX=/opt/xb SBINDIR=/opt/xb/s BINDIR=/opt/xb/b MANDIR=/opt/xb/m
     SYSCONFDIR=/opt/etc SYSTEMDUNITDIR=/opt/units SYSUSERSDIR=/opt/su
     RCDIR=/opt/rc MODPROBEDIR=/opt/mp XENSCRIPTDIR=/opt/xs EXAMPLEDIR=/opt/ex"
A=$T/alt
mkdir -p "$A"
# The user runs make in a copy of the tree (which may sit under /root) with
# the built programs, told not to rebuild them (-o: there are no objects).
mkdir -p "$T/src/build/bin"
tar -C . --exclude=./build --exclude=./.git -cf - . | tar -C "$T/src" -xpf -
BINS="blkbackd netbackd consoled consoled-attach xbctl"
keep=()
for b in $BINS; do
    cp -p "build/bin/$b" "$T/src/build/bin/" 2>/dev/null
    keep+=(-o "build/bin/$b")
done
chmod -R a+rX "$T/src"
as=()
if [ "$(id -u)" = 0 ]; then
    chown nobody "$A"
    as=(runuser -u nobody --)
fi
# shellcheck disable=SC2086
if (cd "$T/src" && "${as[@]}" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s "${keep[@]}" install DESTDIR="$A" $ALT) >"$T/alt.log" 2>&1; then
    # shellcheck disable=SC2086
    err=$(diff <(mk install-files $ALT | sort) <(tree "$A" | cut -d' ' -f1) |
        grep '^[<>]' | tr '\n' ' ')
    grep -q '^/opt/xb/s/blkbackd$' <(mk install-files $ALT) ||
        err="$err SBINDIR not honoured;"
    grep -q '^/opt/xb/m/man8/blkbackd.8$' <(mk install-files $ALT) ||
        err="$err MANDIR not honoured;"
    grep -qx 'ExecStart=/opt/xb/s/consoled -d $CONSOLED_FLAGS' "$A/opt/units/consoled.service" ||
        err="$err consoled.service ExecStart not in SBINDIR;"
    grep -q '^procname="/opt/xb/s/${name}"' "$A/opt/rc/netbackd" ||
        err="$err rc.d/netbackd procname not in SBINDIR;"
    [ -f "$A/opt/mp/blkbackd.conf" ] || err="$err MODPROBEDIR not honoured;"
    [ -f "$A/opt/xs/block-xb-nbd" ] || err="$err XENSCRIPTDIR not honoured;"
    [ -f "$A/opt/ex/xb-backends.conf" ] || err="$err EXAMPLEDIR not honoured;"
    [ -f "$A/opt/su/xb-backends.conf" ] || err="$err SYSUSERSDIR not honoured;"
    [ -f "$A/opt/xb/b/consoled-attach" ] || err="$err BINDIR not honoured;"
else
    err="make install DESTDIR=$A ${as[*]:+as nobody} failed: $(tail -3 "$T/alt.log" | tr '\n' ' ')"
fi
verdict install-unprivileged

# ---- 6. uninstall ---------------------------------------------------------------------
err=""
# Debian's xen-utils-common ships /etc/xen/scripts/block-nbd (a conffile):
# ours is block-xb-nbd, and uninstall must leave the package's file alone
printf '#!/bin/sh\n# xen-utils-common stand-in\n' >"$D/etc/xen/scripts/block-nbd"
mk uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 || err="make uninstall failed;"
grep -q 'xen-utils-common stand-in' "$D/etc/xen/scripts/block-nbd" 2>/dev/null ||
    err="$err make uninstall removed or changed Debian's /etc/xen/scripts/block-nbd;"
rm -f "$D/etc/xen/scripts/block-nbd"
left=$(cd "$D" && find . ! -type d | tr '\n' ' ')
[ -z "$left" ] || err="$err left behind: $left"
verdict uninstall

err=""
# shellcheck disable=SC2086
(cd "$T/src" && "${as[@]}" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s uninstall DESTDIR="$A" $ALT) >"$T/alt-un.log" 2>&1 ||
    err="make uninstall (other paths) failed;"
left=$(cd "$A" && find . ! -type d | tr '\n' ' ')
[ -z "$left" ] || err="$err left behind: $left"
verdict uninstall-unprivileged

echo "PKG $pass $fail"
[ "$fail" = 0 ]
