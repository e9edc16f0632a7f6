#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh OUT SCENARIO_DIR: build the Xen-tier images for one run from the
# installed Debian packages (nothing downloaded, nothing prebuilt committed).
#
# Outputs in OUT:
#   xen          Xen 4.17 as ELF32, loaded by QEMU's multiboot1 loader (-kernel)
#   vmlinux      the Debian kernel, uncompressed, for the PV domUs
#   domu.cpio    guest initramfs: busybox, xenstore, guest modules, our tools, scenario
#   dom0.cpio    dom0 initramfs: the above plus xl, xenstored, xenconsoled, the guest image
# Images are plain (uncompressed) cpio: gunzip under TCG costs seconds, a copy
# of the same bytes does not.
set -euo pipefail

OUT=$1
SCEN=$2
top=$(cd "$(dirname "$0")/../../.." && pwd)
xen_lib=$top/tests/xen/lib
KV=${KV:-$("$top/scripts/kversion.sh")}
kmods=/lib/modules/$KV/kernel/drivers/xen
XB=/usr/lib/xen-4.17/bin
mkdir -p "$OUT"

# --- test programs (dynamic: see tests/xen/progs/CMakeLists.txt)
# (one incremental build dir for all scenarios: a rebuild is a no-op)
PROGS=$top/build/xen/progs
cmake -S "$top/tests/xen/progs" -B "$PROGS" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT/progs.log" 2>&1 ||
	{ cat "$OUT/progs.log"; exit 1; }
cmake --build "$PROGS" -j2 >>"$OUT/progs.log" 2>&1 || { cat "$OUT/progs.log"; exit 1; }
progs=("$PROGS/bulkhead-xentest" "$PROGS/bulkhead-gui-hostile")

# --- Xen: the .gz is an ELF32 multiboot1 image once decompressed
if [ ! -s "$OUT/xen" ] || [ /boot/xen-4.17-amd64.gz -nt "$OUT/xen" ]; then
	zcat /boot/xen-4.17-amd64.gz >"$OUT/xen.tmp" && mv "$OUT/xen.tmp" "$OUT/xen"
fi

# --- domU kernel: uncompressed ELF vmlinux. libxenguest decompresses a
# bzImage inside dom0 under TCG: xl create takes 5.1 s with it, 0.9 s with this.
if [ ! -s "$OUT/vmlinux" ] || [ "/boot/vmlinuz-$KV" -nt "$OUT/vmlinux" ]; then
	python3 -c "import sys; d=open('/boot/vmlinuz-$KV','rb').read(); sys.stdout.buffer.write(d[d.find(b'\xfd7zXZ\x00'):])" |
		xz -dc --single-stream >"$OUT/vmlinux.tmp" 2>/dev/null || true
	file "$OUT/vmlinux.tmp" | grep -q 'ELF 64-bit' || { echo "build: vmlinux extraction failed" >&2; exit 1; }
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi

# copy_with_libs ROOT BIN...: binaries plus their ldd libraries. System
# binaries keep their path; our own go to /opt/bulkhead/bin (never under
# their build path: a checkout under /tmp would be hidden by the domains'
# tmpfs /tmp), stripped of debug info on the way.
copy_with_libs() {
	local root=$1 b l
	shift
	for b in "$@"; do
		case "$b" in
		"$top"/*)
			mkdir -p "$root/opt/bulkhead/bin"
			strip --strip-debug -o "$root/opt/bulkhead/bin/$(basename "$b")" "$b" ;;
		*)
			mkdir -p "$root$(dirname "$b")"
			cp -L "$b" "$root$b" ;;
		esac
		ldd "$b" 2>/dev/null | grep -oE '/[^ ]+' | while read -r l; do
			mkdir -p "$root$(dirname "$l")"
			cp -Ln "$l" "$root$l"
		done
	done
	# glibc dlopens libgcc_s for pthread_cancel; ldd does not list it and
	# xl aborts in its cleanup without it ("libgcc_s.so.1 must be installed").
	if ls "$root"/lib/x86_64-linux-gnu/libc.so.6 >/dev/null 2>&1; then
		cp -Ln /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
	fi
}

base_root() {
	local r=$1 a
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,lib/modules/xen,var/log,var/lib,root,bh}
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
	ln -sf ../run "$r/var/run"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	copy_with_libs "$r" /usr/bin/xenstore
	for a in read write ls list rm exists chmod watch; do ln -sf xenstore "$r/usr/bin/xenstore-$a"; done
	for a in "${progs[@]}"; do
		copy_with_libs "$r" "$a"
		ln -sf "/opt/bulkhead/bin/$(basename "$a")" "$r/bin/$(basename "$a")"
	done
	cp "$xen_lib/bulkhead-test.sh" "$r/bh/"
	# Our kernel modules (every *.ko of the repo) and tools: the scenario
	# decides what to load and run.
	mkdir -p "$r/lib/modules/$KV/extra"
	find "$top/dm-targets" "$top/kernel" -name '*.ko' 2>/dev/null | while read -r a; do
		strip --strip-debug -o "$r/lib/modules/$KV/extra/$(basename "$a")" "$a"
	done
	if [ -d "$top/build/cmake/userspace" ]; then
		find "$top/build/cmake/userspace" -path '*/CMakeFiles' -prune -o -type f -perm -u+x \
			! -name '*_test' ! -name '*_fuzzer' ! -name '*.so*' -print | while read -r a; do
			copy_with_libs "$r" "$a"
		done
	fi
	# The scenario: all its files, in every domain; then its build hook, if
	# any: build.sh DEST SRC compiles/copies what the scenario needs into
	# DEST (this image's /bh/scenario).
	cp -rL "$SCEN"/. "$r/bh/scenario/"	# -L: a scenario may share a file by symlink
	if [ -x "$SCEN/build.sh" ]; then
		"$SCEN/build.sh" "$r/bh/scenario" "$SCEN" || { echo "build: $SCEN/build.sh failed" >&2; exit 1; }
	fi
}

# images.sh ROLE ROOT: the scenario's image hook (ROLE domu|dom0), run on
# each root just before it is packed, for what goes outside /bh/scenario.
image_hook() {
	if [ -x "$SCEN/images.sh" ]; then
		"$SCEN/images.sh" "$1" "$2" || { echo "build: $SCEN/images.sh $1 failed" >&2; exit 1; }
	fi
}

pack() { (cd "$1" && find . | cpio -o -H newc --quiet) >"$2"; }

# --- guest image
G=$OUT/rootfs-domu
mkdir -p "$G"
base_root "$G"
cp "$kmods/xen-evtchn.ko" "$kmods/xen-gntalloc.ko" "$kmods/xen-gntdev.ko" "$G/lib/modules/xen/"
cp "$xen_lib/guest-init.sh" "$G/init"
chmod +x "$G/init"
image_hook domu "$G"
pack "$G" "$OUT/domu.cpio"

# --- dom0 image
D=$OUT/rootfs-dom0
base_root "$D"
copy_with_libs "$D" $XB/xl $XB/xenstored $XB/xenconsoled $XB/xen-init-dom0
mkdir -p "$D/etc/xen"
cp -a /etc/xen/xl.conf /etc/xen/scripts "$D/etc/xen/"
cp "$kmods/xen-privcmd.ko" "$kmods/xenfs/xenfs.ko" "$kmods/xen-evtchn.ko" "$kmods/xen-gntdev.ko" \
	"$kmods/xen-gntalloc.ko" "$D/lib/modules/xen/"
mkdir -p "$D/guest"
ln "$OUT/vmlinux" "$D/guest/vmlinux" 2>/dev/null || cp "$OUT/vmlinux" "$D/guest/vmlinux"
cp "$OUT/domu.cpio" "$D/guest/"
cp "$xen_lib/dom0-init.sh" "$D/init"
chmod +x "$D/init"
image_hook dom0 "$D"
pack "$D" "$OUT/dom0.cpio"
