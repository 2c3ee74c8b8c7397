#!/bin/sh
# lifecycle-4 with 100 cycles (lib.sh lifecycle): nothing left behind,
# the parents' fds, grant mappings and RSS flat (within 10% of cycle 2).
# oracle: no (it counts our daemons' fds and memory)
# default: no (the extended restart and lifecycle set: make restart)
# timeout: 1500
. /xbtest/lib.sh

lifecycle 100
pass
