#!/bin/sh
# A guest writes 24 MiB of text to hvc0 as fast as it can (the anchor
# study's dd, bs=64k): every byte lands in the log, in order (sha256 of
# the bytes between the markers, which must follow them exactly).  The
# rate the guest saw is noted.  xbt.cons.flood=MIB on dom0's command line
# (XB_DOM0_EXTRA) changes the size.
# timeout: 420
. /xbtest/lib.sh

mib=24
for a in $(cat /proc/cmdline); do
	case $a in xbt.cons.flood=*) mib=${a#*=} ;; esac
done
GUEST_ARGS="xbt.cons.mib=$mib xbt.cons.tag=f" cons_guest cf flood
wait_console cf 'XBT-GUEST-PAYLOAD ' 120
log "guest: $(console_grep cf 'XBT-GUEST-PAYLOAD ' | sed 's/.*XBT-GUEST-//')"
t0=$(now)
wait_tail cf 'XBT-GUEST-FLOOD f ' 360
t=$(( $(now) - t0 ))
cons_log_all cf /tmp/cf.all	# (consoled rotates at 16 MiB)
flood_check /tmp/cf.all f || fail "$FLOOD_ERR"
rot=$(ls $CONSOLE_DIR | grep -c '^guest-cf\.log\.')
secs=$(flood_secs cf f)
note "$mib MiB to hvc0 in the log intact (sha256; $rot rotated files): guest wrote for ${secs}s, $(mibps "$FLOOD_BYTES" "$secs") MiB/s ($XBT_CONSOLE; dom0 saw the end ~${t}s after the payload was ready)"
xl destroy cf
rm -f /tmp/cf.all "$CONSOLE_DIR"/guest-cf.log*
pass
