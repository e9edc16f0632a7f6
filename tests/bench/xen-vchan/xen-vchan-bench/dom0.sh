# SPDX-License-Identifier: GPL-2.0-only
# xen-vchan benchmark, dom0 side: clients (they receive and check every
# byte). Raw and ours alternate five times; the summary gives each mode's
# median and the median of the five paired ratios (pairs run back to back,
# so they share the host's load of the moment).
g=$(bh_domid_of guest1)
B=${BENCH_BYTES:-16777216}
for round in 1 2 3 4 5; do
	for mode in raw chan; do
		bh_check "connect $mode round $round" bulkhead-xentest bench-connect --mode $mode --domid "$g" \
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
$1 == "BENCHDATA" && $2 == "raw" { nr++; rtp[nr] = $3; rrt[nr] = $4 }
$1 == "BENCHDATA" && $2 == "chan" {
	nc++; ctp[nc] = $3; crt[nc] = $4
	if (nc <= nr) { np++; qtp[np] = $3 / rtp[nc]; qrt[np] = rrt[nc] / $4 }
}
END {
	printf "BENCH summary (%d pairs): throughput median raw %.1f MB/s, ours %.1f MB/s; median paired ratio ours/raw %.3f\n",
		np, median(rtp, nr), median(ctp, nc), median(qtp, np)
	printf "BENCH summary (%d pairs): round trip median raw %.1f us, ours %.1f us; median paired ratio raw/ours %.3f\n",
		np, median(rrt, nr), median(crt, nc), median(qrt, np)
}' /tmp/bench.out
