#!/bin/sh
# A PV guest without disks boots, prints its marker and powers off: checks
# the test bed itself (xl, xenconsoled, guest image), not blkbackd.
# timeout: 90
. /xbtest/lib.sh

guest_cfg smoke smoke
guest_start smoke
wait_console smoke 'XBT-GUEST-OK smoke' 60
note "$(console_grep smoke 'XBT-GUEST-OK smoke' | sed 's/.*XBT-GUEST-OK //')"
wait_gone smoke 30
pass
