#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest half of the dm-blocksig benchmark (tests/bench/blocksig/run).
# Disks: vda = 64 MiB image, vdb = blocksig metadata, vdc = dm-verity hash.
set -u
. /t/params.env
modprobe virtio_pci; modprobe virtio_blk; modprobe dm-verity; modprobe dm-blocksig || exit 1
i=0; while [ ! -b /dev/vdc ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
rd() { drop; set -- $(/t/readbench "$1") || exit 1; echo "$3"; }
echo "BENCH cpus=$(grep -c ^processor /proc/cpuinfo)"
echo "BENCH raw_cold_mibs=$(rd /dev/vda)"
echo "BENCH raw_warm_mibs=$(rd /dev/vda)"
veritysetup open /dev/vda vb /dev/vdc "$ROOTHASH" || exit 1
echo "BENCH verity_cold_mibs=$(rd /dev/mapper/vb)"
echo "BENCH verity_warm_mibs=$(rd /dev/mapper/vb)"
veritysetup close vb
blocksig open /dev/vda /dev/vdb bb --cert /t/cert.pem || exit 1
echo "BENCH blocksig_cold_mibs=$(rd /dev/mapper/bb)"
st_cold=$(dmsetup status bb)
echo "BENCH blocksig_warm_mibs=$(rd /dev/mapper/bb)"
echo "BENCH blocksig_status_after_cold=\"$st_cold\""
echo "BENCH blocksig_status_after_warm=\"$(dmsetup status bb)\""
RANDOM_ORDER=1 /t/readbench /dev/mapper/bb > /dev/null || exit 1
blocksig close bb
# Publishing a one-block change, in the guest: blocksig update of one block
# vs a full veritysetup format of the same image (copies on tmpfs).
cp /t/cert.pem /t/key.pem /tmp/ 2>/dev/null
dd if=/dev/vda of=/tmp/img bs=1M 2>/dev/null; dd if=/dev/vdb of=/tmp/meta bs=1M 2>/dev/null
printf 'X' | dd of=/tmp/img bs=1 seek=$((4096 * 1234 + 7)) conv=notrunc 2>/dev/null
u=$( { /t/timeit blocksig update /tmp/img /tmp/meta --key /t/key.pem --blocks 1234 >/dev/null; } 2>&1 | sed -n 's/^timeit //p')
v=$( { /t/timeit veritysetup format /tmp/img /tmp/hash >/dev/null; } 2>&1 | sed -n 's/^timeit //p')
echo "BENCH guest_update_one_block_s=$u"
echo "BENCH guest_verity_format_s=$v"
blocksig verify /tmp/img /tmp/meta --cert /t/cert.pem > /dev/null || { echo "update produced bad metadata"; exit 1; }
exit 0
