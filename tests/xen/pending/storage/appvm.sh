# SPDX-License-Identifier: GPL-2.0-only
# storage, an AppVM: its init assembles root with bulkhead-storage from the
# four disks the storage domain serves (xvda base, xvdb base metadata, xvdc
# overlay, xvdd private volume) and the key dom0 sends over a vchan. What it
# checks depends on which boot this is (the xl name: work-N, personal-1).
MARK=BULKHEAD-PLAINTEXT-MARKER-7f3a9c
R=/sysroot
CONF=/tmp/storage.conf
cat >$CONF <<EOC
# as an integrator's /etc/bulkhead/storage.conf (defaults: xvda..xvdd, vchan)
base_min_version = 5
root_mount = $R
key_timeout = 90
EOC
state() { xenstore-write data/storage/state/$1 "$2"; }
go() { bh_xs_wait data/storage/go/$1 ${2:-600} >/dev/null; }
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
	for m in xen-blkfront dm-mod dm-bufio dm-crypt dm-snapshot ecb xts crc32c_generic ext4; do modprobe $m || return 1; done
	modprobe dm-blocksig || insmod /lib/modules/bulkhead/dm-blocksig.ko || return 1
	i=0
	while ! [ -b /dev/xvda -a -b /dev/xvdb -a -b /dev/xvdc -a -b /dev/xvdd ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	ls -l /dev/xvd*
	[ -b /dev/xvda -a -b /dev/xvdb -a -b /dev/xvdc -a -b /dev/xvdd ]
}
bh_check "modules loaded, four disks present" setup || exit 1
vm=$(bh_xs_wait data/storage/vm 60)
booted() {
	bs assemble || return 1
	dmsetup table | sed 's/^/  /'
	mapped | grep -c '^bulkhead-' | grep -qx 4 || return 1
	grep bulkhead /proc/mounts
	# Enter the root as init would (switch_root would end this test init).
	[ "$(chroot $R /bin/cat /etc/motd)" = "signed base image" ]
}
case $BH_NAME in
work-1)
	write() {
		echo "$MARK scratch" >$R/scratch.txt
		echo "$MARK motd" >>$R/etc/motd
		echo "$MARK private" >$R/rw/keep.txt
		dd if=/dev/zero bs=4096 count=16 2>/dev/null | tr '\0' M >$R/rw/m.bin
		sync
		grep -q "$MARK private" /dev/mapper/bulkhead-private # control: plaintext above dm-crypt
	}
	bh_check "boot 1: root assembled (blocksig + snapshot + crypt), private mounted" booted &&
		bh_check "boot 1: files written inside and outside the private volume" write &&
		step written "boot 1: clean stop" bs teardown || state written fail
	;;
work-2)
	restarted() {
		test ! -e $R/scratch.txt && [ "$(cat $R/etc/motd)" = "signed base image" ] &&
			[ "$(cat $R/rw/keep.txt)" = "$MARK private" ] && [ "$(wc -c <$R/rw/m.bin)" = 65536 ]
	}
	bh_check "boot 2: assembled again" booted
	step restarted "boot 2: write outside private gone, inside kept" restarted
	go corrupted
	tamper() {
		sync
		echo 3 >/proc/sys/vm/drop_caches
		dmesg -c >/dev/null
		if cat $R/etc/motd; then echo "the tampered block was returned"; return 1; fi
		dmesg | grep -i blocksig || return 1
		[ "$(sha256sum $R/usr/share/blob | cut -d' ' -f1)" = "$(cat /etc/bulkhead/base-blob.sha)" ] &&
			echo ok >$R/rw/after && sync && ls /sysroot/bin >/dev/null
	}
	step tamper "boot 2: tampered base block: EIO + logged, rest works" tamper
	bh_check "boot 2: stop" bs teardown
	go wrongkey
	step wrongkey "boot 2: wrong key from dom0: refused, says why" refused 'does not match the LUKS2 header'
	go nokey
	step nokey "boot 2: no key in dom0: refused, says why" refused 'dom0 refused: no key for work'
	go finish
	;;
work-3 | personal-1)
	shared() {
		booted || return 1
		[ "$(sha256sum $R/usr/share/blob | cut -d' ' -f1)" = "$(cat /etc/bulkhead/base-blob.sha)" ] &&
			echo "$BH_NAME" >$R/rw/me && sync
	}
	step shared "$BH_NAME: up on the shared base" shared
	go stordom-gone
	denied() {
		echo 3 >/proc/sys/vm/drop_caches
		dd if=/dev/mapper/bulkhead-base of=/dev/null bs=4096 count=64 skip=100 iflag=direct >/tmp/dd.log 2>&1 &
		p=$!
		i=0; while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
		if kill -0 $p 2>/dev/null; then echo "read hangs: service denied"; return 0; fi
		wait $p && { echo "read succeeded without the storage domain"; cat /tmp/dd.log; return 1; }
		cat /tmp/dd.log; echo "read failed: service denied"
	}
	step io-denied "$BH_NAME: I/O fails without the storage domain" denied
	sleep 600 # dom0 destroys this domain
	;;
work-4)
	back() { booted && [ "$(cat $R/rw/keep.txt)" = "$MARK private" ] && bs teardown; }
	step back "boot 4: new storage domain, restart works, private data intact" back
	;;
esac
