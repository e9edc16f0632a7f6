# SPDX-License-Identifier: GPL-2.0-only
# `make demo`, an AppVM: Xorg on the gntfb driver, bulkhead-agent, and the
# command of its definition (XenStore bulkhead/run, written by `bulkhead start`).
. /bh/desk-lib.sh
desk_appvm_x || { echo "BH-DEMO: $BH_NAME: no X server"; sleep 5; exit 1; }
# the agent, its exit and log on the console (the demo's serial log)
(bulkhead-agent --vchan --display :0 --verbose >/tmp/agent.log 2>&1
	echo "BH-DEMO: $BH_NAME: bulkhead-agent exited with status $?:"
	tail -n 20 /tmp/agent.log) &
run=$(xenstore-read /local/domain/$BH_DOMID/bulkhead/run 2>/dev/null)
echo "BH-DEMO: $BH_NAME: X up, agent started, running: ${run:-nothing}"
[ -n "$run" ] && (cd /root && exec sh -c "$run") >/tmp/run.log 2>&1 &
# what the agent made of it so far, and the driver's buffer property
(sleep 12
	echo "BH-DEMO: $BH_NAME: agent log:"; tail -n 15 /tmp/agent.log
	grep -E 'GNTFB|gntfb' /tmp/Xorg.0.log | tail -n 5
	for w in $(xwininfo -root -children | sed -n 's/^ *\(0x[0-9a-f]*\) .*/\1/p'); do
		echo "$w: $(xprop -id $w _BULKHEAD_GNTFB_BUFFER WM_NAME | tr '\n' ' ')"
	done) &
while :; do
	sleep 3600
done
