#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Smoke suite: the guest environment the other suites rely on.
n=0 fail=0
t() { n=$((n + 1)); if eval "$2" >/tmp/out 2>&1; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' /tmp/out; fail=1; fi; }
echo "TAP version 13"
t "stock dm modules load" "modprobe dm-mod && modprobe dm-verity && modprobe loop"
t "dmsetup talks to the kernel" "dmsetup version"
t "veritysetup runs" "veritysetup --version"
t "our modules are known to modprobe" "grep -q dm-blocksig.ko /lib/modules/*/modules.dep"
t "panic_on_warn is set" "[ \$(cat /proc/sys/kernel/panic_on_warn) = 1 ]"
echo "1..$n"
exit $fail
