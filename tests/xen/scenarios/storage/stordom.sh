# SPDX-License-Identifier: GPL-2.0-only
# storage, the storage domain: a PV driver domain whose "physical" disk is the
# pool (base image, metadata, each AppVM's overlay and private volume files);
# xen-blkback + `xl devd` serve those files to the AppVMs through the
# hotplug script block-file (loop devices; why not Xen's `block`: lib.sh).
# It holds no key: it can deny service, and its attacks (one changed byte,
# reading the raw files) are driven by dom0.
. /bh/scenario/lib.sh
MARK=BULKHEAD-PLAINTEXT-MARKER-7f3a9c
setup() {
	stdio_links
	for m in xen-privcmd xenfs xen-blkfront xen-blkback loop crc32c_generic ext4; do modprobe $m || return 1; done
	mount -t xenfs xenfs /proc/xen
	i=0; while [ ! -b /dev/xvda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	mkdir -p /pool && mount -t ext4 /dev/xvda /pool && ls -l /pool
}
bh_check "pool disk mounted" setup || exit 1
# Every file of the pool on a loop device, once (block-file maps the AppVMs'
# disks to these): the shared base read-only, the volumes read-write.
attach() {
	local f dev mode
	: >/run/pool-loops
	for f in /pool/*.img /pool/*.meta; do
		case ${f##*/} in base.*) mode=ro ;; *) mode=rw ;; esac
		dev=$(losetup -f) || return 1
		if [ $mode = ro ]; then losetup -r "$dev" "$f"; else losetup "$dev" "$f"; fi || return 1
		echo "$f $dev $mode" >>/run/pool-loops
	done
	cat /run/pool-loops
}
bh_check "pool files attached to loop devices" attach || exit 1
mkdir -p /var/run/xen /var/lib/xen /var/log/xen
xl -vvv devd -F >/tmp/devd.log 2>&1 &
xenstore-write data/storage/serving 1
bh_log "serving the pool (xl devd)"

# offset_of TEXT: byte offset of TEXT in the base image. strings -t d gives
# the offset of the printable run, which may start before TEXT.
offset_of() {
	strings -t d -n 8 /pool/base.img | grep "$1" | head -n1 |
		awk -v p="$1" '{ o = $1; sub(/^ *[0-9]+ /, ""); print o + index($0, p) - 1 }'
}
flip_to() { printf "$2" | dd of=/pool/base.img bs=1 seek="$1" conv=notrunc 2>/dev/null && sync; }
# (strings: busybox grep on a sparse 32 MiB file is one huge "line")
textcount() { strings -n 8 "$1" | grep -c -e "$MARK" -e MMMMMMMMMMMMMMMM; }
run_verb() { # run_verb VERB ARG: the answer on stdout
	case $1 in
	keyscan)
		f=$(find / -xdev \( -name '*.key' -o -name '*.pem' -o -name '*.key.*' \) 2>/dev/null)
		f="$f$(find /pool \( -name '*.key' -o -name '*.pem' \) 2>/dev/null)"
		[ -z "$f" ] && echo none || echo "$f" ;;
	scan) # the marker, or the 64 KiB of 'M' the AppVM wrote
		sync
		echo "$(textcount /pool/work-overlay.img)" "$(textcount /pool/work-private.img)" ;;
	scanbase) strings -n 8 /pool/base.img | grep -c "signed base image" ;;
	corrupt) off=$(offset_of 'signed base image') && flip_to "$off" S && echo "corrupted $off" ;;
	restore) off=$(offset_of 'Signed base image') && flip_to "$off" s && echo restored ;;
	sha) sync; sha256sum "/pool/$2" | cut -d' ' -f1 ;;
	hotplug) # to our console (too long for a XenStore answer)
		{ echo "--- ps"; ps; echo "--- xl devd log"; tail -n 80 /tmp/devd.log
		  echo "--- backends"; xenstore-ls -f /local/domain/$(xenstore-read domid)/backend/vbd
		} 2>&1 | sed 's/^/# hotplug: /' >/dev/console
		echo "hotplug state on the storage domain's console" ;;
	quit) echo bye ;;
	*) echo "unknown verb $1" ;;
	esac
}
# dom0 writes data/storage/cmd = "SEQ VERB ARG"; we answer data/storage/ans
# = "SEQ ANSWER". Polled every 0.5 s (see xs_wait in lib.sh).
last=
while :; do
	req=$(xenstore-read data/storage/cmd 2>/dev/null)
	if [ -z "$req" ] || [ "$req" = "$last" ]; then
		sleep 0.5
		continue
	fi
	last=$req
	set -- $req
	seq=$1 verb=$2 arg=${3:-}
	ans=$(run_verb "$verb" "$arg" 2>&1 | tr '\n' '|' | sed 's/|*$//')
	bh_log "dom0 asked '$verb $arg': $ans"
	xenstore-write data/storage/ans "$seq $ans"
	[ "$verb" = quit ] && break
done
bh_ok "served until dom0 said quit"
