# SPDX-License-Identifier: GPL-2.0-only
# xen-vchan benchmark, guest side: the vchan servers (they send the bulk).
B=${BENCH_BYTES:-16777216}
for round in 1 2 3 4 5; do
	for mode in raw chan nowatch; do
		bh_check "serve $mode round $round" bulkhead-xentest bench-serve --mode $([ $mode = raw ] && echo raw || echo chan) --peer 0 \
			--path data/bench-$mode-$round --bytes $B --rounds 500
	done
done
bh_check "share 1024 pages for the map/unmap benchmark" \
	bulkhead-xentest grant-share --peer 0 --pages 1024 --key bench
