#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# bulkhead-storage in the kernel tier: the AppVM's root assembled from a
# blocksig-verified base, a non-persistent dm-snapshot and a re-keyed plain
# dm-crypt overlay, plus a LUKS2 private volume created by the dom0 side
# (`bulkhead-storage create`). Loop devices stand in for the Xen disks and a
# key file for dom0's vchan; the same binary runs both sides here.
#
# Runs in the QEMU guest: tests/vm/run tests/vm/storage/test.sh
# Output: TAP. Images live in /tmp (tmpfs).

set -u
W=/tmp/st
POOL=$W/pool
KEYS=$W/keys
R=$W/root	# root_mount
MARK=BULKHEAD-PLAINTEXT-MARKER-7f3a9c
n=0
fail=0
mkdir -p $W $POOL
cd $W || exit 1
export OPENSSL_CONF=$W/openssl.cnf

# t DESC FUNCTION [ARGS]: one TAP line; the function's output on failure
t() {
	d=$1
	shift
	t0=$(cut -d' ' -f1 /proc/uptime)
	(set -e; "$@") >$W/out 2>&1
	r=$?
	n=$((n + 1))
	if [ $r = 0 ]; then
		echo "ok $n - $d ($(awk "BEGIN{printf \"%.1f\", $(cut -d' ' -f1 /proc/uptime) - $t0}")s)"
	else
		echo "not ok $n - $d"
		fail=$((fail + 1))
		tail -n 30 $W/out | sed 's/^/#   /'
	fi
}
die() { echo "Bail out! $*"; exit 1; }
bs() { bulkhead-storage "$@" --config $W/storage.conf; }
# refused CMD...: CMD fails and says REFUSED; its output kept in $W/refusal
refused() {
	if "$@" >$W/refusal 2>&1; then
		echo "unexpectedly succeeded:"; cat $W/refusal; return 1
	fi
	cat $W/refusal
	grep -q 'REFUSED' $W/refusal
}
nothing_mapped() {
	if dmsetup ls | grep -q '^bulkhead-'; then dmsetup ls; return 1; fi
	! grep -q " $R" /proc/mounts
}
# offset_of TEXT: byte offset of TEXT in the base image. strings -t d gives
# the offset of the printable run, which may start before TEXT.
offset_of() {
	strings -t d -n 8 $POOL/base.img | grep "$1" | head -n1 |
		awk -v p="$1" '{ o = $1; sub(/^ *[0-9]+ /, ""); print o + index($0, p) - 1 }'
}
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

echo "TAP version 13"
for m in dm-mod dm-snapshot dm-crypt loop ext4 dm-blocksig; do
	modprobe $m || die "modprobe $m failed"
done
# dm-crypt asks the crypto API for xts(aes) at table load; Debian builds xts
# (and ecb, which it needs) as modules, so the guest image must carry them.
modprobe xts || die "the guest image lacks the xts module (tests/vm/mkinitramfs STOCK)"

# ---- dom0's part: signed base, volumes, key ---------------------------------
setup_base() {
	# a config of our own: the initramfs may lack /etc/ssl/openssl.cnf
	printf '[req]\ndistinguished_name = dn\n[dn]\n' > $W/openssl.cnf
	openssl req -x509 -newkey rsa:2048 -nodes -keyout $W/sign.pem -out $W/sign.crt \
		-subj "/CN=bulkhead storage test" -days 2 2>/dev/null
	dd if=/dev/zero of=$POOL/base.img bs=1M count=4 2>/dev/null
	l=$(losetup -f) && losetup $l $POOL/base.img
	mke2fs -b 4096 -L base $l >/dev/null
	mkdir -p $W/b
	mount $l $W/b
	mkdir -p $W/b/etc $W/b/usr/share
	echo "signed base image" > $W/b/etc/motd
	# A file big enough to span many blocks, for the corruption test.
	dd if=/dev/urandom of=$W/b/usr/share/blob bs=4096 count=64 2>/dev/null
	sha256sum $W/b/usr/share/blob | cut -d' ' -f1 > $W/blob.sha
	umount $W/b
	losetup -d $l
	blocksig format $POOL/base.img $POOL/base.meta --key $W/sign.pem --image-version 3 |
		tee $W/format.out
	# the id an integrator pins in storage.conf (base_image_id)
	sed -n 's/^image id: *//p' $W/format.out >$W/image-id
	grep -qxE '[0-9a-f]{32}' $W/image-id
}
t "dom0: base image signed with blocksig" setup_base

create_vm() {
	bulkhead-storage create work --pool $POOL --keys $KEYS --private-size 8M \
		--overlay-size 8M --mkfs "mke2fs -b 4096"
	test -f $POOL/work-private.img -a -f $POOL/work-overlay.img
	[ "$(stat -c %a $KEYS)" = 700 ] && [ "$(stat -c %a $KEYS/work.key)" = 600 ]
	[ "$(stat -c %s $KEYS/work.key)" = 64 ]
	cryptsetup isLuks --type luks2 $POOL/work-private.img
}
t "dom0: create makes a LUKS2 private volume, an overlay, a 0600 key" create_vm
refused_create() {
	! bulkhead-storage create work --pool $POOL --keys $KEYS --private-size 8M \
		--overlay-size 8M --mkfs "mke2fs -b 4096"
	cryptsetup isLuks --type luks2 $POOL/work-private.img
}
t "dom0: create refuses to run twice (private volume formatted once)" refused_create

disks_line() {
	l=$(bulkhead-storage disks work --pool /pool --backend stordom)
	echo "$l"
	echo "$l" | grep -q "'backend=stordom,.*vdev=xvdd,access=rw,target=/pool/work-private.img'"
}
t "dom0: xl disk lines name the storage domain as backend" disks_line

# The Xen disks: xvda base (ro), xvdb metadata (ro), xvdc overlay, xvdd private.
XVDA=$(losetup -f) && losetup -r $XVDA $POOL/base.img
XVDB=$(losetup -f) && losetup -r $XVDB $POOL/base.meta
XVDC=$(losetup -f) && losetup $XVDC $POOL/work-overlay.img
XVDD=$(losetup -f) && losetup $XVDD $POOL/work-private.img
cat > $W/storage.conf <<EOC
# /etc/bulkhead/storage.conf of the test AppVM
base_image = $XVDA
base_meta = $XVDB
base_cert = $W/sign.crt
base_min_version = 3
base_image_id = $(cat $W/image-id)
overlay_device = $XVDC
private_device = $XVDD
private_key = file:$KEYS/work.key
root_mount = $R
EOC

# ---- the AppVM's start -------------------------------------------------------
stack_ok() {
	dmsetup table bulkhead-base | grep -q ' blocksig '
	dmsetup table bulkhead-overlay | grep -q ' crypt aes-xts-plain64 '
	dmsetup table bulkhead-root | grep -q ' snapshot .* N 8$'
	dmsetup table bulkhead-private | grep -q ' crypt aes-xts-plain64 '
	grep -q "^/dev/mapper/bulkhead-root $R " /proc/mounts
	grep -q "^/dev/mapper/bulkhead-private $R/rw " /proc/mounts
	[ "$(cat $R/etc/motd)" = "signed base image" ]
}
t "start 1: assemble builds blocksig + snapshot + crypt root and LUKS2 private" bs assemble
t "start 1: the device stack and mounts are as documented" stack_ok
dmsetup table --showkeys bulkhead-overlay | awk '{print $5}' > $W/okey1

write_files() {
	echo "$MARK scratch" > $R/scratch.txt
	mkdir -p $R/etc/new
	echo "$MARK etc" > $R/etc/new/file
	# Enough to overwrite some base blocks too (copy-on-write).
	echo "$MARK motd" >> $R/etc/motd
	echo "$MARK private" > $R/rw/keep.txt
	dd if=/dev/zero bs=4096 count=16 2>/dev/null | tr '\0' 'M' > $R/rw/zeros-as-M
	for i in 1 2 3 4 5 6 7 8; do echo "$MARK $i"; done > $R/rw/more.txt
	sync
	# Control: the marker is there in plaintext above dm-crypt.
	grep -q "$MARK private" /dev/mapper/bulkhead-private
}
t "start 1: files written in root and in the private volume" write_files
t "stop: teardown undoes the whole stack" bs teardown
t "stop: nothing left mapped or mounted" nothing_mapped

no_plaintext() {
	for f in $POOL/work-overlay.img $POOL/work-private.img; do
		# strings: busybox grep on a sparse image reads it as one huge line
		if strings -n 8 $f | grep -c "$MARK"; then echo "marker found in $f"; return 1; fi
		if strings -n 8 $f | grep -c MMMMMMMMMMMMMMMM; then echo "M run found in $f"; return 1; fi
	done
}
t "raw overlay and private files hold no trace of the plaintext" no_plaintext

t "start 2: assemble again" bs assemble
restart_semantics() {
	test ! -e $R/scratch.txt
	test ! -e $R/etc/new/file
	[ "$(cat $R/etc/motd)" = "signed base image" ]
	[ "$(cat $R/rw/keep.txt)" = "$MARK private" ]
	[ "$(wc -c < $R/rw/zeros-as-M)" = 65536 ]
}
t "start 2: root writes are gone, private volume writes survived" restart_semantics
rekeyed() {
	dmsetup table --showkeys bulkhead-overlay | awk '{print $5}' > $W/okey2
	[ "$(wc -c < $W/okey2)" -gt 64 ]
	! cmp -s $W/okey1 $W/okey2
}
t "start 2: the overlay got a fresh random key" rekeyed
fresh_overlay() {
	# A non-persistent snapshot starts empty: used sectors = metadata only.
	s=$(dmsetup status bulkhead-root)
	echo "$s"
	used=$(echo "$s" | awk '{split($4,a,"/"); print a[1]}')
	[ "$used" -lt 64 ]
}
t "start 2: the snapshot starts empty" fresh_overlay

# ---- a hostile storage domain changes one byte of the base ------------------
corrupt_base() {
	off=$(offset_of 'signed base image')
	[ -n "$off" ]
	printf 'S' | dd of=$POOL/base.img bs=1 seek="$off" conv=notrunc 2>/dev/null
	drop_caches
	dmesg -c >/dev/null
	if cat $R/etc/motd; then echo "tampered block was returned"; return 1; fi
	dmesg | grep -i blocksig
}
t "tampered base block: the read fails with EIO and the kernel logs why" corrupt_base
rest_works() {
	[ "$(sha256sum $R/usr/share/blob | cut -d' ' -f1)" = "$(cat $W/blob.sha)" ]
	[ "$(cat $R/rw/keep.txt)" = "$MARK private" ]
	echo more > $R/rw/after-corruption && sync
}
t "tampered base block: other files and the private volume still work" rest_works
restore_base() {
	off=$(offset_of 'Signed base image')
	printf 's' | dd of=$POOL/base.img bs=1 seek="$off" conv=notrunc 2>/dev/null
	blocksig verify $POOL/base.img $POOL/base.meta --cert $W/sign.crt
}
t "base restored; blocksig verify agrees" restore_base
t "stop" bs teardown

# ---- refusals: nothing set up, nothing written -------------------------------
sha_private() { sha256sum $POOL/work-private.img | cut -d' ' -f1; }
PSHA=$(sha_private)
wrong_key() {
	dd if=/dev/urandom of=$W/wrong.key bs=64 count=1 2>/dev/null
	refused bs assemble --private-key file:$W/wrong.key
	grep -q 'does not match the LUKS2 header' $W/refusal
	nothing_mapped
	[ "$(sha_private)" = "$PSHA" ]
}
t "wrong private key: refused, says why, nothing mapped, nothing written" wrong_key
missing_key() {
	refused bs assemble --private-key file:$W/no-such.key
	grep -q 'private volume key (key file .*no-such.key)' $W/refusal
	nothing_mapped
	[ "$(sha_private)" = "$PSHA" ]
}
t "missing private key: refused, says why, nothing written" missing_key
not_luks() {
	dd if=/dev/zero of=$W/blank.img bs=1M count=4 2>/dev/null
	l=$(losetup -f) && losetup $l $W/blank.img
	refused bs assemble --private-device $l
	grep -q 'not a LUKS2 volume' $W/refusal
	nothing_mapped
	# Never formatted by the AppVM: still all zeros.
	[ "$(tr -d '\0' < $W/blank.img | wc -c)" = 0 ]
	losetup -d $l
}
t "private volume without LUKS2 header: refused, never formatted" not_luks
rollback_version() {
	refused bs assemble --base-min-version 4
	nothing_mapped
}
t "base older than base_min_version: refused, nothing mapped" rollback_version
# The storage domain serves another image's metadata, validly signed by the
# same key (another template): refused because the image id is pinned.
other_image() {
	blocksig format $POOL/base.img $W/other.meta --key $W/sign.pem --image-version 3 >/dev/null
	l=$(losetup -f) && losetup -r $l $W/other.meta
	refused bs assemble --base-meta $l
	grep -q "metadata is for image .*, not $(cat $W/image-id)" $W/refusal
	nothing_mapped
	losetup -d $l
}
t "another image signed by the same key: refused (base_image_id), nothing mapped" other_image
wrong_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout $W/other.pem -out $W/other.crt \
		-subj "/CN=someone else" -days 2 2>/dev/null
	refused bs assemble --base-cert $W/other.crt
	nothing_mapped
}
t "base signed by another key: refused, nothing mapped" wrong_cert
no_overlay() {
	refused bs assemble --overlay-device /dev/nonexistent
	grep -q 'overlay device /dev/nonexistent does not exist' $W/refusal
	nothing_mapped
}
t "missing overlay device: refused (no unencrypted fallback)" no_overlay
busy() {
	bs assemble
	refused bs assemble
	grep -q 'already exists' $W/refusal
	# The refusal did not undo the running stack.
	[ "$(cat $R/rw/keep.txt)" = "$MARK private" ]
	bs teardown
}
t "after all refusals: the private volume is byte-identical" sh -c "[ \"\$(sha256sum $POOL/work-private.img | cut -d' ' -f1)\" = $PSHA ]"
t "second assemble while running: refused, the running stack untouched" busy
final_start() {
	bs assemble
	[ "$(cat $R/rw/keep.txt)" = "$MARK private" ]
	bs teardown
}
t "start 3: the right key still opens it" final_start

echo "1..$n"
exit $((fail > 0))
