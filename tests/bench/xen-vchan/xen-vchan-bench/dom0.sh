# SPDX-License-Identifier: GPL-2.0-only
# xen-vchan benchmark, dom0 side: clients (they receive and check every
# byte). Raw, ours and ours without the death watch alternate five times; the summary gives each mode's
# median and the median of the five paired ratios (pairs run back to back,
# so they share the host's load of the moment).
g=$(bh_domid_of guest1)
B=${BENCH_BYTES:-16777216}
for round in 1 2 3 4 5; do
	for mode in raw chan nowatch; do
		# nowatch: our channel without the peer-death watch (dom0 side),
		# to show what death detection costs per wakeup.
		opts="--mode chan"
		[ $mode = raw ] && opts="--mode raw"
		[ $mode = nowatch ] && opts="--mode chan --no-death-watch"
		bh_check "connect $mode round $round" bulkhead-xentest bench-connect $opts --domid "$g" \
			--path /local/domain/$g/data/bench-$mode-$round --bytes $B --rounds 500
		sed -n 's/^# BENCHDATA/BENCHDATA/p' /tmp/bh-last-check.log >>/tmp/bench.out
	done
done
bh_check "grant map/unmap, 1024 pages x 20" \
	bulkhead-xentest bench-grant-map --domid "$g" --key bench --rounds 20
awk '
function median(a, n,    i, j, t) {
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "BENCHDATA" && $2 == "raw" { r++; rtp = $3; rrt = $4; tp["raw", r] = $3; rt["raw", r] = $4 }
$1 == "BENCHDATA" && $2 != "raw" {
	m = $2; n[m]++
	tp[m, n[m]] = $3; rt[m, n[m]] = $4
	qtp[m, n[m]] = $3 / rtp; qrt[m, n[m]] = rrt / $4
}
END {
	for (i = 1; i <= r; i++) { a[i] = tp["raw", i]; b[i] = rt["raw", i] }
	printf "BENCH summary: raw libxenvchan: throughput median %.1f MB/s, round trip median %.1f us (%d rounds)\n",
		median(a, r), median(b, r), r
	split("chan chan-nowatch", ms, " ")
	for (k = 1; k <= 2; k++) {
		m = ms[k]
		for (i = 1; i <= n[m]; i++) { a[i] = tp[m, i]; b[i] = rt[m, i]; c[i] = qtp[m, i]; d[i] = qrt[m, i] }
		x = median(a, n[m]); y = median(b, n[m])
		printf "BENCH summary: ours (%s): throughput median %.1f MB/s, round trip median %.1f us; median paired ratio to raw: throughput %.3f, round trip (raw/ours) %.3f\n",
			m == "chan" ? "dom0 watches guest death" : "no death watch", x, y, median(c, n[m]), median(d, n[m])
	}
}' /tmp/bench.out
