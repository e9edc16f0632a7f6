# SPDX-License-Identifier: GPL-2.0-only
# desktop, dom0: Xvfb as dom0's screen, two AppVMs each shown by its own
# bulkhead-guid, and every pixel of their windows checked on dom0's root.
. /bh/desk-lib.sh
T=/bh/scenario/desk_test
bh_check "load gntfb (importer)" desk_gntfb import_max_pages=16384
mkdir -p /tmp/.X11-unix
Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset -fp /usr/share/fonts/X11/misc >/tmp/Xvfb.log 2>&1 &
xpid=$!
bh_check "dom0's X server (Xvfb 1024x768x24)" desk_wait_x 0 $xpid 60
export DISPLAY=:0
bh_guest_start work appvm.sh || exit 1
bh_guest_start banking appvm.sh || exit 1
w=$(bh_domid_of work)
b=$(bh_domid_of banking)
bulkhead-guid --vm work --label blue --domid "$w" --vchan --verbose >/tmp/guid-work.log 2>&1 &
gw=$!
bulkhead-guid --vm banking --label green --domid "$b" --vchan --verbose >/tmp/guid-banking.log 2>&1 &
gb=$!
bh_xs_wait /local/domain/$w/data/desk/drawing 150 >/dev/null
bh_xs_wait /local/domain/$b/data/desk/drawing 150 >/dev/null
bh_check "work: its pattern, exactly, in a blue (#3465a4) frame titled [work] pattern" \
	$T check work 3465a4 1 60
if [ "$(cat /tmp/bh-check-rc)" != 0 ]; then
	xwininfo -root -children | sed 's/^/# /'
	sed 's/^/# guid-work: /' /tmp/guid-work.log | tail -n 20
	ls /local 2>/dev/null; xenstore-ls /local/domain/$w/data | sed 's/^/# xs: /' | head -n 30
fi
bh_check "banking, at the same time: its own pattern in a green (#73d216) frame titled [banking]" \
	$T check banking 73d216 5 30
bh_check "work's window still exact while banking is shown" $T check work 3465a4 1 5
xenstore-write /local/domain/$w/data/desk/step 2
bh_check "work redraws (pattern 2): dom0's window shows the change, every pixel" \
	$T check work 3465a4 2 30
bh_check "banking unchanged by work's redraw" $T check banking 73d216 5 5
bh_check "both bulkhead-guid processes still running" kill -0 $gw $gb
xwininfo -root -children | grep '\[' | sed 's/^/# /'
xenstore-write /local/domain/$w/data/desk/release 1
xenstore-write /local/domain/$b/data/desk/release 1
for g in work banking; do bh_guest_wait_done $g 60 >/dev/null; done
sleep 1
sed 's/^/# guid-work: /' /tmp/guid-work.log | tail -n 15
sed 's/^/# guid-banking: /' /tmp/guid-banking.log | tail -n 15
kill $gw $gb $xpid 2>/dev/null
wait $gw $gb $xpid 2>/dev/null
true
