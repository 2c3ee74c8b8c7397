#!/bin/sh
# Attack: guest TX extra-info garbage, reconnecting after each: an extra of
# type 7, GSO size 0 with GSO type 200, an extra chain whose "more" flag
# runs past req_prod, a chain of 40 extras (xbfront-net -H tx-gso-garbage).
# Answer: each closes the vif (Closing within 5 s), nothing forwarded.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 120
. /xbtest/lib.sh

hostile net tx-gso-garbage 'bad or repeated extra-info type|bad GSO size or type' -i $(guest_ip 9)
pass
