#!/bin/sh
# Crash-only restart under load: a 2-vCPU guest (2 queues, persistent
# grants) runs fio verify on xvdb while its blkbackd worker is SIGKILLed
# 12 times at random moments.  Zero fio errors or verify failures, every
# restart gap under 3 s (below), and at least one successor redid requests from
# the journal (lib.sh restart_blk_case).  The disk is a loop device, served
# with O_DIRECT through io_uring: requests are really in flight at a kill
# and every restart runs the stale-I/O fence (an image on dom0's memory
# file system is served inline, so a dozen kills may catch none in flight).
# The gap is a speed goal (under 1 s: restart-blk-100, make restart, prints
# it): here a gap over 3 s fails, a restart that hangs.
# timeout: 400
. /xbtest/lib.sh

command -v restart_blk_case > /dev/null || fail "lib.sh has no restart_blk_case"
RB_GAP_MAX=3.0 FIO_LOOP=1 restart_blk_case rb 12 8
pass
