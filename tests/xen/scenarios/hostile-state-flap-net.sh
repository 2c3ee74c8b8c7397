#!/bin/sh
# Attack: a connected vif frontend flaps Connected/Closing as fast as
# xenstore takes it for 3 s, then connect/close cycles without waiting,
# then 6 s of connect/close cycles as fast as the backend follows.
# Answer: netbackd goes Closing, follows to Closed, survives, and serves
# a clean reconnect on new rings afterwards; its log stays within the
# lifecycle rate limit (at most 40 lines, one summary of the rest).
# oracle: no (xbfront-xs attacks our daemons; the kernel backends log otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 150
. /xbtest/lib.sh

HOSTILE_TOOL=xs hostile net state-flap 'state Connected -> Closing'
# the summary is logged when due (10 s) or at the latest at the release
_s=$(daemon_log_new netbackd | grep -oE "vif d$D/0: [0-9]+ lifecycle lines? suppressed.*" | head -n 1)
[ -n "$_s" ] || fail "netbackd logged no summary of suppressed lifecycle lines for vif d$D/0"
[ "$(echo "${_s#*: }" | cut -d' ' -f1)" -ge 50 ] || fail "only: $_s (the fast cycles did not reach the backend)"
note "${_s#*: }"
pass
