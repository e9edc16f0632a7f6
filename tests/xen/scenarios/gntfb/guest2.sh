# SPDX-License-Identifier: GPL-2.0-only
# gntfb, guest2: a new guest after guest1 was destroyed under dom0's mapping.
. /bh/scenario/lib.sh
bh_check "load gntfb (guest role)" gntfb_load
bh_check "serve dom0's tests" $GNTFB_BIN/gntfb_guest serve
