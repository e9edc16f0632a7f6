# SPDX-License-Identifier: GPL-2.0-only
# storage, an AppVM: its init assembles root with bulkhead-storage from the
# four disks the storage domain serves (xvda base, xvdb base metadata, xvdc
# overlay, xvdd private volume) and the key dom0 sends over a vchan. What it
# checks depends on which boot this is (the xl name):
#   work-1      first boot of "work": writes, then the storage domain's
#               tampering; shares the base with personal-1; loses its
#               storage domain
#   personal-1  "personal": wrong key, no key, then the right key; shares
#               the base with work-1; loses its storage domain
#   work-2      "work" restarted, served by a new storage domain
. /bh/scenario/lib.sh
MARK=BULKHEAD-PLAINTEXT-MARKER-7f3a9c
R=/sysroot
CONF=/tmp/storage.conf
cat >$CONF <<EOC
# as an integrator's /etc/bulkhead/storage.conf (defaults: xvda..xvdd, vchan)
base_min_version = 5
base_image_id = $(cat /etc/bulkhead/base-image-id)
root_mount = $R
key_timeout = 120
EOC
state() { xenstore-write data/storage/state/$1 "$2"; }
go() { xs_wait data/storage/go/$1 ${2:-900} >/dev/null; }
# step STATE DESC CMD...: one TAP line, and its verdict for dom0
step() {
	local s=$1
	shift
	if bh_check "$@"; then state $s ok; else state $s fail; return 1; fi
}
bs() { bulkhead-storage "$@" --config $CONF; }
mapped() { cat /sys/block/dm-*/dm/name 2>/dev/null; }
refused() { # refused PATTERN: assemble fails, says REFUSED and PATTERN, leaves nothing
	if bs assemble >/tmp/refusal 2>&1; then cat /tmp/refusal; return 1; fi
	cat /tmp/refusal
	grep -q REFUSED /tmp/refusal && grep -q "$1" /tmp/refusal || return 1
	! mapped | grep -q '^bulkhead-'
}
setup() {
	for m in xen-blkfront dm-mod dm-bufio dm-crypt dm-snapshot ecb xts crc32c_generic ext4 dm-blocksig; do
		modprobe $m || return 1
	done
	i=0
	while ! [ -b /dev/xvda -a -b /dev/xvdb -a -b /dev/xvdc -a -b /dev/xvdd ] && [ $i -lt 1200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	ls -l /dev/xvd*
	[ -b /dev/xvda -a -b /dev/xvdb -a -b /dev/xvdc -a -b /dev/xvdd ]
}
bh_check "modules loaded, four disks present" setup || { state setup fail; exit 1; }
booted() {
	bs assemble || return 1
	dmsetup table | sed 's/^/  /'
	mapped | grep -c '^bulkhead-' | grep -qx 4 || return 1
	grep bulkhead /proc/mounts
	# Enter the root as init would (switch_root would end this test init).
	[ "$(chroot $R /bin/cat /etc/motd)" = "signed base image" ]
}
blob_ok() { [ "$(sha256sum $R/usr/share/blob | cut -d' ' -f1)" = "$(cat /etc/bulkhead/base-blob.sha)" ]; }
# shared: read the whole shared blob from the base while the other AppVM
# does the same, and write into this AppVM's own private volume.
shared() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	blob_ok && echo "$BH_NAME" >$R/rw/me && sync && [ "$(cat $R/rw/me)" = "$BH_NAME" ] || return 1
	# The sync above is durable only if the storage domain advertises
	# flushes on the writable disks (its loop devices are write-back).
	for d in xvdc xvdd; do
		echo "$d: $(cat /sys/block/$d/queue/write_cache), backend feature-flush-cache=$(xenstore-read \
			"$(xenstore-read device/vbd/$(awk -F: '{ print $1 * 256 + $2 }' /sys/block/$d/dev)/backend)/feature-flush-cache")"
	done
}
# denied: with the storage domain gone, a direct read of the base must not
# return data: it fails (EIO) or never completes (blkfront waits for a
# backend that does not come back); either is a denial of service, which is
# all a storage domain can do.
denied() {
	dd if=/dev/mapper/bulkhead-base of=/dev/null bs=4096 count=64 skip=200 iflag=direct >/tmp/dd.log 2>&1 &
	p=$!
	i=0; while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	if kill -0 $p 2>/dev/null; then echo "read still blocked after 20 s: service denied"; return 0; fi
	wait $p && { echo "read succeeded without the storage domain"; cat /tmp/dd.log; return 1; }
	cat /tmp/dd.log; echo "read failed: service denied"
}
# both_then_denied OTHER: the base read beside OTHER, then I/O without the
# storage domain; then wait for dom0 to destroy this domain.
both_then_denied() {
	go shared
	step shared "$BH_NAME: reads the shared base while $1 runs" shared
	go stordom-gone
	step io-denied "$BH_NAME: I/O fails without the storage domain" denied
	sleep 900
}
case $BH_NAME in
work-1)
	write() {
		echo "$MARK scratch" >$R/scratch.txt
		echo "$MARK private" >$R/rw/keep.txt
		dd if=/dev/zero bs=4096 count=16 2>/dev/null | tr '\0' M >$R/rw/m.bin
		sync
		grep -q "$MARK private" /dev/mapper/bulkhead-private # control: plaintext above dm-crypt
	}
	step up "work-1: root assembled (blocksig + snapshot + crypt), private mounted" booted &&
		step written "work-1: files written inside and outside the private volume" write ||
		state written fail
	go corrupted
	tamper() {
		sync
		echo 3 >/proc/sys/vm/drop_caches
		dmesg -c >/dev/null
		if cat $R/etc/motd; then echo "the tampered block was returned"; return 1; fi
		dmesg | grep 'blocksig.*signature check failed' || return 1
		blob_ok && echo ok >$R/rw/after && sync && ls $R/bin >/dev/null
	}
	step tamper "work-1: tampered base block: EIO + logged reason, the rest works" tamper
	both_then_denied personal-1
	;;
personal-1)
	step wrongkey "personal-1: wrong key from dom0: refused, says why" refused 'does not match the LUKS2 header'
	go nokey
	step nokey "personal-1: no key in dom0: refused, says why" refused 'dom0 refused: no key for personal'
	go rightkey
	step up "personal-1: the right key: assembled on the base work-1 uses" booted
	both_then_denied work-1
	;;
work-2)
	restarted() {
		booted || return 1
		ls -la $R/ $R/rw/
		echo "scratch: $(cat $R/scratch.txt 2>&1)"
		echo "keep: $(cat $R/rw/keep.txt 2>&1); m.bin: $(wc -c <$R/rw/m.bin 2>&1); me: $(cat $R/rw/me 2>&1)"
		test ! -e $R/scratch.txt && [ "$(cat $R/etc/motd)" = "signed base image" ] &&
			[ "$(cat $R/rw/keep.txt)" = "$MARK private" ] && [ "$(wc -c <$R/rw/m.bin)" = 65536 ] &&
			[ "$(cat $R/rw/me)" = work-1 ]
	}
	step back "work-2: new storage domain; write outside private gone, inside kept" restarted
	bh_check "work-2: clean stop" bs teardown
	;;
esac
