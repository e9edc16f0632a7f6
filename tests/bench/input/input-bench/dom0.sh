# SPDX-License-Identifier: GPL-2.0-only
# input-bench, dom0: Xvfb, one AppVM shown by bulkhead-guid; then, in the
# same run: the local XTest round trip in dom0, the round trip into the
# AppVM (key -> ring -> AppVM client -> title -> agent -> guid -> dom0),
# and a burst's events per second.
. /bh/desk-lib.sh
B=/bh/scenario/bench_dom0
bh_check "load gntfb (importer)" desk_gntfb import_max_pages=16384
mkdir -p /tmp/.X11-unix
Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset -fp /usr/share/fonts/X11/misc >/tmp/Xvfb.log 2>&1 &
xpid=$!
bh_check "dom0's X server" desk_wait_x 0 $xpid 60
export DISPLAY=:0
xset r off
bh_guest_start bench appvm.sh || exit 1
d=$(bh_domid_of bench)
bulkhead-guid --vm bench --label blue --domid "$d" --vchan --verbose >/tmp/guid.log 2>&1 &
gp=$!
bh_xs_wait /local/domain/$d/data/bench/ready 240 >/dev/null
i=0
while [ $i -lt 300 ]; do
	f=$(xdotool search --name '^\[bench\] n=0$' 2>/dev/null | head -n1)
	[ -n "$f" ] && grep -q 'input ring connected' /tmp/guid.log && break
	sleep 0.2
	i=$((i + 1))
done
bh_check "the AppVM's echo window is shown, its input ring mapped" test -n "$f"
if [ -z "$f" ]; then
	xwininfo -root -tree | sed 's/^/# /' | head -n 20
	tail -n 20 /tmp/guid.log | sed 's/^/# guid: /'
fi
sleep 2
bh_check "local XTest round trip in dom0 (200)" $B local 200
bh_check "key into the AppVM and its title back (200)" $B remote "$f" 200
bh_check "burst of 2000 taps into the AppVM" $B burst "$f" 2000
xenstore-write /local/domain/$d/data/bench/release 1
bh_guest_wait_done bench 60 >/dev/null
kill $gp $xpid 2>/dev/null
true
