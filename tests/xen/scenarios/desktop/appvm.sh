# SPDX-License-Identifier: GPL-2.0-only
# desktop, an AppVM (work or banking): Xorg on the gntfb driver,
# bulkhead-agent (restarted whenever it exits, as an init system would), and
# a command loop: dom0 writes data/desk/cmd/N, we run it and answer
# data/desk/res/N = "STATUS OUTPUT", until "release".
. /bh/desk-lib.sh
export DISPLAY=:0
T=/bh/scenario/desk_test
bh_check "Xorg with the gntfb driver is up" desk_appvm_x
bh_check "the screen is gntfb's" grep -q 'GNTFB' /tmp/Xorg.0.log
(
	g=0
	while [ ! -e /tmp/stop ]; do
		# the old agent's vchan nodes go first: dom0 connects to the new one
		xenstore-rm data/bulkhead-gui 2>/dev/null
		g=$((g + 1))
		xenstore-write data/desk/agent-gen $g
		bulkhead-agent --vchan --display :0 >>/tmp/agent.log 2>&1
		echo "agent generation $g exited with status $?" >>/tmp/agent.log
		sleep 0.5
	done
) &

desk_cmd() {
	local name cmd
	case $1 in
	draw) # draw NAME X Y SEED [WxH]
		rm -f /tmp/win-$2
		$T draw "$2" "$3" "$4" "$5" $6 >/tmp/draw-$2.log 2>&1 &
		echo $! >/tmp/draw-$2.pid
		i=0
		while [ ! -s /tmp/win-$2 ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
		cat /tmp/draw-$2.log
		[ -s /tmp/win-$2 ] ;;
	redraw) kill -USR1 "$(cat /tmp/draw-$2.pid)" ;;
	close) kill "$(cat /tmp/draw-$2.pid)" ;;
	op | resizes) # op NAME OP ARGS... / resizes NAME N W H
		cmd=$1
		name=$2
		shift 2
		$T "$cmd" "$(cat /tmp/win-$name)" "$@" ;;
	gstats) $T gstats && echo "max_free_bufs=$(cat /sys/module/gntfb/parameters/max_free_bufs)" ;;
	kill-agent) kill -9 "$(pidof bulkhead-agent)" ;;
	release) echo released ;;
	*) echo "unknown command $1"; return 2 ;;
	esac
}

n=1
while :; do
	i=0
	while ! c=$(xenstore-read data/desk/cmd/$n 2>/dev/null); do
		sleep 0.2
		i=$((i + 1))
		[ $i -ge 6000 ] && break 2
	done
	# shellcheck disable=SC2086
	out=$(desk_cmd $c 2>&1)
	rc=$?
	xenstore-write data/desk/res/$n "$rc $(echo "$out" | tail -c 1500 | tr '\n' ' ')"
	[ "$c" = release ] && break
	n=$((n + 1))
done
bh_check "dom0 released us (command $n)" test "$c" = release
: >/tmp/stop
kill $(pidof desk_test) 2>/dev/null
kill "$(pidof bulkhead-agent)" 2>/dev/null
echo "# agent log:"
tail -n 15 /tmp/agent.log | sed 's/^/# /'
kill "$(cat /tmp/Xorg.pid)" 2>/dev/null
sleep 1
