# Guest side of blk-detach-attach: xvdb goes away, comes back with a new
# image (dom0 wrote a token into it), then a read/write round trip on it;
# xvda must keep working throughout.
wait_for() {	# wait_for SECONDS TEST...: poll TEST every 0.2 s
	_n=$(( $1 * 5 ))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.2
	done
}
[ -e /sys/block/xvdb ] || bad attach "no xvdb at boot"
ok "attached xvdb $(cat /sys/block/xvdb/size) sectors"
wait_for 120 test ! -e /sys/block/xvdb || bad detach "xvdb still present after 120s"
ok detached
wait_for 120 test -e /sys/block/xvdb || bad reattach "xvdb did not come back within 120s"
wait_for 10 test -b /dev/xvdb || bad reattach "no /dev/xvdb node"
ok "reattached xvdb $(cat /sys/block/xvdb/size) sectors"
dd if=/dev/xvda of=/dev/null bs=64k count=16 2>/dev/null || bad xvda "xvda unreadable after the xvdb replug"
. /xbtest/guest/rw.sh
ok hotplug
