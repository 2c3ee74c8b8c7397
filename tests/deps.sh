#!/bin/bash
# Install what building and testing need on Debian 12 (root).  Quick no-op
# when everything is there already.
set -euo pipefail
# libseccomp-dev: the workers' filters (common/sandbox.c).
# qemu-utils: qemu-nbd, the NBD server tests/unit/test_backing_nbd.c runs.
# clang + libclang-rt-dev: libFuzzer (make fuzz); clang only recommends the
# runtime, which --no-install-recommends would skip.
# systemd (systemd-analyze verify, systemd-sysusers --dry-run), man-db (verify
# looks up each unit's Documentation= man page) and mandoc (-Tlint): for
# tests/packaging.sh.
PKGS="build-essential pkg-config libxen-dev libevent-dev liburing-dev libnbd-dev
      libcmocka-dev libsystemd-dev libseccomp-dev mandoc qemu-utils clang libclang-rt-dev
      systemd man-db"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing packages:$missing (run as root to install them)" >&2
        exit 1
    fi
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
