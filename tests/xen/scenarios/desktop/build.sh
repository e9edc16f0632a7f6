#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST [SRC]: compile desk_test (dynamic, against libxcb; the image
# hook copies its libraries).
set -euo pipefail
DEST=$1
SRC=$(cd "${2:-$(dirname "$0")}" && pwd)
top=$(cd "$(dirname "$(readlink -f "$0")")/../../../.." && pwd)
gcc -O2 -Wall -Wextra -Werror -I "$top" -o "$DEST/desk_test" "$SRC/desk_test.c" -lxcb
strip "$DEST/desk_test"
