#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh: install the built kernel modules, then everything CMake knows
# how to install (tools, Xorg driver, xorg.conf.d snippet, man pages, init
# scripts and units).
#   PREFIX (default /usr/local), DESTDIR (default empty), KV (default: headers)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
KV=${KV:-$("$TOP/scripts/kversion.sh")}
moddir=$DESTDIR/lib/modules/$KV/updates/bulkhead
install -d "$moddir"
find "$TOP/dm-targets" "$TOP/kernel" -name '*.ko' 2>/dev/null | while read -r k; do
	install -m644 "$k" "$moddir/"
	echo "installed $(basename "$k") -> $moddir"
done
DESTDIR=$DESTDIR cmake --install "$TOP/build/cmake" --prefix "$PREFIX"
[ -n "$DESTDIR" ] || depmod "$KV"
