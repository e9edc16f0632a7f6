#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest half of the dm-blocksig benchmark (tests/bench/blocksig/run).
# Disks: vda = 64 MiB image, vdb = blocksig metadata, vdc = dm-verity hash.
set -u
. /t/params.env
modprobe virtio_pci; modprobe virtio_blk; modprobe dm-verity; modprobe dm-blocksig || exit 1
i=0; while [ ! -b /dev/vdc ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
rd1() { drop; set -- $(/t/readbench "$1") || exit 1; echo "$3"; }
# best of N reads (the host is shared: the best run is the least disturbed)
best() { b=0; for k in $(seq "$2"); do v=$(rd1 "$1"); b=$(echo "$v $b" | awk '{print ($1 > $2) ? $1 : $2}'); done; echo "$b"; }
echo "BENCH cpus=$(grep -c ^processor /proc/cpuinfo)"
echo "BENCH raw_cold_mibs=$(best /dev/vda 3)"
echo "BENCH raw_warm_mibs=$(best /dev/vda 3)"
# cold = a freshly created device (no verified state); warm = verifier state kept
vc=0; for k in 1 2; do
	veritysetup open /dev/vda vb /dev/vdc "$ROOTHASH" || exit 1
	v=$(rd1 /dev/mapper/vb); vc=$(echo "$v $vc" | awk '{print ($1 > $2) ? $1 : $2}')
	[ "$k" = 2 ] || veritysetup close vb
done
echo "BENCH verity_cold_mibs=$vc"
echo "BENCH verity_warm_mibs=$(best /dev/mapper/vb 3)"
veritysetup close vb
bcold=0; for k in 1 2; do
	blocksig open /dev/vda /dev/vdb bb --cert /t/cert.pem || exit 1
	v=$(rd1 /dev/mapper/bb); bcold=$(echo "$v $bcold" | awk '{print ($1 > $2) ? $1 : $2}')
	st_cold=$(dmsetup status bb)
	[ "$k" = 2 ] || blocksig close bb
done
echo "BENCH blocksig_cold_mibs=$bcold"
echo "BENCH blocksig_warm_mibs=$(best /dev/mapper/bb 3)"
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
