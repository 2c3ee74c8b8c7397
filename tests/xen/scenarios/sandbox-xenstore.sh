#!/bin/sh
# The xenstore proxy (docs/ARCHITECTURE.md "xenstore proxy (workers)"): a
# guest with a disk and a vif is served, yet neither worker holds a
# xenstore connection: no /dev/xen/xenbus, no pipe (libxenstore's watch
# pipe), one thread (no libxenstore reader thread); nothing a worker asked
# for on the way was refused.  With the -T hook, SIGRTMIN+3 makes a worker
# write into another device's backend directory: the parent logs the
# refusal with the worker's pid, the node is not created, the device still
# serves.
# oracle: no (our workers' file descriptors and logs)
# timeout: 150
. /xbtest/lib.sh

mkimg $IMAGES/sx.img 16
NET_DISK="format=raw,vdev=xvda,access=rw,target=$IMAGES/sx.img" net_guest sx 1
blkbackd_served $D $XVDA
vif_served $D 0

# check_worker DAEMON PID: no xenstore connection, one thread
check_worker() {
	_fds=$(ls -l /proc/$2/fd 2>/dev/null | sed -n 's/.* \([0-9]*\) -> /\1:/p' | tr '\n' ' ')
	[ -n "$_fds" ] || fail "cannot list the fds of $1 worker $2"
	log "$1 worker $2 fds: $_fds"
	case " $_fds" in
	*xenbus*) fail "$1 worker $2 holds /dev/xen/xenbus: $_fds" ;;
	esac
	# One socket, the channel (-d: no syslog socket); the xenstored socket
	# would be a second.  libevent's signal pipe is a pair; libxenstore's
	# watch pipe would be another.
	_socks=$(echo "$_fds" | tr ' ' '\n' | grep -c ':socket:')
	echo " $_fds" | grep -q ' 3:socket:' || fail "$1 worker $2: fd 3 is not its channel: $_fds"
	[ "$_socks" = 1 ] || fail "$1 worker $2 holds $_socks sockets, want 1 (the channel): $_fds"
	_pipes=$(echo "$_fds" | tr ' ' '\n' | grep -c ':pipe:')
	[ "$_pipes" -le 2 ] || fail "$1 worker $2 holds $_pipes pipe ends, want at most libevent's 2: $_fds"
	_thr=$(sed -n 's/^Threads:[[:space:]]*//p' /proc/$2/status)
	[ "$_thr" = 1 ] || fail "$1 worker $2 has $_thr threads ($(ls /proc/$2/task | tr '\n' ' ')), want 1"
	note "$1 worker $2: $(echo "$_fds" | wc -w) fds, 1 thread, no xenstore connection"
}
bw=$(blkbackd_worker $D $XVDA | head -n 1)
nw=$(daemon_worker netbackd $D 0 | head -n 1)
check_worker blkbackd "$bw"
check_worker netbackd "$nw"
for dm in blkbackd netbackd; do
	r=$(daemon_log_new $dm | grep 'xenstore .* refused')
	[ -z "$r" ] || fail "$dm refused a request of a legitimate worker: $r"
done

# The hook: a write outside the worker's own directory.
other=/local/domain/0/backend/vbd/$D/$((XVDA + 16))
if tr '\0' ' ' < /proc/$bw/cmdline | grep -q -- ' -T'; then
	kill -$((SB_SIG_DENIED + 2)) "$bw" || fail "cannot signal worker $bw (SIGRTMIN+3)"
	i=0
	until line=$(blkbackd_log_new | grep "worker $bw: xenstore write $other/params refused"); do
		i=$((i + 1))
		[ $i -gt 25 ] && fail "no refusal of worker $bw's write to $other/params: $(blkbackd_log_new | tail -n 3)"
		sleep 0.2
	done
	note "${line#*: }"
	[ -z "$(xenstore-read "$other/params" 2>/dev/null)" ] || fail "$other/params was written"
	xenstore-exists "$other" 2>/dev/null && fail "$other was created"
	[ "$(xs_read "$(be_path $D $XVDA)/state")" = 4 ] || fail "the device is no longer Connected"
	[ "$(blkbackd_worker $D $XVDA | head -n 1)" = "$bw" ] || fail "worker $bw did not survive the refusal"
else
	note "no -T hook in this blkbackd: refusal not exercised"
fi

ping_ok $GIP $DOM0_IP 3
guest_stop sx 30
check_clean_close sx
wait_worker_gone $D $XVDA 10
vif_gone $D 0 10
pass
