#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (tests/demo/desktop/ximage.sh: the
# AppVMs' Xorg on gntfb + gntinput; xdotool in dom0).
exec "$(dirname "$(readlink -f "$0")")/../../../demo/desktop/ximage.sh" "$@"
