#!/bin/sh
# The net-* scenarios' guest handler, run by nc for each connection from
# dom0 (lib.sh gctl): one line in, run by sh with its output (stdout and
# stderr) and then "rc=<exit status>" out on the same connection.  A
# command that must outlive the connection redirects all its fds and ends
# with '&'.
export PATH=/bin:/sbin
read -r line
sh -c "$line" 2>&1 < /dev/null
echo "rc=$?"
