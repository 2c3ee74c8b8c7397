# guest side of the cons-* scenarios (lib.sh: cons_guest).  Does the
# action xbt.cons.do= names, prints "XBT-GUEST-OK cons ready", then reads
# shell lines from hvc0 and runs them (prompt "xbt-cons# "): dom0 types
# them through `xl console` or consoled-attach, the tty echoes them.
#   flood  flood $(garg cons.mib 50) $(garg cons.tag f)
#   burst  burst $(garg cons.kib 8) $(garg cons.tag): numbered lines, a
#          last line, then power off at once (cons-domain-death)
#   tick   tick $(garg cons.tick 0.2) $(garg cons.pad 0): a background
#          ticker (cons-restart)
#   sec    serve /dev/hvc1, the secondary console (cons-secondary)
#   esc    a line with terminal escape sequences (cons-log)
# Functions for the typed lines: flood, tick, since.

since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }

# payload MIB: /tmp/payload, MIB MiB of base64 text (76-char lines, the
# last one ends in \n), its sha256 in /tmp/payload.sha; kept for reuse
payload() {
	[ "$(cat /tmp/payload.mib 2>/dev/null)" = "$1" ] && return 0
	_t=$(uptime_s)
	head -c $(($1 * 786432 + 4096)) /dev/urandom | base64 |
	    head -c $(($1 * 1048576 - 1)) > /tmp/payload
	echo >> /tmp/payload
	sha256sum /tmp/payload | cut -d' ' -f1 > /tmp/payload.sha
	echo "$1" > /tmp/payload.mib
	echo "XBT-GUEST-PAYLOAD mib=$1 secs=$(since "$_t")"
}

# flood MIB TAG: the payload to hvc0 as fast as the guest can write it
# (the anchor study's dd), between the lines XBT-FLOOD-BEGIN and
# XBT-FLOOD-END (lib.sh flood_check); XBT-GUEST-FLOOD has the guest's time
flood() {
	payload "$1"
	dmesg -n 1	# no kernel message inside the payload
	_b=$(wc -c < /tmp/payload)
	echo "XBT-FLOOD-BEGIN $2 bytes=$_b sha=$(cat /tmp/payload.sha)"
	_t=$(uptime_s)
	dd if=/tmp/payload of=/dev/hvc0 bs=64k 2>/dev/null
	_s=$(since "$_t")
	echo "XBT-FLOOD-END $2"
	echo "XBT-GUEST-FLOOD $2 bytes=$_b secs=$_s MiB/s=$(awk -v b="$_b" -v s="$_s" 'BEGIN { printf "%.2f", (s > 0 ? b / 1048576 / s : 0) }')"
}

# burst KIB TOKEN: KIB KiB of 64-byte lines "XBT-DD nnnnnn ....", the line
# "XBT-DD-LAST TOKEN", then power off at once.  hvc_xen's write spins
# until the ring takes every byte, so once the last echo returns, the line
# is in the ring: what the backend has not drained yet at the domain's
# death is still there.
burst() {
	_n=$(($1 * 16))
	awk -v n="$_n" 'BEGIN { for (i = 0; i < n; i++) printf "XBT-DD %06d %s\n", i, "................................................." }' > /tmp/burst
	dmesg -n 1
	echo "XBT-DD-BEGIN lines=$_n"
	cat /tmp/burst > /dev/hvc0
	echo "XBT-DD-LAST $2"
	/bin/busybox poweroff -f
}

# tick SECS PAD: in the background, a line "XBT-TICK <n> <PAD dots>" every
# SECS seconds, n counting from 0
tick() {
	_pad=$(printf '%*s' "$2" '' | tr ' ' '.')
	( _i=0; while :; do echo "XBT-TICK $_i $_pad"; _i=$((_i + 1)); sleep "$1"; done ) &
}

# sec: in the background, once /dev/hvc1 opens (its node exists from boot;
# hvc_xen's frontend allocates the console when device/console/1
# appears), write "XBT-SEC-OUT <cons.tag>" to it, then report each line
# read from it as "XBT-GUEST-SEC-IN <line>" on hvc0 and answer a line
# "XBT-SEC-XL <x>" with "XBT-SEC-BACK <x>" on hvc1
sec() {
	(
	_t=$(uptime_s)
	_i=0
	until stty -F /dev/hvc1 raw -echo 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 1200 ] && bad sec "/dev/hvc1 does not open after 120s"
		sleep 0.1
	done
	echo "XBT-GUEST-SEC hvc1 opens after $(since "$_t")s: $(cat /sys/bus/xen/devices/console-1/nodename 2>/dev/null)"
	echo "XBT-SEC-OUT $(garg cons.tag)" > /dev/hvc1
	while IFS= read -r _l; do
		_l=$(echo "$_l" | tr -d '\r')
		echo "XBT-GUEST-SEC-IN $_l"
		case $_l in
		"XBT-SEC-XL "*) echo "XBT-SEC-BACK ${_l#XBT-SEC-XL }" > /dev/hvc1 ;;
		esac
	done < /dev/hvc1
	echo "XBT-GUEST-SEC hvc1 read ended"
	) &
}

case $(garg cons.do) in
flood) flood "$(garg cons.mib 50)" "$(garg cons.tag f)" ;;
burst) burst "$(garg cons.kib 8)" "$(garg cons.tag)" ;;
tick) tick "$(garg cons.tick 0.2)" "$(garg cons.pad 0)" ;;
sec) sec ;;
esc) printf 'XBT-ESC \033[1mbold\033[0m \033]0;title\007 bel\n' ;;
'') ;;
*) bad cons "unknown action xbt.cons.do=$(garg cons.do)" ;;
esac
ok "cons ready"
exec 3< /dev/hvc0
while :; do
	printf 'xbt-cons# '
	IFS= read -r _line <&3 || { sleep 1; continue; }
	eval "$_line"
done
