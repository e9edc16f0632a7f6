# SPDX-License-Identifier: GPL-2.0-only
# interdomain, guest2: a hostile neighbour of guest1. Every attempt must fail.
g1=$(bh_domid_of guest1)
# dom0 hands us the ring refs of guest1's live "victim" channel (granted to
# dom0 only): in a real attack they would be guessed, they are small numbers.
bh_check "cannot map guest1's grant refs (granted to dom0), ro or rw" \
	bulkhead-xentest attack-grants --victim "$g1" --refs-key data/bh/stolen-refs
bh_check "cannot read or write guest1's XenStore nodes" \
	bulkhead-xentest attack-xenstore --victim "$g1" --key data/chan-victim
bh_check "cannot connect to guest1's message channel" \
	bulkhead-xentest attack-vchan --victim "$g1" --path /local/domain/"$g1"/data/chan-victim
xenstore-write data/bh/attacks-done 1
# Stay up until dom0 has seen attacks-done (our XenStore directory goes
# away with us).
bh_xs_wait data/bh/release 300 >/dev/null
