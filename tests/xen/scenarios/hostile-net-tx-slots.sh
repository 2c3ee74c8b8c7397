#!/bin/sh
# Attack: guest TX packets of 19, 20, 21 and 22 slots (xbfront-net -H
# tx-slots).
# Answer: 19 slots forwarded; 20 and 21 answered XEN_NETIF_RSP_ERROR on
# every slot with its id and not forwarded, an echo still answered after
# them; 22 (more than Linux's fatal_skb_slots fragments) close the vif.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-slots 'more than 20 fragment slots' -i $(guest_ip 9)
pass
