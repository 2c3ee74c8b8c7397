#!/bin/sh
# xen_blkfront.feature_persistent=1: the frontend writes feature-persistent=1
# and blkfront reports "persistent grants: enabled"; the fio verify jobs pass.
# timeout: 240
. /xbtest/lib.sh

persistent_case pon 1
pass
