# SPDX-License-Identifier: GPL-2.0-only
# gntfb-bench, guest: scan out a 1920x1080 frame and serve dom0's benchmark.
. /bh/scenario/lib.sh
bh_check "load gntfb (guest role)" gntfb_load
bh_check "serve dom0's benchmark" /bh/scenario/gntfb_guest serve
