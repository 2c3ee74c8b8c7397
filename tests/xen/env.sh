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
# Guest-side tools (frontends/): every file goes to domU /bin with its libraries.
XB_GUEST_BIN=${XB_GUEST_BIN:-$XB_REPO/build/guest}

XENVER=4.17
XB_X=$XB_CACHE/x                       # dpkg-deb -x of all .debs
XB_DEBS=$XB_CACHE/debs

# One test bed at a time: run.sh holds this lock from the build to the
# verdicts; build.sh takes it when run on its own (it rewrites $XB_OUT).
XB_LOCK=${XB_LOCK:-/var/lock/xbtest.lock}

xb_die() { echo "${0##*/}: $*" >&2; exit 1; }

# The kernel ABI (e.g. 6.1.0-56-amd64) that fetch.sh resolved and unpacked.
xb_kver() {
	local p
	p=$(cat "$XB_CACHE/kernel-package" 2>/dev/null) ||
	    xb_die "no kernel in $XB_CACHE: run tests/xen/fetch.sh"
	echo "${p#linux-image-}"
}

# xb_lock: take the test bed lock on fd 9 (waiting, and saying so), unless
# a parent already holds it (XB_LOCK_HELD: flock on a new open file would
# wait for our own parent).  Held until the process exits.
xb_lock() {
	[ "${XB_LOCK_HELD:-0}" = 1 ] && return 0
	exec 9>>"$XB_LOCK"
	if ! flock -n 9; then
		echo "${0##*/}: waiting for the test bed lock ($XB_LOCK)" >&2
		flock 9
	fi
	export XB_LOCK_HELD=1
}
