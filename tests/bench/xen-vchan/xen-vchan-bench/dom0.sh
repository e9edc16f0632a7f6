# SPDX-License-Identifier: GPL-2.0-only
# xen-vchan benchmark, dom0 side: clients (they receive and check every byte),
# then the ratio of our channel to raw libxenvchan (best of two rounds each).
g=$(bh_domid_of guest1)
B=${BENCH_BYTES:-67108864}
for round in 1 2; do
	for mode in raw chan; do
		bh_check "connect $mode round $round" bulkhead-xentest bench-connect --mode $mode --domid "$g" \
			--path /local/domain/$g/data/bench-$mode-$round --bytes $B --rounds 2000 |
			tee -a /tmp/bench.out
	done
done
bh_check "grant map/unmap, 1024 pages x 20" \
	bulkhead-xentest bench-grant-map --domid "$g" --key bench --rounds 20 | tee -a /tmp/bench.out
# best throughput (max) and best round trip (min) per mode
awk '
$1 == "#" { $0 = substr($0, 3) }
$1 == "BENCHDATA" {
	m = $2
	if ($3 > tp[m]) tp[m] = $3
	if (!(m in rt) || $4 < rt[m]) rt[m] = $4
}
END {
	printf "BENCH summary: throughput raw %.1f MB/s, ours %.1f MB/s, ratio ours/raw %.3f\n",
		tp["raw"], tp["chan"], tp["raw"] ? tp["chan"] / tp["raw"] : 0
	printf "BENCH summary: round trip raw %.1f us, ours %.1f us, ratio raw/ours %.3f\n",
		rt["raw"], rt["chan"], rt["chan"] ? rt["raw"] / rt["chan"] : 0
}' /tmp/bench.out
