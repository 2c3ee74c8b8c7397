#!/bin/sh
# netbackd refuses to start while the kernel's xen-netback is bound (both
# would serve the same vif devices) and names it; -F overrides it.  The -F
# instance is then stopped with SIGTERM and must exit 0 (under ASan this
# also checks it frees what it holds).  No guest is created meanwhile.
# oracle: no (it tests netbackd's own start-up check)
# timeout: 60
. /xbtest/lib.sh

refuse_kernel_case netbackd xen-netback vif
note "refused with: $REFUSED"
pass
