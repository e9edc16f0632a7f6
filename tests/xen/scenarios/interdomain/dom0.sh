# SPDX-License-Identifier: GPL-2.0-only
# interdomain, dom0: the mapping side of every test, and the referee.
g1=$(bh_domid_of guest1)
g2=$(bh_domid_of guest2)
p1=/local/domain/$g1/data

for k in grant1 grant16 grant4096 grantro; do
	bh_check "map guest1's $k, check every page, see live writes, write back, unmap, no leak" \
		bulkhead-xentest grant-map --domid "$g1" --key $k
done

bh_check "message channel: 64 MiB each way with guest1, every byte checked" \
	bulkhead-xentest chan-connect --domid "$g1" --path $p1/chan-main --bytes 67108864

hand_refs_to_guest2() {
	local refs
	refs=$(bh_xs_wait $p1/chan-victim/ring-ref 60) &&
		xenstore-write /local/domain/"$g2"/data/bh/stolen-refs "$refs"
}
bh_check "guest1's victim channel is up; its ring ref handed to guest2" hand_refs_to_guest2
guest2_done() {
	bh_xs_wait /local/domain/"$g2"/data/bh/attacks-done 300 &&
		xenstore-write /local/domain/"$g2"/data/bh/release 1
}
bh_check "guest2 finished its attacks" guest2_done
bh_check "guest1's victim channel still serves dom0: 1 MiB each way" \
	bulkhead-xentest chan-connect --domid "$g1" --path $p1/chan-victim --bytes 1048576

: >/tmp/bh-destroyed-guest1
bh_check "guest1 destroyed mid-transfer: error, no hang, gntdev mappings back to before" \
	bulkhead-xentest chan-connect --domid "$g1" --path $p1/chan-doomed \
	--kill-after 8388608 --kill-cmd "xl destroy guest1 >/tmp/xl-destroy.log 2>&1 &"
guest1_fully_gone() {
	local i=0
	while [ $i -lt 100 ]; do
		# A dying domain whose pages are still mapped stays listed
		# (as "(null)"): gone means dom0 released every grant.
		if [ "$(xl list | awk 'NR > 1 && $2 == '"$g1"'')" = "" ]; then
			xl list
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	xl list
	return 1
}
bh_check "guest1 fully released by Xen (no zombie held by a leaked mapping)" guest1_fully_gone

start_guest3() { bh_guest_start guest3 guest3.sh && bh_guest_wait_ready guest3; }
bh_check "a new guest starts after the destruction" start_guest3
g3=$(bh_domid_of guest3)
bh_check "the new guest connects: 8 MiB each way" \
	bulkhead-xentest chan-connect --domid "$g3" --path /local/domain/"$g3"/data/chan-next --bytes 8388608
