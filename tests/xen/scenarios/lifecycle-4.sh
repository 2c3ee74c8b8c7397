#!/bin/sh
# 4 cycles of xl create and xl destroy of a guest with a disk (blkbackd)
# and a vif (netbackd): each time both Connected, served by our workers,
# the guest answers ping.  Afterwards no worker, backend or error node, vif
# link or dying domain is left, the parents (blkbackd, netbackd, consoled)
# hold the fds and grant mappings they held before, and their RSS is
# within 10% of its value after cycle 2 (lib.sh lifecycle).
# oracle: no (it counts our daemons' fds and memory)
# timeout: 180
. /xbtest/lib.sh

lifecycle 4
pass
