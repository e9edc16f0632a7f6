#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (tests/demo/desktop/ximage.sh), plus
# xdotool in dom0 (it types the shortcuts on guid's windows).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
"$here/../../../demo/desktop/ximage.sh" "$@"
[ "$1" = dom0 ] || exit 0
R=$2
for b in /usr/bin/xdotool; do
	cp -L "$b" "$R$b"
	ldd "$b" | grep -oE '/[^ ]+' | while read -r l; do
		[ -e "$R$l" ] && continue
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
done
