#!/bin/sh
# Attack: the guest posts no RX buffer while dom0 floods its vif: three
# bursts of 2000 1000-byte echo requests to its address (a static
# neighbour entry: the guest cannot answer ARP) (xbfront-net -H rx-never).
# Answer: the backlog stays bounded: frames wait in the TAP's queue, the
# kernel drops the rest (vif's tx_dropped grows), the worker's RSS does not
# grow (< 1 MiB), netbackd logs the stall once; once the guest posts its
# buffers, frames arrive and an echo is answered.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

rx_flood() {
	_fd=$1
	_fip=$(guest_ip 9)
	_fvif=vif$_fd.0
	wait_xs "$(vif_be_path "$_fd" 0)/state" 4 60
	_fw=$(daemon_worker netbackd "$_fd" 0 | head -n 1)
	[ -n "$_fw" ] || fail "no netbackd worker for vif d$_fd/0"
	sleep 1		# the guest's gratuitous ARP: the bridge learns its port
	# iproute2's ip and iputils' ping (busybox's lack these options)
	/usr/bin/ip neigh replace "$_fip" lladdr "$(guest_mac 9)" dev "$BRIDGE" nud permanent ||
	    fail "ip neigh replace $_fip"
	_frss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$_fw/status")
	_fdrop0=$(cat "/sys/class/net/$_fvif/statistics/tx_dropped")
	_fpk0=$(cat "/sys/class/net/$_fvif/statistics/tx_packets")
	for _fi in 1 2 3; do
		/usr/bin/ping -q -n -c 2000 -l 2000 -s 1000 -w 2 "$_fip" > /dev/null 2>&1
	done
	_frss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$_fw/status")
	_fdrop1=$(cat "/sys/class/net/$_fvif/statistics/tx_dropped")
	_fpk1=$(cat "/sys/class/net/$_fvif/statistics/tx_packets")
	/usr/bin/ip neigh del "$_fip" dev "$BRIDGE" 2>/dev/null
	_fwhy=
	[ "$_fdrop1" -gt "$_fdrop0" ] ||
	    _fwhy="$_fvif dropped nothing (tx_dropped $_fdrop0 -> $_fdrop1)"
	[ $((_frss1 - _frss0)) -le 1024 ] ||
	    _fwhy="the worker's RSS grew from $_frss0 to $_frss1 KiB"
	xenstore-write "/local/domain/$_fd/data/xbt-flood" "${_fwhy:+fail: }${_fwhy:-done}"
	[ -z "$_fwhy" ] || fail "$_fwhy"
	# tun counts tx_packets when the worker reads a frame, tx_dropped
	# when its queue (txqueuelen) is full
	note "flood: $_fvif handed the worker $((_fpk1 - _fpk0)) and dropped $((_fdrop1 - _fdrop0)) frames; worker RSS $_frss0 -> $_frss1 KiB"
}

HOSTILE_HOOK=rx_flood hostile net rx-never 'guest RX stalled' -i $(guest_ip 9)
pass
