#!/bin/sh
# bench-blk's guest handler, run by nc for each connection from dom0: one
# command line in, the answer out on the same connection.
#   HELLO                   ok
#   FIO DEV JOB RT RAMP     fio's terse v3 line for bench.fio's JOB on /dev/DEV
#                           (O_DIRECT), or "ERR ..."
#   VFY DEV MIB             "rc=N" and fio's terse line: a crc32c verify pass
#                           (random 4 KiB writes, iodepth 32) over MIB MiB
#   GONE DEV                ok once /sys/block/DEV is gone (after a detach)
export PATH=/bin:/sbin
read -r cmd a b c d
waitdev() {	# until /dev/DEV is there and readable, at most 30 s
	_i=0
	until [ -b /dev/$1 ] && dd if=/dev/$1 of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
}
case $cmd in
HELLO) echo ok ;;
FIO)
	waitdev "$a" || { echo "ERR no readable /dev/$a"; exit 0; }
	DEV=/dev/$a DIRECT=1 RT=$c RAMP=$d fio --section="$b" --output-format=terse \
	    --terse-version=3 /xbtest/guest/bench.fio 2>&1 ;;
VFY)
	waitdev "$a" || { echo "ERR no readable /dev/$a"; exit 0; }
	fio --name=verify --filename=/dev/$a --ioengine=libaio --direct=1 \
	    --rw=randwrite --bs=4k --iodepth=32 --size=${b}m --verify=crc32c \
	    --verify_fatal=1 --output-format=terse --terse-version=3 > /tmp/vfy.out 2>&1
	echo "rc=$?"
	cat /tmp/vfy.out ;;
GONE)
	i=0
	while [ -e /sys/block/$a ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "ERR /sys/block/$a still there after 30 s"; exit 0; }
		sleep 0.1
	done
	echo ok ;;
*) echo "ERR unknown command '$cmd'" ;;
esac
