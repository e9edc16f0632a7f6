#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (tests/demo/desktop/ximage.sh).
exec "$(dirname "$(readlink -f "$0")")/../desktop/ximage.sh" "$@"
