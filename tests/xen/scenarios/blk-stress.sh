#!/bin/sh
# Sustained I/O: two guests run write/flush/read-back/verify rounds through
# blkbackd for 15 s while dom0 keeps polling xl, xenstore and the consoles
# as the other scenarios do.  Every round must verify, both guests must keep
# progressing, and no dom0 program may crash (dom0-init checks that: under
# TCG with Xen's lazy FPU switching about ten did per minute, see run.sh).
# timeout: 200
. /xbtest/lib.sh

mkimg $IMAGES/sa.img 64
mkimg $IMAGES/sb.img 64
GUEST_ARGS=xbt.stay=1 guest_cfg sa verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/sa.img"
GUEST_ARGS=xbt.stay=1 guest_cfg sb verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/sb.img"
guest_start sa
guest_start sb
A=$(guest_domid sa)
B=$(guest_domid sb)
wait_console sa 'XBT-GUEST-OK round 1$' 60
wait_console sb 'XBT-GUEST-OK round 1$' 60
round() { console_grep "$1" 'XBT-GUEST-OK round' | tail -n 1 | sed 's/.*round //'; }
a0=$(round sa) b0=$(round sb)
end=$(( $(now) + 15 ))
n=0
while [ "$(now)" -lt "$end" ]; do
	n=$((n + 1))
	guest_domid sb >/dev/null
	xs_read "$(be_path $A $XVDA)/state" >/dev/null
	# fails at once on XBT-GUEST-FAIL (a round did not verify)
	wait_console sa 'XBT-GUEST-OK round' 1
	wait_console sb 'XBT-GUEST-OK round' 1
done
a1=$(round sa) b1=$(round sb)
note "15 s: sa rounds $a0..$a1, sb rounds $b0..$b1, $n dom0 polls"
[ "$a1" -gt "$a0" ] || fail "sa made no progress in 15 s (round $a1)"
[ "$b1" -gt "$b0" ] || fail "sb made no progress in 15 s (round $b1)"
blkbackd_served $A $XVDA
blkbackd_served $B $XVDA
guest_stop sa 30
guest_stop sb 30
check_clean_close sa
check_clean_close sb
pass
