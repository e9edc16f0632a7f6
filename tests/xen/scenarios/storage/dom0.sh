# SPDX-License-Identifier: GPL-2.0-only
# storage, dom0 side (sourced by the harness's dom0 /init, helpers in scope).
# dom0 creates the pool disk and the AppVMs' volumes, keeps the volume keys,
# starts the storage domain and the AppVMs with disks served by it, hands each
# AppVM its key over a vchan, and drives the storage domain's attacks.
# Domains, in order: stordom-1 and other-1; work-1; personal-1 (beside
# work-1); stordom-1 destroyed; stordom-2; work (restarted by `bulkhead start`,
# its script runs as work-2).
. /bh/scenario/lib.sh
KEYS=/var/lib/bulkhead/storage/keys
POOL=/pool	# the storage domain's view of its pool
W=/tmp/storage
POOLDEV=/dev/ram0	# the pool disk (brd)
mkdir -p $W /var/lib/bulkhead/storage
stdio_links
# The pool disk: dom0 builds it, then it is the storage domain's "physical"
# disk (in production a disk controller passed through to it).
pool_disk() {
	for m in loop xen-blkback dm-mod dm-crypt ecb xts crc32c_generic ext4; do modprobe $m || return 1; done
	# A RAM disk, not a loop device over a tmpfs file: blkback's I/O for
	# the storage domain then completes inline, without loop's worker and
	# a second page cache in dom0 (with loop, dom0 stalled for minutes).
	modprobe brd rd_nr=1 rd_size=163840 max_part=0 || return 1
	mkfs.ext4 -q -b 4096 -L pool $POOLDEV || return 1
	mkdir -p /mnt/pool && mount -t ext4 $POOLDEV /mnt/pool || return 1
	cp /guest/storage/base.img /guest/storage/base.meta /mnt/pool/
}
create_volumes() {
	for vm in work personal; do
		bulkhead-storage create $vm --pool /mnt/pool --keys $KEYS --private-size 32M \
			--overlay-size 32M || return 1 # --mkfs: mkfs.ext4, the default
	done
	ls -l /mnt/pool $KEYS
	[ "$(stat -c %a $KEYS)" = 700 ] && [ "$(stat -c %a $KEYS/work.key)" = 600 ]
}
bh_check "dom0 builds the pool disk with the signed base" pool_disk || exit 1
bh_check "dom0 creates work's and personal's volumes; keys root-only" create_volumes || exit 1
umount /mnt/pool

# say MSG: progress straight to the console (bh_check's output reaches it
# only when the check ends).
say() { echo "# [dom0 $(bh_ts)] $*" >/dev/console; }

# stordom_cmd VERB [ARG]: ask the storage domain to do VERB; print its answer.
# (A file counter: bh_check runs its command in a subshell.)
stordom_cmd() {
	local s seq i=0 v
	seq=$(($(cat $W/seq 2>/dev/null || echo 0) + 1))
	echo $seq >$W/seq
	s=$(xl domid "$STORDOM") || return 1
	xenstore-write /local/domain/$s/data/storage/cmd "$seq $1 ${2:-}"
	say "asked the storage domain (domid $s): $seq $1 ${2:-}"
	while [ $i -lt 600 ]; do
		v=$(xenstore-read /local/domain/$s/data/storage/ans 2>/dev/null)
		case "$v" in "$seq "*) echo "${v#"$seq "}"; return 0 ;; esac
		sleep 0.5
		i=$((i + 1))
	done
	echo "storage domain did not answer $1"
	return 1
}
# Never inside bh_check: bh_guest_start leaves a console reader running,
# which would hold bh_check's pipe open.
start_stordom() {
	STORDOM=$1
	GUEST_MEM=160
	GUEST_CFG="driver_domain = 1
disk = [ 'format=raw,vdev=xvda,access=rw,script=/bh/scenario/block-file,target=$POOLDEV' ]"
	bh_guest_start $STORDOM stordom.sh || bh_not_ok "xl create $STORDOM"
}
serving() { xs_wait /local/domain/$(xl domid $1)/data/storage/serving 300; }
# start_appvm XLNAME VM: an AppVM whose four disks the storage domain serves
# (hotplug script block-file there); then dom0 sends VM's key (in the
# background: the AppVM asks for it when it boots).
start_appvm() {
	GUEST_CFG=$(bulkhead-storage disks $2 --pool $POOL --backend $STORDOM --script /bh/scenario/block-file)
	echo "# $GUEST_CFG"
	GUEST_MEM=160
	bh_guest_start $1 appvm.sh || { bh_not_ok "xl create $1"; return 1; }
	say "$1 started; dom0 offers $2's key"
	send_key $1 $2
}
# served XLNAME: its four vbds have backends in the storage domain whose
# hotplug script succeeded (xl create does not report a driver domain's
# hotplug failure: only XenStore does).
served() {
	local d s n=0 v h i=0
	d=$(xl domid $1) && s=$(xl domid $STORDOM) || return 1
	say "served $1: domid $d, storage domain $s"
	# 120 s for all four (seconds each on an idle host); then the storage
	# domain shows its hotplug processes and xl devd's log.
	for v in 51712 51728 51744 51760; do
		while h=$(xenstore-read /local/domain/$s/backend/vbd/$d/$v/hotplug-status 2>/dev/null); [ -z "$h" ] && [ $i -lt 240 ]; do
			sleep 0.5; i=$((i + 1))
		done
		say "$1 vbd $v: hotplug-status=$h physical-device-path=$(xenstore-read /local/domain/$s/backend/vbd/$d/$v/physical-device-path 2>/dev/null)"
		[ "$h" = connected ] && n=$((n + 1))
	done
	[ $n = 4 ] && return 0
	xenstore-ls /local/domain/$s/backend/vbd/$d
	stordom_cmd hotplug
	return 1
}
send_key() { # send_key XLNAME VM: one key delivery, result in $W/sendkey-XLNAME.*
	local d
	d=$(xl domid $1)
	rm -f $W/sendkey-$1.rc
	(bulkhead-storage send-key $2 --domid $d --keys $KEYS --timeout 300 >$W/sendkey-$1.log 2>&1
	 echo $? >$W/sendkey-$1.rc) >/dev/null 2>&1 &
}
wait_file() { local i=0; while [ ! -s "$1" ] && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done; [ -s "$1" ]; }
wait_file_has() { # FILE TEXT: wait up to 300 s for TEXT in FILE, print FILE
	local i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
	cat "$1"
	grep -q "$2" "$1"
}
sent_rc() { wait_file $W/sendkey-$1.rc && cat $W/sendkey-$1.log && [ "$(cat $W/sendkey-$1.rc)" = "$2" ]; }
# appvm_state XLNAME STATE [TIMEOUT]: wait until the AppVM reports STATE ok.
appvm_state() {
	local v
	say "waiting for $1 to report $2"
	v=$(xs_wait /local/domain/$(xl domid $1)/data/storage/state/$2 ${3:-300}) && echo "$v" &&
		[ "$v" = ok ]
}
tell() { xenstore-write /local/domain/$(xl domid $1)/data/storage/go/$2 1; }
answer() { # answer VERB ARG EXPECTED: the storage domain's answer is EXPECTED
	local r
	r=$(stordom_cmd $1 $2) && echo "$r" && [ "$r" = "$3" ]
}

# --- a storage domain, and a domain it does not serve ---------------------
start_stordom stordom-1
GUEST_MEM=160
GUEST_CFG=""
bh_guest_start other-1 other.sh || bh_not_ok "xl create other-1"
bh_check "storage domain stordom-1 serves the pool" serving stordom-1
bh_check "the storage domain holds no key file" answer keyscan "" none

# --- work-1: assemble, write inside and outside the private volume --------
start_appvm work-1 work
bh_check "work-1's four disks served by stordom-1" served work-1
bh_check "dom0 delivered work's key to work-1 (vchan)" sent_rc work-1 0
bh_check "work-1: root assembled, files written" appvm_state work-1 written
bh_check "stordom: raw overlay/private files hold no plaintext marker" answer scan "" "0 0"
bh_check "stordom: control: the same scan finds the base image's text" answer scanbase "" 1
corrupt() { r=$(stordom_cmd corrupt) && echo "$r" && [ "${r%% *}" = corrupted ]; }
bh_check "stordom changes one byte of the base under work-1" corrupt
tell work-1 corrupted
bh_check "work-1: the tampered block reads as EIO, logged; the rest works" appvm_state work-1 tamper
bh_check "stordom restores the byte" answer restore "" restored

# --- personal-1 beside work-1: wrong key, no key, right key ---------------
SHA0=$(stordom_cmd sha personal-private.img)
cp $KEYS/personal.key $W/personal.key.saved
head -c 64 /dev/urandom >$KEYS/personal.key # dom0's store is wrong for one delivery
start_appvm personal-1 personal
bh_check "personal-1's disks served by stordom-1, same base file" served personal-1
bh_check "personal-1: wrong key: refused with the reason" appvm_state personal-1 wrongkey
rm $KEYS/personal.key # now dom0 has none, and says so
send_key personal-1 personal
tell personal-1 nokey
bh_check "personal-1: missing key: refused, dom0's reason shown" appvm_state personal-1 nokey
bh_check "dom0: send-key without a key fails and says so" sent_rc personal-1 1
cp $W/personal.key.saved $KEYS/personal.key
bh_check "refusals wrote nothing: personal-private.img unchanged" answer sha personal-private.img "$SHA0"
send_key personal-1 personal
tell personal-1 rightkey
bh_check "personal-1: right key: assembled" appvm_state personal-1 up
tell work-1 shared
tell personal-1 shared
bh_check "work-1 reads the shared base at the same time" appvm_state work-1 shared
bh_check "personal-1 reads the shared base at the same time" appvm_state personal-1 shared
both_running() { xl list | grep -E '^(work-1|personal-1) '; [ "$(xl list | grep -cE '^(work-1|personal-1) ')" = 2 ]; }
bh_check "both AppVMs run on one base at once" both_running

# --- the storage domain dies under both AppVMs -----------------------------
bh_guest_destroy stordom-1
bh_log "storage domain destroyed"
tell work-1 stordom-gone
tell personal-1 stordom-gone
bh_check "work-1: I/O fails once the storage domain is gone" appvm_state work-1 io-denied
bh_check "personal-1: I/O fails once the storage domain is gone" appvm_state personal-1 io-denied
dom0_fine() { xl list && xenstore-ls /local/domain/0 >/dev/null && echo x >$W/dom0-write && sync; }
bh_check "dom0 unaffected" dom0_fine
other_fine() { d=$(xl domid other-1) && xenstore-write /local/domain/$d/data/ping hi &&
	[ "$(xs_wait /local/domain/$d/data/pong 60)" = hi ]; }
bh_check "a domain without storage-domain disks is unaffected" other_fine
bh_guest_destroy work-1
bh_guest_destroy personal-1

# --- a new storage domain; work restarted -----------------------------------
# This time as an integrator's dom0 starts it: `bulkhead start work` with
# the storage keys in its definition writes the four disks into the xl
# config and offers the key (bulkhead-storage send-key). The domain is
# "work"; its test script runs as work-2 (bh.name). Its guid has no X server
# here and ends at once; the AppVM runs no X session.
start_stordom stordom-2
bh_check "storage domain restarted (stordom-2)" serving stordom-2
bulkhead_start_work() {
	mkdir -p /etc/bulkhead/vms
	cat >/etc/bulkhead/vms/work.conf <<EOC
name = work
label = blue
memory = 160
kernel = /guest/vmlinux
ramdisk = /guest/domu.cpio
cmdline = console=hvc0 quiet loglevel=5 panic_on_warn=1 oops=panic panic=-1 bh.name=work-2 bh.script=appvm.sh
storage_backend = $STORDOM
storage_pool = $POOL
storage_script = /bh/scenario/block-file
storage_keys = $KEYS
EOC
	bulkhead check work | grep "^disk = " && bulkhead start work
}
if bh_check "bulkhead start work: disks served by stordom-2, key offered" bulkhead_start_work; then
	bh_guest_attach work
	bh_check "work (work-2) served by stordom-2" served work
	key_taken() { wait_file_has /var/log/bulkhead/storage-work.log 'key for work delivered'; }
	bh_check "bulkhead start's send-key delivered work's key" key_taken
	bh_check "work-2: assembles again: outside writes gone, private data intact" appvm_state work back
	bh_guest_wait_done work 300 >/dev/null
fi
xenstore-write /local/domain/$(xl domid other-1)/data/quit 1
stordom_cmd quit >/dev/null
