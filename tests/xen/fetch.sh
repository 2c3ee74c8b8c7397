#!/bin/bash
# Get everything the test bed needs from Debian, idempotently:
#  - host tools (apt-get install, only when something is missing), among
#    them iperf3, iputils ping, ethtool and iproute2 for the images;
#  - the Xen hypervisor, Xen tools, the current bookworm kernel,
#    qemu-system-xen and qemu-utils (qemu-img, qemu-nbd, qemu-io for dom0)
#    as .debs (apt-get download, never installed on the host), unpacked
#    with dpkg-deb -x into $XB_CACHE/x;
#  - a lean static fio built from Debian's source package ($XB_CACHE/fio).
# A second run does no network access and takes well under 2 s.
set -euo pipefail
. "$(dirname "$0")/env.sh"

export DEBIAN_FRONTEND=noninteractive

# Host tools, plus the runtime libraries of the Xen tools: build.sh copies
# them into dom0 with ldd, so they must resolve on the host.
HOST_PKGS=(qemu-system-x86 busybox-static cpio kmod time util-linux fio
	xz-utils zstd bash
	libxenmisc$XENVER libxenstore4 libxenhypfs1 libxentoollog1 libxencall1
	libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxendevicemodel1
	libxentoolcore1 libyajl2 libncurses6 libtinfo6
	libaio1 libfuse3-3 libglib2.0-0 libgmp10 libgnutls30 libnuma1 liburing2
	libzstd1 libselinux1
	build-essential dpkg-dev libaio-dev zlib1g-dev
	iperf3 iputils-ping ethtool iproute2)
# (second line: the runtime libraries of qemu-utils; third: the fio build;
# fourth: network tools that build.sh copies into dom0 and the domUs)

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return
	echo "fetch: apt-get update"
	apt-get update -qq
	apt_updated=1
}

# dpkg-query prints nothing for unknown packages, so compare the lists.
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${HOST_PKGS[@]}" 2>/dev/null |
	awk '$1 == "ii" { print $2 }' | sort)
missing=$(printf '%s\n' "${HOST_PKGS[@]}" | sort | comm -23 - <(echo "$installed"))
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || xb_die "missing host packages (run as root to install):" $missing
	apt_update
	echo "fetch: apt-get install" $missing
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The kernel ABI package behind the linux-image-amd64 metapackage.  It only
# changes when the apt lists do, so reuse the last answer until then.
resolve_kernel() {
	# no early exit in awk: apt-cache would die of SIGPIPE under pipefail
	apt-cache depends linux-image-amd64 2>/dev/null |
	    awk '/Depends: linux-image-[0-9]/ && !f { print $2; f = 1 }'
}
mkdir -p "$XB_DEBS" "$XB_X"
kfile=$XB_CACHE/kernel-package
if [ ! -s "$kfile" ] || [ /var/lib/apt/lists -nt "$kfile" ]; then
	kpkg=$(resolve_kernel)
	if [ -z "$kpkg" ]; then
		apt_update
		kpkg=$(resolve_kernel)
	fi
	[ -n "$kpkg" ] || xb_die "cannot resolve linux-image-amd64 with apt-cache"
	echo "$kpkg" > "$kfile.tmp" && mv "$kfile.tmp" "$kfile"
fi
kpkg=$(cat "$kfile")
kver=${kpkg#linux-image-}

DEBS=(xen-hypervisor-$XENVER-amd64 xen-utils-$XENVER xen-utils-common
	xenstore-utils "$kpkg" qemu-system-xen qemu-utils)
download() {	# download PKG DIR: succeeds iff the .deb arrived
	(cd "$2" && apt-get download -q "$1" 2>&1 | grep -v 'Download is performed unsandboxed' || true)
	compgen -G "$2/${1}_*.deb" >/dev/null
}
for p in "${DEBS[@]}"; do
	compgen -G "$XB_DEBS/${p}_*.deb" >/dev/null && continue
	echo "fetch: apt-get download $p"
	# Download into a scratch dir so an interrupted fetch leaves no
	# half-written .deb that would count as done.
	tmp=$XB_DEBS/.dl.$$
	rm -rf "$tmp"
	mkdir "$tmp"
	if ! download "$p" "$tmp"; then
		apt_update	# stale lists (version superseded): retry once
		download "$p" "$tmp" || { rm -rf "$tmp"; xb_die "apt-get download $p failed"; }
	fi
	mv "$tmp"/*.deb "$XB_DEBS/"
	rmdir "$tmp"
done

for d in "$XB_DEBS"/*.deb; do
	stamp=$XB_X/.extracted.$(basename "$d")
	[ -e "$stamp" ] && continue
	echo "fetch: dpkg-deb -x $(basename "$d")"
	dpkg-deb -x "$d" "$XB_X"
	touch "$stamp"
done

# modules.dep, so build.sh can resolve module dependencies with modprobe -d
if [ ! -e "$XB_X/.depmod.$kver" ]; then
	depmod -b "$XB_X" "$kver"
	touch "$XB_X/.depmod.$kver"
fi

# ---- lean fio ------------------------------------------------------------
# Debian's /usr/bin/fio links ~84 MB of libraries (ceph, gluster, rdma,
# pmem...), which would bloat every initramfs and slow every boot.  Build
# the same version from bookworm's source package instead: static, only
# libaio and zlib, and without -march=native (TCG's -cpu max lacks some
# host instructions: "Illegal instruction" in the guest).
FIO=$XB_CACHE/fio/fio
if [ ! -x "$FIO" ]; then
	[ "$(id -u)" = 0 ] || xb_die "need root to build fio (apt-get source)"
	if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
	    ! grep -rqs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		src=/etc/apt/sources.list.d/xbtest-src.sources
		echo "fetch: adding bookworm deb-src entries ($src)"
		printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
		    'Suites: bookworm' 'Components: main' \
		    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > "$src"
		apt_updated=0	# the new source needs its lists
	fi
	tmp=$XB_CACHE/fio/.build.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "fetch: apt-get source fio"
	if ! (cd "$tmp" && apt-get source -q fio >"$tmp/source.log" 2>&1); then
		apt_update
		(cd "$tmp" && apt-get source -q fio >"$tmp/source.log" 2>&1) ||
		    { cat "$tmp/source.log" >&2; xb_die "apt-get source fio failed"; }
	fi
	d=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'fio-*' | head -n 1)
	[ -n "$d" ] || xb_die "apt-get source fio: no source tree in $tmp"
	echo "fetch: building a static fio in $d"
	(cd "$d" && ./configure --disable-native --build-static --disable-numa \
	    --disable-rdma --disable-rados --disable-rbd --disable-http \
	    --disable-gfapi --disable-libnfs --disable-pmem --disable-xnvme \
	    --disable-libzbc --disable-tcmalloc --disable-dfs --disable-lex &&
	    make -j"$(nproc)" fio) > "$tmp/build.log" 2>&1 ||
	    { tail -n 30 "$tmp/build.log" >&2; xb_die "fio build failed (log: $tmp/build.log)"; }
	grep -q '^Linux AIO support *yes' "$tmp/build.log" ||
	    xb_die "fio was configured without libaio (log: $tmp/build.log)"
	strip -o "$FIO.tmp" "$d/fio"
	"$FIO.tmp" --version > "$XB_CACHE/fio/version"
	mv "$FIO.tmp" "$FIO"
	rm -rf "$tmp"
	echo "fetch: $(cat "$XB_CACHE/fio/version") in $FIO"
fi
