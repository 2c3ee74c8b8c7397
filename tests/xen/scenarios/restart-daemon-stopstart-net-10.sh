#!/bin/sh
# restart-daemon-stopstart-net with 10 stops and starts (make restart; make
# check runs 2): the same assertions.
# oracle: no (it stops our daemon)
# default: no
# timeout: 900
SS_CYCLES=10 . /xbtest/scenarios/restart-daemon-stopstart-net.sh
