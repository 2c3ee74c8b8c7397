#!/bin/sh
# Multi-queue: a guest with 2 vCPUs asks for 2 queues (frontend
# multi-queue-num-queues >= 2, no more than the backend's
# multi-queue-max-queues, queue-N/ keys for each), its eth0 has that many tx
# queues, and with 8 parallel TCP streams each way every queue carries
# traffic in both directions: each queue's event channel interrupts in the
# guest grow (/proc/interrupts vif0-qN-tx and -rx; vif0-qN without split
# channels) and each tx queue's bytes in the guest's mq qdisc (tc) grow.
# The streams' hashes pick the queues: a queue left out is given a second
# round of 8 new streams before failing (chance of a false failure ~1e-4).
# timeout: 180
. /xbtest/lib.sh

GUEST_VCPUS=2 net_guest nq 5
vif_check $D 0
FE=$(vif_fe_path $D 0)
n=$(xs_read $FE/multi-queue-num-queues)
max=$(xs_read "$(vif_be_path $D 0)/multi-queue-max-queues")
[ -n "$n" ] && [ "$n" -ge 2 ] ||
    fail "frontend multi-queue-num-queues is '$n', want >= 2 (backend multi-queue-max-queues '$max')"
[ -n "$max" ] && [ "$n" -le "$max" ] || fail "frontend uses $n queues, backend offers '$max'"
q=0
while [ $q -lt $n ]; do
	xenstore-exists $FE/queue-$q/tx-ring-ref || fail "no $FE/queue-$q/tx-ring-ref"
	q=$((q + 1))
done
grun $GIP 10 "ls -d /sys/class/net/eth0/queues/tx-* | wc -l" || fail "cannot count eth0's queues: $GOUT"
[ "$GOUT" = "$n" ] || fail "the guest's eth0 has $GOUT tx queues, frontend says $n"

# counters: "Q tx-irqs rx-irqs qdisc-bytes" per queue
counters() {
	grun $GIP 10 "cat /proc/interrupts; echo XBT-TC; $GTC -s qdisc show dev eth0" ||
	    fail "cannot read the guest's counters: $GOUT"
	echo "$GOUT" | awk '
	    BEGIN { cur = -1 }
	    /^XBT-TC/ { tc = 1; next }
	    !tc && /CPU0/ { ncpu = NF; next }
	    !tc && $NF ~ /^vif[0-9]+-q[0-9]+(-tx|-rx)?$/ {
		s = 0; for (i = 2; i <= 1 + ncpu; i++) s += $i
		split($NF, a, "-"); qi = substr(a[2], 2) + 0
		if (a[3] == "tx" || a[3] == "") tx[qi] += s
		if (a[3] == "rx" || a[3] == "") rx[qi] += s
		if (qi + 1 > nq) nq = qi + 1
	    }
	    tc && / parent :[0-9a-f]+ / { for (i = 1; i < NF; i++) if ($i == "parent") { p = $(i + 1); sub(":", "", p); cur = p - 1 } }	# (hex; < 10 queues)
	    tc && /^ Sent / && cur >= 0 { by[cur] = $2; cur = -1 }
	    END { for (q = 0; q < nq; q++) printf "%d %d %d %d\n", q, tx[q], rx[q], by[q] + 0 }' > /tmp/nq.$1
}
counters 0
log "before: $(tr '\n' ';' < /tmp/nq.0)"
[ "$(wc -l < /tmp/nq.0)" = "$n" ] ||
    fail "the guest's /proc/interrupts shows $(wc -l < /tmp/nq.0) netfront queues, want $n: $(echo "$GOUT" | grep -E 'vif|CPU0')"
round=1
while :; do
	tcp_run "guest -> dom0, 8 streams" 3 -c $GIP -R -P 8
	tx=$MBPS
	tcp_run "dom0 -> guest, 8 streams" 3 -c $GIP -P 8
	counters 1
	idle=$(awk 'NR == FNR { t[$1] = $2; r[$1] = $3; b[$1] = $4; next }
	    { if ($2 - t[$1] <= 0 || $3 - r[$1] <= 0 || $4 - b[$1] < 1048576)
		printf "queue %d: tx irqs +%d, rx irqs +%d, qdisc bytes +%d; ", $1, $2 - t[$1], $3 - r[$1], $4 - b[$1] }' /tmp/nq.0 /tmp/nq.1)
	[ -z "$idle" ] && break
	[ $round = 2 ] && fail "a queue carried (almost) nothing after 2 rounds of 8 streams each way: $idle"
	log "round $round left out: $idle; another round"
	round=2
done
note "$n queues (backend max $max); per queue (tx irqs, rx irqs, tx qdisc bytes): $(awk 'NR == FNR { t[$1] = $2; r[$1] = $3; b[$1] = $4; next } { printf "q%d %d/%d/%d ", $1, $2 - t[$1], $3 - r[$1], $4 - b[$1] }' /tmp/nq.0 /tmp/nq.1); 8 streams guest -> dom0 $tx, dom0 -> guest $MBPS Mbit/s"
pass
