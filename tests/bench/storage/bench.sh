#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest half of tests/bench/storage/run. Disks: vda/vdb small base + meta,
# vdc/vdd big base + meta, vde overlay. The private volume is a LUKS2 file
# in tmpfs made by `bulkhead-storage create` (dom0's step, here in the guest).
set -u
modprobe virtio_pci; modprobe virtio_blk; modprobe loop
modprobe dm-blocksig && modprobe dm-snapshot && modprobe dm-crypt && modprobe xts && modprobe ext4 || exit 1
export OPENSSL_CONF=/tmp/openssl.cnf
printf '[req]\ndistinguished_name = dn\n[dn]\n' > $OPENSSL_CONF
mkdir -p /tmp/pool
bulkhead-storage create bench --pool /tmp/pool --keys /tmp/keys --private-size 16M \
	--overlay-size 4M --mkfs "mke2fs -b 4096" >/dev/null || exit 1
PRIV=$(losetup -f) && losetup $PRIV /tmp/pool/bench-private.img
echo "BENCH small_mb=$(($(blockdev --getsize64 /dev/vda) >> 20))"
echo "BENCH big_mb=$(($(blockdev --getsize64 /dev/vdc) >> 20))"
now() { cut -d' ' -f1 /proc/uptime; }
bs() { # bs CMD small|big
	bulkhead-storage $1 --base-image /dev/$2 --base-meta /dev/$3 --base-cert /t/cert.pem \
		--overlay-device /dev/vde --private-device $PRIV --private-key file:/tmp/keys/bench.key \
		--root-mount /tmp/root
}
assemble_time() { # assemble_time NAME DATA META: best of 3 (TCG timing noise)
	best=
	for i in 1 2 3; do
		t0=$(now); bs assemble $2 $3 >/dev/null || exit 1; t1=$(now)
		bs teardown $2 $3 >/dev/null || exit 1
		t=$(awk "BEGIN{print $t1 - $t0}")
		best=$(awk "BEGIN{b=\"$best\"; print (b == \"\" || $t < b) ? $t : b}")
	done
	echo "BENCH assemble_$1_s=$best"
}
assemble_time small vda vdb
assemble_time big vdc vdd
sync; echo 3 > /proc/sys/vm/drop_caches
SPAN=$((64 << 20))
r() { set -- $(/t/ioread "$@"); echo "$1 $2"; }
# Unprotected: the base device itself, no blocksig, snapshot or crypt.
set -- $(r /dev/vda seq 1048576 $SPAN $SPAN); echo "BENCH raw_seq_mibs=$1"
set -- $(r /dev/vda rand 4096 $((16 << 20)) $SPAN); echo "BENCH raw_rand_mibs=$1"; echo "BENCH raw_rand_iops=$2"
bs assemble vda vdb >/dev/null || exit 1
set -- $(r /dev/mapper/bulkhead-root seq 1048576 $SPAN $SPAN); echo "BENCH root_seq_cold_mibs=$1"
set -- $(r /dev/mapper/bulkhead-root seq 1048576 $SPAN $SPAN); echo "BENCH root_seq_warm_mibs=$1"
bs teardown vda vdb >/dev/null; bs assemble vda vdb >/dev/null || exit 1
set -- $(r /dev/mapper/bulkhead-root rand 4096 $((16 << 20)) $SPAN); echo "BENCH root_rand_cold_mibs=$1"
set -- $(r /dev/mapper/bulkhead-root rand 4096 $((16 << 20)) $SPAN); echo "BENCH root_rand_warm_mibs=$1"; echo "BENCH root_rand_warm_iops=$2"
dmsetup status bulkhead-base
bs teardown vda vdb >/dev/null
echo "BENCH done=1"
