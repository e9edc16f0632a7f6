#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh DEST: the gntfb scenario's build hook, for this directory's programs.
exec "$(dirname "$0")/../../../xen/scenarios/gntfb/build.sh" "$1" "$(dirname "$0")"
