# fio helpers for the guest scripts (sourced).  fio_verify DEV [LOOPS]
# writes and verifies (crc32c, verify_fatal) with libaio and O_DIRECT:
#   rand-4k       8 MiB random 4 KiB writes, iodepth 32
#   rand-4k-1m   16 MiB random writes of 4 KiB..1 MiB, iodepth 8
#   seq-64k       8 MiB sequential 64 KiB writes, iodepth 16
#   seq-1m       16 MiB sequential 1 MiB writes, iodepth 8
# one after the other (stonewall), each in its own region of the first
# 96 MiB (48 MiB in all: enough to wrap a 16-page ring and fill the
# persistent-grant table many times; twice that only cost test time),
# each read back and checked after its writes.  Prints one line
#   XBT-GUEST-FIO DEV JOB err=E w=KiB/s r=KiB/s wiops=N riops=N
# per job and returns non-zero if fio failed, a job reported an error or
# fio said anything about a verify failure (its messages are shown).
fio_jobfile() {	# fio_jobfile DEV LOOPS > FILE
	cat <<JOBS
[global]
filename=/dev/$1
ioengine=libaio
direct=1
verify=crc32c
verify_fatal=1
do_verify=1
loops=$2
[rand-4k]
rw=randwrite
bs=4k
iodepth=32
offset=0
size=8m
[rand-4k-1m]
stonewall
rw=randwrite
bsrange=4k-1m
iodepth=8
offset=16m
size=16m
[seq-64k]
stonewall
rw=write
bs=64k
iodepth=16
offset=48m
size=8m
[seq-1m]
stonewall
rw=write
bs=1m
iodepth=8
offset=64m
size=16m
JOBS
}
fio_verify() {	# fio_verify DEV [LOOPS]
	fio_jobfile "$1" "${2:-1}" > "/tmp/fio-$1.job"
	fio --output-format=terse --terse-version=3 "/tmp/fio-$1.job" > "/tmp/fio-$1.out" 2>&1
	_rc=$?
	_bad=0
	# terse v3: 3 job, 5 error, 7 read KiB/s, 8 read IOPS, 48 write KiB/s,
	# 49 write IOPS
	awk -F';' -v d="$1" 'NF > 50 {
		printf "XBT-GUEST-FIO %s %s err=%s w=%s r=%s wiops=%s riops=%s\n", d, $3, $5, $48, $7, $49, $8
	    }' "/tmp/fio-$1.out"
	_jobs=$(awk -F';' 'NF > 50' "/tmp/fio-$1.out" | wc -l)
	_errs=$(awk -F';' 'NF > 50 && $5 != 0' "/tmp/fio-$1.out" | wc -l)
	# anything else fio printed (verify failures go to stderr)
	_msg=$(grep -v ';' "/tmp/fio-$1.out" | grep -iE 'verify|bad|crc|error|fail|fio:' | head -n 5)
	if [ -n "$_msg" ]; then
		echo "$_msg" | sed "s/^/XBT-GUEST-FIOMSG $1 /"
		_bad=1
	fi
	[ "$_rc" = 0 ] && [ "$_jobs" = 4 ] && [ "$_errs" = 0 ] && [ "$_bad" = 0 ] && return 0
	echo "rc=$_rc jobs=$_jobs/4 errors=$_errs $(echo "$_msg" | head -n 1)" > "/tmp/fio-$1.fail"
	echo "XBT-GUEST-FIOFAIL $1 $(cat "/tmp/fio-$1.fail")"
	return 1
}
# what blkfront negotiated for DEV: its kernel log line, queues, limits
blk_info() {	# blk_info DEV
	_l=$(dmesg | grep "blkfront: $1:" | tail -n 1 | sed "s/.*blkfront: $1: *//")
	echo "XBT-GUEST-BLKFRONT $1 $_l"
	_q=$(ls -d /sys/block/$1/mq/[0-9]* 2>/dev/null | wc -l)
	_s=/sys/block/$1
	echo "XBT-GUEST-SYSFS $1 queues=$_q size=$(cat $_s/size) ro=$(cat $_s/ro)" \
	    "max_segments=$(cat $_s/queue/max_segments)" \
	    "max_sectors_kb=$(cat $_s/queue/max_sectors_kb)" \
	    "discard_max_bytes=$(cat $_s/queue/discard_max_bytes)"
	_p=/sys/module/xen_blkfront/parameters
	echo "XBT-GUEST-BLKPARAMS max_queues=$(cat $_p/max_queues)" \
	    "max_ring_page_order=$(cat $_p/max_ring_page_order)" \
	    "max_indirect_segments=$(cat $_p/max_indirect_segments)" \
	    "feature_persistent=$(cat $_p/feature_persistent)"
}
# token_rw DEV SECTOR: print dom0's token line at SECTOR, write
# "XBT-WROTE-<token>" at SECTOR+1 and flush it to the backend (O_DIRECT
# both ways: the page cache must not answer)
token_rw() {
	_t=$(dd if=/dev/$1 bs=512 skip=$2 count=1 iflag=direct 2>/dev/null | tr -d '\0' | head -n 1)
	echo "XBT-GUEST-READ $1 $_t"
	printf 'XBT-WROTE-%s\n' "${_t#XBT-TOKEN-}" |
	    dd of=/dev/$1 bs=512 seek=$(($2 + 1)) count=1 conv=sync,fsync oflag=direct 2>/dev/null ||
	    return 1
	blockdev --flushbufs /dev/$1
}
