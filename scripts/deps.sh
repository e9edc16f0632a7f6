#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# deps.sh: install every Debian package Bulkhead's build, tests and demo need
# (idempotent; apt-get as root), then extract the kselftest harness headers
# from Debian's linux-source-6.1 into build/kselftest (never committed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

PKGS=(
	# build
	build-essential pkgconf cmake ninja-build clang libclang-rt-14-dev libgtest-dev googletest
	linux-headers-amd64 linux-image-amd64 kmod bc
	libssl-dev openssl libdevmapper-dev dmsetup libcryptsetup-dev cryptsetup-bin
	libkeyutils-dev keyutils e2fsprogs
	# guests and images
	qemu-system-x86 busybox-static cpio xz-utils file xxd python3
	# Xen tier
	xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils libxen-dev
	# GUI (guid, agent, their Xvfb integration test)
	libxcb1-dev libxcb-shm0-dev libxcb-composite0-dev libxcb-damage0-dev libxcb-xfixes0-dev libdrm-dev xvfb xserver-xorg-core xserver-xorg-dev
	# clipboard: the agent emulates the paste with XTest; the Xen scenario drives guid with xdotool
	libxcb-xtest0-dev xdotool
	# the desktop demo (tests/demo/desktop): X clients and fonts for the images, screenshots
	xfonts-base xkb-data x11-xkb-utils xterm x11-apps twm x11-utils x11-xserver-utils socat imagemagick
	# input (tests/xen/scenarios/input): typing into dom0, the AppVM's XInput2 test client
	xdotool libx11-dev libxi-dev libxcb-xtest0-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages (${missing[*]}); run 'make deps' as root" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Kernel ABI of the installed headers (never uname -r: the build host's
# running kernel need not be Debian's).
KV=$("$top/scripts/kversion.sh")
[ -d "/usr/src/linux-headers-$KV" ] || { echo "deps: no headers for $KV" >&2; exit 1; }

# kselftest harness: from linux-source-6.1 at the running image's version.
ks=$top/build/kselftest
if [ ! -s "$ks/kselftest_harness.h" ]; then
	cache=/var/cache/bulkhead
	mkdir -p "$cache" "$ks"
	V=$(dpkg-query -W -f='${Version}' "linux-image-$KV")
	deb=$(ls "$cache"/linux-source-6.1_*_all.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache" && { apt-get download "linux-source-6.1=$V" || apt-get download linux-source-6.1; })
		deb=$(ls "$cache"/linux-source-6.1_*_all.deb | head -n1)
	fi
	echo "deps: extracting kselftest headers from $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$ks" --strip-components=4 \
			linux-source-6.1/tools/testing/selftests/kselftest.h \
			linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	[ -s "$ks/kselftest_harness.h" ] || { echo "deps: kselftest extraction failed" >&2; exit 1; }
fi
echo "deps: ok (kernel $KV)"
