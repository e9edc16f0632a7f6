#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop, shared with the live desktop launcher
# (tests/demo/desktop/ximage.sh).
exec "$(dirname "$(readlink -f "$0")")/../../../demo/desktop/ximage.sh" "$@"
