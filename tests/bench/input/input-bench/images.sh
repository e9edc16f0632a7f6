#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: the images of the input scenario.
top=$(cd "$(dirname "$(readlink -f "$0")")/../../../.." && pwd)
exec "$top/tests/xen/scenarios/input/images.sh" "$@"
