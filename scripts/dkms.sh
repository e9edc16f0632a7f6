#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# dkms.sh: register Bulkhead's kernel modules with DKMS so they are rebuilt
# for every new kernel (installs the dkms package if missing).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
command -v dkms >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q dkms; }
SRC=/usr/src/bulkhead-$VER
rm -rf "$SRC"; install -d "$SRC"
cp -a "$TOP/dkms.conf" "$TOP/Kbuild" "$SRC/"
(cd "$TOP" && find dm-targets kernel -name '*.[ch]' -o -name Kbuild 2>/dev/null) | while read -r f; do
	install -D -m644 "$TOP/$f" "$SRC/$f"
done
dkms remove -m bulkhead -v "$VER" --all >/dev/null 2>&1 || true
dkms add -m bulkhead -v "$VER"
dkms build -m bulkhead -v "$VER"
dkms install -m bulkhead -v "$VER"
