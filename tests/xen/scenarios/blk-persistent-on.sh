#!/bin/sh
# xen_blkfront.feature_persistent=1: the frontend writes feature-persistent=1
# and blkfront reports "persistent grants: enabled"; the fio verify jobs pass.
# default: no (make extended; make check covers it elsewhere, see
# tests/xen/README.md "Extended")
# timeout: 240
. /xbtest/lib.sh

persistent_case pon 1
pass
