# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers of the QEMU kernel tier (sourced, not run).
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
KV=${KV:-$("$TOP/scripts/kversion.sh")}
VMDIR=$BUILD/vm

# Uncompressed vmlinux, cached per kernel package version: QEMU boots the ELF
# through its PVH entry in ~2 s; the xz bzImage costs ~2.4 s more of TCG time
# in the decompressor on every boot.
vm_vmlinux() {
	local kpkg out
	kpkg=$(dpkg-query -W -f='${Version}' "linux-image-$KV")
	out=$VMDIR/vmlinux-$KV-$kpkg
	if [ ! -s "$out" ]; then
		mkdir -p "$VMDIR"
		python3 -c "import sys; d=open('/boot/vmlinuz-$KV','rb').read(); sys.stdout.buffer.write(d[d.find(b'\xfd7zXZ\x00'):])" |
			xz -dc --single-stream > "$out.tmp" 2>/dev/null || true
		file "$out.tmp" | grep -q 'ELF 64-bit' || { echo "vm: vmlinux extraction failed" >&2; rm -f "$out.tmp"; return 1; }
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# Our built modules: every .ko under dm-targets/ and kernel/.
vm_our_modules() {
	find "$TOP/dm-targets" "$TOP/kernel" -name '*.ko' 2>/dev/null | sort
}

# Our built tools: every executable that CMake built under userspace/
# (tests and fuzzers excluded).
vm_our_tools() {
	[ -d "$BUILD/cmake/userspace" ] || return 0
	find "$BUILD/cmake/userspace" -maxdepth 2 -type f -perm -u+x \
		! -name '*_test' ! -name '*_fuzzer' ! -name '*.so*' ! -path '*CMakeFiles*' 2>/dev/null | sort
}
