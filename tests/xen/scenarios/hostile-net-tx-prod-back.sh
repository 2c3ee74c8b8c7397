#!/bin/sh
# Attack: the guest's TX req_prod moved back by 4 below what the backend
# consumed (xbfront-net -H tx-prod-back).
# Answer: the vif closes (Closing within 5 s): req_prod - req_cons wraps
# past the ring size.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# default: no (the extended hostile set: `make hostile` runs every hostile-* scenario)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-prod-back 'tx req_prod [0-9]+ is 429496729[0-9] ahead' -i $(guest_ip 9)
pass
