# SPDX-License-Identifier: GPL-2.0-only
# smoke, dom0 side: the toolstack works and the guest wrote its readiness.
g=$(bh_domid_of guest1)
listed() { xl list | grep -q '^guest1 '; }
ping_guest() {
	xenstore-write /local/domain/$g/data/smoke/ping hello &&
		[ "$(bh_xs_wait /local/domain/$g/data/smoke/pong 30)" = hello ]
}
bh_check "xl list shows guest1" listed
bh_check "guest1 is ready in XenStore" xenstore-read /local/domain/$g/data/bh/ready
bh_check "guest1 answers a XenStore ping" ping_guest
