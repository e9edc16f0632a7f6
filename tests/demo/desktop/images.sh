#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the X desktop (ximage.sh beside this file).
exec "$(dirname "$(readlink -f "$0")")/ximage.sh" "$@"
