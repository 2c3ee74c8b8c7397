#!/bin/sh
# restart-daemon-stopstart with 10 stops and starts (make restart; make
# check runs 2): the same assertions.
# oracle: no (it stops our daemon)
# default: no
# timeout: 600
SS_CYCLES=10 . /xbtest/scenarios/restart-daemon-stopstart.sh
