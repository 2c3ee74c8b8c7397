#!/bin/sh
# Two guests with two disks each: once all four disks are connected, dom0
# tells both guests to go (a sector of their xvdb image), and the fio
# verify jobs run on all four disks at once and pass on every one.
# default: no (make extended; make check covers it elsewhere, see
# tests/xen/README.md "Extended")
# timeout: 360
. /xbtest/lib.sh

GO=$((98 * 2048))	# past the 96 MiB the fio jobs write
for g in tga tgb; do
	mkimg $IMAGES/$g-b.img 100
	mkimg $IMAGES/$g-c.img 100
	GUEST_ARGS="xbt.fio=xvdb+xvdc xbt.go=$GO" guest_cfg $g fio \
	    "format=raw,vdev=xvdb,access=rw,target=$IMAGES/$g-b.img" \
	    "format=raw,vdev=xvdc,access=rw,target=$IMAGES/$g-c.img"
done
guest_start tga
guest_start tgb
A=$(guest_domid tga)
B=$(guest_domid tgb)
for g in tga tgb; do
	wait_console $g 'XBT-GUEST-OK waiting for go' 60
done
for d in $A $B; do
	blkbackd_served $d $XVDB
	blkbackd_served $d 51744
done
log "go"
put_sector $IMAGES/tga-b.img $GO XBT-GO
put_sector $IMAGES/tgb-b.img $GO XBT-GO
for g in tga tgb; do
	wait_console $g 'XBT-GUEST-OK fio$' 300
	fio_note $g xvdb
	fio_note $g xvdc
	note "$g: fio ran $(console_grep $g 'XBT-GUEST-FIOTIME' | sed 's/.*FIOTIME //') s (guest uptime)"
done
wait_gone tga 30
wait_gone tgb 30
check_clean_close tga
check_clean_close tgb
pass
