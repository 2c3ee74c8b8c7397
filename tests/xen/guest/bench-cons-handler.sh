#!/bin/sh
# bench-cons's guest handler, run by nc for each connection from dom0: one
# command line in, the answer out on the same connection.  Everything it
# writes to hvc0 is raw (stty -opost: no \r added).
#   HELLO        ok
#   FLOOD TAG    writes "XBT-CONS-BEGIN TAG bytes=N sha=S", /payload
#                (dd bs=64k) and "XBT-CONS-END TAG" to hvc0 as fast as the
#                console takes them; answers "ok guest_secs=T" when dd is
#                done (the last bytes are in the ring, not yet in dom0's log)
#   FOREVER      starts writing /payload to hvc0 over and over, in the
#                background; answers "ok pid=P"
#   STOP         stops that writer; answers "ok"
export PATH=/bin:/sbin
read -r cmd a
up() { cut -d' ' -f1 /proc/uptime; }
case $cmd in
HELLO) echo ok ;;
FLOOD)
	stty -F /dev/hvc0 -opost
	t0=$(up)
	{
		echo "XBT-CONS-BEGIN $a bytes=$(cat /payload.bytes) sha=$(cat /payload.sha)"
		dd if=/payload bs=64k 2>/dev/null
		echo "XBT-CONS-END $a"
	} > /dev/hvc0
	echo "ok guest_secs=$(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }')" ;;
FOREVER)
	stty -F /dev/hvc0 -opost
	sh -c 'while :; do cat /payload; done' < /dev/null > /dev/hvc0 2>/dev/null &
	echo $! > /tmp/forever.pid
	echo "ok pid=$!" ;;
STOP)
	p=$(cat /tmp/forever.pid 2>/dev/null)
	[ -n "$p" ] || { echo "ERR no writer"; exit 0; }
	# the loop's cat children first, found by their parent, then the loop
	kids=$(awk -v p="$p" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null)
	kill "$p" $kids 2>/dev/null
	rm -f /tmp/forever.pid
	echo ok ;;
*) echo "ERR unknown command '$cmd'" ;;
esac
