# SPDX-License-Identifier: GPL-2.0-only
# bulkhead-test.sh: helpers for Xen-tier scenario scripts, sourced in every
# domain before dom0.sh / guestN.sh run.
#
# TAP: every check prints one "ok N - desc" / "not ok N - desc" line on the
# domain's console; bh_tap_done prints the plan. The harness collects the TAP
# of each domain and fails the scenario on any "not ok", a missing plan, an
# oops/WARN/panic, or a crashed domain.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin:/opt/bulkhead/bin
BH_TAP_COUNT=/tmp/bh-tap-count
BH_TAP_FAILS=/tmp/bh-tap-fails

bh_ts() { cut -d' ' -f1 /proc/uptime; }
bh_log() { echo "# [$(bh_ts)] $*"; }

_bh_tap() {
	local n
	n=$(($(cat $BH_TAP_COUNT 2>/dev/null || echo 0) + 1))
	echo $n >$BH_TAP_COUNT
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo $(($(cat $BH_TAP_FAILS 2>/dev/null || echo 0) + 1)) >$BH_TAP_FAILS
	fi
}
bh_ok() { _bh_tap ok "$*"; }
bh_not_ok() { _bh_tap fail "$*"; }

# bh_check DESC CMD...: one test point from a command's exit status; the
# command's output is kept on the console as TAP comments (and in
# /tmp/bh-last-check.log, its status in /tmp/bh-check-rc).
bh_check() {
	local desc=$1 rc t0
	shift
	t0=$(bh_ts)
	{
		"$@"
		echo $? >/tmp/bh-check-rc
	} 2>&1 | sed 's/^/# /' | tee /tmp/bh-last-check.log
	rc=$(cat /tmp/bh-check-rc)
	if [ "$rc" = 0 ]; then
		bh_ok "$desc ($(awk "BEGIN{printf \"%.2f\", $(bh_ts) - $t0}")s)"
	else
		bh_not_ok "$desc (rc=$rc)"
	fi
	return "$rc"
}

# bh_tap_done: print the plan; returns non-zero if any test failed.
bh_tap_done() {
	local n f
	n=$(cat $BH_TAP_COUNT 2>/dev/null || echo 0)
	f=$(cat $BH_TAP_FAILS 2>/dev/null || echo 0)
	echo "1..$n"
	[ "$f" = 0 ] && [ "$n" -gt 0 ]
}

# bh_arg NAME DEFAULT: a bh.NAME=value word of the kernel command line.
bh_arg() {
	local v
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^bh\.$1=//p" | tail -n1)
	echo "${v:-$2}"
}

# bh_xs_wait PATH [TIMEOUT_S [POLL_TENTHS]]: wait for a XenStore node, print
# its value; polls every POLL_TENTHS tenths of a second (1).
bh_xs_wait() {
	local i=0 p=${3:-1}
	local max=$((${2:-30} * 10 / p))
	while [ $i -lt $max ]; do
		xenstore-read "$1" 2>/dev/null && return 0
		sleep $((p / 10)).$((p % 10))
		i=$((i + 1))
	done
	echo "bh_xs_wait: timeout waiting for $1" >&2
	return 1
}

# bh_domid_of NAME: domid of another domain. dom0 asks xl; a guest reads
# data/bh/peer/NAME, which dom0 writes after creating each guest.
bh_domid_of() {
	if [ "$BH_NAME" = dom0 ]; then
		[ "$1" = dom0 ] && echo 0 && return 0
		xl domid "$1"
	else
		[ "$1" = dom0 ] && echo 0 && return 0
		bh_xs_wait "data/bh/peer/$1" "${2:-30}"
	fi
}
