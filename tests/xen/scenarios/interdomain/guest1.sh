# SPDX-License-Identifier: GPL-2.0-only
# interdomain, guest1: the granting side of every grant and channel test.
limit=/sys/module/xen_gntalloc/parameters/limit
# gntalloc's default limit (1024 grants for the whole guest) is below the
# 4096-page case.
echo 8192 >$limit

for n in 1 16 4096; do
	bh_check "share $n page(s) with dom0; dom0 sees our live writes, we see its write-back" \
		bulkhead-xentest grant-share --peer 0 --pages $n --key grant$n
done
bh_check "share 4 pages read-only: dom0 reads them, cannot map them writable" \
	bulkhead-xentest grant-share --peer 0 --pages 4 --ro --key grantro
bh_check "share past our own cap (65 > 64 pages): clean error, nothing left shared" \
	bulkhead-xentest grant-over-limit --peer 0 --pages 65 --cap 64
over_gntalloc_limit() {
	local rc
	echo 1000 >$limit
	bulkhead-xentest grant-over-limit --peer 0 --pages 1001
	rc=$?
	echo 8192 >$limit
	return $rc
}
bh_check "share past gntalloc's limit (1001 > 1000 grants): clean error" over_gntalloc_limit

bh_check "message channel: 64 MiB each way with dom0, every byte checked" \
	bulkhead-xentest chan-serve --peer 0 --path data/chan-main --bytes 67108864
bh_check "victim channel: guest2's attacks did not disturb it, dom0 still gets 1 MiB each way" \
	bulkhead-xentest chan-serve --peer 0 --path data/chan-victim --bytes 1048576
# dom0 destroys this guest in the middle of the next transfer.
bulkhead-xentest chan-serve --peer 0 --path data/chan-doomed --forever
bh_not_ok "still running after dom0's xl destroy"
