#!/bin/sh
# blkbackd refuses to start while the kernel's xen-blkback is bound (both
# would serve the same vbd devices) and says why; -F overrides it.  The
# -F instance is then stopped with SIGTERM and must exit 0 (under ASan this
# also checks it frees what it holds).  No guest is created meanwhile.
# timeout: 60
. /xbtest/lib.sh

refuse_kernel_case blkbackd xen-blkback vbd
note "refused with: $REFUSED"
pass
