# SPDX-License-Identifier: GPL-2.0-only
# smoke, guest side: XenStore round trip with dom0, grant devices present.
dom0_is_peer() { [ "$(bh_domid_of dom0)" = 0 ]; }
echo_ping() {
	local v
	v=$(bh_xs_wait data/smoke/ping 30) && xenstore-write data/smoke/pong "$v"
}
bh_check "dom0 is my peer" dom0_is_peer
bh_check "gntalloc and gntdev exist" test -c /dev/xen/gntalloc -a -c /dev/xen/gntdev
bh_check "ping from dom0 echoed" echo_ping
