# Guest side of the hostile-* scenarios.  xbt.hostile=KIND:ARG,ARG,... runs
# xbfront-KIND ARG ARG ... once (frontends/; the kernel's driver for that
# device is not loaded) and reports its lines as XBT-GUEST-HOSTILE, then
# "ok hostile" if it exited 0 (the backend answered the attack as it
# must: errors or a closed device) or "bad hostile" with its first FAIL.
# xbt.hostile=serve makes the guest the suite's standing attacker (lib.sh
# hostile_attacker): it prints "ok hostile ready", then runs each command
# dom0 writes to data/xbt-hostile ("N KIND ARG ..."; xbfront-get reads and
# removes it) and ends each with "ok hostile N" or "FAIL hostile N: ...".
for m in xen-evtchn xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
[ -c /dev/xen/gntalloc ] || bad hostile "no /dev/xen/gntalloc in the guest"
[ -c /dev/xen/evtchn ] || bad hostile "no /dev/xen/evtchn in the guest"

# hostile_run TAG KIND ARG...: one attack; its verdict line names TAG
hostile_run() {
	_tag=$1 _kind=$2
	shift 2
	echo "XBT-GUEST-HOSTILE xbfront-$_kind $*"
	if ! command -v xbfront-$_kind >/dev/null; then
		echo "XBT-GUEST-FAIL $_tag: no xbfront-$_kind in the guest image (build/guest)"
		return 1
	fi
	xbfront-$_kind "$@" > /tmp/hostile.out 2>&1
	_rc=$?
	sed 's/^/XBT-GUEST-HOSTILE /' /tmp/hostile.out
	if [ $_rc != 0 ]; then
		echo "XBT-GUEST-FAIL $_tag: xbfront-$_kind $* exited $_rc: $(grep -m 1 FAIL /tmp/hostile.out)"
		return 1
	fi
	ok "$_tag"
}

spec=$(garg hostile)
[ -n "$spec" ] || bad hostile "no xbt.hostile= on the command line"
if [ "$spec" = serve ]; then
	command -v xbfront-get >/dev/null || bad hostile "no xbfront-get in the guest image (build/guest)"
	ok "hostile ready"
	while cmd=$(xbfront-get data/xbt-hostile 3600); do
		set -- $cmd
		n=$1
		shift
		hostile_run "hostile $n" "$@"
	done
	bad hostile "no command from dom0 for an hour"
fi
hostile_run hostile ${spec%%:*} $(echo "${spec#*:}" | tr ',' ' ') || exit 1
