# Print what the guest sees of its disks: /proc/partitions and the
# blkfront lines of the kernel log.
grep ' xvd' /proc/partitions | while read -r maj min blocks name; do
	echo "XBT-GUEST-PART $maj $min $blocks $name"
done
dmesg | grep -E 'blkfront|xen-blkfront|vbd' | sed 's/^\[[^]]*\] *//; s/^/XBT-GUEST-DMESG /'
ok info
