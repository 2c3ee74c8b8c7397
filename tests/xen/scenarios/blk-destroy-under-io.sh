#!/bin/sh
# xl destroy of a guest in the middle of writes: its backend dirs and
# blkbackd workers go away within 10 s, and another guest doing
# write/read/verify rounds at the same time keeps passing them.
# timeout: 300
. /xbtest/lib.sh

mkimg $IMAGES/ga.img 64
mkimg $IMAGES/gb.img 64
GUEST_ARGS=xbt.stay=1 guest_cfg ioa writer "format=raw,vdev=xvda,access=rw,target=$IMAGES/ga.img"
GUEST_ARGS=xbt.stay=1 guest_cfg iob verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/gb.img"
guest_start ioa
A=$(guest_domid ioa)
wait_console ioa 'XBT-GUEST-OK writing' 60
guest_start iob
B=$(guest_domid iob)
wait_console iob 'XBT-GUEST-OK round 1$' 60
blkbackd_served $A $XVDA
blkbackd_served $B $XVDA

log "xl destroy ioa (domain $A) while it writes"
t0=$(now)
timeout 60 xl destroy ioa > /tmp/ioa.destroy.log 2>&1 ||
    { cat /tmp/ioa.destroy.log; fail "xl destroy ioa failed or hung for 60s"; }
cat /tmp/ioa.destroy.log
# libxl waits 10 s for the backend to reach Closed, then removes it by force
grep -q 'unable to remove device' /tmp/ioa.destroy.log &&
    fail "backend of ioa did not reach Closed within libxl's 10 s ($(grep 'unable to remove' /tmp/ioa.destroy.log | head -n 1))"
wait_xs_gone /local/domain/0/backend/vbd/$A $(( 10 - ($(now) - t0) ))
wait_worker_gone $A $XVDA 10
log "ioa's backend and worker gone $(( $(now) - t0 ))s after xl destroy"

last=$(console_grep iob 'XBT-GUEST-OK round' | tail -n 1 | sed 's/.*round //')
wait_console iob "XBT-GUEST-OK round $((last + 1))\$" 45
wait_console iob "XBT-GUEST-OK round $((last + 2))\$" 45
blkbackd_served $B $XVDA
log "iob passed rounds $((last + 1)) and $((last + 2)) after ioa was destroyed"
guest_stop iob 30
check_clean_close iob
pass
