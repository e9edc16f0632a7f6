#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop of the desktop demo
# (tests/demo/desktop/ximage.sh), plus for input:
#   domu: the gntinput Xorg driver, and the AppVM's X configuration with it
#         as the core pointer and keyboard;
#   dom0: xdotool, setxkbmap and xset.
set -euo pipefail
ROLE=$1
R=$2
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../../../.." && pwd)
"$top/tests/demo/desktop/ximage.sh" "$ROLE" "$R"

copy() {
	local b l
	for b in "$@"; do
		mkdir -p "$R$(dirname "$b")"
		cp -L "$b" "$R$b"
		ldd "$b" 2>/dev/null | grep -oE '/[^ ]+' | while read -r l; do
			[ -e "$R$l" ] && continue
			mkdir -p "$R$(dirname "$l")"
			cp -L "$l" "$R$l"
		done
	done
}

if [ "$ROLE" = domu ]; then
	drv=$top/build/cmake/xorg-modules/input/gntinput_drv.so
	[ -f "$drv" ] || { echo "images.sh: $drv not built (make userspace)" >&2; exit 1; }
	mkdir -p "$R/usr/lib/xorg/modules/input"
	cp "$drv" "$R/usr/lib/xorg/modules/input/"
	ldd "$drv" | grep -oE '/[^ ]+' | while read -r l; do
		[ -e "$R$l" ] || { mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; }
	done
	# The AppVM's X configuration: gntinput's two devices are the core
	# pointer and keyboard.
	conf=$R/etc/X11/xorg-appvm.conf
	sed -i 's/^    Screen "gntfb"$/    Screen "gntfb"\n    InputDevice "gntinput" "CorePointer"\n    InputDevice "gntinput-keyboard" "CoreKeyboard"/' "$conf"
	grep -q 'InputDevice "gntinput"' "$conf" || { echo "images.sh: no ServerLayout in $conf" >&2; exit 1; }
	grep -v '^#' "$top/xorg-drivers/gntinput/conf/30-gntinput.conf" >>"$conf"
else
	copy /usr/bin/xdotool /usr/bin/setxkbmap /usr/bin/xset
	# xdotool types non-ASCII text only in a UTF-8 locale
	mkdir -p "$R/usr/lib/locale"
	cp -a /usr/lib/locale/C.utf8 "$R/usr/lib/locale/"
fi
exit 0
