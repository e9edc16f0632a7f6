#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST [SRC]: the scenario's build hook. Compiles every *.c of SRC
# (default: this directory) statically into DEST (the scenario directory of
# a domain image): kselftest harness, libdrm, libxen*. Copies the stock DRM
# core modules gntfb.ko needs into DEST/modules (Debian builds them =m).
set -euo pipefail
DEST=$1
SRC=$(cd "${2:-$(dirname "$0")}" && pwd)
top=$(cd "$(dirname "$0")/../../../.." && pwd)
KV=${KV:-$("$top/scripts/kversion.sh")}
kself=$top/build/kselftest
[ -f "$kself/kselftest_harness.h" ] || { echo "build.sh: no $kself/kselftest_harness.h (make deps)" >&2; exit 1; }
mkdir -p "$DEST/modules"
for c in "$SRC"/*.c; do
	[ -e "$c" ] || continue
	# glibc warns that static getpwnam etc. need shared libs at run time:
	# libxentoolcore's unused paths; nothing here calls them.
	gcc -static -O2 -Wall -Werror \
		-I "$kself" $(pkg-config --cflags libdrm) -o "$DEST/$(basename "${c%.c}")" "$c" \
		-ldrm -lxenvchan -lxenstore -lxengnttab -lxenevtchn -lxentoollog -lxentoolcore -lpthread \
		2> >(grep -v 'statically linked applications requires at runtime\|in function' >&2)
	strip "$DEST/$(basename "${c%.c}")"
done
for m in drm drm_kms_helper; do
	cp "$(modinfo -k "$KV" -n "$m")" "$DEST/modules/"
done
