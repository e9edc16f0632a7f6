# SPDX-License-Identifier: GPL-2.0-only
# interdomain, guest3: started after guest1's destruction; connects fine.
bh_check "message channel with dom0 after guest1's destruction: 8 MiB each way" \
	bulkhead-xentest chan-serve --peer 0 --path data/chan-next --bytes 8388608
