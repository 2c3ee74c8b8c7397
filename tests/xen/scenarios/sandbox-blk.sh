#!/bin/sh
# A blkbackd worker serving a guest runs confined (common/sandbox.h,
# docs/SECURITY.md): not root, an empty root directory, a seccomp filter,
# no new privileges, only the fds it was handed, its ps title.  The -T
# hooks: SIGRTMIN+1 makes it try open, execve and socket (each denied with
# EACCES, logged by the worker and by the parent); SIGRTMIN+2 makes it call
# ptrace, which the filter answers by killing it: the parent says so with
# the syscall, restarts it, and the guest's write/read-back rounds go on.
# oracle: no (our workers)
# timeout: 180
. /xbtest/lib.sh

mkimg $IMAGES/sb.img 40
GUEST_ARGS=xbt.stay=1 guest_cfg sb verifier "format=raw,vdev=xvda,access=rw,target=$IMAGES/sb.img"
guest_start sb
D=$(guest_domid sb)
wait_console sb 'XBT-GUEST-OK round 1$' 60
blkbackd_served $D $XVDA
w=$(blkbackd_worker $D $XVDA | head -n 1)
sandbox_check blkbackd "$w" /run/blkbackd/empty $IMAGES/sb.img
sandbox_probe blkbackd vbd $D $XVDA "$w"

r=$(console_grep sb 'XBT-GUEST-OK round ' | wc -l)
sandbox_kill blkbackd vbd $D $XVDA "$w"
n=$SB_NEW
if [ -n "$n" ]; then
	sandbox_check blkbackd "$n" /run/blkbackd/empty $IMAGES/sb.img
	wait_console sb "XBT-GUEST-OK round $((r + 2))\$" 60
	console_grep sb 'XBT-GUEST-FAIL' | grep -q . && fail "guest: $(console_grep sb 'XBT-GUEST-FAIL' | head -n 1)"
	note "successor $n confined too; guest rounds go on ($((r + 2)) passed)"
else
	note "no restart path in this blkbackd: the device was failed with the reason"
fi
blkbackd_alive || fail "blkbackd parent died"
xl destroy sb > /dev/null 2>&1
wait_gone sb 30
pass
