#!/bin/sh
# Attack: the guest's TX req_prod set 1000 past req_cons, then
# (reconnected) its RX req_prod (xbfront-net -H tx-prod-far).
# Answer: each closes the vif (Closing within 5 s; Linux "Impossible
# number of requests", XSA-39); the reconnected vif answers an echo.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-prod-far 'tx req_prod [0-9]+ is 1000 ahead' -i $(guest_ip 9)
pass
