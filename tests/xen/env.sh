# Shared settings of the host-side test bed scripts (fetch.sh, build.sh,
# run.sh).  Sourced, never run.  Every knob can be overridden from the
# environment.

XB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XB_REPO=$(cd "$XB_HERE/../.." && pwd)

# Downloaded .debs and their extracted tree.  Outside the work tree so that
# fresh clones and `git clean` reuse it.
XB_CACHE=${XB_CACHE:-/var/cache/xbtest}
# Images, staging roots and the serial log (the repo's build/ is gitignored).
XB_OUT=${XB_OUT:-$XB_REPO/build/xen}
# Our daemons (the sanitizer build); every file in it goes to dom0 /usr/sbin.
XB_BIN=${XB_BIN:-$XB_REPO/build/asan/bin}

XENVER=4.17
XB_X=$XB_CACHE/x                       # dpkg-deb -x of all .debs
XB_DEBS=$XB_CACHE/debs

xb_die() { echo "${0##*/}: $*" >&2; exit 1; }

# The kernel ABI (e.g. 6.1.0-56-amd64) that fetch.sh resolved and unpacked.
xb_kver() {
	local p
	p=$(cat "$XB_CACHE/kernel-package" 2>/dev/null) ||
	    xb_die "no kernel in $XB_CACHE: run tests/xen/fetch.sh"
	echo "${p#linux-image-}"
}
