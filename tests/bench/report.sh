#!/bin/bash
# report.sh [--net] SERIAL_LOG [TSV_OUT]: tables from the "XBT-BENCH" lines
# of a bench boot (scenario bench-blk), or with --net from its
# "XBT-BENCH-NET" lines (scenario bench-net).  Markdown on stdout (also
# what goes into docs/PERFORMANCE.md); with TSV_OUT, appends one row per
# measure and anchor:
#   measure<TAB>ours<TAB>anchor<TAB>anchor_value<TAB>ratio
# ours and anchor_value are medians over the rounds; ratio is the median
# of the per-round paired ratios, > 1 when ours (blkbackd, netbackd) is
# better (ours/anchor for throughput and packets/s, anchor/ours for dom0
# CPU seconds per GiB and for ping round trips).  blk: dom0-limit (fio in
# dom0 on the file) is an anchor for throughput only: its dom0 CPU is
# fio's own.  net: the anchor is kernel xen-netback.
set -euo pipefail
NET=0
if [ "${1:-}" = --net ]; then
	NET=1
	shift
fi
LOG=$1
TSV=${2:-}
[ -r "$LOG" ] || { echo "report.sh: cannot read $LOG" >&2; exit 1; }

# the awk helpers both reports use
AWKLIB='
function kv(line, key,   re, m) {
	if (match(line, "(^| )" key "=[^ ]*")) {
		m = substr(line, RSTART, RLENGTH)
		sub(/^ /, "", m)
		return substr(m, length(key) + 2)
	}
	return ""
}
function median(list,   n, a, i, j, t) {	# list: space-separated numbers
	n = split(list, a, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) {	# insertion sort (mawk has no asort)
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minmax(list,   n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (n == 0) return ""
	lo = hi = a[1] + 0
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
	return fmt(lo) "–" fmt(hi)
}
function fmt(x) {
	if (x == "") return "–"
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 10) return sprintf("%.1f", x)
	return sprintf("%.2f", x)
}
'

if [ "$NET" = 1 ]; then
sed -n 's/.*XBT-BENCH-NET //p' "$LOG" | tr -d '\r' | awk -v tsv="$TSV" "$AWKLIB"'
/^PARAMS / { params = substr($0, 8) }
/^RUN / {
	be = kv($0, "backend"); job = kv($0, "job"); r = kv($0, "round") + 0
	T[be, job, r] = kv($0, "value") + 0
	wall = kv($0, "wall") + 0; busy = kv($0, "busy_s") + 0
	bytes = kv($0, "bytes") + 0
	if (job ~ /^tcp/ && bytes > 0) C[be, job, r] = busy / (bytes / 1073741824)
	if (job ~ /^udp/ && kv($0, "pps") + 0 > 0) C[be, job, r] = busy * 1e6 / (kv($0, "pps") * kv($0, "secs"))
	if (wall > 0) B[be, job, r] = busy / wall * 100
	P[be, job, r] = kv($0, "be_s") + 0; K[be, job, r] = kv($0, "ksoftirqd_s") + 0
	if (r > rounds) rounds = r
	runs++
}
/^ERR / { errs = errs "\n- " substr($0, 5) }
/^VFY / { vfy = vfy "\n- " $0 }
/^ROOTFS / { rootfs = $0 }
END {
	if (!runs) { print "no XBT-BENCH-NET RUN lines in the log"; exit 1 }
	njobs = split("tcp-tx-1 tcp-rx-1 tcp-tx-4 tcp-rx-4 udp-tx-64 udp-rx-64 ping", jobs, " ")
	for (ji = 1; ji <= njobs; ji++) {
		j = jobs[ji]
		unit[j] = (j ~ /^tcp/) ? "Mbit/s" : (j ~ /^udp/) ? "packets/s" : "ms rtt avg"
		tag[j] = (j ~ /^tcp/) ? "Mbps" : (j ~ /^udp/) ? "pps" : "rtt_avg_ms"
		cu[j] = (j ~ /^tcp/) ? "s/GiB" : (j ~ /^udp/) ? "µs/packet" : ""
		what[j] = (j ~ /-tx-/) ? "guest → dom0" : (j ~ /-rx-/) ? "dom0 → guest" : "dom0 → guest"
	}
	nb = split("netbackd kernel", bes, " ")
	printf "Parameters: %s; %d round(s).\n\n", params, rounds
	print "tx/rx are seen from the guest: tx = guest → dom0 (iperf3 -R; what a vif rate limits), rx = dom0 → guest; -1/-4: TCP streams; udp-*-64: 64-byte UDP payloads at an unlimited rate, packets/s that arrived; ping: dom0 → guest. Medians over the rounds [min–max]. dom0 busy% is dom0'\''s /proc/stat user+nice+system+irq+softirq over the wall time of the run (1 dom0 vCPU; the backend, the bridge, softirqs and dom0'\''s own iperf3 endpoint alike); dom0 CPU per unit is that busy time per GiB received (TCP) or per packet received (UDP). backend s: netbackd'\''s processes, or kernel netback'\''s vif* threads (its NAPI work runs in softirq, counted in busy% and partly in ksoftirqd s)."
	print ""
	print "| measure | backend | median | min–max | dom0 busy% | dom0 CPU per unit | backend s | ksoftirqd s |"
	print "|---|---|---|---|---|---|---|---|"
	for (ji = 1; ji <= njobs; ji++) {
		j = jobs[ji]
		for (bi = 1; bi <= nb; bi++) {
			b = bes[bi]; l = ""; c = ""; p = ""; d = ""; k = ""
			for (r = 1; r <= rounds; r++) {
				if ((b, j, r) in T) { l = l " " T[b, j, r]; d = d " " B[b, j, r]; p = p " " P[b, j, r]; k = k " " K[b, j, r] }
				if ((b, j, r) in C) c = c " " C[b, j, r]
			}
			if (l == "") continue
			printf "| %s %s (%s) | %s | **%s** | %s | %s | %s | %s | %s |\n", j, unit[j], what[j], b, fmt(median(l)), minmax(l),
			    fmt(median(d)), (c == "") ? "–" : fmt(median(c)) " " cu[j], fmt(median(p)), fmt(median(k))
			M[b, j] = median(l); MC[b, j] = median(c)
		}
	}
	print ""
	print "Paired per-round ratios, netbackd against kernel xen-netback (> 1: netbackd better; for ping and dom0 CPU per unit the kernel'\''s over ours):"
	print ""
	hdr = "| measure |"; sep = "|---|"
	for (r = 1; r <= rounds; r++) { hdr = hdr " r" r " |"; sep = sep "---|" }
	print hdr " median |"; print sep "---|"
	for (kind = 1; kind <= 2; kind++) {
		for (ji = 1; ji <= njobs; ji++) {
			j = jobs[ji]
			if (kind == 2 && j !~ /^tcp/) continue
			row = ""; l = ""
			for (r = 1; r <= rounds; r++) {
				x = ""
				if (kind == 1 && ("netbackd", j, r) in T && ("kernel", j, r) in T && T["netbackd", j, r] > 0 && T["kernel", j, r] > 0)
					x = (j == "ping") ? T["kernel", j, r] / T["netbackd", j, r] : T["netbackd", j, r] / T["kernel", j, r]
				if (kind == 2 && ("netbackd", j, r) in C && ("kernel", j, r) in C && C["netbackd", j, r] > 0)
					x = C["kernel", j, r] / C["netbackd", j, r]
				row = row " " (x == "" ? "–" : sprintf("%.2f", x)) " |"
				if (x != "") l = l " " x
			}
			if (l == "") continue
			m = median(l)
			name = (kind == 1) ? j " " unit[j] : j " dom0 CPU s/GiB"
			printf "| %s |%s **%.2f** |\n", name, row, m
			if (tsv != "") {
				meas = (kind == 1) ? j "_" tag[j] : j "_dom0_cpu_s_per_GiB"
				ours = (kind == 1) ? M["netbackd", j] : MC["netbackd", j]
				av = (kind == 1) ? M["kernel", j] : MC["kernel", j]
				printf "%s\t%.6g\t%s\t%.6g\t%.3f\n", meas, ours, "kernel", av, m >> tsv
			}
		}
	}
	print ""
	print "Sanity checks:" (vfy == "" ? " no verify lines" : vfy)
	print "- " (rootfs == "" ? "no rootfs check line" : rootfs)
	if (errs != "") print "\nRuns without numbers:" errs
}'
exit
fi

# strip run.sh's timestamps and anything before the marker
sed -n 's/.*XBT-BENCH //p' "$LOG" | tr -d '\r' | awk -v tsv="$TSV" "$AWKLIB"'
/^PARAMS / { params = substr($0, 8) }
/^RUN / {
	be = kv($0, "backend"); job = kv($0, "job"); r = kv($0, "round") + 0
	if (job ~ /4k$/) thr = kv($0, "iops") + 0
	else thr = kv($0, "kibps") / 1024
	bytes = kv($0, "bytes") + 0
	T[be, job, r] = thr
	if (bytes > 0) C[be, job, r] = kv($0, "dom0_s") / (bytes / 1073741824)
	P[be, job, r] = kv($0, "proc_s") + 0
	D0[be, job, r] = kv($0, "dom0_s") / kv($0, "wall")
	if (r > rounds) rounds = r
	runs++
}
/^ERR / { errs = errs "\n- " substr($0, 5) }
/^VFY / { vfy = vfy "\n- " $0 }
/^ROOTFS / { rootfs = $0 }
END {
	if (!runs) { print "no XBT-BENCH RUN lines in the log"; exit 1 }
	njobs = split("randread-4k randwrite-4k seqread-1m seqwrite-1m", jobs, " ")
	unit["randread-4k"] = "IOPS"; unit["randwrite-4k"] = "IOPS"
	unit["seqread-1m"] = "MiB/s"; unit["seqwrite-1m"] = "MiB/s"
	nb = split("blkbackd kernel qdisk dom0-limit", bes, " ")
	printf "Parameters: %s; %d round(s).\n\n", params, rounds

	print "Medians over the rounds [min–max]; dom0 CPU% is the dom0 time xl reports over the wall time of the run (1 dom0 vCPU); s/GiB is dom0 CPU seconds per GiB moved (QEMU and blkbackd run in dom0 and are included; dom0-limit: fio itself)."
	print ""
	print "| measure | backend | median | min–max | dom0 CPU% | dom0 s/GiB | QEMU / blkbackd CPU s |"
	print "|---|---|---|---|---|---|---|"
	for (ji = 1; ji <= njobs; ji++) {
		j = jobs[ji]
		for (bi = 1; bi <= nb; bi++) {
			b = bes[bi]; l = ""; c = ""; p = ""; d = ""
			for (r = 1; r <= rounds; r++) {
				if ((b, j, r) in T) { l = l " " T[b, j, r]; d = d " " D0[b, j, r] * 100; p = p " " P[b, j, r] }
				if ((b, j, r) in C) c = c " " C[b, j, r]
			}
			if (l == "") continue
			printf "| %s %s | %s | **%s** | %s | %s | %s | %s |\n", j, unit[j], b, fmt(median(l)), minmax(l),
			    fmt(median(d)), fmt(median(c)), (b == "qdisk" || b == "blkbackd") ? fmt(median(p)) : "–"
			M[b, j] = median(l); MC[b, j] = median(c)
		}
	}
	print ""
	print "Paired per-round ratios, blkbackd against each anchor (> 1: blkbackd better; for s/GiB the anchor'\''s over ours):"
	print ""
	hdr = "| measure | anchor |"; sep = "|---|---|"
	for (r = 1; r <= rounds; r++) { hdr = hdr " r" r " |"; sep = sep "---|" }
	print hdr " median |"; print sep "---|"
	for (kind = 1; kind <= 2; kind++) {
		for (ji = 1; ji <= njobs; ji++) {
			j = jobs[ji]
			for (bi = 2; bi <= nb; bi++) {
				a = bes[bi]
				if (kind == 2 && a == "dom0-limit") continue
				row = ""; l = ""
				for (r = 1; r <= rounds; r++) {
					x = ""
					if (kind == 1 && ("blkbackd", j, r) in T && (a, j, r) in T && T[a, j, r] > 0)
						x = T["blkbackd", j, r] / T[a, j, r]
					if (kind == 2 && ("blkbackd", j, r) in C && (a, j, r) in C && C["blkbackd", j, r] > 0)
						x = C[a, j, r] / C["blkbackd", j, r]
					row = row " " (x == "" ? "–" : sprintf("%.2f", x)) " |"
					if (x != "") l = l " " x
				}
				if (l == "") continue
				m = median(l)
				name = (kind == 1) ? j " " unit[j] : j " dom0 s/GiB"
				printf "| %s | %s |%s **%.2f** |\n", name, a, row, m
				if (tsv != "") {
					meas = (kind == 1) ? j "_" (unit[j] == "IOPS" ? "iops" : "MiBps") : j "_dom0_cpu_s_per_GiB"
					ours = (kind == 1) ? M["blkbackd", j] : MC["blkbackd", j]
					av = (kind == 1) ? M[a, j] : MC[a, j]
					printf "%s\t%.6g\t%s\t%.6g\t%.3f\n", meas, ours, a, av, m >> tsv
				}
			}
		}
	}
	print ""
	print "Sanity checks:" (vfy == "" ? " no verify lines" : vfy)
	print "- " (rootfs == "" ? "no rootfs check line" : rootfs)
	if (errs != "") print "\nRuns without numbers:" errs
}'
