# Guest side of demo: show the disk, then a read/write round trip.
. /xbtest/guest/info.sh
. /xbtest/guest/rw.sh
