#!/bin/sh
# Attack: guest TX packets with zero-length fragments, between data and
# after it, one at offset 4096 (xbfront-net -H tx-zero-frag; XSA-448).
# Answer: every slot answered OKAY and the frames forwarded intact (echo
# replies checked); the vif stays Connected; netbackd counts them
# ("zero-length fragments 6" in its counters at disconnect).
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net tx-zero-frag 'zero-length fragments [1-9]' -i $(guest_ip 9)
pass
