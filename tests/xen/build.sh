#!/bin/bash
# Build the test bed images into $XB_OUT:
#   xen            Xen 4.17 (ELF32 multiboot image, booted by QEMU -kernel)
#   vmlinuz        Debian kernel, dom0 (and domUs unless vmlinux exists)
#   vmlinux        the same kernel uncompressed: libxenguest would spend
#                  ~5 s (TCG) unpacking the xz bzImage for every domU
#   domu.cpio      domU initramfs (busybox, blkfront/netfront, static fio,
#                  network tools, guest/*.sh), uncompressed: libxenguest
#                  would gunzip a compressed one in xl for every domU
#                  (0.25 s of each xl create under TCG)
#   dom0.cpio.zst  dom0 initramfs (busybox, Xen tools, hotplug script
#                  needs, qemu-img/qemu-nbd/qemu-io, fio, network tools,
#                  our daemons from $XB_BIN and block-xb-nbd, consoled-attach,
#                  ptyexpect and pktinject (tools/), GNU grep, scenarios,
#                  bench, domU images, and the tree "make install" writes
#                  with its default paths: /usr/local, /etc)
# Does nothing when no input changed since the last build.
# Knobs: XB_VMLINUX=0 (domUs boot vmlinuz), XB_QDISK=1 (add qemu-system-xen
# for qdisk anchor runs), XB_NOFETCH=1 (skip fetch.sh).
set -euo pipefail
. "$(dirname "$0")/env.sh"

XB_VMLINUX=${XB_VMLINUX:-1}
XB_QDISK=${XB_QDISK:-0}

xb_lock		# a test bed booting from $XB_OUT must not see half-written images
[ "${XB_NOFETCH:-0}" = 1 ] || "$XB_HERE/fetch.sh"
[ -d "$XB_BIN" ] || xb_die "no daemons: $XB_BIN is missing; run 'make' first (or set XB_BIN)"
[ -n "$(ls -A "$XB_BIN")" ] || echo "build: warning: $XB_BIN is empty, dom0 gets no daemons" >&2
KVER=$(xb_kver)
X=$XB_X
FIO=$XB_CACHE/fio/fio
[ -x "$FIO" ] || xb_die "no $FIO: run tests/xen/fetch.sh"
# the NBD hotplug script ships with blkbackd; installed when it exists (the
# blk-nbd-qcow2 scenario fails clearly without it)
NBD_SCRIPT=$XB_REPO/daemons/blkbackd/block-xb-nbd
BENCH_FIO=$XB_REPO/tests/bench/bench.fio	# the anchor study's fio jobs (make bench)
# consoled's client (a command, not a daemon: the optimised build), used by
# the cons-* scenarios; installed when it exists and $XB_BIN has none
ATTACH=${XB_ATTACH:-$XB_REPO/build/bin/consoled-attach}
# the status tool (xbctl-status), installed the same way
XBCTL=${XB_XBCTL:-$XB_REPO/build/bin/xbctl}
# The installed layout (scenario install-layout): "make install" with the
# Makefile's default paths, PREFIX=/usr/local and SYSCONFDIR=/etc, into a
# staging DESTDIR that goes into dom0 as it is.  It installs what make
# install installs, the optimised build (build/bin), which is also what the
# units are written for; the sanitizer build ($XB_BIN) stays in /usr/sbin
# for every other scenario.  (PREFIX=/usr would put the installed daemons
# over it; nothing in dom0 has /usr/local on its PATH.)
INST_PREFIX=/usr/local
INST_ARGS=(PREFIX=$INST_PREFIX SYSCONFDIR=/etc)
INST_STAGE=$XB_OUT/inst
# what make install reads
INST_INPUTS=("$XB_REPO/build/bin" "$XB_REPO/Makefile" "$XB_REPO/rc.d" "$XB_REPO/man" "$XB_REPO/etc")
# inner makes must not inherit an outer make's jobserver or flags (make check)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$XB_REPO" "$@"; }
mkdir -p "$XB_OUT"

# ---- up to date? --------------------------------------------------------
inputs() {
	echo "$KVER $XB_VMLINUX $XB_QDISK $XB_BIN ${XB_SCENARIOS_EXTRA:-}"
	# (block-xb-nbd may not exist yet)
	{ find "$XB_HERE" "$XB_BIN" "$XB_GUEST_BIN" ${XB_SCENARIOS_EXTRA:+"$XB_SCENARIOS_EXTRA"} "$NBD_SCRIPT" "$FIO" "$BENCH_FIO" "$ATTACH" "$XBCTL" "${INST_INPUTS[@]}" -printf '%p %T@ %s\n' 2>/dev/null || true; } | sort
	ls "$X"/.extracted.* "$X"/.depmod.*
}
sum=$(inputs | sha256sum | cut -d' ' -f1)
if [ -e "$XB_OUT/dom0.cpio.zst" ] && [ "$(cat "$XB_OUT/.inputs" 2>/dev/null)" = "$sum" ]; then
	echo "build: $XB_OUT is up to date"
	exit 0
fi
rm -f "$XB_OUT/.inputs"

# Host libraries must be the build the extracted tools were made for.
hostv=$(dpkg-query -W -f='${Version}' libxenmisc$XENVER)
debv=$(dpkg-deb -f "$(ls "$XB_DEBS"/xen-utils-${XENVER}_*.deb | tail -n1)" Version)
[ "$hostv" = "$debv" ] ||
    echo "build: warning: host libxenmisc$XENVER $hostv != xen-utils-$XENVER $debv" >&2

# ---- helpers --------------------------------------------------------------
copy_libs() {	# copy_libs ROOT FILE...: the ELF interpreter + ldd closure
	local root=$1 f out l
	shift
	for f in "$@"; do
		out=$(ldd "$f" 2>&1) || continue	# static, or a script
		if grep -q 'not found' <<<"$out"; then
			xb_die "unresolved libraries of $f:"$'\n'"$out"
		fi
		for l in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"); do
			[ -e "$root$l" ] && continue
			mkdir -p "$root$(dirname "$l")"
			cp -L "$l" "$root$l"
		done
	done
}
install_bin() {	# install_bin ROOT SRC DEST: a program and its libraries
	install -D -m 755 "$2" "$1$3"
	copy_libs "$1" "$2"
}
copy_mods() {	# copy_mods ROOT LIST MODULE...: .ko + deps, in load order
	local root=$1 list=$2 m f b
	shift 2
	mkdir -p "$root/lib/modules"
	touch "$root/lib/modules/$list"
	for m in "$@"; do
		f=$(modprobe -d "$X" -S "$KVER" --show-depends "$m") ||
		    xb_die "module $m not found in $KVER"
		for f in $(awk '$1 == "insmod" { print $2 }' <<<"$f"); do
			b=$(basename "$f")
			grep -qx "$b" "$root"/lib/modules/*.list && continue
			cp "$f" "$root/lib/modules/$b"
			echo "$b" >> "$root/lib/modules/$list"
		done
	done
}
# Network tools for dom0 and the domUs (net-* scenarios, bench-net):
# iperf3, iputils ping (busybox ping has no -M do), ethtool, iproute2 ip
# and tc (per-queue qdisc counters; the stock vif-bridge is written for
# iproute2's ip, which Debian's xen-utils-common depends on).  They replace
# the busybox applets of the same name, so no PATH order picks the wrong one.
NET_TOOLS=(/usr/bin/iperf3 /usr/bin/ping /usr/sbin/ethtool /usr/sbin/ip /usr/sbin/tc)
install_net_tools() {	# install_net_tools ROOT DIR: NET_TOOLS into ROOT/DIR
	local b
	for b in "${NET_TOOLS[@]}"; do
		[ -x "$b" ] || xb_die "no $b on the host: run tests/xen/fetch.sh"
		rm -f "$1/bin/$(basename "$b")"
		install_bin "$1" "$b" "$2/$(basename "$b")"
	done
}
base_root() {	# base_root ROOT: busybox with every applet in /bin
	local root=$1 a
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,proc,sys,dev,tmp,run,etc,root,mnt,var/log,var/lib,var/run,var/lock}
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
}
# A newc entry for a device node, so that the build needs no root/mknod.
cpio_node() {	# cpio_node NAME MODE MAJOR MINOR INO
	local n=$(( ${#1} + 1 ))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
	    "$5" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$n" 0 "$1"
	printf '%*s' $(( (4 - (110 + n) % 4) % 4 )) '' | tr ' ' '\0'
}
mkcpio() {	# mkcpio ROOT COMPRESSOR... > OUT
	local root=$1
	shift
	{
		(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
		# appended archive: the kernel reads concatenated newc archives
		cpio_node dev/console $((8#020600)) 5 1 900001
		cpio_node dev/null $((8#020666)) 1 3 900002
		cpio_node TRAILER!!! 0 0 0 0
	} | "$@"
}

# ---- Xen + kernels ------------------------------------------------------
zcat "$X/boot/xen-$XENVER-amd64.gz" > "$XB_OUT/xen"
cp "$X/boot/vmlinuz-$KVER" "$XB_OUT/vmlinuz"

# The bzImage payload is xz (extract-vmlinux's method: find the xz magic,
# unpack from there).  Keep it only if it is an ELF with Xen notes.
GUEST_KERNEL=$XB_OUT/vmlinuz
if [ "$XB_VMLINUX" = 1 ]; then
	if [ ! -s "$XB_OUT/vmlinux" ] || [ "$XB_OUT/vmlinuz" -nt "$XB_OUT/vmlinux" ]; then
		rm -f "$XB_OUT/vmlinux"
		for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$XB_OUT/vmlinuz" | cut -d: -f1); do
			tail -c +$((off + 1)) "$XB_OUT/vmlinuz" |
			    xz -dcq --single-stream > "$XB_OUT/vmlinux.tmp" 2>/dev/null || true
			notes=$(readelf -n "$XB_OUT/vmlinux.tmp" 2>/dev/null || true)
			if grep -q '^ *Xen ' <<<"$notes"; then
				mv "$XB_OUT/vmlinux.tmp" "$XB_OUT/vmlinux"
				break
			fi
		done
		rm -f "$XB_OUT/vmlinux.tmp"
	fi
	if [ -s "$XB_OUT/vmlinux" ]; then
		GUEST_KERNEL=$XB_OUT/vmlinux
	else
		echo "build: warning: cannot extract vmlinux; domUs boot vmlinuz" >&2
	fi
fi

# ---- domU image -----------------------------------------------------------
R=$XB_OUT/root-domu
base_root "$R"
copy_mods "$R" load.list xen-blkfront xen-netfront
# for the userland frontends; loaded by the guest scripts that use them
copy_mods "$R" extra.list xen-evtchn xen-gntalloc
install -m 755 "$FIO" "$R/bin/fio"	# static: no libraries to add
install_net_tools "$R" /bin
for f in "$XB_GUEST_BIN"/*; do
	[ -f "$f" ] && install_bin "$R" "$f" "/bin/$(basename "$f")"
done
install -m 755 "$XB_HERE/domu-init.sh" "$R/init"
mkdir -p "$R/xbtest/guest"
install -m 755 "$XB_HERE"/guest/*.sh "$R/xbtest/guest/"
install -m 644 "$BENCH_FIO" "$R/xbtest/guest/bench.fio"
mkcpio "$R" cat > "$XB_OUT/domu.cpio"

# ---- dom0 image -----------------------------------------------------------
R=$XB_OUT/root-dom0
base_root "$R"
copy_mods "$R" load.list xen-evtchn xen-gntdev xen-gntalloc xenfs xen-privcmd \
    loop bridge tun
# present for oracle runs and anchor comparisons, never loaded by default:
# blkbackd and netbackd must be the only vbd and vif backends
copy_mods "$R" extra.list xen-blkback xen-netback

# The stock hotplug scripts want bash, flock, GNU stat, util-linux losetup;
# drop the busybox applets so no PATH order can pick the wrong one.
for b in /bin/bash /usr/bin/flock /usr/bin/stat /usr/sbin/losetup /usr/sbin/blockdev; do
	rm -f "$R/bin/$(basename "$b")"
	install_bin "$R" "$b" "$b"
done

XB=$X/usr/lib/xen-$XENVER/bin
for b in xl xenstored xenconsoled xenconsole xen-init-dom0 libxl-save-helper xenstore-control; do
	install_bin "$R" "$XB/$b" "/usr/lib/xen-$XENVER/bin/$b"
	ln -sf "/usr/lib/xen-$XENVER/bin/$b" "$R/usr/sbin/$b"
done
# glibc dlopen()s libgcc_s for pthread_cancel (xl uses it); ldd cannot see it
# (awk reads to the end: an early exit would SIGPIPE ldconfig under pipefail)
gcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !f { print $NF; f = 1 }')
[ -n "$gcc_s" ] || xb_die "libgcc_s.so.1 not found on the host"
install -D -m 644 "$(readlink -f "$gcc_s")" "$R$gcc_s"
install_bin "$R" "$X/usr/bin/xenstore" /usr/bin/xenstore
for b in chmod exists list ls read rm watch write; do
	ln -s xenstore "$R/usr/bin/xenstore-$b"	# dispatches on argv[0]
done
cp -a "$X/etc/xen" "$R/etc/"
# The users blkbackd and netbackd workers drop to (common/sandbox.h); the
# daemons refuse to start without them.
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    '_xbblk:x:990:990:blkbackd workers:/nonexistent:/bin/false' \
    '_xbnet:x:991:991:netbackd workers:/nonexistent:/bin/false' > "$R/etc/passwd"
printf '%s\n' 'root:x:0:' '_xbblk:x:990:' '_xbnet:x:991:' > "$R/etc/group"
if [ -f "$NBD_SCRIPT" ]; then
	install -m 755 "$NBD_SCRIPT" "$R/etc/xen/scripts/block-xb-nbd"
fi
# qemu-utils (NBD/qcow2 scenarios) and fio (bench dom0 limit)
for b in qemu-img qemu-nbd qemu-io; do
	install_bin "$R" "$X/usr/bin/$b" "/usr/bin/$b"
done
install -m 755 "$FIO" "$R/usr/bin/fio"
install_net_tools "$R" /usr/bin
mkdir -p "$R"/var/lib/xen/images "$R"/var/log/xen/console "$R"/var/run/xen \
    "$R"/var/run/xenstored

if [ "$XB_QDISK" = 1 ]; then
	install_bin "$R" "$X/usr/libexec/xen-qemu-system-i386" /usr/libexec/xen-qemu-system-i386
	mkdir -p "$R/usr/share/qemu"
	cp -a /usr/share/qemu/keymaps "$R/usr/share/qemu/" 2>/dev/null || true
fi

# our daemons (every file of the sanitizer build)
for f in "$XB_BIN"/*; do
	[ -f "$f" ] && install_bin "$R" "$f" "/usr/sbin/$(basename "$f")"
done
if [ ! -e "$XB_BIN/consoled-attach" ] && [ -x "$ATTACH" ]; then
	install_bin "$R" "$ATTACH" /usr/bin/consoled-attach
fi
if [ ! -e "$XB_BIN/xbctl" ] && [ -x "$XBCTL" ]; then
	install_bin "$R" "$XBCTL" /usr/bin/xbctl
fi
# The cons-* scenarios' helpers, called by path (busybox sh runs its own
# applets first): ptyexpect drives `xl console` on a pty; GNU grep finds
# byte offsets (-b) in 50 MiB console logs, which busybox grep cannot.
mkdir -p "$XB_OUT/tools"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$XB_OUT/tools/ptyexpect" \
    "$XB_HERE/tools/ptyexpect.c"
install_bin "$R" "$XB_OUT/tools/ptyexpect" /usr/libexec/xbt/ptyexpect
# net-conform: pktinject writes a GSO or over-a-page frame onto a vif
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$XB_REPO/frontends" -o "$XB_OUT/tools/pktinject" \
    "$XB_HERE/tools/pktinject.c"
install_bin "$R" "$XB_OUT/tools/pktinject" /usr/libexec/xbt/pktinject
install_bin "$R" /bin/grep /usr/libexec/xbt/grep

# The installed layout last, so that its block-xb-nbd is the one in
# /etc/xen/scripts (the same file as above).  Its daemons need the
# libraries of the optimised build; the list of what make install wrote
# (make install-files) lets the scenario check the tree.
rm -rf "$INST_STAGE"
if mk install DESTDIR="$INST_STAGE" "${INST_ARGS[@]}" > "$XB_OUT/install.log" 2>&1; then
	cp -a "$INST_STAGE/." "$R/"
	copy_libs "$R" "$INST_STAGE$INST_PREFIX"/sbin/* "$INST_STAGE$INST_PREFIX"/bin/*
	mkdir -p "$R/xbtest" "$R/etc/default"
	mk install-files "${INST_ARGS[@]}" > "$R/xbtest/installed-files"
else
	echo "build: warning: make install failed, dom0 gets no installed layout (install-layout fails):" >&2
	tail -n 5 "$XB_OUT/install.log" | sed 's/^/build:   /' >&2
fi
# the unit runner's sd_notify socket (lib.sh unit_start)
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$XB_OUT/tools/notifysock" \
    "$XB_HERE/tools/notifysock.c"
install_bin "$R" "$XB_OUT/tools/notifysock" /usr/libexec/xbt/notifysock

install -m 755 "$XB_HERE/dom0-init.sh" "$R/init"
mkdir -p "$R/xbtest/scenarios" "$R/xbtest/guest"
install -m 644 "$XB_HERE/lib.sh" "$R/xbtest/lib.sh"
install -m 755 "$XB_HERE"/scenarios/*.sh "$R/xbtest/scenarios/"
# experiments outside the tree (XB_SCENARIOS_EXTRA): run only when named
for f in ${XB_SCENARIOS_EXTRA:+"$XB_SCENARIOS_EXTRA"/*.sh}; do
	[ -f "$f" ] || continue
	grep -q '^# default: no' "$f" || xb_die "$f: extra scenarios must say '# default: no'"
	install -m 755 "$f" "$R/xbtest/scenarios/"
done
install -m 644 "$BENCH_FIO" "$R/xbtest/bench.fio"
cp "$GUEST_KERNEL" "$R/xbtest/guest/kernel"
cp "$XB_OUT/domu.cpio" "$R/xbtest/guest/domu.cpio"
# bench-cons (make bench): conswatch times what reaches a console log;
# tinypv is the kernel of its idle paused domains
mkdir -p "$XB_OUT/tools"
# (xenctrl.h wants GNU C and __XEN_TOOLS__, as the Makefile says)
cc -std=gnu11 -D__XEN_TOOLS__ -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
    -o "$XB_OUT/tools/conswatch" "$XB_HERE/tools/conswatch.c" -lxenctrl
install_bin "$R" "$XB_OUT/tools/conswatch" /usr/libexec/xbt/conswatch
cc -c -o "$XB_OUT/tools/tinypv.o" "$XB_HERE/tools/tinypv.S"
ld -nostdlib -z max-page-size=4096 -T "$XB_HERE/tools/tinypv.ld" \
    -o "$XB_OUT/tools/tinypv" "$XB_OUT/tools/tinypv.o"
install -m 644 "$XB_OUT/tools/tinypv" "$R/xbtest/guest/tinypv"
mkcpio "$R" zstd -q -T0 -9 > "$XB_OUT/dom0.cpio.zst"	# fastest to unpack under TCG

echo "$sum" > "$XB_OUT/.inputs"
echo "build: $(cd "$XB_OUT" && ls -sh xen vmlinuz dom0.cpio.zst domu.cpio | tr '\n' ' ')(guest kernel: $(basename "$GUEST_KERNEL"))"
