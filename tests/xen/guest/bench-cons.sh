# Guest side of bench-cons (make bench): makes the flood payload, then
# serves dom0's commands on TCP port 5000 (guest/bench-cons-handler.sh, one
# per connection) until dom0 destroys it.  The console carries only what
# is measured: dom0 asks over the network, so neither console daemon has
# to pass input.  eth0 was set up by /init (xbt.ip=).
# The payload: xbt.cmib MiB (20) of 128-byte text lines, numbered, so that
# a lost, doubled or reordered piece changes the sha256; printable only,
# so a daemon's control-byte filter cannot touch it.
dmesg -n 1	# no kernel chatter on the console
[ -e /sys/class/net/eth0 ] || bad bench-cons "no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
MIB=$(garg cmib 20)
t0=$(uptime_s)
awk -v n=$((MIB * 8192)) 'BEGIN {
	a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-"
	a = a a a
	for (i = 0; i < n; i++) printf "%08d %s\n", i, substr(a, i % 64 + 1, 118)
}' > /payload || bad bench-cons "cannot write /payload"
wc -c < /payload > /payload.bytes
[ "$(cat /payload.bytes)" = $((MIB * 1048576)) ] ||
    bad bench-cons "/payload has $(cat /payload.bytes) bytes, want $((MIB * 1048576))"
sha256sum < /payload | cut -d' ' -f1 > /payload.sha
echo "XBT-GUEST-PAYLOAD bytes=$(cat /payload.bytes) sha=$(cat /payload.sha) made_in=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')s"
nc -ll -p 5000 -e /xbtest/guest/bench-cons-handler.sh &
ok "bench-cons listening"
