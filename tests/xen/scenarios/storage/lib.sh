# SPDX-License-Identifier: GPL-2.0-only
# storage: helpers shared by the scenario's scripts (sourced).

# stdio_links: /dev/stdin, /dev/stdout, /dev/stderr and /dev/fd, as udev or
# systemd create them. A bare devtmpfs has none of them, and Xen's hotplug
# lock (claim_lock in /etc/xen/scripts/locking.sh, taken by the stock
# `block` script) compares `stat -L /dev/stdin` (its lock fd) with the lock
# file in a `while true` loop that ends only when they match: without
# /dev/stdin, stat fails on every pass and `block add` spins until libxl's
# hotplug timeout kills it. The scenario uses block-file (see there why), but
# any script that locks like Xen's needs these links.
stdio_links() {
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
	[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
	[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
}

# xs_wait PATH [TIMEOUT_S]: bh_xs_wait polling every 0.5 s instead of 0.1 s:
# several domains wait for minutes here, and every poll is a process under
# TCG.
xs_wait() { bh_xs_wait "$1" "${2:-30}" 5; }
