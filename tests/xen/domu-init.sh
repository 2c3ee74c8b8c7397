#!/bin/sh
# domU /init (busybox).  Everything printed here goes to hvc0, which
# xenconsoled logs in dom0: that log is the only channel back to the test.
# Kernel arguments: xbt.guest=SCRIPT runs /xbtest/guest/SCRIPT.sh,
# xbt.stay=1 keeps the guest up afterwards (the scenario stops it),
# xbt.ip=A.B.C.D/N gives eth0 (netfront) that address (xbt.mtu=M: and that
# MTU; netfront does not read the vif's mtu key) before the script runs.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
stty -opost 2>/dev/null		# no \r\n in the console log

# `xl shutdown` makes the kernel run /sbin/poweroff; with a shell as init,
# busybox's signal to pid 1 would be lost, so power off directly.  The
# raised console level shows the frontends closing (xenbus_dev_shutdown).
mkdir -p /sbin
printf '#!/bin/sh\necho XBT-GUEST-POWEROFF > /dev/console\nsync\ndmesg -n 8\nexec /bin/busybox poweroff -f\n' > /sbin/poweroff
cp /sbin/poweroff /sbin/reboot
chmod 755 /sbin/poweroff /sbin/reboot

GUEST='' STAY=0 NOBLK=0 NONET=0 IP='' MTU=''
for a in $(cat /proc/cmdline); do
	case $a in
	xbt.guest=*) GUEST=${a#*=} ;;
	xbt.stay=*) STAY=${a#*=} ;;
	xbt.ip=*) IP=${a#*=} ;;
	xbt.mtu=*) MTU=${a#*=} ;;
	# the vbds are for a userland frontend (frontends/): no xen-blkfront
	xbt.noblk=*) NOBLK=${a#*=} ;;
	xbt.nonet=*) NONET=${a#*=} ;;	# the vifs: no xen-netfront
	esac
done
echo "XBT-GUEST-BOOT kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime) script=$GUEST"

# Module parameters on the kernel command line (xen_blkfront.max_queues=1):
# the kernel leaves those of loadable modules to modprobe, and busybox
# insmod does not read /proc/cmdline, so pass them on here.
modparams() {	# modparams FILE.ko: "param=value ..." for that module
	_m=$(basename "$1" .ko | tr - _)
	for _a in $(cat /proc/cmdline); do
		case $_a in "$_m".*=*) printf '%s ' "${_a#"$_m".}" ;; esac
	done
}
# insmod xen-blkfront waits (up to 30 s and more) for its devices to
# connect, so a half-working backend would block /init: load in the
# background and wait for the disks below instead.
( for m in $(cat /lib/modules/load.list); do
	[ "$NOBLK" = 1 ] && [ "$m" = xen-blkfront.ko ] && continue
	[ "$NONET" = 1 ] && [ "$m" = xen-netfront.ko ] && continue
	p=$(modparams "$m")
	[ -n "$p" ] && echo "XBT-GUEST-MODPARAMS $m $p"
	# shellcheck disable=SC2086
	insmod "/lib/modules/$m" $p || echo "XBT-GUEST-WARN insmod $m $p failed"
done ) &

# Every vbd the toolstack configured (xenbus registers the device at boot,
# driver or not) should get a block device within 30 s.
i=0
while [ "$NOBLK" != 1 ]; do
	pending=
	for v in /sys/bus/xen/devices/vbd-*; do
		[ -e "$v" ] || continue
		set -- "$v"/block/*
		[ -e "$1" ] || pending="$pending ${v##*/}"
	done
	[ -z "$pending" ] && break
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "XBT-GUEST-WARN no block device after 30s for:$pending"
		break
	fi
	sleep 0.1
done
echo "XBT-GUEST-DISKS $(cd /sys/block && ls -d xvd* 2>/dev/null | tr '\n' ' ')"

# A static address on eth0 (netfront, loaded above in the background):
# XBT-GUEST-NET says what came of it; the guest script goes on either way
# (the scenario judges).
ip link set lo up 2>/dev/null
if [ -n "$IP" ]; then
	i=0
	until [ -e /sys/class/net/eth0 ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && break
		sleep 0.1
	done
	if [ ! -e /sys/class/net/eth0 ]; then
		echo "XBT-GUEST-NET no eth0 after 30s ($(ls /sys/class/net | tr '\n' ' '))"
	else
		# carrier comes with the backend's Connected (netfront's
		# connect); the MTU after that, since netfront drops it to 1500
		# when the backend lacks feature-sg
		# (netfront refuses to open eth0 until it has connected to the
		# backend, which a slow hotplug script delays: retry the link up)
		err=
		i=0
		until [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ]; do
			ip link set eth0 up 2>/dev/null
			i=$((i + 1))
			[ $i -gt 300 ] && { err="no carrier after 30s (operstate $(cat /sys/class/net/eth0/operstate))"; break; }
			sleep 0.1
		done
		[ -z "$MTU" ] || ip link set eth0 mtu "$MTU" 2>/tmp/mtu.err ||
		    err="${err:+$err; }mtu $MTU: $(cat /tmp/mtu.err)"
		ip addr add "$IP" dev eth0 || err="${err:+$err; }address setup failed"
		echo "XBT-GUEST-NET eth0 ip=$IP mtu=$(cat /sys/class/net/eth0/mtu) mac=$(cat /sys/class/net/eth0/address) queues=$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l)${err:+ error=$err}"
	fi
fi

# helpers for the guest scripts (sourced in a subshell, so exit ends only
# the script)
ok() { echo "XBT-GUEST-OK $*"; }
bad() { echo "XBT-GUEST-FAIL $1: $2"; exit 1; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
garg() {	# garg NAME [DEFAULT]: the value of xbt.NAME= on the command line
	for _a in $(cat /proc/cmdline); do
		case $_a in "xbt.$1="*) echo "${_a#*=}"; return ;; esac
	done
	echo "${2:-}"
}

if [ -n "$GUEST" ]; then
	if [ -f "/xbtest/guest/$GUEST.sh" ]; then
		( . "/xbtest/guest/$GUEST.sh" )
	else
		echo "XBT-GUEST-FAIL init: no guest script $GUEST"
	fi
fi
echo "XBT-GUEST-DONE uptime=$(uptime_s)"
if [ "$STAY" = 1 ]; then
	while :; do sleep 60; done
fi
/sbin/poweroff
while :; do sleep 60; done	# pid 1 must never exit
