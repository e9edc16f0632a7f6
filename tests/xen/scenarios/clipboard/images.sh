#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (tests/demo/desktop/ximage.sh), plus
# xdotool in dom0 (it types the shortcuts on guid's windows) and Xvfb in the
# AppVMs (their X server here: see scenario.conf).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
"$here/../../../demo/desktop/ximage.sh" "$@"
R=$2
if [ "$1" = dom0 ]; then extra=/usr/bin/xdotool; else extra=/usr/bin/Xvfb; fi
for b in $extra; do
	cp -L "$b" "$R$b"
	ldd "$b" | grep -oE '/[^ ]+' | while read -r l; do
		[ -e "$R$l" ] && continue
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
done
