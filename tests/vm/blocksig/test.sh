#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# dm-blocksig compat test, shaped like cryptsetup's verity-compat-test:
# deterministic corruptions of a signed image, each checked with the
# userspace verifier (`blocksig verify`), through the kernel target (per
# block, O_DIRECT, blocks_test) and `dmsetup status`, and the same
# corruptions against dm-verity on the same data. Then malformed tables,
# create/remove and module load/unload cycles, concurrent readers.
#
# Runs in the QEMU guest: tests/vm/run tests/vm/blocksig/test.sh
# Output: TAP. Images live in /tmp (tmpfs) on loop devices.

set -u
W=/tmp/bsig
BS=4096
MB=${BSIG_MB:-4}	# signing is ~30 ms per block under TCG
NB=$((MB * 1024 * 1024 / BS))
SECTORS=$((NB * BS / 512))
SIG=256	# RSA-2048
# metadata layout (uapi/blocksig_format.h): header, map, then records
MAP_BLOCKS=$(((NB * 8 + BS - 1) / BS))
REC0=$(((1 + MAP_BLOCKS) * BS / SIG))	# first record, in units of SIG bytes

n=0
fail=0
mkdir -p $W
cd $W || exit 1

say() { echo "# $*"; }
# t DESC FUNCTION [ARGS]: one TAP line; the function's output on failure
t() {
	d=$1
	shift
	t0=$(cut -d' ' -f1 /proc/uptime)
	(set -e; "$@") >$W/out 2>&1
	r=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	n=$((n + 1))
	if [ $r = 0 ]; then
		echo "ok $n - $d ($(awk "BEGIN { print $t1 - $t0 }")s)"
	else
		echo "not ok $n - $d"
		fail=$((fail + 1))
		tail -n 40 $W/out | sed 's/^/#   /'
	fi
}
die() { echo "Bail out! $*"; exit 1; }

# st NAME FIELD: a field of the INFO status line (verified, cached, ...)
st() { dmsetup status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
expect_st() { # expect_st NAME FIELD VALUE
	v=$(st "$1" "$2")
	[ "$v" = "$3" ] || { echo "status $1 $2=$v, want $3"; dmsetup status "$1"; return 1; }
}
loop_ro() { # loop_ro FILE: attach read-only, print the loop device
	l=$(losetup -f) && losetup -r "$l" "$1" && echo "$l"
}
flip() { # flip FILE OFFSET: flip bit 0 of one byte
	b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %o $((b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}
put() { # put SRC DST UNIT INDEX: copy one UNIT-sized piece
	dd if="$1" of="$2" bs="$3" skip="$4" seek="$4" count=1 conv=notrunc 2>/dev/null
}
read_block() { # read_block DEV N: O_DIRECT read of one block
	dd if="$1" of=/dev/null bs=$BS skip="$2" count=1 iflag=direct 2>/dev/null
}
drop_caches() { echo 3 >/proc/sys/vm/drop_caches; }
blocks_check() { # blocks_check DEV IMAGE BADLIST
	BSIG_DEV=$1 BSIG_IMAGE=$2 BSIG_BAD=$3 BSIG_BS=$BS /t/blocks_test
}
nbad() { echo "$1" | tr ',' '\n' | grep -c .; }

# --- signed image, expected to verify and read back -------------------------

# expect_bad IMG META BADLIST: the userspace verifier names exactly BADLIST,
# the kernel fails exactly those blocks with EIO and counts each once.
expect_bad() {
	set +e
	blocksig verify "$1" "$2" --cert cert.pem >$W/verify.out 2>&1
	r=$?
	set -e
	cat $W/verify.out
	[ $r = 3 ] || { echo "blocksig verify exit $r, want 3"; return 1; }
	got=$(sed -n 's/^block \([0-9]*\):.*/\1/p' $W/verify.out | tr '\n' ',' | sed 's/,$//')
	[ "$got" = "$3" ] || { echo "verify reported '$got', want '$3'"; return 1; }
	blocksig open "$1" "$2" bad --cert cert.pem
	drop_caches
	blocks_check /dev/mapper/bad "$1" "$3" || { blocksig close bad; return 1; }
	expect_st bad failed "$(nbad "$3")" || { blocksig close bad; return 1; }
	blocksig close bad
}

# verity_bad IMG HASH ROOT BADLIST: dm-verity fails exactly these blocks
verity_bad() {
	veritysetup open "$1" vbad "$2" "$3"
	drop_caches
	blocks_check /dev/mapper/vbad "$1" "$4" || { veritysetup close vbad; return 1; }
	veritysetup close vbad
}

# verity_refuses IMG HASH ROOT BLOCK: open fails or the block does not read
verity_refuses() {
	veritysetup open "$1" vbad "$2" "$3" || return 0
	drop_caches
	if read_block /dev/mapper/vbad "$4"; then
		veritysetup close vbad
		echo "dm-verity read block $4"
		return 1
	fi
	veritysetup close vbad
}

# refuse CMD...: CMD must fail (not just be misused: exit 1, not 2)
refuse() {
	set +e
	"$@"
	r=$?
	set -e
	[ $r = 1 ] || [ $r = 3 ] || { echo "exit $r, want refusal: $*"; return 1; }
}

# open_refused IMG META [blocksig open args]: the tool refuses
open_refused() {
	img=$1 meta=$2
	shift 2
	set +e
	blocksig open "$img" "$meta" refused "$@"
	r=$?
	set -e
	[ $r = 1 ] && return 0
	[ $r = 0 ] && blocksig close refused
	echo "blocksig open exit $r, want 1"
	return 1
}

# raw_refused DATA META KEYDESC ID MINV [OPTS...]: the kernel refuses
raw_refused() {
	d=$(loop_ro "$1")
	m=$(loop_ro "$2")
	tbl="0 $SECTORS blocksig $d $m $3 $4 $5"
	shift 5
	[ $# = 0 ] || tbl="$tbl $*"
	r=0
	if dmsetup create rawbad --readonly --table "$tbl"; then
		dmsetup remove rawbad
		echo "kernel accepted: $tbl"
		r=1
	fi
	losetup -d "$d"
	losetup -d "$m"
	return $r
}

setup() {
	# a config of our own: the initramfs may lack /etc/ssl/openssl.cnf
	printf '[req]\ndistinguished_name = dn\n[dn]\n' >openssl.cnf
	export OPENSSL_CONF=$W/openssl.cnf
	modprobe loop
	modprobe dm-mod
	modprobe dm-verity
	modprobe dm-blocksig
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
		-subj /CN=blocksig-test -days 3650 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.pem \
		-out other_cert.pem -subj /CN=blocksig-other -days 3650 2>/dev/null
	openssl x509 -in cert.pem -outform DER -out cert.der
	openssl x509 -in other_cert.pem -outform DER -out other_cert.der
	head -c $((MB * 1024 * 1024)) /dev/urandom >data.img
	blocksig format data.img meta.img --key key.pem | tee format.out
	ID=$(sed -n 's/^image id: *//p' format.out)
	echo "$ID" >id
	[ ${#ID} = 32 ]
	veritysetup format data.img vhash.img | tee vformat.out
	sed -n 's/^Root hash:[[:space:]]*//p' vformat.out >root
	[ -s root ]
	keyctl padd asymmetric blocksig:raw @u <cert.der >/dev/null
	keyctl padd asymmetric blocksig:wrong @u <other_cert.der >/dev/null
	keyctl add user blocksig:userkey secret @u >/dev/null
}

echo "TAP version 13"
t "setup: modules, keys, ${MB} MiB image signed, verity tree" setup
[ $fail = 0 ] || die "setup failed"
ID=$(cat id)
ROOT=$(cat root)
say "image id $ID, $NB blocks, verity root $ROOT"

clean_verify() { blocksig verify data.img meta.img --cert cert.pem; }
t "blocksig verify accepts the signed image" clean_verify

clean_read() {
	blocksig open data.img meta.img good --cert cert.pem
	dmsetup table good | grep -q " blocksig .* $ID 1$"
	drop_caches
	cmp /dev/mapper/good data.img
	expect_st good verified $NB
	expect_st good failed 0
	expect_st good version 1
}
t "whole-device read is byte-identical, $NB signatures checked" clean_read

cache_hit() {
	drop_caches
	cmp /dev/mapper/good data.img
	expect_st good cached $NB
	expect_st good verified $NB
}
t "second read is served from the verified-digest cache" cache_hit

drop_cache_msg() {
	dmsetup message good 0 drop_cache
	drop_caches
	cmp /dev/mapper/good data.img
	expect_st good verified $((2 * NB))
	expect_st good cached $NB
}
t "drop_cache message: the next read re-checks signatures" drop_cache_msg

reset_msg() {
	dmsetup message good 0 reset_counters
	expect_st good verified 0
	expect_st good cached 0
	expect_st good failed 0
	refuse dmsetup message good 0 frobnicate
	refuse dmsetup message good 0 drop_cache extra
}
t "reset_counters message; unknown messages refused" reset_msg

per_block_clean() {
	blocks_check /dev/mapper/good data.img ""
	blocksig status good
	blocksig close good
}
t "every block alone (O_DIRECT) reads back correctly" per_block_clean

readers() {
	blocksig open data.img meta.img small --cert cert.pem --cache-entries 64
	dmsetup table small | grep -q " 2 cache_entries 64$"
	BSIG_DEV=/dev/mapper/small BSIG_IMAGE=data.img BSIG_THREADS=8 \
		BSIG_READS=128 /t/readers_test
	expect_st small failed 0
	dmsetup status small
	blocksig close small
}
t "8 concurrent readers of random blocks, 64-entry cache" readers

verity_clean() {
	veritysetup open data.img vgood vhash.img "$ROOT"
	cmp /dev/mapper/vgood data.img
	veritysetup close vgood
}
t "dm-verity: whole-device read is byte-identical" verity_clean

# --- corruptions --------------------------------------------------------------

fresh() { cp data.img c.img && cp meta.img cm.img; }

data_bit() {
	fresh
	flip c.img $((17 * BS + 1234))
	expect_bad c.img cm.img 17
	verity_bad c.img vhash.img "$ROOT" 17
}
t "flipped bit in data block 17: EIO for 17 only, failed=1; verity too" data_bit

record_bit() {
	fresh
	flip cm.img $(((REC0 + 33) * SIG + 100))
	expect_bad c.img cm.img 33
	# verity: the level-0 hash of block 33 (superblock, 1 level-1 block,
	# then level 0 with 128 hashes per block)
	cp vhash.img ch.img
	flip ch.img $((2 * BS + 33 * 32 + 5))
	verity_refuses c.img ch.img "$ROOT" 33
}
t "flipped bit in the signature record of block 33; verity hash too" record_bit

swapped() {
	fresh
	dd if=data.img of=c.img bs=$BS skip=40 seek=41 count=1 conv=notrunc 2>/dev/null
	dd if=data.img of=c.img bs=$BS skip=41 seek=40 count=1 conv=notrunc 2>/dev/null
	cmp -s c.img data.img && { echo "blocks 40/41 are equal"; return 1; }
	expect_bad c.img cm.img 40,41
	verity_bad c.img vhash.img "$ROOT" 40,41
}
t "blocks 40 and 41 swapped: both EIO; verity too" swapped

update() {
	cp data.img u.img
	cp meta.img um.img
	head -c $BS /dev/urandom | dd of=u.img bs=$BS seek=50 conv=notrunc 2>/dev/null
	blocksig update u.img um.img --key key.pem
	blocksig verify u.img um.img --cert cert.pem --min-version 2
	blocksig open u.img um.img upd --cert cert.pem --min-version 2
	drop_caches
	cmp /dev/mapper/upd u.img
	expect_st upd version 2
	expect_st upd failed 0
	blocksig close upd
	veritysetup format u.img uh.img | sed -n 's/^Root hash:[[:space:]]*//p' >root2
}
t "blocksig update re-signs block 50 as version 2; reads back" update
ROOT2=$(cat root2 2>/dev/null)

old_meta() {
	open_refused u.img meta.img --cert cert.pem --min-version 2
	refuse blocksig verify u.img meta.img --cert cert.pem --min-version 2
	raw_refused u.img meta.img blocksig:raw "$ID" 2
	dmesg | grep -q "image version 1 below minimum 2"
	verity_refuses u.img vhash.img "$ROOT2" 50
}
t "metadata put back from version 1 below --min-version 2: refused" old_meta

put_back() {
	cp u.img pb.img
	cp um.img pbm.img
	put data.img pb.img $BS 50
	put meta.img pbm.img $SIG $((REC0 + 50))
	expect_bad pb.img pbm.img 50
	verity_bad pb.img uh.img "$ROOT2" 50
}
t "block 50 (data and record) put back from before the update: EIO" put_back

other_image() {
	head -c $((64 * BS)) /dev/urandom >o.img
	blocksig format o.img om.img --key key.pem
	open_refused data.img om.img --cert cert.pem --image-id "$ID"
	raw_refused data.img om.img blocksig:raw "$ID" 1
	veritysetup format o.img oh.img >/dev/null
	verity_refuses data.img oh.img "$ROOT" 0
}
t "metadata of another image: refused; verity too" other_image

wrong_cert() {
	refuse blocksig verify data.img meta.img --cert other_cert.pem
	open_refused data.img meta.img --cert other_cert.pem
	raw_refused data.img meta.img blocksig:wrong "$ID" 1
	verity_refuses data.img vhash.img \
		0000000000000000000000000000000000000000000000000000000000000000 0
}
t "wrong certificate: refused; verity with a wrong root hash too" wrong_cert

truncated() {
	head -c $(($(stat -c %s meta.img) - BS)) meta.img >tm.img
	refuse blocksig verify data.img tm.img --cert cert.pem
	open_refused data.img tm.img --cert cert.pem
	raw_refused data.img tm.img blocksig:raw "$ID" 1
	head -c 512 meta.img >tm2.img
	raw_refused data.img tm2.img blocksig:raw "$ID" 1
	head -c $(($(stat -c %s vhash.img) - BS)) vhash.img >th.img
	verity_refuses data.img th.img "$ROOT" $((NB - 1))
}
t "truncated metadata: refused; truncated verity hash device too" truncated

ignore_mode() {
	fresh
	flip c.img $((17 * BS + 99))
	d=$(loop_ro c.img)
	m=$(loop_ro cm.img)
	dmsetup create ign --readonly --table \
		"0 $SECTORS blocksig $d $m blocksig:raw $ID 1 1 ignore_corruption"
	dd if=/dev/mapper/ign of=got bs=$BS skip=17 count=1 iflag=direct
	dd if=c.img of=want bs=$BS skip=17 count=1 2>/dev/null
	cmp got want
	expect_st ign failed 1
	dmsetup table ign | grep -q " 1 ignore_corruption$"
	dmsetup remove ign
	losetup -d "$d"
	losetup -d "$m"
}
t "ignore_corruption: data returned, failure still counted" ignore_mode

small_blocks() {
	head -c $((256 * 1024)) /dev/urandom >s.img
	blocksig format s.img sm.img --key key.pem --block-size 1024
	blocksig open s.img sm.img s1k --cert cert.pem
	blockdev --getss /dev/mapper/s1k | grep -qx 1024
	drop_caches
	cmp /dev/mapper/s1k s.img
	expect_st s1k verified 256
	blocksig close s1k
	flip s.img $((5 * 1024 + 3))
	blocksig open s.img sm.img s1k --cert cert.pem
	BSIG_DEV=/dev/mapper/s1k BSIG_IMAGE=s.img BSIG_BAD=5 BSIG_BS=1024 \
		/t/blocks_test || { blocksig close s1k; return 1; }
	expect_st s1k failed 1
	blocksig close s1k
}
t "1 KiB blocks: read back; flipped bit in block 5 gives EIO for 5 only" small_blocks

# --- tables -------------------------------------------------------------------

# try_table [dmsetup create options]: $tbl must be refused, with an error
# message from the blocksig constructor, and leave no device behind.
try_table() {
	last=$(dmesg | grep 'device-mapper: table: .*blocksig: ' | tail -n 1)
	if dmsetup create mal "$@" --table "$tbl" 2>/dev/null; then
		echo "accepted: $tbl"
		dmsetup remove mal
		bad=1
		return 0
	fi
	dmsetup info mal >/dev/null 2>&1 && { echo "left behind: $tbl"; bad=1; }
	now=$(dmesg | grep 'device-mapper: table: .*blocksig: ' | tail -n 1)
	[ "$now" != "$last" ] || { echo "no blocksig error for: $tbl"; bad=1; }
	echo "$* $tbl -> ${now#*blocksig: }" >>$W/malformed.log
}

malformed() {
	D=$(loop_ro data.img)
	M=$(loop_ro meta.img)
	K=blocksig:raw
	bad=0
	: >$W/malformed.log
	while IFS= read -r tbl; do
		[ -n "$tbl" ] || continue
		try_table --readonly
	done <<EOF
0 $SECTORS blocksig
0 $SECTORS blocksig $D $M $K $ID
0 $SECTORS blocksig $D $M $K zz112233445566778899aabbccddeeff 1
0 $SECTORS blocksig $D $M $K 0011 1
0 $SECTORS blocksig $D $M $K ${ID}00 1
0 $SECTORS blocksig $D $M $K $ID abc
0 $SECTORS blocksig $D $M $K $ID -1
0 $SECTORS blocksig $D $M $K $ID 1 1 frobnicate
0 $SECTORS blocksig $D $M $K $ID 1 1
0 $SECTORS blocksig $D $M $K $ID 1 x
0 $SECTORS blocksig $D $M $K $ID 1 2 ignore_corruption
0 $SECTORS blocksig $D $M $K $ID 1 4 a b c d
0 $SECTORS blocksig $D $M $K $ID 1 2 ignore_corruption panic_on_corruption
0 $SECTORS blocksig $D $M $K $ID 1 2 restart_on_corruption restart_on_corruption
0 $SECTORS blocksig $D $M $K $ID 1 2 cache_entries 0
0 $SECTORS blocksig $D $M $K $ID 1 2 cache_entries 99999999999
0 $SECTORS blocksig $D $M $K $ID 1 2 cache_entries -1
0 $SECTORS blocksig $D $M $K $ID 1 1 cache_entries
0 $SECTORS blocksig $D $M $K $ID 1 3 cache_entries 1 cache_entries
0 $SECTORS blocksig /dev/nonexistent $M $K $ID 1
0 $SECTORS blocksig $D /dev/nonexistent $K $ID 1
0 $SECTORS blocksig $M $D $K $ID 1
0 $SECTORS blocksig $D $M blocksig:nosuchkey $ID 1
0 $SECTORS blocksig $D $M blocksig:userkey $ID 1
0 $SECTORS blocksig $D $M $K 00000000000000000000000000000000 1
0 $SECTORS blocksig $D $M $K $ID 2
0 $((SECTORS - 1)) blocksig $D $M $K $ID 1
0 $((SECTORS + 8)) blocksig $D $M $K $ID 1
EOF
	tbl="0 $SECTORS blocksig $D $M $K $ID 1"
	try_table	# writable
	cat $W/malformed.log
	losetup -d "$D"
	losetup -d "$M"
	return $bad
}
t "malformed tables refused with an error, no oops" malformed
sed 's/^/# /' $W/malformed.log

cycles() {
	D=$(loop_ro data.img)
	M=$(loop_ro meta.img)
	i=0
	while [ $i -lt 50 ]; do
		dmsetup create cyc --readonly --table \
			"0 $SECTORS blocksig $D $M blocksig:raw $ID 1 1 restart_on_corruption"
		read_block /dev/mapper/cyc $((i * 37 % NB))
		dmsetup remove cyc
		i=$((i + 1))
	done
	losetup -d "$D"
	losetup -d "$M"
}
t "50 create/read/remove cycles" cycles

modcycles() {
	i=0
	while [ $i -lt 50 ]; do
		rmmod dm_blocksig
		modprobe dm-blocksig
		i=$((i + 1))
	done
	dmsetup targets | grep -q "^blocksig *v1.0.0"
}
t "50 rmmod/modprobe cycles" modcycles

no_oops() {
	if dmesg | grep -E "BUG:|Oops|WARNING:|Call Trace|protection fault"; then
		return 1
	fi
}
t "kernel log: no BUG, oops or warning" no_oops

echo "1..$n"
exit $((fail != 0))
