# SPDX-License-Identifier: GPL-2.0-only
# gntfb, dom0: import guest buffers and check every promise of the importer.
. /bh/scenario/lib.sh
T=$GNTFB_BIN/gntfb_dom0

# the guest's buffer appears once its kselftest ran and it set a mode
wait_buf() { bh_xs_wait /local/domain/$1/data/gntfb-test/buf 90 >/dev/null; }
set_modes() { xenstore-write /local/domain/$1/data/gntfb/modes "1920x1080 1280x720 1024x768"; }

bh_check "load gntfb (importer, 4096-page budget per guest)" gntfb_load import_max_pages=4096
bh_check "/dev/gntfb-import exists, root only" \
	sh -c '[ -c /dev/gntfb-import ] && ls -l /dev/gntfb-import | grep -q "^crw-------"'
g1=$(bh_domid_of guest1)
[ -n "$g1" ] || exit 1
bh_check "guest1 published its ring" bh_xs_wait /local/domain/$g1/data/gntfb/version 30
set_modes $g1
bh_check "guest1 scanned out a 1920x1080 buffer (mode list from dom0)" wait_buf $g1
bh_check "guest tier passed in guest1" \
	test "$(bh_xs_wait /local/domain/$g1/data/gntfb-test/kms-rc 5)" = 0
bh_check "import: guest pixels read in place, by two processes" $T import $g1
bh_check "live: guest's later change seen with no message" $T live $g1
bh_check "ring: 40 damage events arrive in order" $T ring $g1 40
bh_check "stalled consumer: guest never blocks, RESYNC after restart" $T overflow $g1
bh_check "evicted pixmap stays granted until dom0 unmaps it, then ends" $T retire $g1
bh_check "hostile imports fail cleanly" $T hostile $g1
bh_check "per-guest page budget" $T budget $g1
bh_check "no import or grant mapping left" $T stats

# a GUI daemon killed while it maps a buffer: exit unmaps every grant
rm -f /tmp/hold.ready
$T hold $g1 40 >/tmp/kill.log 2>&1 &
hp=$!
i=0
while [ ! -e /tmp/hold.ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $hp
wait $hp 2>/dev/null
bh_check "holder killed with SIGKILL: no import or grant mapping left" $T stats
bh_check "the guest's buffer imports again after that" $T import $g1 poked

# guest death while a dom0 process holds its buffer mapped
rm -f /tmp/hold.ready /tmp/hold.sigbus
$T hold $g1 40 >/tmp/hold.log 2>&1 &
hp=$!
i=0
while [ ! -e /tmp/hold.ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
bh_guest_destroy guest1
got_sigbus() {
	local i=0
	while [ ! -e /tmp/hold.sigbus ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e /tmp/hold.sigbus ]
}
bh_check "guest1 destroyed: the holder gets SIGBUS, not frozen pixels" got_sigbus
no_zombie() {
	local i=0
	while [ $i -lt 50 ]; do
		[ "$(xl list | awk 'NR > 1' | grep -vc '^Domain-0 ')" = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	xl list
	return 1
}
bh_check "no zombie domain while the holder still has the VMA" no_zombie
wait $hp
hrc=$?
sed 's/^/# /' /tmp/hold.log
bh_check "holder exited cleanly (rc $hrc)" test $hrc = 0
bh_check "no import or grant mapping left after the death" $T stats

# a new guest works
# not under bh_check: the console forwarder it starts would hold its pipe
if bh_guest_start guest2 guest2.sh && bh_guest_wait_ready guest2; then
	bh_ok "guest2 created and ready"
else
	bh_not_ok "guest2 created and ready"
fi
g2=$(bh_domid_of guest2)
[ -n "$g2" ] || exit 1
bh_xs_wait /local/domain/$g2/data/gntfb/version 30 >/dev/null
set_modes $g2
bh_check "guest2 scanned out its buffer" wait_buf $g2
bh_check "guest2: import works" $T import $g2
bh_check "guest2: damage ring works" $T ring $g2 8
$T exit $g2
bh_check "no import or grant mapping left at the end" $T stats
bh_check "rmmod gntfb" rmmod gntfb
