#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 /init of the Xen tier: bring up the toolstack, create the scenario's
# guests, run dom0.sh, collect every domain's TAP and console log, print one
# "BH-RESULT: PASS|FAIL" line and power off (Xen enters ACPI S5, QEMU exits).
. /bh/bulkhead-test.sh
export BH_NAME=dom0 BH_DOMID=0
RESULT=PASS
fail() { echo "BH-DOM0: FAIL: $*"; RESULT=FAIL; }

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# xenconsoled allocates a pty per guest console; without devpts xl create
# fails with "Failed to create tty for domain-1" / "console tty: timed out".
mkdir -p /dev/pts
mount -t devpts -o ptmxmode=666 devpts /dev/pts
echo "BH-DOM0: init reached at uptime $(bh_ts)s"

. /bh/scenario/scenario.conf
GUESTS=${GUESTS:-1}
GUEST_MEM=${GUEST_MEM:-192}
GUEST_READY_TIMEOUT=${GUEST_READY_TIMEOUT:-60}
GUEST_DONE_TIMEOUT=${GUEST_DONE_TIMEOUT:-60}

for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
	insmod /lib/modules/xen/$m.ko || fail "insmod $m"
done
mount -t xenfs xenfs /proc/xen
mkdir -p /run/xen /run/xenstored /var/lib/xenstored /var/lib/xen /var/log/xen/console /var/lib/xen/dump
xenstored --pid-file /run/xen/xenstored.pid || fail "xenstored"
i=0
while ! xenstore-read / >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/dev/null || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled"
echo "BH-DOM0: toolstack up at uptime $(bh_ts)s"

# bh_guest_start NAME SCRIPT: create a PV guest running /bh/scenario/SCRIPT,
# its console forwarded to ours with a "[NAME] " prefix.
bh_guest_start() {
	local name=$1 script=$2 t0
	cat >/etc/xen/$name.cfg <<EOC
name = "$name"
type = "pv"
kernel = "/guest/vmlinux"
ramdisk = "/guest/domu.cpio"
extra = "console=hvc0 quiet loglevel=5 panic_on_warn=1 oops=panic panic=-1 bh.name=$name bh.script=$script ${GUEST_CMDLINE:-}"
memory = $GUEST_MEM
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "preserve"
${GUEST_CFG:-}
EOC
	t0=$(bh_ts)
	xl create /etc/xen/$name.cfg >/tmp/xl-create-$name.log 2>&1 || {
		cat /tmp/xl-create-$name.log
		return 1
	}
	bh_guest_attach "$name" "in $(awk "BEGIN{print $(bh_ts) - $t0}")s"
}

# bh_guest_attach NAME [HOW]: the harness's part of a guest that exists
# (made by bh_guest_start, or by a scenario with another tool, e.g.
# `bulkhead start`): the "created" line tests/xen/run finds guests by,
# peers' domids, its console on ours, and its verdict at the end.
bh_guest_attach() {
	local name=$1
	echo "BH-DOM0: created $name (domid $(xl domid $name)) ${2:-by the scenario}"
	# Every known domain learns every other's domid (data/bh/peer/NAME):
	# one xl list and one xenstore-write per guest (each xl call costs
	# about a second in a busy dom0 under TCG; this was N^2 of them).
	xl list | awk 'NR > 1 { n = $1; if (n == "Domain-0") n = "dom0"; print n, $2 }' >/tmp/bh-domids
	local g d p pd args
	while read -r g d; do
		[ "$g" = dom0 ] && continue
		args=
		while read -r p pd; do
			args="$args /local/domain/$d/data/bh/peer/$p $pd"
		done </tmp/bh-domids
		xenstore-write $args
	done </tmp/bh-domids
	: >/var/log/xen/console/guest-$name.log
	# Straight to the console, never to our stdout: a caller capturing
	# our output (bh_check's pipe) would otherwise wait for this reader.
	(tail -n +1 -F /var/log/xen/console/guest-$name.log 2>/dev/null | tr -d '\r' |
		while IFS= read -r l; do echo "[$name] $l"; done) </dev/null >/dev/console 2>&1 &
	echo $! >/tmp/bh-tail-$name.pid
	echo "$name" >>/tmp/bh-guests
}

# bh_guest_wait_ready NAME [TIMEOUT]: the guest's init writes data/bh/ready.
bh_guest_wait_ready() {
	local d
	d=$(xl domid "$1") || return 1
	bh_xs_wait /local/domain/$d/data/bh/ready "${2:-$GUEST_READY_TIMEOUT}" >/dev/null
}

# bh_guest_destroy NAME: xl destroy, on purpose; its TAP may stop short.
bh_guest_destroy() {
	: >/tmp/bh-destroyed-$1
	xl destroy "$1"
}

# bh_guest_state NAME: running | crashed | gone
bh_guest_state() {
	local s
	s=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
	case "$s" in
	"") echo gone ;;
	*c*) echo crashed ;;
	*) echo running ;;
	esac
}

# bh_guest_wait_done NAME [TIMEOUT]: until the guest powered off or crashed.
bh_guest_wait_done() {
	local i=0 max=$((${2:-$GUEST_DONE_TIMEOUT} * 5)) s
	while [ $i -lt $max ]; do
		s=$(bh_guest_state "$1")
		[ "$s" != running ] && echo "$s" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo timeout
	return 1
}

: >/tmp/bh-guests
for n in $(seq 1 "$GUESTS"); do
	[ -f /bh/scenario/guest$n.sh ] || fail "scenario has no guest$n.sh"
	bh_guest_start guest$n guest$n.sh || fail "xl create guest$n"
done
for n in $(seq 1 "$GUESTS"); do
	if bh_guest_wait_ready guest$n; then
		echo "BH-DOM0: guest$n ready at uptime $(bh_ts)s"
	else
		fail "guest$n never became ready"
	fi
done

# dom0.sh runs in a child shell that sees the helpers above.
echo "BH-DOM0: running dom0.sh at uptime $(bh_ts)s"
if [ -f /bh/scenario/dom0.sh ]; then
	(
		set +e
		. /bh/scenario/dom0.sh
	)
	rc=$?
	[ $rc = 0 ] || bh_not_ok "dom0.sh exit status $rc"
fi
echo "BH-DOM0: dom0.sh finished at uptime $(bh_ts)s"
bh_tap_done || fail "dom0 TAP"

# Each guest: finished (powered off after its script), TAP complete and
# clean, no oops/WARN/panic on its console, never crashed.
for g in $(cat /tmp/bh-guests); do
	st=$(bh_guest_wait_done "$g")
	log=/var/log/xen/console/guest-$g.log
	if [ "$st" = crashed ]; then
		fail "$g crashed (xl list state c)"
		xl destroy "$g"
	elif [ "$st" = timeout ]; then
		fail "$g still running after ${GUEST_DONE_TIMEOUT}s"
		xl destroy "$g"
	fi
	if grep -qE 'Kernel panic|Oops|BUG:|WARNING:|general protection|Call Trace' "$log"; then
		fail "$g: oops/WARN/panic on its console"
	fi
	if grep -qE '^not ok' "$log"; then
		fail "$g: failed TAP test(s)"
	fi
	if [ ! -e /tmp/bh-destroyed-$g ]; then
		grep -qE '^1\.\.[0-9]+' "$log" || fail "$g: no TAP plan (guest script did not finish)"
		grep -q 'BH-GUEST: done rc=0' "$log" || fail "$g: guest script did not finish with rc=0"
	fi
done
sleep 0.5
for f in /tmp/bh-tail-*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
if dmesg | grep -qE 'Oops|BUG:|WARNING:|general protection|Call Trace'; then
	fail "dom0 kernel: oops/WARN"
	dmesg | tail -n 50
fi
echo "BH-DOM0: all done at uptime $(bh_ts)s"
echo "BH-RESULT: $RESULT"
poweroff -f
