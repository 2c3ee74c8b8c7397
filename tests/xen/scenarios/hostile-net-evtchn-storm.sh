#!/bin/sh
# Attack: 3 s of event-channel notifications with nothing on the rings
# (xbfront-net -H net-evtchn-storm).
# Answer: netbackd's storm guard leaves the port masked 10 ms at a time
# past 2000 empty wake-ups a second (logged once); the vif stays Connected
# and answers an echo right after.
# oracle: no (xbfront-net attacks our daemons; the kernel backend logs otherwise)
# timeout: 90
. /xbtest/lib.sh

hostile net net-evtchn-storm 'empty notifications in a second: throttled' -i $(guest_ip 9)
pass
