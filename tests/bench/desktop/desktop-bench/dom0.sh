# SPDX-License-Identifier: GPL-2.0-only
# desktop-bench, dom0: an X server (Xorg dummy, or Xvfb) and bulkhead-guid for guest1; per round, the
# local reference (deskclient on dom0's X server) then the AppVM's
# (guest1 runs deskclient), each continuous then paced (one frame every
# BENCH_PACED_MS), with the dom0 CPU each took (BENCH lines).
. /bh/desk-lib.sh
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }	# user + system, 1/100 s

desk_devpts
bh_check "gntfb importer" desk_gntfb import_max_pages=65536
mkdir -p /tmp/.X11-unix
if [ "$BENCH_DOM0_X" = xvfb ]; then
	Xvfb :0 -screen 0 2048x1200x24 -nolisten tcp >/tmp/X.out 2>&1 &
else
	/usr/lib/xorg/Xorg :0 -config /etc/X11/xorg-bench-dom0.conf -noreset -nolisten tcp \
		-logfile /tmp/Xorg.0.log vt1 -novtswitch >/tmp/X.out 2>&1 &
fi
XPID=$!
bh_check "dom0 X server ($BENCH_DOM0_X, 2048x1200x24)" desk_wait_x 0 $XPID 180 || exit 1
export DISPLAY=:0
g=$(bh_domid_of guest1)
[ -n "$g" ] || exit 1
bulkhead-guid --vm bench --label blue --domid "$g" --vchan --display :0 --verbose \
	>/tmp/guid.log 2>&1 &
GPID=$!
echo "BENCH config seconds=$BENCH_SECONDS rounds=$BENCH_ROUNDS size=1920x1080 dom0=$BENCH_DOM0_X agent_fps_limit=240 paced_ms=$BENCH_PACED_MS"
# phase ID KIND INTERVAL_MS: the local client, then the AppVM's
phase() {
	local id=$1 kind=$2 interval=$3 line xa xb ga gb
	xa=$(ticks $XPID)
	line=$(/bh/scenario/deskclient "$BENCH_SECONDS" 40 40 "$interval")
	xb=$(ticks $XPID)
	echo "$line" | sed "s/^BENCH client /BENCH local round=$id kind=$kind /;s/\$/ xserver_ticks=$((xb - xa))/"
	bh_check "$id ($kind): local client ran" test -n "$line"

	xa=$(ticks $XPID)
	ga=$(ticks $GPID)
	xenstore-write /local/domain/$g/data/bench/next "$id $kind $BENCH_SECONDS $interval"
	bh_check "$id ($kind): AppVM client ran" bh_xs_wait /local/domain/$g/data/bench/done-$id \
		$((BENCH_SECONDS * 8 + 120))
	xb=$(ticks $XPID)
	gb=$(ticks $GPID)
	echo "BENCH appvm-dom0 round=$id kind=$kind xserver_ticks=$((xb - xa)) guid_ticks=$((gb - ga))"
}
for r in $(seq 1 "$BENCH_ROUNDS"); do
	phase $r-c continuous 0
	phase $r-p paced "$BENCH_PACED_MS"
done
xenstore-write /local/domain/$g/data/bench/quit 1
bh_check "bulkhead-guid still serving" kill -0 $GPID
tail -n 5 /tmp/guid.log
dmesg | grep -i gntfb | tail -n 5
