# 64 MiB of random data through xvda: write, flush, drop every cache, read
# back through the device; the checksums must match (dom0 checks the
# image file against XBT-GUEST-SHA too).
MB=64
dd if=/dev/urandom of=/tmp/data bs=1M count=$MB 2>/dev/null || bad data "cannot make test data"
sum=$(sha256sum < /tmp/data | cut -d' ' -f1)
echo "XBT-GUEST-SHA $sum"
t0=$(uptime_s)
dd if=/tmp/data of=/dev/xvda bs=1M conv=fsync 2>/dev/null || bad data "write to xvda failed"
sync
blockdev --flushbufs /dev/xvda
echo 3 > /proc/sys/vm/drop_caches
t1=$(uptime_s)
back=$(dd if=/dev/xvda bs=1M count=$MB 2>/dev/null | sha256sum | cut -d' ' -f1)
t2=$(uptime_s)
echo "XBT-GUEST-TIMES write+flush $t0..$t1 read $t1..$t2"
rm -f /tmp/data
[ "$back" = "$sum" ] || bad data "read back $back, wrote $sum"
ok data
