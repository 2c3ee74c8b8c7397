#!/bin/sh
# lifecycle-4 with 30 cycles, for measuring the parents' memory: after
# cycle 2 and at the end a note per parent splits its VmRSS by mapping
# (brk heap, other anonymous, files) and gives its malloc heap (SIGUSR1,
# mallinfo2), so live data and allocator retention can be told apart
# (lib.sh lifecycle_mem).
# oracle: no (it counts our daemons' fds and memory)
# default: no (a measurement; lifecycle-4 and lifecycle-100 are the checks)
# timeout: 600
. /xbtest/lib.sh

# xbt.lc.asan=OPTS (XB_DOM0_EXTRA): more ASAN_OPTIONS for the parents' loop
LC_ASAN=$(sed -n 's/.*xbt\.lc\.asan=\([^ ]*\).*/\1/p' /proc/cmdline)
LC_MEM=1 lifecycle 30
pass
