#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init of the Xen tier: load the grant/event-channel drivers, announce
# readiness in XenStore, run /bh/scenario/$bh.script, print its TAP plan and
# power off (on_poweroff = "destroy").
. /bh/bulkhead-test.sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for m in xen-evtchn xen-gntalloc xen-gntdev; do
	insmod /lib/modules/xen/$m.ko || echo "BH-GUEST: insmod $m failed"
done
BH_NAME=$(bh_arg name guest)
BH_DOMID=$(xenstore-read domid)
export BH_NAME BH_DOMID
echo "BH-GUEST: $BH_NAME (domid $BH_DOMID) up at uptime $(bh_ts)s"
xenstore-write data/bh/ready 1
script=$(bh_arg script "$BH_NAME.sh")
(
	set +e
	. "/bh/scenario/$script"
)
rc=$?
[ $rc = 0 ] || bh_not_ok "$script exit status $rc"
bh_tap_done
rc=$?
echo "BH-GUEST: done rc=$rc at uptime $(bh_ts)s"
poweroff -f
