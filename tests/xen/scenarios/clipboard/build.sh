#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST [SRC]: the clipboard test client (userspace/gui/tests/clip_test.c,
# dynamic against libxcb; the image hook copies its libraries) and the data
# the scenario copies: UTF-8 text, a PNG image, 300 KiB of text (over the
# 256 KiB default limit), and bytes that are not UTF-8.
set -euo pipefail
DEST=$1
SRC=$(cd "${2:-$(dirname "$0")}" && pwd)
top=$(cd "$SRC/../../../.." && pwd)
gcc -O2 -Wall -Werror -o "$DEST/clip_test" "$top/userspace/gui/tests/clip_test.c" -lxcb
strip "$DEST/clip_test"
printf 'Transfer to IBAN DE89 3704 0044 0532 0130 00: \xe2\x82\xac 1234,56 \xe2\x80\x94 \xc3\xa9t\xc3\xa9\n\tref "x" <ok>\n' >"$DEST/text.txt"
# A 64x48 RGB gradient, byte-identical in every image (an encoder would
# add a creation time).
python3 - "$DEST/image.png" <<'PY'
import struct, sys, zlib
w, h = 64, 48
raw = b"".join(b"\0" + b"".join(bytes((x * 4, y * 5, 255 - x * 4)) for x in range(w)) for y in range(h))
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
head -c 307200 /dev/zero | tr '\0' 'b' >"$DEST/big.txt"
printf 'bad \xc0\xaf utf-8 \xff\n' >"$DEST/bad.txt"
