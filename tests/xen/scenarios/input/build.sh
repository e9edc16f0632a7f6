#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST [SRC]: compile input_client
# (xorg-drivers/gntinput/tests/input_client.c; dynamic, against Xlib and
# libXi; the image hook copies its libraries).
set -euo pipefail
DEST=$1
SRC=$(cd "${2:-$(dirname "$0")}" && pwd)
top=$(cd "$SRC/../../../.." && pwd)
gcc -O2 -Wall -Werror -o "$DEST/input_client" "$top/xorg-drivers/gntinput/tests/input_client.c" -lX11 -lXi
strip "$DEST/input_client"
