# SPDX-License-Identifier: GPL-2.0-only
# Desktop helpers for the Xen tier's desktop scenario and `make demo`
# (installed as /bh/desk-lib.sh by tests/demo/desktop/ximage.sh).
export PATH=/opt/bulkhead/bin:$PATH HOME=/root

# desk_mod NAME...: insmod our copies of stock modules (in /modules), once
desk_mod() {
	local m
	for m in "$@"; do
		lsmod | grep -q "^$m " && continue
		insmod "/modules/$m.ko" || return 1
	done
}

# desk_gntfb [PARAM=VALUE...]: gntfb.ko (guest role in a domU, importer in dom0)
desk_gntfb() {
	desk_mod drm drm_kms_helper || return 1
	lsmod | grep -q "^gntfb " && return 0
	insmod "$(find /lib/modules -name gntfb.ko | head -n1)" "$@"
}

desk_devpts() {
	grep -q ' /dev/pts ' /proc/mounts && return 0
	mkdir -p /dev/pts
	mount -t devpts -o ptmxmode=666 devpts /dev/pts
}

# desk_wait_x DISPLAYNUM PID [TIMEOUT_S]: until the server accepts clients
desk_wait_x() {
	local i=0 max=$((${3:-60} * 5))
	while [ $i -lt $max ]; do
		kill -0 "$2" 2>/dev/null || return 1
		[ -S /tmp/.X11-unix/X$1 ] && DISPLAY=:$1 xdpyinfo >/dev/null 2>&1 && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# desk_appvm_x: the AppVM's Xorg on :0 with the gntfb driver
desk_appvm_x() {
	desk_devpts
	desk_gntfb || { echo "desk: gntfb.ko failed to load"; return 1; }
	[ -c /dev/dri/card0 ] || { echo "desk: no /dev/dri/card0"; return 1; }
	mkdir -p /tmp/.X11-unix
	/usr/lib/xorg/Xorg :0 -config /etc/X11/xorg-appvm.conf -noreset -nolisten tcp \
		-logfile /tmp/Xorg.0.log -seat seat1 >/tmp/Xorg.out 2>&1 &
	echo $! >/tmp/Xorg.pid
	if ! desk_wait_x 0 $! 60; then
		echo "desk: the AppVM's Xorg did not come up"
		grep -E '\(EE\)|\(WW\) GNTFB' /tmp/Xorg.0.log
		tail -n 5 /tmp/Xorg.out
		return 1
	fi
	export DISPLAY=:0
}

# desk_agent: bulkhead-agent over vchan, in the background
desk_agent() {
	bulkhead-agent --vchan --display :0 >/tmp/agent.log 2>&1 &
	echo $! >/tmp/agent.pid
}

# desk_has_window TITLE_PREFIX: a dom0 top-level whose name starts so
desk_has_window() {
	xwininfo -root -tree 2>/dev/null | grep -qF "\"$1"
}

# wait_for TIMEOUT_S CMD...: until CMD succeeds (0) or TIMEOUT_S passed (1);
# prints CMD's last output
wait_for() {
	local end
	end=$(($(cut -d. -f1 /proc/uptime) + $1))
	shift
	while ! "$@" >/tmp/wait-for.out 2>&1; do
		[ "$(cut -d. -f1 /proc/uptime)" -ge $end ] && { cat /tmp/wait-for.out; return 1; }
		sleep 0.2
	done
	cat /tmp/wait-for.out
}
