#!/bin/sh
# restart-net for make check: the same assertions with 4 kills and a 2 MiB
# chunk (restart-net's 20 kills take about 3 minutes under TCG; make restart
# runs it).
# oracle: no (the kernel's xen-netback has no worker to kill)
# timeout: 300
RN_KILLS=4 RN_MIB=2 . /xbtest/scenarios/restart-net.sh
