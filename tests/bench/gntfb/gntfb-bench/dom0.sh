# SPDX-License-Identifier: GPL-2.0-only
# gntfb-bench, dom0: frame cost and damage latency (BENCH lines).
. /bh/scenario/lib.sh
T=$GNTFB_BIN/gntfb_dom0
bh_check "load gntfb (importer)" gntfb_load
g=$(bh_domid_of guest1)
[ -n "$g" ] || exit 1
bh_xs_wait /local/domain/$g/data/gntfb/version 30 >/dev/null
xenstore-write /local/domain/$g/data/gntfb/modes "1920x1080"
bh_check "guest scanned out 1920x1080" bh_xs_wait /local/domain/$g/data/gntfb-test/buf 60
$T bench $g | tee /tmp/bench.log
bh_check "frame cost measured" grep -q 'BENCH ratios' /tmp/bench.log
bh_check "damage latency, dom0 sleeping on the event channel (500 round trips)" $T latency $g 500
bh_check "damage latency, dom0 busy-polling the ring (500 round trips)" $T latency $g 500 spin
$T exit $g
