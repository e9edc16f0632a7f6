#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST SRC: the benchmark's X client, against the host's libxcb
# (ximage.sh copies its libraries into the image).
set -euo pipefail
gcc -O2 -Wall -Wextra -Werror -o "$1/deskclient" "$2/deskclient.c" -lxcb -lxcb-shm
