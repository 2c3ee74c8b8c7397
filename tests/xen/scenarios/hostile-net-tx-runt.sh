#!/bin/sh
# Attack: guest TX frames of 13, 10 and 0 bytes, and a 20-byte frame whose
# first slot holds 10 (xbfront-net -H tx-runt).
# Answer: each answered XEN_NETIF_RSP_ERROR with its ids, the vif still
# Connected and an echo answered; a 14-byte frame (the edge) answered OKAY.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-runt 'first slot shorter than 14 bytes' -i $(guest_ip 9)
pass
