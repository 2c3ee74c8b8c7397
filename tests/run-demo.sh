#!/bin/bash
# make demo: boot Xen nested in QEMU, start a guest whose unchanged xl disk
# line is served by blkbackd, and show what happened.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/deps.sh
make -j2 all >/dev/null
tests/xen/fetch.sh
tests/xen/build.sh
MODE=demo exec tests/xen/run.sh demo
