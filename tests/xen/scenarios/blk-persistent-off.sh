#!/bin/sh
# xen_blkfront.feature_persistent=0: the frontend writes feature-persistent=0
# and blkfront reports "persistent grants: disabled"; the fio verify jobs pass.
# timeout: 240
. /xbtest/lib.sh

persistent_case poff 0
pass
