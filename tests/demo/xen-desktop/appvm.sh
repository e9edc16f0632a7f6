# SPDX-License-Identifier: GPL-2.0-only
# desktop, an AppVM (work or banking): Xorg on gntfb, bulkhead-agent, and
# desk_test drawing its pattern; dom0 asks for one redraw (data/desk/step),
# then releases us (data/desk/release).
. /bh/desk-lib.sh
case $BH_NAME in
work) X=40 Y=50 SEED=1 ;;
*) X=320 Y=300 SEED=5 ;;
esac
bh_check "Xorg with the gntfb driver is up" desk_appvm_x
bh_check "the screen is gntfb's (driver GNTFB in the log)" grep -q 'GNTFB' /tmp/Xorg.0.log
desk_agent
/bh/scenario/desk_test draw $X $Y $SEED >/tmp/draw.log 2>&1 &
dpid=$!
xenstore-write data/desk/drawing 1
(sleep 30; sed 's/^/# agent: /' /tmp/agent.log | tail -n 20; xprop -root | grep -i bulk | sed 's/^/# /';
	xwininfo -root -children | sed 's/^/# /'; grep -i 'gntfb\|(EE)' /tmp/Xorg.0.log | tail -n 10 | sed 's/^/# X: /') &
bh_check "dom0 asked for a change" bh_xs_wait data/desk/step 120
kill -USR1 $dpid
bh_xs_wait data/desk/release 120 >/dev/null
bh_check "bulkhead-agent still running" kill -0 "$(cat /tmp/agent.pid)"
bh_check "desk_test still running" kill -0 $dpid
cat /tmp/draw.log
grep -E '\(EE\)' /tmp/Xorg.0.log | head -n 5
sed 's/^/# agent: /' /tmp/agent.log | tail -n 20
kill $dpid "$(cat /tmp/agent.pid)" 2>/dev/null
kill "$(cat /tmp/Xorg.pid)" 2>/dev/null
sleep 0.5
