#!/bin/sh
# xbctl(8) against the running daemons: a guest with a disk and a vif doing
# I/O (reads of xvda, pings).  The control sockets are root-only (0600);
# `xbctl --json status` lists both devices Connected with worker pids that
# exist and request/packet counters that grow between two calls; `xbctl
# metrics` is Prometheus text (each sample line `name{labels} value`, each
# family's TYPE once); after the blk worker is SIGKILLed the device shows
# restarts 1, a new pid and the death.
# timeout: 180
. /xbtest/lib.sh

[ "$XBT_BACKEND" = ours ] || fail "needs our daemons (this run: $XBT_BACKEND)"
[ -x /usr/bin/xbctl ] || fail "no /usr/bin/xbctl in dom0"

for d in blkbackd netbackd; do
	m=$(stat -c %a "/run/$d/control.sock" 2>/dev/null)
	[ "$m" = 600 ] || fail "/run/$d/control.sock has mode '$m', want 600"
done

mkimg $IMAGES/xs.img 32
NET_DISK="format=raw,vdev=xvda,access=rw,target=$IMAGES/xs.img" net_guest xs 1
blkbackd_served $D $XVDA
vif_served $D 0

# Some I/O on both devices, in the background in the guest.
grun $GIP 10 "{ while :; do dd if=/dev/xvda of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null || dd if=/dev/xvda of=/dev/null bs=64k count=64 2>/dev/null; echo 3 > /proc/sys/vm/drop_caches; $GPING -c 2 -W 1 $DOM0_IP > /dev/null 2>&1; sleep 0.2; done; } > /dev/null 2>&1 &" ||
    fail "starting I/O in the guest: $GOUT"

# json_dev DAEMON: that daemon's status for domain D, one line
json_dev() {
	xbctl -j -d "$1" status "$D" > /tmp/xbctl.$1.json 2> /tmp/xbctl.err ||
	    fail "xbctl -j -d $1 status $D: $(cat /tmp/xbctl.err)"
	cat /tmp/xbctl.$1.json
}
field() {	# field JSON SED-REGEX: the first group, or empty
	echo "$1" | sed -n "s/$2/\1/p"
}
check_dev() {	# check_dev DAEMON DEVID: Connected, a live worker; J set
	J=$(json_dev "$1")
	st=$(field "$J" '.*"devid":'"$2"',"state":"\([A-Za-z]*\)".*')
	[ "$st" = Connected ] || fail "$1 d$D/$2: state '$st', want Connected: $J"
	fst=$(field "$J" '.*"frontend_state":"\([A-Za-z]*\)".*')
	[ "$fst" = Connected ] || fail "$1 d$D/$2: frontend state '$fst': $J"
	WPID=$(field "$J" '.*"worker":{"pid":\([0-9]*\),.*')
	[ -n "$WPID" ] && pid_running "$WPID" ||
	    fail "$1 d$D/$2: worker pid '$WPID' is not a running process: $J"
	ws=$(field "$J" '.*"worker":{[^}]*"status":"\([a-z ]*\)".*')
	[ "$ws" = running ] || fail "$1 d$D/$2: worker status '$ws': $J"
}

sleep 2
check_dev blkbackd $XVDA
r1=$(field "$J" '.*"blk_requests":\([0-9]*\).*')
b1=$(field "$J" '.*"blk_bytes":{"read":\([0-9]*\).*')
bpid=$WPID
case $J in *'"ring_slots":{"0":'[0-9]*) ;; *) fail "no ring size for the vbd: $J" ;; esac
case $J in *'"protocol":"'*) ;; *) fail "no negotiated protocol for the vbd: $J" ;; esac
check_dev netbackd 0
t1=$(field "$J" '.*"net_packets":{"tx":\([0-9]*\),.*')
x1=$(field "$J" '.*"net_packets":{"tx":[0-9]*,"rx":\([0-9]*\)}.*')
case $J in *'"feature":{"sg":'*) ;; *) fail "no negotiated features for the vif: $J" ;; esac
case $J in *'"net_drops":{'*) ;; *) fail "no drops by reason for the vif: $J" ;; esac
[ "${r1:-0}" -gt 0 ] && [ "${b1:-0}" -gt 0 ] || fail "vbd counters not counting: requests '$r1', read bytes '$b1'"
[ "${t1:-0}" -gt 0 ] && [ "${x1:-0}" -gt 0 ] || fail "vif counters not counting: tx '$t1', rx '$x1'"

# The same through the default (every daemon running), human and JSON.
xbctl -j status > /tmp/xbctl.all 2> /tmp/xbctl.err || fail "xbctl -j status: $(cat /tmp/xbctl.err)"
for d in blkbackd netbackd; do
	grep -q "\"daemon\":\"$d\"" /tmp/xbctl.all || fail "xbctl -j status has no $d: $(head -c 400 /tmp/xbctl.all)"
done
if pid_running "$(consoled_pid)"; then
	grep -q '"daemon":"consoled"' /tmp/xbctl.all || fail "xbctl -j status has no consoled"
	grep -q '"type":"console","devices":\[.*"domid":'"$D"',"devid":0,"state":"attached"' /tmp/xbctl.all ||
	    fail "consoled does not list d$D's console as attached: $(grep -o '"daemon":"consoled".*' /tmp/xbctl.all | head -c 600)"
fi
xbctl status "$D" > /tmp/xbctl.txt 2> /tmp/xbctl.err || fail "xbctl status $D: $(cat /tmp/xbctl.err)"
grep -q "^domain $D\$" /tmp/xbctl.txt || fail "no 'domain $D' table: $(head -n 5 /tmp/xbctl.txt)"
grep -qE "^  vbd/$XVDA +Connected +Connected +$bpid +running +0" /tmp/xbctl.txt ||
    fail "no vbd/$XVDA row: $(cat /tmp/xbctl.txt | head -n 12)"
grep -qE "^  vif/0 +Connected" /tmp/xbctl.txt || fail "no vif/0 row: $(head -n 12 /tmp/xbctl.txt)"

sleep 2
check_dev blkbackd $XVDA
r2=$(field "$J" '.*"blk_requests":\([0-9]*\).*')
check_dev netbackd 0
t2=$(field "$J" '.*"net_packets":{"tx":\([0-9]*\),.*')
[ "$r2" -gt "$r1" ] || fail "vbd requests did not grow: $r1 then $r2"
[ "$t2" -gt "$t1" ] || fail "vif tx packets did not grow: $t1 then $t2"
note "vbd requests $r1 -> $r2, vif tx packets $t1 -> $t2"

# Prometheus text format 0.0.4.
xbctl metrics > /tmp/xbctl.prom 2> /tmp/xbctl.err || fail "xbctl metrics: $(cat /tmp/xbctl.err)"
bad=$(grep -v '^#' /tmp/xbctl.prom | grep -vE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [0-9]+$' | head -n 3)
[ -z "$bad" ] || fail "metrics lines that do not parse: $bad"
dup=$(grep '^# TYPE ' /tmp/xbctl.prom | awk '{ print $3 }' | sort | uniq -d | head -n 3)
[ -z "$dup" ] || fail "metric families given twice: $dup"
grep -qE "^xb_blk_requests_total\{daemon=\"blkbackd\",domid=\"$D\",devid=\"$XVDA\"\} [1-9]" /tmp/xbctl.prom ||
    fail "no xb_blk_requests_total for d$D/$XVDA: $(grep blk_requests /tmp/xbctl.prom | head -n 3)"
grep -qE "^xb_net_packets_total\{daemon=\"netbackd\",domid=\"$D\",devid=\"0\",dir=\"tx\"\} [1-9]" /tmp/xbctl.prom ||
    fail "no xb_net_packets_total for d$D/0: $(grep net_packets /tmp/xbctl.prom | head -n 3)"
log "metrics: $(grep -vc '^#' /tmp/xbctl.prom) samples, $(grep -c '^# TYPE' /tmp/xbctl.prom) families"

# A restart shows.
log "kill -KILL blk worker $bpid"
kill -KILL "$bpid" || fail "cannot kill worker $bpid"
i=0
while :; do
	J=$(json_dev blkbackd)
	n=$(field "$J" '.*"restarts":\([0-9]*\),.*')
	np=$(field "$J" '.*"worker":{"pid":\([0-9]*\),.*')
	ws=$(field "$J" '.*"worker":{[^}]*"status":"\([a-z ]*\)".*')
	[ "$n" = 1 ] && [ -n "$np" ] && [ "$np" != "$bpid" ] && [ "$ws" = running ] && break
	i=$((i + 1))
	[ $i -gt 50 ] && fail "after the kill: restarts '$n', pid '$np', status '$ws' (want 1, not $bpid, running): $J"
	sleep 0.2
done
case $J in *"\"last_death\":\"worker $bpid killed by signal 9"*) ;;
	*) fail "last_death does not name the kill: $J" ;; esac
check_dev blkbackd $XVDA
xbctl -d blkbackd metrics > /tmp/xbctl.prom 2> /tmp/xbctl.err ||
    fail "xbctl -d blkbackd metrics: $(cat /tmp/xbctl.err)"
grep -qE "^xb_worker_restarts_total\{daemon=\"blkbackd\",domid=\"$D\",devid=\"$XVDA\"\} 1$" /tmp/xbctl.prom ||
    fail "xb_worker_restarts_total is not 1 for d$D/$XVDA: $(grep worker_restarts /tmp/xbctl.prom)"
note "worker $bpid killed: restarts 1, now $np"
blkbackd_alive || fail "blkbackd parent died"

xl destroy xs > /tmp/xs.destroy.log 2>&1 || fail "xl destroy xs failed: $(cat /tmp/xs.destroy.log)"
wait_gone xs 20
pass
