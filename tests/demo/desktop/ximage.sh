#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ximage.sh ROLE ROOT: put an X desktop into a Xen-tier image root (the
# scenario image hook of the desktop, input and clipboard scenarios, the
# desktop and input benchmarks, and `make demo`).
#   domu: Xorg + the gntfb video and gntinput input drivers
#         (build/cmake/xorg-modules) and their conf (gntinput's two devices
#         are the core pointer and keyboard), gntfb.ko's DRM core modules,
#         xterm, xclock, fonts, xkb.
#   dom0: Xorg (modesetting, dummy) + bochs and its DRM helpers, Xvfb, twm,
#         xterm, xwd, xprop, xdotool, setxkbmap, xset, fonts, xkb, the
#         C.UTF-8 locale (xdotool types non-ASCII text only in one).
# Every binary comes with its ldd libraries; scenario programs in
# ROOT/bh/scenario get theirs too.
set -euo pipefail
ROLE=$1
R=$2
top=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
KV=${KV:-$("$top/scripts/kversion.sh")}

libs() {
	local b l
	for b in "$@"; do
		ldd "$b" 2>/dev/null | grep -oE '/[^ ]+' | while read -r l; do
			[ -e "$R$l" ] && continue
			mkdir -p "$R$(dirname "$l")"
			cp -L "$l" "$R$l"
		done
	done
}
bins() {
	local b
	for b in "$@"; do
		mkdir -p "$R$(dirname "$b")"
		cp -L "$b" "$R$b"
		libs "$b"
	done
}

bins /usr/lib/xorg/Xorg /usr/bin/xkbcomp /usr/bin/xterm /usr/bin/xclock /usr/bin/xsetroot /usr/bin/xprop /usr/bin/xdpyinfo
mkdir -p "$R/usr/lib/xorg/modules/drivers" "$R/usr/share/X11" "$R/usr/share/fonts/X11" "$R/var/lib/xkb" "$R/etc/X11"
cp -a /usr/share/X11/xkb "$R/usr/share/X11/"
cp -a /usr/share/X11/app-defaults "$R/usr/share/X11/" 2>/dev/null || true
cp -a /usr/share/X11/locale "$R/usr/share/X11/" 2>/dev/null || true
cp -a /usr/share/fonts/X11/misc "$R/usr/share/fonts/X11/"
# xterm and xclock want a usable /etc/passwd user and a locale: the C one.
mkdir -p "$R/modules"
if [ "$ROLE" = domu ]; then
	for d in drivers/gntfb_drv.so input/gntinput_drv.so; do
		[ -f "$top/build/cmake/xorg-modules/$d" ] ||
			{ echo "ximage.sh: build/cmake/xorg-modules/$d not built (make userspace)" >&2; exit 1; }
		mkdir -p "$R/usr/lib/xorg/modules/$(dirname "$d")"
		cp "$top/build/cmake/xorg-modules/$d" "$R/usr/lib/xorg/modules/$d"
		libs "$R/usr/lib/xorg/modules/$d"
	done
	for m in drm drm_kms_helper; do cp "$(modinfo -k "$KV" -n "$m")" "$R/modules/"; done
else
	bins /usr/bin/Xvfb /usr/bin/twm /usr/bin/xwd /usr/bin/xdotool /usr/bin/setxkbmap /usr/bin/xset
	mkdir -p "$R/usr/lib/locale"
	cp -a /usr/lib/locale/C.utf8 "$R/usr/lib/locale/"
	cp /usr/lib/xorg/modules/drivers/modesetting_drv.so /usr/lib/xorg/modules/drivers/dummy_drv.so \
		"$R/usr/lib/xorg/modules/drivers/"
	cp /usr/lib/xorg/modules/libshadow.so "$R/usr/lib/xorg/modules/"
	libs "$R"/usr/lib/xorg/modules/drivers/*.so
	mkdir -p "$R/etc/X11/twm"
	cp /etc/X11/twm/system.twmrc "$R/etc/X11/twm/"
	# twm places windows interactively by default (a click for each):
	# honour the positions guid gives its frames instead.
	{ printf 'UsePPosition "on"\nRandomPlacement\n'; cat /etc/X11/twm/system.twmrc; } >"$R/etc/X11/twm/demo.twmrc"
	for m in drm drm_kms_helper ttm drm_ttm_helper drm_vram_helper bochs; do
		cp "$(modinfo -k "$KV" -n "$m")" "$R/modules/"
	done
fi
# unpack .ko.xz if Debian ships them compressed (busybox insmod cannot)
for k in "$R"/modules/*.ko.xz; do [ -e "$k" ] && xz -d "$k"; done
# scenario programs: their libraries
for b in "$R"/bh/scenario/*; do
	[ -f "$b" ] && [ -x "$b" ] && file "$b" | grep -q 'ELF.*dynamic' && libs "$b"
done
bins /usr/bin/xwininfo
# X configurations and the shell helpers of both scenarios
here=$(dirname "$(readlink -f "$0")")
cp "$here"/xorg-*.conf "$R/etc/X11/"
cat "$top/xorg-drivers/gntfb/conf/20-gntfb.conf" >>"$R/etc/X11/xorg-appvm.conf"
grep -v '^#' "$top/xorg-drivers/gntinput/conf/30-gntinput.conf" >>"$R/etc/X11/xorg-appvm.conf"
cp "$here/desk-lib.sh" "$R/bh/desk-lib.sh"
mkdir -p "$R/var/log"
exit 0
