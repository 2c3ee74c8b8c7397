#!/bin/sh
# xen_blkfront.max_ring_page_order=4: the frontend asks for a 16-page ring
# (ring-page-order=4 in its xenstore dir, read from dom0: the backend must
# offer max-ring-page-order >= 4) and the fio verify jobs pass on it.
# timeout: 240
. /xbtest/lib.sh

GUEST_ARGS=xen_blkfront.max_ring_page_order=4 fio_guest fr
o=$(xs_read "$FE/ring-page-order")
m=$(xs_read "$BE/max-ring-page-order")
refs=$(xenstore-list "$FE" 2>/dev/null | grep -c '^ring-ref')
note "frontend ring-page-order '$o' ($refs ring-ref keys), backend max-ring-page-order '$m'"
[ "$o" = 4 ] || fail "frontend ring-page-order is '$o', want 4 (backend max-ring-page-order '$m')"
fio_finish fr
pass
