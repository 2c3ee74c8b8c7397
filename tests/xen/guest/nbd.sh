# Guest side of blk-nbd-qcow2: the fio verify jobs on xvdb, then dom0's
# token at sector xbt.tsec read and ours written after it (dom0 finds it
# in the qcow2 image afterwards).
. /xbtest/guest/fiolib.sh
[ -b /dev/xvdb ] || bad nbd "no /dev/xvdb"
blk_info xvdb
fio_verify xvdb || bad nbd "fio verify on xvdb failed: $(cat /tmp/fio-xvdb.fail 2>/dev/null)"
ok "fio xvdb"
token_rw xvdb "$(garg tsec)" || bad nbd "token write failed"
ok nbd
