# SPDX-License-Identifier: GPL-2.0-only
# input, dom0: Xvfb as dom0's screen, two AppVMs (work, banking) each shown
# by its own bulkhead-guid, which writes its gntinput ring. dom0 types and
# clicks with xdotool (XTest) into work's window; the AppVMs check what they
# received (their TAP), dom0 only drives.
. /bh/desk-lib.sh
. /bh/scenario/strings.sh
bh_check "load gntfb (importer)" desk_gntfb import_max_pages=16384
mkdir -p /tmp/.X11-unix
Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset -fp /usr/share/fonts/X11/misc >/tmp/Xvfb.log 2>&1 &
xpid=$!
bh_check "dom0's X server (Xvfb 1024x768x24)" desk_wait_x 0 $xpid 60
export DISPLAY=:0 LC_ALL=C.UTF-8 # xdotool types UTF-8 text only in a UTF-8 locale
# dom0's own key repeat off: a press and its release may be seconds apart
# under TCG, and a repeated key would be typed twice (into any window).
xset r off
bh_guest_start work appvm.sh || exit 1
bh_guest_start banking appvm.sh || exit 1
w=$(bh_domid_of work)
b=$(bh_domid_of banking)
bulkhead-guid --vm work --label blue --domid "$w" --vchan --verbose >/tmp/guid-work.log 2>&1 &
gw=$!
bulkhead-guid --vm banking --label green --domid "$b" --vchan --verbose >/tmp/guid-banking.log 2>&1 &
gb=$!

seq=0
# ask DOMID COMMAND...: the AppVM runs COMMAND (appvm.sh), we wait for its ack
ask() {
	local d=$1 i=0
	shift
	seq=$((seq + 1))
	xenstore-write /local/domain/$d/data/input/cmd "$seq $*"
	while [ "$(xenstore-read /local/domain/$d/data/input/ack 2>/dev/null)" != "$seq" ]; do
		sleep 0.2
		i=$((i + 1))
		if [ $i -gt 1500 ]; then
			echo "# no answer from domain $d to: $*"
			return 1
		fi
	done
}
frame_of() { xdotool search --name "^\[$1\] input-test\$" 2>/dev/null | head -n1; }
ring_up() { grep -q 'input ring connected' /tmp/guid-$1.log; }

bh_xs_wait /local/domain/$w/data/input/ready 240 >/dev/null
bh_xs_wait /local/domain/$b/data/input/ready 240 >/dev/null
bh_check "guid work mapped work's input ring" wait_for 60 ring_up work
bh_check "guid banking mapped banking's input ring" wait_for 60 ring_up banking
wait_for 60 sh -c "xdotool search --name '^\[work\] input-test\$' >/dev/null"
wait_for 60 sh -c "xdotool search --name '^\[banking\] input-test\$' >/dev/null"
wf=$(frame_of work)
bf=$(frame_of banking)
bh_check "both AppVM windows are shown in dom0 (work $wf, banking $bf)" test -n "$wf" -a -n "$bf"
if [ -z "$wf" ] || [ -z "$bf" ]; then
	xwininfo -root -tree | sed 's/^/# /'
	tail -n 20 /tmp/guid-work.log /tmp/guid-banking.log | sed 's/^/# /'
fi

# work gets the focus and the pointer (it jumps there: no crossing of banking).
xdotool mousemove $((WORK_X + 60)) $((WORK_Y + 50))
xdotool windowfocus --sync "$wf"
sleep 1
ask "$b" raw-mark

ask "$w" reset
xdotool type --delay 30 "$S_US"
ask "$w" typed S_US

ask "$w" reset
xdotool mousemove $((WORK_X + 10)) $((WORK_Y + 20)) click 1
xdotool mousemove $((WORK_X + 200)) $((WORK_Y + 150)) click 3
xdotool mousemove $((WORK_X + 319)) $((WORK_Y + 199)) click 2
xdotool mousemove $((WORK_X + 160)) $((WORK_Y + 100)) click 5
ask "$w" clicks

setxkbmap de
ask "$w" layout de
ask "$w" reset
xdotool type --delay 30 "$S_DE"
ask "$w" typed S_DE
setxkbmap us
ask "$w" layout us

ask "$w" reset
xdotool type --delay 0 "$S_BURST"
ask "$w" typed S_BURST
ask "$w" balanced 5000

ask "$w" reset
ask "$w" stop
xdotool type --delay 0 "$S_FULL"
ask "$w" cont
ask "$w" typed S_FULL
ask "$w" none-down

ask "$b" raw-none
ask "$b" empty
bh_check "guid work kept its ring (no protocol error)" kill -0 $gw

# Focus moves to banking while Shift and a are held in work.
ask "$w" reset
ask "$b" reset
xdotool keydown shift keydown a
ask "$w" down 38 50
xdotool windowfocus --sync "$bf"
xdotool keyup a keyup shift
ask "$w" none-down
ask "$b" none-down
xdotool type --delay 30 "$S_BANK"
ask "$b" typed S_BANK
ask "$w" typed S_A

bh_check "both bulkhead-guid processes still running" kill -0 $gw $gb
ask "$w" done
ask "$b" done
for g in work banking; do bh_guest_wait_done $g 60 >/dev/null; done
sleep 1
sed 's/^/# guid-work: /' /tmp/guid-work.log | tail -n 15
sed 's/^/# guid-banking: /' /tmp/guid-banking.log | tail -n 15
kill $gw $gb $xpid 2>/dev/null
wait $gw $gb $xpid 2>/dev/null
true
