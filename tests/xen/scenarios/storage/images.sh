#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# images.sh ROLE ROOT: called by tests/xen/lib/build.sh (on the host) for
# ROLE domu|dom0 before ROOT is packed. Adds what the storage scenario needs
# beyond the harness image:
#   both   stock modules (block front/back, loop, dm-crypt + xts, dm-snapshot,
#          ext4) with modules.dep; util-linux losetup (the storage domain
#          attaches the pool files with it) and flock; block-file serves
#          the AppVMs' disks and dom0's pool disk; bash and
#          Xen's hotplug scripts, to try /etc/xen/scripts/block by hand
#   domu   xl (for `xl devd` in the storage domain); the base-image
#          certificate at /etc/bulkhead/base-signing.crt and the image id
#          the AppVMs pin (base-image-id)
#   dom0   the signed base image (base.img + base.meta) in /guest/storage;
#          e2fsprogs' mkfs.ext4 (bulkhead-storage create's default)
# The base is signed here, on the host, standing in for dom0's offline
# signing step (RSA signing 2048 blocks under TCG would cost a minute); its
# private key never enters any image.
set -euo pipefail
ROLE=$1
ROOT=$2
top=$(cd "$(dirname "$0")/../../../.." && pwd)
KV=${KV:-$("$top/scripts/kversion.sh")}
XB=/usr/lib/xen-4.17/bin
cache=$(dirname "$ROOT")/storage-assets
mkdir -p "$cache"

copy_with_libs() {
	local b l
	for b in "$@"; do
		mkdir -p "$ROOT$(dirname "$b")"
		cp -L "$b" "$ROOT$b"
		ldd "$b" 2>/dev/null | grep -oE '/[^ ]+' | while read -r l; do
			mkdir -p "$ROOT$(dirname "$l")"
			cp -Ln "$l" "$ROOT$l"
		done
	done
}

# --- the signed base, once per build dir
if [ ! -s "$cache/base.meta" ] || [ ! -s "$cache/image-id" ]; then
	bs=$top/build/cmake/userspace/blocksig/blocksig
	[ -x "$bs" ] || { echo "images.sh: $bs not built" >&2; exit 1; }
	rm -rf "$cache/root"
	mkdir -p "$cache/root"/{bin,etc,usr/share,rw,proc,sys,dev,tmp}
	cp /bin/busybox "$cache/root/bin/busybox"
	ln -s busybox "$cache/root/bin/sh"
	ln -s busybox "$cache/root/bin/cat"
	echo "signed base image" >"$cache/root/etc/motd"
	head -c 262144 /dev/urandom >"$cache/root/usr/share/blob"
	sha256sum "$cache/root/usr/share/blob" | cut -d' ' -f1 >"$cache/blob.sha"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$cache/sign.pem" -out "$cache/sign.crt" \
		-subj "/CN=bulkhead storage scenario base" -days 30 2>/dev/null
	rm -f "$cache/base.img"
	mke2fs -q -t ext4 -b 4096 -L base -d "$cache/root" "$cache/base.img" 8M
	"$bs" format "$cache/base.img" "$cache/base.meta" --key "$cache/sign.pem" --image-version 5 |
		sed -n 's/^image id: *//p' >"$cache/image-id"
fi

# --- modules, in their usual place, with modules.dep for busybox modprobe
for m in xen-privcmd xenfs xen-blkfront xen-blkback loop brd dm-mod dm-bufio dm-crypt dm-snapshot xts ecb ext4; do
	modprobe -S "$KV" --show-depends "$m" | awk '$1 == "insmod" { print $2 }' | while read -r k; do
		install -D -m644 "$k" "$ROOT$k"
	done
done
cp /lib/modules/$KV/modules.builtin /lib/modules/$KV/modules.builtin.modinfo \
	/lib/modules/$KV/modules.order "$ROOT/lib/modules/$KV/"
depmod -b "$ROOT" "$KV"

# --- what the hotplug scripts run (losetup, flock; bash for Xen's block)
copy_with_libs /usr/bin/bash /usr/sbin/losetup /usr/bin/flock
ln -sf /usr/bin/bash "$ROOT/bin/bash"
ln -sf /usr/sbin/losetup "$ROOT/sbin/losetup" # before busybox's in the scripts' PATH
mkdir -p "$ROOT/etc/xen"
cp -a /etc/xen/scripts "$ROOT/etc/xen/"
cp -a /etc/xen/xl.conf "$ROOT/etc/xen/"
mkdir -p "$ROOT/var/run/xen" "$ROOT/var/lib/xen" "$ROOT/var/log/xen"

case $ROLE in
domu)
	copy_with_libs $XB/xl /usr/sbin/dmsetup
	cp -Ln /lib/x86_64-linux-gnu/libgcc_s.so.1 "$ROOT/lib/x86_64-linux-gnu/"
	install -D -m644 "$cache/sign.crt" "$ROOT/etc/bulkhead/base-signing.crt"
	cp "$cache/blob.sha" "$ROOT/etc/bulkhead/base-blob.sha"
	cp "$cache/image-id" "$ROOT/etc/bulkhead/base-image-id"
	;;
dom0)
	# e2fsprogs' mkfs.ext4 (busybox's mke2fs makes ext2 only: a private
	# volume without a journal loses synced metadata, see storage.rst)
	copy_with_libs /sbin/mke2fs
	cp /etc/mke2fs.conf "$ROOT/etc/"
	ln -sf mke2fs "$ROOT/sbin/mkfs.ext4"
	mkdir -p "$ROOT/guest/storage"
	cp "$cache/base.img" "$cache/base.meta" "$cache/blob.sha" "$ROOT/guest/storage/"
	;;
esac
