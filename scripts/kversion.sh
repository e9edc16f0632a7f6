#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel ABI version of Debian's linux-headers-amd64 (e.g. 6.1.0-56-amd64).
v=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null | sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$v" ] || { echo "kversion: linux-headers-amd64 is not installed" >&2; exit 1; }
echo "$v"
