#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# demo-storage.sh (`make demo-storage`): the storage protection end to end.
# On the host (dom0's role): build an ext4 image holding a file and sign it
# per block with `blocksig format`. In a QEMU guest running Debian's kernel
# with our dm-blocksig module: open it, mount it, read the file, then flip
# one byte of the image underneath, as a hostile storage domain would, and
# show the read being refused. Transcript: build/demo/storage/demo.log.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
D=$TOP/build/demo/storage
BLOCKSIG=$TOP/build/cmake/userspace/blocksig/blocksig
rm -rf "$D"; mkdir -p "$D/guest"
cp "$TOP/tests/demo/storage/demo-guest.sh" "$D/guest/"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "dom0: signing key and certificate (RSA-2048; in production sealed in the TPM)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/signing.pem" -out "$D/guest/signing.crt" \
	-subj "/CN=Bulkhead demo base image signing key" -days 30 2>/dev/null
say "dom0: an ext4 base image holding /etc/motd"
mkdir -p "$D/root/etc"
echo "Hello from the signed base image. Every block of this file system is signed." > "$D/root/etc/motd"
mke2fs -q -t ext4 -b 4096 -O ^has_journal -d "$D/root" "$D/guest/base.img" 8M
# where the file's bytes sit in the image: the block the storage domain will alter
grep -boa 'Hello from the signed' "$D/guest/base.img" | head -n1 | cut -d: -f1 > "$D/guest/offset"
say "dom0: blocksig format base.img base.meta --key signing.pem --image-version 7"
"$BLOCKSIG" format "$D/guest/base.img" "$D/guest/base.meta" --key "$D/signing.pem" --image-version 7
say "booting Debian's kernel under QEMU with dm-blocksig (this takes a few seconds)"
"$TOP/tests/vm/run" "$D/guest/demo-guest.sh" 2>&1 | tr -d '\r' | sed -n '/=== guest up/,$p' | tee "$D/demo.log"
rc=${PIPESTATUS[0]}
echo
if [ "$rc" = 0 ]; then
	echo "demo: OK: the signed image was readable, and the tampered block was refused (transcript: build/demo/storage/demo.log)"
else
	echo "demo: FAILED (rc=$rc); transcript: build/demo/storage/demo.log"
	exit 1
fi
