# SPDX-License-Identifier: GPL-2.0-only
# gntfb, guest1: the guest tier, then the guest half of dom0's tests (dom0
# destroys this guest at the end, on purpose).
. /bh/scenario/lib.sh
bh_check "load gntfb (guest role, granting to dom0)" gntfb_load
bh_check "a DRM device appeared" test -c /dev/dri/card0
# dom0 writes the mode list once; the kselftest changes and restores it
bh_check "dom0 wrote the mode list" bh_xs_wait data/gntfb/modes 30
bh_check "guest tier: gntfb_kms_test (kselftest)" $GNTFB_BIN/gntfb_kms_test
xenstore-write data/gntfb-test/kms-rc "$(cat /tmp/bh-check-rc)"
bh_check "serve dom0's tests" $GNTFB_BIN/gntfb_guest serve
