# SPDX-License-Identifier: GPL-2.0-only
# input-bench, the AppVM: Xorg on gntfb + gntinput, bulkhead-agent, and the
# echo client (its title counts key presses), until dom0 releases us.
. /bh/desk-lib.sh
bh_check "Xorg with gntfb and gntinput is up" desk_appvm_x
export DISPLAY=:0
desk_agent
/bh/scenario/input_client echo 40 50 200 100 >/tmp/echo.log 2>&1 &
epid=$!
xenstore-write data/bench/ready 1
bh_xs_wait data/bench/release 500 >/dev/null
sed 's/^/# echo: /' /tmp/echo.log
tail -n 5 /tmp/agent.log | sed 's/^/# agent: /'
kill $epid "$(cat /tmp/agent.pid)" 2>/dev/null
true
