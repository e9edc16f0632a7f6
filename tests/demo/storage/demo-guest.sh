#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest half of `make demo` (storage): runs inside tests/vm/run.
set -u
step() { printf '\n>>> %s\n' "$*"; }
modprobe loop && modprobe dm-mod && modprobe dm-blocksig || exit 1
cp /t/base.img /t/base.meta /tmp/
step "blocksig open base.img base.meta base --cert signing.crt --min-version 7"
blocksig open /tmp/base.img /tmp/base.meta base --cert /t/signing.crt --min-version 7 || exit 1
step "mount -o ro /dev/mapper/base /mnt; cat /mnt/etc/motd"
mount -t ext4 -o ro,noload /dev/mapper/base /mnt || exit 1
cat /mnt/etc/motd || exit 1
step "blocksig status base"
blocksig status base
umount /mnt
step "the storage domain flips one byte of the file's data block underneath"
off=$(cat /t/offset)
echo "file data at byte $off of the image (block $((off / 4096)))"
printf 'J' | dd of=/tmp/base.img bs=1 seek="$off" conv=notrunc 2>/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
step "mount again and read the file"
mount -t ext4 -o ro,noload /dev/mapper/base /mnt || exit 1
if cat /mnt/etc/motd; then
	echo "!!! the tampered block was returned: protection FAILED"
	exit 1
fi
echo "(read refused: the block's signature no longer matches)"
umount /mnt
step "dmsetup status base (failed= counts refused blocks)"
dmsetup status base
step "kernel log"
dmesg | grep -i blocksig | tail -n 3
step "blocksig verify (offline, in userspace) names the bad block"
blocksig verify /tmp/base.img /tmp/base.meta --cert /t/signing.crt
[ $? != 0 ] || exit 1
blocksig close base
echo
echo "demo done"
exit 0
