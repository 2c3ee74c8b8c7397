#!/bin/sh
# Attack: a connected vbd frontend flaps Connected/Closing as fast as
# xenstore takes it for 3 s, then runs connect/close cycles without
# waiting for the backend, then 6 s of connect/close cycles as fast as
# the backend follows (each a real connect; dozens on this test bed).
# Answer: blkbackd goes Closing once and stays there, follows to Closed,
# follows every cycle, survives, and serves a clean reconnect on new rings
# afterwards; its log stays within the per-device lifecycle rate limit
# (at most 40 lines for the device, the hostile frame's check) and says
# how many lines it suppressed in one summary line.
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile blk state-flap 'state Connected -> Closing'
# the summary is logged when due (10 s) or at the latest at the release
_s=$(daemon_log_new blkbackd | grep -oE "vbd d$D/$XVDB: [0-9]+ lifecycle lines? suppressed.*" | head -n 1)
[ -n "$_s" ] || fail "blkbackd logged no summary of suppressed lifecycle lines for vbd d$D/$XVDB"
[ "$(echo "${_s#*: }" | cut -d' ' -f1)" -ge 50 ] || fail "only: $_s (the fast cycles did not reach the backend)"
note "${_s#*: }"
pass
