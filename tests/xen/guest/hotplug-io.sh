# Guest side of blk-hotplug-under-io: fio verify on xvdb in the background
# (the job set four times over, 192 MiB); dom0 attaches xvdc meanwhile:
# read dom0's token from it, write ours, report whether fio was still
# running at the attach, then wait for fio's verdict.
. /xbtest/guest/fiolib.sh
[ -b /dev/xvdb ] || bad hotplug-io "no /dev/xvdb"
blk_info xvdb
( fio_verify xvdb 4 && touch /tmp/fio-xvdb.ok ) &
pid=$!
ok "fio started"
i=0
until [ -b /dev/xvdc ]; do
	i=$((i + 1))
	[ $i -gt 600 ] && bad hotplug-io "no /dev/xvdc 120 s after fio started"
	sleep 0.2
done
running=no
kill -0 $pid 2>/dev/null && running=yes
echo "XBT-GUEST-ATTACHED xvdc fio-running=$running"
token_rw xvdc 0 || bad hotplug-io "write to the new xvdc failed"
ok "rw xvdc"
wait $pid
[ -e /tmp/fio-xvdb.ok ] || bad hotplug-io "fio verify on xvdb failed: $(cat /tmp/fio-xvdb.fail 2>/dev/null)"
ok "fio xvdb"
ok hotplug-io
