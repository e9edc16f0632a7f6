# SPDX-License-Identifier: GPL-2.0-only
# storage, dom0 side (sourced by the harness's dom0 /init, helpers in scope).
# dom0 creates the pool disk and the AppVMs' volumes, keeps the volume keys,
# starts the storage domain and the AppVMs with disks served by it, hands each
# AppVM its key over a vchan, and drives the storage domain's attacks.
KEYS=/var/lib/bulkhead/storage/keys
POOL=/pool	# the storage domain's view of its pool
W=/tmp/storage
mkdir -p $W /var/lib/bulkhead/storage
# The pool disk: dom0 builds it, then it is the storage domain's "physical"
# disk (in production a disk controller passed through to it).
pool_disk() {
	for m in loop xen-blkback dm-mod dm-crypt ecb xts crc32c_generic ext4; do modprobe $m || return 1; done
	truncate -s 160M $W/pool.img
	POOLDEV=$(losetup -f) && losetup $POOLDEV $W/pool.img || return 1
	mke2fs -b 4096 -L pool $POOLDEV >/dev/null || return 1
	mkdir -p /mnt/pool && mount -t ext4 $POOLDEV /mnt/pool || return 1
	cp /guest/storage/base.img /guest/storage/base.meta /mnt/pool/
}
create_volumes() {
	for vm in work personal; do
		bulkhead-storage create $vm --pool /mnt/pool --keys $KEYS --private-size 32M \
			--overlay-size 32M --mkfs "mke2fs -b 4096" || return 1
	done
	ls -l /mnt/pool $KEYS
	[ "$(stat -c %a $KEYS)" = 700 ] && [ "$(stat -c %a $KEYS/work.key)" = 600 ]
}
bh_check "dom0 builds the pool disk with the signed base" pool_disk
bh_check "dom0 creates work's and personal's volumes; keys root-only" create_volumes
umount /mnt/pool
POOLDEV=$(losetup -a | sed -n "s|^\(/dev/loop[0-9]*\):.*pool.img.*|\1|p" | head -n1)

# stordom_cmd VERB [ARG]: ask the storage domain to do VERB; print its answer.
# (A file counter: bh_check runs its command in a subshell.)
stordom_cmd() {
	local s SEQ
	SEQ=$(($(cat $W/seq 2>/dev/null || echo 0) + 1))
	echo $SEQ >$W/seq
	s=$(xl domid "$STORDOM")
	xenstore-write /local/domain/$s/data/storage/do/$1 "$SEQ ${2:-}"
	local i=0 v
	while [ $i -lt 3000 ]; do
		v=$(xenstore-read /local/domain/$s/data/storage/done/$1 2>/dev/null)
		case "$v" in "$SEQ "*) echo "${v#"$SEQ "}"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	echo "storage domain did not answer $1"
	return 1
}
# Never inside bh_check: bh_guest_start leaves a console reader running,
# which would hold bh_check's pipe open.
start_stordom() {
	STORDOM=$1
	GUEST_MEM=192
	GUEST_CFG="driver_domain = 1
disk = [ 'format=raw,vdev=xvda,access=rw,script=/bh/scenario/block-file,target=$POOLDEV' ]"
	bh_guest_start $STORDOM stordom.sh || bh_not_ok "xl create $STORDOM"
}
serving() { bh_xs_wait /local/domain/$(xl domid $1)/data/storage/serving 120; }
# start_appvm XLNAME VM: an AppVM whose four disks the storage domain serves;
# then dom0 sends VM's key (in the background: the AppVM asks when it boots).
start_appvm() {
	GUEST_CFG=$(bulkhead-storage disks $2 --pool $POOL --backend $STORDOM --script /bh/scenario/block-file)
	echo "# $GUEST_CFG"
	GUEST_MEM=160
	bh_guest_start $1 appvm.sh || { bh_not_ok "xl create $1"; return 1; }
	xenstore-write /local/domain/$(xl domid $1)/data/storage/vm $2
	send_key $1 $2
}
# served XLNAME: its four vbds have backends in the storage domain whose
# hotplug script succeeded (xl create does not report a driver domain's
# hotplug failure: only XenStore does).
served() {
	local d s n=0 v h i
	d=$(xl domid $1) && s=$(xl domid $STORDOM) || return 1
	for v in 51712 51728 51744 51760; do
		i=0
		while h=$(xenstore-read /local/domain/$s/backend/vbd/$d/$v/hotplug-status 2>/dev/null); [ -z "$h" ] && [ $i -lt 600 ]; do
			sleep 0.1; i=$((i + 1))
		done
		echo "vbd $v: hotplug-status=$h"
		[ "$h" = connected ] && n=$((n + 1))
	done
	[ $n = 4 ] && return 0
	xenstore-ls /local/domain/$s/backend/vbd/$d
	stordom_cmd devdlog
	return 1
}
send_key() { # send_key XLNAME VM: one key delivery, result in $W/sendkey-XLNAME.*
	local d
	d=$(xl domid $1)
	rm -f $W/sendkey-$1.rc
	(bulkhead-storage send-key $2 --domid $d --keys $KEYS --timeout 120 >$W/sendkey-$1.log 2>&1
	 echo $? >$W/sendkey-$1.rc) >/dev/null 2>&1 &
}
sent_ok() { wait_file $W/sendkey-$1.rc && cat $W/sendkey-$1.log && [ "$(cat $W/sendkey-$1.rc)" = 0 ]; }
wait_file() { local i=0; while [ ! -s "$1" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done; [ -s "$1" ]; }
# appvm_state XLNAME STATE [TIMEOUT]: wait until the AppVM reports STATE ok.
appvm_state() {
	local v
	v=$(bh_xs_wait /local/domain/$(xl domid $1)/data/storage/state/$2 ${3:-120}) && echo "$v" &&
		[ "$v" = ok ]
}
tell() { xenstore-write /local/domain/$(xl domid $1)/data/storage/go/$2 1; }

start_stordom stordom-1
bh_check "storage domain stordom-1 serves the pool" serving stordom-1
no_keys_in_stordom() { r=$(stordom_cmd keyscan) && echo "$r" && [ "$r" = none ]; }
bh_check "the storage domain holds no key file" no_keys_in_stordom

# --- boot 1: assemble, write inside and outside the private volume --------
start_appvm work-1 work
bh_check "work-1's four disks are served by stordom-1" served work-1
bh_check "dom0 delivered work's key to work-1 only (vchan)" sent_ok work-1
bh_check "work-1: root assembled, files written" appvm_state work-1 written
bh_guest_wait_done work-1 60 >/dev/null

# --- boot 2: restart semantics, tampering, no plaintext, wrong/missing key -
start_appvm work-2 work
bh_check "work-2 (restart of work) served by stordom-1" served work-2
bh_check "work-2 got its key" sent_ok work-2
bh_check "work-2: root writes gone, private volume writes kept" appvm_state work-2 restarted
plain() { r=$(stordom_cmd $1) && echo "$r" && [ "$r" = "$2" ]; }
bh_check "stordom: raw overlay/private files hold no plaintext marker" plain scan "0 0"
bh_check "stordom: control: the same scan finds the base image's text" plain scanbase 1
corrupt() { r=$(stordom_cmd corrupt) && echo "$r" && [ "${r%% *}" = corrupted ]; }
bh_check "stordom changes one byte of the base under work-2" corrupt
tell work-2 corrupted
bh_check "work-2: the tampered block reads as EIO, logged; the rest works" \
	appvm_state work-2 tamper
restore() { r=$(stordom_cmd restore) && echo "$r" && [ "$r" = restored ]; }
bh_check "stordom restores the byte" restore
SHA0=$(stordom_cmd sha work-private.img)
# Wrong key: dom0's store holds another key for work for one delivery.
cp $KEYS/work.key $W/work.key.saved
head -c 64 /dev/urandom >$KEYS/work.key
send_key work-2 work
tell work-2 wrongkey
bh_check "work-2: wrong key: refused with the reason" appvm_state work-2 wrongkey
# Missing key: dom0 has none and says so.
rm $KEYS/work.key
send_key work-2 work
tell work-2 nokey
bh_check "work-2: missing key: refused, dom0's reason shown" appvm_state work-2 nokey
refused_here() { wait_file $W/sendkey-work-2.rc; cat $W/sendkey-work-2.log; [ "$(cat $W/sendkey-work-2.rc)" = 1 ]; }
bh_check "dom0: send-key without a key fails and says so" refused_here
cp $W/work.key.saved $KEYS/work.key
same_sha() { r=$(stordom_cmd sha work-private.img) && echo "$SHA0 / $r" && [ "$r" = "$SHA0" ]; }
bh_check "refusals wrote nothing: work-private.img unchanged" same_sha
tell work-2 finish
bh_guest_wait_done work-2 60 >/dev/null

# --- boot 3: two AppVMs on one base; the storage domain dies -------------
GUEST_MEM=160
GUEST_CFG=""
bh_guest_start other-1 other.sh
start_appvm work-3 work
start_appvm personal-1 personal
bh_check "work-3 served by stordom-1" served work-3
bh_check "personal-1 served by stordom-1, same base file" served personal-1
bh_check "work-3 got its key" sent_ok work-3
bh_check "personal-1 got its key" sent_ok personal-1
bh_check "work-3 up on the shared base" appvm_state work-3 shared
bh_check "personal-1 up on the shared base at the same time" appvm_state personal-1 shared
both_running() { xl list | grep -E '^(work-3|personal-1) '; [ "$(xl list | grep -cE '^(work-3|personal-1) ')" = 2 ]; }
bh_check "both AppVMs run at the same time" both_running
bh_guest_destroy stordom-1
bh_log "storage domain destroyed"
tell work-3 stordom-gone
tell personal-1 stordom-gone
bh_check "work-3: I/O fails once the storage domain is gone" appvm_state work-3 io-denied 90
bh_check "personal-1: I/O fails once the storage domain is gone" appvm_state personal-1 io-denied 90
dom0_fine() { xl list && xenstore-ls /local/domain/0 >/dev/null && echo x >$W/dom0-write && sync; }
bh_check "dom0 unaffected" dom0_fine
other_fine() { d=$(xl domid other-1) && xenstore-write /local/domain/$d/data/ping hi &&
	[ "$(bh_xs_wait /local/domain/$d/data/pong 30)" = hi ]; }
bh_check "a domain without storage-domain disks is unaffected" other_fine
bh_guest_destroy work-3
bh_guest_destroy personal-1

# --- boot 4: storage domain restarted, AppVM restarted -------------------
start_stordom stordom-2
bh_check "storage domain restarted (stordom-2)" serving stordom-2
start_appvm work-4 work
bh_check "work-4 served by stordom-2" served work-4
bh_check "work-4 got its key" sent_ok work-4
bh_check "work-4: assembles again, private data intact" appvm_state work-4 back
bh_guest_wait_done work-4 60 >/dev/null
xenstore-write /local/domain/$(xl domid other-1)/data/quit 1
stordom_cmd quit >/dev/null
