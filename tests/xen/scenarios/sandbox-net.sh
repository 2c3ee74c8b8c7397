#!/bin/sh
# A netbackd worker serving a guest runs confined (common/sandbox.h,
# docs/SECURITY.md): not root, an empty root directory, a seccomp filter,
# no new privileges, only the fds it was handed (its TAP queues among
# them), its ps title.  The -T hooks: SIGRTMIN+1 makes it try open, execve
# and socket (each denied with EACCES and logged); SIGRTMIN+2 makes it call
# ptrace, which the filter answers by killing it: the parent says so with
# the syscall and restarts it, and pings answer again.
# oracle: no (our workers)
# timeout: 180
. /xbtest/lib.sh

net_guest sbn 1
vif_served $D 0
ping_ok dom0 $GIP 3
w=$(daemon_worker netbackd $D 0 | head -n 1)
sandbox_check netbackd "$w" /run/netbackd/empty ""
sandbox_probe netbackd vif $D 0 "$w"
ping_ok dom0 $GIP 3

sandbox_kill netbackd vif $D 0 "$w"
n=$SB_NEW
if [ -n "$n" ]; then
	sandbox_check netbackd "$n" /run/netbackd/empty ""
	i=0
	until $PING -c 1 -W 1 $GIP > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 20 ] && fail "no ping answer from the guest after the restart"
	done
	ping_ok dom0 $GIP 3
	note "successor $n confined too; pings answer"
else
	note "no restart path in this netbackd: the device was failed with the reason"
fi
xl destroy sbn > /dev/null 2>&1
wait_gone sbn 30
pass
