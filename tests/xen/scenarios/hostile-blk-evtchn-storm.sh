#!/bin/sh
# Attack: the frontend notifies its event channel in a tight loop for 4 s,
# with one good read in flight all along.
# Answer: blkbackd throttles the port (XSA-332; logged once), reads are
# still served during and after the storm, the neighbour is unaffected.
# oracle: no (xbfront-blk -H attacks our blkbackd; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile blk evtchn-storm 'notifications in a second found no request'
pass
