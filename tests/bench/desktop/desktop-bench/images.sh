#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop of make demo (tests/demo/desktop/ximage.sh)
# and, in dom0, this benchmark's Xorg dummy configuration.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
"$here/../../../demo/desktop/ximage.sh" "$@"
[ "$1" = dom0 ] && cp "$here/xorg-bench-dom0.conf" "$2/etc/X11/"
exit 0
