#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (tests/demo/desktop/ximage.sh: the
# AppVMs' Xorg has gntinput as its core pointer and keyboard; dom0 has
# xdotool, setxkbmap, xset and a UTF-8 locale).
exec "$(dirname "$(readlink -f "$0")")/../../../demo/desktop/ximage.sh" "$@"
