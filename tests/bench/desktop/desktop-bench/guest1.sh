# SPDX-License-Identifier: GPL-2.0-only
# desktop-bench, the AppVM: Xorg on gntfb, bulkhead-agent logging every
# acked frame, and deskclient for each phase dom0 starts (data/bench/next:
# "ID KIND SECONDS INTERVAL_MS"; done-ID when finished). Per phase it prints
# what dom0 showed, from the agent's frame log over the client's measured
# interval.
. /bh/desk-lib.sh

# summary R CLIENT_LINE: BENCH appvm line of round R
summary() {
	local r=$1 line=$2 t0 t1
	t0=$(echo "$line" | sed -n 's/.* start_ns=\([0-9]*\).*/\1/p')
	t1=$(echo "$line" | sed -n 's/.* end_ns=\([0-9]*\).*/\1/p')
	awk -v t0="$t0" -v t1="$t1" '$1 >= t0 && $1 <= t1' /tmp/frames.log >/tmp/win.log
	pct() {	# COLUMN: median and p99 of a column of win.log, in us
		awk -v c="$1" '{print $c}' /tmp/win.log | sort -n |
			awk '{a[NR] = $1} END {p = int(NR * 0.99) + 1; if (p > NR) p = NR;
				printf "%.0f %.0f", a[int(NR / 2) + 1] / 1e3, a[p] / 1e3}'
	}
	set -- $(pct 6) $(pct 7)
	awk -v t0="$t0" -v t1="$t1" -v rm="$1" -v rp="$2" -v dm="$3" -v dp="$4" -v r="$r" '
		NR == 1 {tx0 = $8; rx0 = $9}
		{n++; px += $5; rc += $4; tx = $8; rx = $9}
		END {
			if (n < 2) { print "BENCH appvm round=" r " shown_frames=" n; exit 1 }
			printf "BENCH appvm round=%s shown_frames=%d shown_fps=%.2f rtt_median_us=%s rtt_p99_us=%s dom0_median_us=%s dom0_p99_us=%s channel_bytes_per_frame=%.1f tx_per_frame=%.1f rx_per_frame=%.1f rects_per_frame=%.2f pixels_per_frame=%.0f\n",
				r, n, n / ((t1 - t0) / 1e9), rm, rp, dm, dp,
				(tx - tx0 + rx - rx0) / (n - 1), (tx - tx0) / (n - 1),
				(rx - rx0) / (n - 1), rc / n, px / n
		}' /tmp/win.log
}

xs_get() { xenstore-read "/local/domain/$BH_DOMID/data/bench/$1" 2>/dev/null; }

desk_appvm_x
bh_check "AppVM X server on gntfb" test -n "$DISPLAY"
bulkhead-agent --vchan --display :0 --fps 240 --frame-log /tmp/frames.log >/tmp/agent.log 2>&1 &
APID=$!
bh_check "bulkhead-agent running" kill -0 $APID
last=
while :; do
	set -- $(xs_get next)
	if [ $# = 4 ] && [ "$1" != "$last" ]; then
		id=$1 kind=$2 secs=$3 interval=$4
		n0=$(wc -l </tmp/frames.log)
		line=$(/bh/scenario/deskclient "$secs" 40 40 "$interval")
		echo "$line" | sed "s/^BENCH client /BENCH appvm-client round=$id kind=$kind /"
		sleep 1
		n1=$(wc -l </tmp/frames.log)
		echo "BENCH appvm-phase round=$id kind=$kind phase_frames=$((n1 - n0))"
		bh_check "$id ($kind): dom0 acked the AppVM's frames" summary "$id kind=$kind" "$line"
		xenstore-write /local/domain/$BH_DOMID/data/bench/done-$id 1
		last=$id
	elif [ -n "$(xs_get quit)" ]; then
		break
	else
		sleep 0.2
	fi
done
bh_check "bulkhead-agent still running" kill -0 $APID
tail -n 5 /tmp/agent.log
