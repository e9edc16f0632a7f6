#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST [SRC]: bench_dom0 (xcb, XTest) and the scenario's input_client.
set -euo pipefail
DEST=$1
SRC=$(cd "${2:-$(dirname "$0")}" && pwd)
top=$(cd "$SRC/../../../.." && pwd)
gcc -O2 -Wall -Werror -o "$DEST/bench_dom0" "$SRC/bench_dom0.c" -lxcb -lxcb-xtest
"$top/tests/xen/scenarios/input/build.sh" "$DEST" "$top/tests/xen/scenarios/input"
cp "$top/tests/xen/scenarios/input/strings.sh" "$DEST/"
