#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host test of gntinput_drv.so on a real, headless Xorg (the gntfb video
# driver on its memfd backend) with Option "Backend" "file": a file stands in
# for the granted page and a FIFO for the event channel (no Xen).
# Usage: xorg_test.sh MODULE_DIR SEND CLIENT
#   MODULE_DIR  holds input/gntinput_drv.so and drivers/gntfb_drv.so
#   SEND        gntinput_host_send (the producer)
#   CLIENT      input_client (tests/input_client.c, also the Xen scenario's)
# Checks: keys with Shift, a click at a position, dom0's layout applied
# (de: z and y swap, Shift still works), and back to us.
# Exit 0 pass, 1 fail, 77 skip (Xorg cannot run here; a failure when $CI is set).
set -u
moddir=$1 send=$2 client=$3
XORG=${XORG:-/usr/lib/xorg/Xorg}

skip() {
	echo "SKIP: xorg_gntinput_host_test: $*" >&2
	if [ -n "${CI:-}" ]; then
		echo "FAIL: \$CI is set, nothing may skip" >&2
		exit 1
	fi
	exit 77
}
[ -x "$XORG" ] || skip "$XORG not found (apt-get install xserver-xorg-core)"
for f in input/gntinput_drv.so drivers/gntfb_drv.so; do
	[ -f "$moddir/$f" ] || { echo "FAIL: no $moddir/$f" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gntinput-xorg.XXXXXX")
xpid= cpid=
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	if [ -n "$xpid" ]; then
		kill -TERM "$xpid" 2>/dev/null
		for _ in $(seq 500); do kill -0 "$xpid" 2>/dev/null || break; sleep 0.01; done
		kill -KILL "$xpid" 2>/dev/null
		wait "$xpid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

head -c 4096 /dev/zero >"$tmp/page"
mkfifo "$tmp/fifo"
cat >"$tmp/xorg.conf" <<CONF
Section "ServerFlags"
    Option "AutoAddDevices" "false"
    Option "AutoEnableDevices" "false"
    Option "AutoAddGPU" "false"
    Option "AutoBindGPU" "false"
    Option "DontVTSwitch" "true"
    Option "DontZap" "true"
EndSection
Section "Module"
    Disable "glx"
EndSection
Section "Device"
    Identifier "gntfb"
    Driver "gntfb"
    Option "Backend" "memfd"
EndSection
Section "Screen"
    Identifier "screen"
    Device "gntfb"
    DefaultDepth 24
EndSection
Section "InputDevice"
    Identifier "gntinput"
    Driver "gntinput"
    Option "Backend" "file"
    Option "RingFile" "$tmp/page"
    Option "NotifyFifo" "$tmp/fifo"
EndSection
Section "InputDevice"
    Identifier "gntinput-keyboard"
    Driver "gntinput"
    Option "Role" "keyboard"
EndSection
Section "ServerLayout"
    Identifier "layout"
    Screen "screen"
    InputDevice "gntinput" "CorePointer"
    InputDevice "gntinput-keyboard" "CoreKeyboard"
EndSection
CONF

: >"$tmp/display"
timeout -k 5 -s TERM 100 "$XORG" -config "$tmp/xorg.conf" -logfile "$tmp/Xorg.log" \
	-modulepath "$moddir,/usr/lib/xorg/modules" -noreset -nolisten tcp -seat seat1 \
	-displayfd 9 9>"$tmp/display" >"$tmp/Xorg.out" 2>&1 &
xpid=$!
for _ in $(seq 200); do
	[ -s "$tmp/display" ] && break
	kill -0 "$xpid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -s "$tmp/display" ]; then
	grep -E '\(EE\)' "$tmp/Xorg.log" >&2
	tail -n 5 "$tmp/Xorg.out" >&2
	echo "FAIL: Xorg did not start" >&2
	exit 1
fi
export DISPLAY=:$(cat "$tmp/display")
fails=0
check() { # check DESC CMD...
	local desc=$1
	shift
	if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fails=$((fails + 1)); fi
}

: >"$tmp/typed"
"$client" window 40 50 200 100 "$tmp/typed" >"$tmp/events.log" 2>&1 &
cpid=$!
for _ in $(seq 100); do grep -q '^M mapped' "$tmp/events.log" && break; sleep 0.1; done
grep -q 'gntinput: ring page granted' "$tmp/Xorg.log" || { echo "FAIL: no ring" >&2; exit 1; }

typed() { # typed WANT EVENT...: the events type exactly WANT
	local want=$1
	shift
	: >"$tmp/typed"
	"$send" "$tmp/page" "$tmp/fifo" "$@" || return 1
	for _ in $(seq 100); do [ "$(cat "$tmp/typed")" = "$want" ] && return 0; sleep 0.05; done
	echo "  want '$want', got '$(cat "$tmp/typed")'" >&2
	return 1
}
hi_z="k50+ k43+ k50- k43- k31+ k31- k50+ k10+ k50- k10- k52+ k52-"
ok_typed() { typed "$@"; }
echo "1..5"
check "Shift+h, i, Shift+1, z: 'Hi!z'" ok_typed 'Hi!z' $hi_z
clicked() {
	"$send" "$tmp/page" "$tmp/fifo" m90,80 b1+ b1- || return 1
	for _ in $(seq 100); do grep -q '^B r 1 50 30 90 80$' "$tmp/events.log" && return 0; sleep 0.05; done
	grep '^B' "$tmp/events.log" >&2
	return 1
}
check "a click at screen (90,80) lands at window (50,30)" clicked
applied() { grep 'XKB layout .* applied' "$tmp/Xorg.log" | tail -n 1 | grep -q "/$1/"; }
check "layout de: 'Hi!y' (Shift still works, z is y)" ok_typed 'Hi!y' Lde $hi_z
check "the log says de was applied" applied de
check "back to us: 'Hi!z'" ok_typed 'Hi!z' Lus $hi_z
[ $fails = 0 ] || { grep -E '\(EE\)|gntinput' "$tmp/Xorg.log" >&2; exit 1; }
exit 0
