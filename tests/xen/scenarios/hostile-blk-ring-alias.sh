#!/bin/sh
# Attack: ring-page-order 2 with ring-ref0..3 all the same grant; then
# ring-ref3 = ring-ref0; then two queues whose rings are one grant.
# Answer: each refused (io/blkif.h multi-page ring keys: the pages of the
# rings must be distinct): the device goes Closing, never Connected, one
# line "ring-ref3 repeats ring-ref0"; a ring of 4 distinct pages is served
# after the refusals.
# oracle: no (xbfront-blk -H attacks our blkbackd; Linux blkback maps the repeats)
# timeout: 120
. /xbtest/lib.sh

hostile blk ring-alias 'frontend (queue-1/)?ring-ref[0-9]* repeats (queue-0/)?ring-ref[0-9]*'
pass
