#!/bin/sh
# The hostile suite's neighbour: a guest "nb" with a disk (served by
# blkbackd) running fio verify rounds without end and a vif (netbackd) that
# dom0 pings every half second, both for the whole suite.  Every hostile-*
# scenario checks that nb and every worker it saw still run;
# hostile-zz-neighbour then checks that nb saw no error at all and that no
# backend process grew in fds or grant mappings over the suite (baseline
# written here).  nb stays up between scenarios (listed in /run/xbt/keep).
# oracle: no (it sets up the suite of our daemons)
# timeout: 240
. /xbtest/lib.sh

[ "$XBT_BACKEND" = ours ] || fail "the hostile suite tests our daemons (this run: $XBT_BACKEND)"
mkdir -p $NB_STATE
rm -f $NB_STATE/*
truncate -s 128M $NB_STATE/nb.img || fail "cannot create $NB_STATE/nb.img"
GUEST_ARGS="xbt.stay=1 xbt.ip=$(guest_ip 8)/24" GUEST_MEM=256 \
    GUEST_EXTRA="vif = [ '$(vif_spec 8)' ]" guest_cfg $NB neighbour \
    "format=raw,vdev=xvdb,access=rw,target=$NB_STATE/nb.img"
guest_start $NB
D=$(guest_domid $NB)
echo $NB >> $HOSTILE_KEEP
wait_console $NB 'XBT-GUEST-NET ' 90
console_grep $NB 'XBT-GUEST-NET .*error=' && fail "nb's eth0: $(console_grep $NB 'XBT-GUEST-NET ')"
dev_served vbd $D $XVDB
dev_served vif $D 0
# the first round (256 KiB, guest/neighbour.sh) warms everything up
# (rings, persistent grants, ARP)
wait_console $NB 'XBT-GUEST-OK nb round 1' 200
ping -c 2 -W 5 $(guest_ip 8) > /dev/null || fail "nb does not answer ping"
setsid sh -c "exec ping -i 0.5 -W 5 $(guest_ip 8)" > $NB_STATE/ping.log 2>&1 < /dev/null &
echo $! > $NB_STATE/ping.pid
# baseline: every backend process, its fds and grant mappings
for p in $(backend_pids blkbackd; backend_pids netbackd; consoled_pid); do
	echo "$p $(proc_fds $p) $(proc_gntmaps $p) $(tr '\0' ' ' < /proc/$p/cmdline)"
done > $NB_STATE/base
sed 's/^/  baseline: pid fds gntmaps cmd: /' $NB_STATE/base
note "neighbour domain $D: fio verify round 1 done, ping running; $(wc -l < $NB_STATE/base) backend processes in the baseline"
pass
