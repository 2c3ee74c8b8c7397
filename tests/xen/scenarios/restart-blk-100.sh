#!/bin/sh
# default: no (extended: about 4 minutes)
# restart-blk with 100 kills, then 20 kills with the disk on a loop device
# (blkbackd serves it with O_DIRECT through io_uring, so every restart
# runs the stale-I/O fence; the images on dom0's memory file system are
# served inline and need none).
# timeout: 900
. /xbtest/lib.sh

command -v restart_blk_case > /dev/null || fail "lib.sh has no restart_blk_case"
restart_blk_case rb 100 50
FIO_LOOP=1 restart_blk_case rbl 20 12
pass
