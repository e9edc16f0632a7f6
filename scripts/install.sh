#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh: install the built modules, tools, man pages and config snippets.
#   PREFIX (default /usr/local), DESTDIR (default empty), KV (default: headers)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
KV=${KV:-$("$TOP/scripts/kversion.sh")}
moddir=$DESTDIR/lib/modules/$KV/updates/bulkhead
install -d "$moddir" "$DESTDIR$PREFIX/sbin" "$DESTDIR$PREFIX/share/man/man8"
find "$TOP/dm-targets" "$TOP/kernel" -name '*.ko' 2>/dev/null | while read -r k; do
	install -m644 "$k" "$moddir/"
	echo "installed $(basename "$k") -> $moddir"
done
for t in $(find "$TOP/build/cmake/userspace" -maxdepth 2 -type f -perm -u+x \
	! -name '*_test' ! -name '*_fuzzer' ! -path '*CMakeFiles*' 2>/dev/null); do
	install -m755 "$t" "$DESTDIR$PREFIX/sbin/"
	echo "installed $(basename "$t") -> $DESTDIR$PREFIX/sbin"
done
find "$TOP/userspace" "$TOP/xorg-drivers" "$TOP/dm-targets" -name '*.[1-8]' 2>/dev/null | while read -r m; do
	sec=${m##*.}
	install -d "$DESTDIR$PREFIX/share/man/man$sec"
	install -m644 "$m" "$DESTDIR$PREFIX/share/man/man$sec/"
done
[ -n "$DESTDIR" ] || depmod "$KV"
