#!/bin/bash
# report.sh [--net|--cons] SERIAL_LOG [TSV_OUT]: tables from the
# "XBT-BENCH" lines of a bench boot (scenario bench-blk), with --net from
# its "XBT-BENCH-NET" lines (bench-net), with --cons from its
# "XBT-BENCH-CONS" lines (bench-cons).  Markdown on stdout (also what goes
# into docs/PERFORMANCE.md); with TSV_OUT, appends one row per measure and
# anchor:
#   measure<TAB>ours<TAB>anchor<TAB>anchor_value<TAB>ratio
# ours and anchor_value are medians over the rounds; ratio is the median
# of the per-round paired ratios, > 1 when ours (blkbackd, netbackd,
# consoled) is better (ours/anchor for throughput and packets/s,
# anchor/ours for dom0 CPU seconds per GiB or MiB, CPU shares, memory and
# ping round trips).  blk: dom0-limit (fio in dom0 on the file) is an
# anchor for throughput only: its dom0 CPU is fio's own.  net: the anchor
# is kernel xen-netback.  cons: the anchor is xenconsoled; bytes lost are
# totals over the rounds, with ratio (anchor + 1) / (ours + 1); the flood
# forever and idle rows come from one measurement each (ratio of the two
# values; a CPU time of zero counts as one clock tick, 0.01 s).  dom0's CPU
# is Xen's count of its vCPU time; the /proc/stat busy time, which
# undercounts in this PV dom0 (below the daemon's own utime+stime at
# times), is in the tables and, for the flood only, in the TSV.
set -euo pipefail
NET=0 CONS=0
case ${1:-} in
--net) NET=1; shift ;;
--cons) CONS=1; shift ;;
esac
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

if [ "$CONS" = 1 ]; then
sed -n 's/.*XBT-BENCH-CONS //p' "$LOG" | tr -d '\r' | awk -v tsv="$TSV" "$AWKLIB"'
function tick(x) { return (x < 0.01) ? 0.01 : x }
function kvn(line, key) { return kv(line, key) + 0 }
function pos(x) { return (x < 0) ? 0 : x }
# the CPU figures of one conswatch window: C[key, what] (seconds)
function cpu(line, key) {
	C[key, "d"] = kvn(line, "daemon_s")
	C[key, "x"] = pos(kvn(line, "dom0_xen_s") - kvn(line, "self_s"))
	C[key, "p"] = pos(kvn(line, "dom0_busy_s") - kvn(line, "self_s"))
	C[key, "w"] = kvn(line, "wall")
}
function tsvrow(meas, o, a, ratio) {
	if (tsv != "") printf "%s\t%.6g\t%s\t%.6g\t%.3f\n", meas, o, "xenconsoled", a, ratio >> tsv
}
/^PARAMS / { params = substr($0, 8); mib = kvn($0, "mib") }
/^RUN / {
	d = kv($0, "daemon"); r = kvn($0, "round"); m = kvn($0, "bytes") / 1048576
	if (kvn($0, "secs") > 0) V[1, d, r] = m / kvn($0, "secs")
	V[2, d, r] = kvn($0, "secs")
	cpu($0, d SUBSEP r)
	if (m > 0) {
		V[3, d, r] = C[d, r, "d"] / m; V[4, d, r] = C[d, r, "x"] / m; V[5, d, r] = C[d, r, "p"] / m
	}
	if (C[d, r, "w"] > 0) V[6, d, r] = C[d, r, "d"] / C[d, r, "w"] * 100
	if (kv($0, "guest_secs") != "") V[7, d, r] = kvn($0, "guest_secs")
	LOST[d, r] = kvn($0, "lost") + kvn($0, "extra"); OK[d, r] = kvn($0, "sha_ok"); NOTES[d, r] = kvn($0, "notes")
	if (r > rounds) rounds = r
	runs++
}
/^FOREVER / {
	l = kv($0, "label"); fl[++nf] = l
	FO[l] = kv($0, "opts"); FD[l] = kv($0, "daemon")
	cpu($0, "f" l); w = C["f" l, "w"]
	FM[l] = (w > 0) ? kvn($0, "bytes") / 1048576 / w : 0
}
/^IDLE / { d = kv($0, "daemon"); IN[d] = kvn($0, "domains"); cpu($0, "i" d); IR[d] = kvn($0, "rss_kb"); IP[d] = kvn($0, "pss_kb"); IF[d] = kv($0, "fds") }
/^IDLESETUP / { isetup = $0 }
/^(ERR|DAMAGE|EVIDENCE|CHECK) / { probs = probs "\n- " $0 }
/^\| / { ev = ev "\n    " $0 }
END {
	if (!runs) { print "no XBT-BENCH-CONS RUN lines in the log"; exit 1 }
	nd = split("consoled xenconsoled", ds, " ")
	nm = split("drain MiB/s|seconds per flood|daemon CPU s/MiB|dom0 CPU s/MiB (Xen)|dom0 CPU s/MiB (/proc/stat)|daemon CPU %|guest dd seconds", mn, "|")
	printf "Parameters: %s; %d round(s).\n\n", params, rounds
	print "**Flood**: the guest writes " mib " MiB of text to hvc0 as fast as it can (`dd bs=64k`, between a BEGIN and an END line). Drain MiB/s: from the BEGIN line appearing in the dom0 log to the END line appearing (`conswatch`, polling every 10 ms, following rotation). Bytes lost: expected minus found between the lines (or extra), all rounds together; sha256: rounds whose bytes matched the guest'\''s digest. CPU per MiB over the flood: the daemon'\''s utime+stime (`/proc/PID/stat`); dom0'\''s vCPU time as Xen counts it (everything dom0 ran, its kernel included); dom0'\''s busy time from `/proc/stat` (user+nice+system+irq+softirq) — both dom0 figures less conswatch'\''s own CPU. Daemon CPU %: its share of dom0'\''s one vCPU during the flood. Medians over the rounds [min–max]."
	print ""
	print "| measure | daemon | median | min–max |"
	print "|---|---|---|---|"
	for (k = 1; k <= nm; k++) {
		for (di = 1; di <= nd; di++) {
			d = ds[di]; l = ""
			for (r = 1; r <= rounds; r++) if ((k, d, r) in V) l = l " " V[k, d, r]
			if (l == "") continue
			printf "| %s | %s | **%s** | %s |\n", mn[k], d, fmt(median(l)), minmax(l)
			M[k, d] = median(l)
		}
	}
	for (di = 1; di <= nd; di++) {
		d = ds[di]; lost = 0; okn = 0; n = 0; notes = 0
		for (r = 1; r <= rounds; r++) if ((d, r) in LOST) { n++; lost += LOST[d, r]; okn += OK[d, r]; notes += NOTES[d, r] }
		TL[d] = lost; TO[d] = okn
		printf "| bytes lost (all rounds) | %s | **%d** | sha256 intact in %d of %d rounds%s |\n", d, lost, okn, n, notes ? sprintf("; %d \"[consoled: ...]\" notes", notes) : ""
	}
	print ""
	print "Paired per-round ratios, consoled against xenconsoled (> 1: consoled better; for CPU per MiB xenconsoled'\''s over ours):"
	print ""
	hdr = "| measure |"; sep = "|---|"
	for (r = 1; r <= rounds; r++) { hdr = hdr " r" r " |"; sep = sep "---|" }
	print hdr " median |"; print sep "---|"
	split("1 3 4 5", tk, " ")
	split("flood_MiBps flood_daemon_cpu_s_per_MiB flood_dom0_cpu_s_per_MiB flood_dom0_procstat_s_per_MiB", tn, " ")
	for (i = 1; i <= 4; i++) {
		k = tk[i]; row = ""; l = ""
		for (r = 1; r <= rounds; r++) {
			x = ""
			if ((k, "consoled", r) in V && (k, "xenconsoled", r) in V)
				x = (k == 1) ? V[k, "consoled", r] / V[k, "xenconsoled", r] : tick(V[k, "xenconsoled", r]) / tick(V[k, "consoled", r])
			row = row " " (x == "" ? "–" : sprintf("%.2f", x)) " |"
			if (x != "") l = l " " x
		}
		if (l == "") continue
		printf "| %s |%s **%.2f** |\n", mn[k], row, median(l)
		tsvrow(tn[i], M[k, "consoled"], M[k, "xenconsoled"], median(l))
	}
	tsvrow("flood_bytes_lost", TL["consoled"], TL["xenconsoled"], (TL["xenconsoled"] + 1) / (TL["consoled"] + 1))
	tsvrow("flood_sha256_intact_rounds", TO["consoled"], TO["xenconsoled"], TO["xenconsoled"] > 0 ? TO["consoled"] / TO["xenconsoled"] : (TO["consoled"] > 0 ? 99 : 1))
	if (nf) {
		print ""
		print "**Flood forever**: the guest writes to hvc0 without end; over " kv(params, "fsecs") " s (after 3 s of it): what reached the log per second, the daemon'\''s CPU share (% of dom0'\''s one vCPU) and dom0'\''s (Xen'\''s count; `/proc/stat` busy), less conswatch'\''s own. consoled'\''s limits per console, `-r` (bytes/s) and `-c` (% of one CPU), set what a guest that never stops can take; `-r 0 -c 0` (none) shows what this guest could do."
		print ""
		print "| daemon | limit | drain MiB/s | daemon CPU % | dom0 CPU % (Xen) | dom0 busy % (/proc/stat) |"
		print "|---|---|---|---|---|---|"
		for (i = 1; i <= nf; i++) {
			l = fl[i]; w = C["f" l, "w"]
			if (w <= 0) continue
			lim = (FD[l] == "xenconsoled") ? "30 events / 200 ms (fixed)" : (FO[l] == "" ? "defaults (-r 8M -c 25)" : FO[l])
			gsub(/\+/, " ", lim)
			printf "| %s | %s | **%s** | **%s** | %s | %s |\n", FD[l], lim, fmt(FM[l]), fmt(C["f" l, "d"] / w * 100), fmt(C["f" l, "x"] / w * 100), fmt(C["f" l, "p"] / w * 100)
		}
		if ("xenconsoled" in FM) {
			a = "fxenconsoled"; aw = C[a, "w"]
			for (i = 1; i <= nf; i++) {
				l = fl[i]; o = "f" l; w = C[o, "w"]
				if (FD[l] != "consoled" || w <= 0 || aw <= 0) continue
				t = FO[l]; gsub(/\+/, "", t); t = (t == "") ? "forever-default" : "forever" t
				tsvrow(t "_MiBps", FM[l], FM["xenconsoled"], FM["xenconsoled"] > 0 ? FM[l] / FM["xenconsoled"] : 0)
				tsvrow(t "_daemon_cpu_pct", C[o, "d"] / w * 100, C[a, "d"] / aw * 100, (tick(C[a, "d"]) / aw) / (tick(C[o, "d"]) / w))
				tsvrow(t "_dom0_cpu_pct", C[o, "x"] / w * 100, C[a, "x"] / aw * 100, (tick(C[a, "x"]) / aw) / (tick(C[o, "x"]) / w))
			}
		}
	}
	if (("consoled" in IN) || ("xenconsoled" in IN)) {
		print ""
		print "**Idle consoles**: paused domains (a tiny PV kernel, `tests/xen/tools/tinypv.S`; libxl sets up the console ring, event channel and xenstore keys before unpausing) served by one daemon at a time; CPU over " kv(params, "isecs") " s of idle, memory from `/proc/PID/smaps_rollup` at its end. In the ratios a CPU time of zero counts as one tick (0.01 s)."
		print ""
		print "| daemon | domains | daemon CPU s | daemon CPU % | dom0 CPU % (Xen) | dom0 busy % (/proc/stat) | RSS KiB | PSS KiB | open fds |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (di = 1; di <= nd; di++) {
			d = ds[di]; k = "i" d; w = C[k, "w"]
			if (!(d in IN) || w <= 0) continue
			printf "| %s | %d | %s | **%s** | %s | %s | **%d** | **%d** | %s |\n", d, IN[d], fmt(C[k, "d"]), fmt(C[k, "d"] / w * 100), fmt(C[k, "x"] / w * 100), fmt(C[k, "p"] / w * 100), IR[d], IP[d], IF[d]
		}
		if (isetup != "")
			printf "\nSetup: %d domains of %s MiB each, created paused (`xl create -p -e`) in %s s; consoled took over all of them from xenconsoled in %s s.\n",
			    kv(isetup, "domains"), kv(isetup, "memory_mb"), kv(isetup, "create_s"), kv(isetup, "consoled_takeover_s")
		o = "iconsoled"; a = "ixenconsoled"; w = C[o, "w"]; aw = C[a, "w"]
		if (("consoled" in IN) && ("xenconsoled" in IN) && w > 0 && aw > 0) {
			tsvrow("idle_domains", IN["consoled"], IN["xenconsoled"], 1)
			tsvrow("idle_daemon_cpu_pct", C[o, "d"] / w * 100, C[a, "d"] / aw * 100, (tick(C[a, "d"]) / aw) / (tick(C[o, "d"]) / w))
			tsvrow("idle_dom0_cpu_pct", C[o, "x"] / w * 100, C[a, "x"] / aw * 100, (tick(C[a, "x"]) / aw) / (tick(C[o, "x"]) / w))
			tsvrow("idle_rss_KiB", IR["consoled"], IR["xenconsoled"], IR["consoled"] > 0 ? IR["xenconsoled"] / IR["consoled"] : 0)
			tsvrow("idle_pss_KiB", IP["consoled"], IP["xenconsoled"], IP["consoled"] > 0 ? IP["xenconsoled"] / IP["consoled"] : 0)
		}
	}
	print ""
	print "Checks and problems:" (probs == "" ? " none" : probs)
	if (ev != "") print "\nconsoled'\''s log at those problems:\n" ev
}'
exit
fi

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
