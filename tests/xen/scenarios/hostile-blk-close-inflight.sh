#!/bin/sh
# Attack: 64 legal requests on a 4-page ring (32 writes of 4 pages, 24
# reads of 11, 4 indirect writes and 4 indirect reads of 32 segments),
# notified, then Closing and Closed at once; again with req_prod moved but
# no notify.
# Answer: the backend answers what it took (before it unmaps anything),
# drops the rest, goes Closed and takes the frontend back; every write
# answered OKAY is on the disk, every one never answered left it
# unchanged; one line "frontend closed with N requests in flight and M
# unread on the ring".  The disk is a loop device, which blkbackd serves
# through io_uring (an image on dom0's memory file system it serves inline,
# answering each request as it takes it): the notified round is likelier
# to catch requests in flight; the note says what each close found.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 150
. /xbtest/lib.sh

mkimg $IMAGES/hci.img 16
L=$(losetup -f) && losetup $L $IMAGES/hci.img || fail "cannot put a loop device on $IMAGES/hci.img"
trap 'losetup -d $L 2>/dev/null' EXIT
HOSTILE_TARGET=$L HOSTILE_TIMEOUT=120 hostile blk close-inflight 'frontend closed with [0-9]+ requests? in flight and [0-9]+ unread'
note "closes: $(grep -oE 'frontend closed with [0-9]+ requests? in flight and [0-9]+ unread' /tmp/hostile.dlog | sed 's/frontend closed with //' | tr '\n' ';')"
pass
