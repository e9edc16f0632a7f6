# SPDX-License-Identifier: GPL-2.0-only
# `make demo`, dom0: a real X server on QEMU's display (modesetting on the
# bochs DRM driver; dummy if that fails), twm, and two AppVMs started with
# `bulkhead start` (each gets its bulkhead-guid). Once both AppVMs' windows
# are on dom0's screen, types a command into work's xterm with xdotool (dom0
# X -> guid -> work's gntinput ring -> work's Xorg -> its xterm and shell,
# which writes XenStore); prints "BH-DEMO: ready" when that came back, then
# keeps running.
. /bh/desk-lib.sh
say() { echo "BH-DEMO: $*"; }
desk_devpts
mkdir -p /tmp/.X11-unix
XKIND=modesetting
if desk_mod drm drm_kms_helper ttm drm_ttm_helper drm_vram_helper bochs && [ -c /dev/dri/card0 ]; then
	say "bochs DRM driver: $(cat /sys/class/drm/card0/device/vendor 2>/dev/null) $(ls /sys/class/drm | tr '\n' ' ')"
else
	say "bochs did not give a /dev/dri/card0; falling back to the dummy driver"
	XKIND=dummy
fi
desk_gntfb import_max_pages=65536 || say "gntfb importer failed to load"
start_x() {
	/usr/lib/xorg/Xorg :0 -config /etc/X11/xorg-dom0-$1.conf -noreset -nolisten tcp \
		-logfile /tmp/Xorg.0.log vt1 -novtswitch >/tmp/Xorg.out 2>&1 &
	XPID=$!
	desk_wait_x 0 $XPID 60
}
if ! start_x $XKIND; then
	say "Xorg ($XKIND) failed:"
	grep '(EE)' /tmp/Xorg.0.log | head -n 10
	tail -n 5 /tmp/Xorg.out
	kill $XPID 2>/dev/null
	XKIND=dummy
	start_x dummy || { say "Xorg (dummy) failed too"; grep '(EE)' /tmp/Xorg.0.log; exit 1; }
fi
export DISPLAY=:0
say "dom0 X server up ($XKIND): $(xdpyinfo | grep dimensions)"
xsetroot -solid '#2e3436'
twm -f /etc/X11/twm/demo.twmrc >/tmp/twm.log 2>&1 &
xterm -geometry 70x8+560+600 -title "dom0 terminal" -e sh -c 'echo "dom0: Bulkhead desktop demo"; xl list; exec sh' &

mkdir -p /etc/bulkhead/vms
conf() {	# conf NAME LABEL RUN
	cat >/etc/bulkhead/vms/$1.conf <<EOC
name = $1
label = $2
memory = 256
kernel = /guest/vmlinux
ramdisk = /guest/domu.cpio
cmdline = console=hvc0 quiet loglevel=5 panic_on_warn=1 oops=panic panic=-1 bh.name=$1 bh.script=appvm.sh
run = $3
EOC
}
conf work blue "xterm -geometry 80x24+40+40 -e sh -c 'echo This xterm runs in the work AppVM; uname -a; exec sh'"
conf banking green "xclock -update 1 -geometry 220x220+620+60"
bulkhead list
for vm in work banking; do
	if bulkhead start $vm; then
		say "started $vm (domid $(xl domid $vm))"
		: >/var/log/xen/console/guest-$vm.log
		(tail -n +1 -F /var/log/xen/console/guest-$vm.log 2>/dev/null | tr -d '\r' |
			while IFS= read -r l; do echo "[$vm] $l"; done) </dev/null >/dev/console 2>&1 &
	else
		say "bulkhead start $vm failed"
	fi
done
both() {
	local t
	t=$(xwininfo -root -tree 2>/dev/null)
	case "$t" in *'"[work]'*) ;; *) return 1 ;; esac
	case "$t" in *'"[banking]'*) return 0 ;; esac
	return 1
}
i=0
while [ $i -lt 40 ] && ! both; do
	sleep 5
	i=$((i + 1))
	if [ $i = 12 ]; then
		for f in /var/log/bulkhead/guid-*.log; do echo "BH-DEMO: $f:"; tail -n 10 $f; done
	fi
done
xwininfo -root -tree | grep '"\[' | sed 's/^ */BH-DEMO: window /'
# typed: work's shell ran the command typed in dom0
typed() { [ "$(xenstore-read /local/domain/$(xl domid work)/data/demo/typed 2>/dev/null)" = yes ]; }
type_into_work() {
	local f i=0
	f=$(xdotool search --name '^\[work\] ' 2>/dev/null | head -n1)
	[ -n "$f" ] || return 1
	xdotool mousemove 200 150
	xdotool windowfocus --sync "$f" 2>/dev/null
	sleep 1
	xdotool type --delay 40 'xenstore-write data/demo/typed yes; echo Typed in dom0, run in work.'
	xdotool key Return
	while [ $i -lt 60 ] && ! typed; do sleep 1; i=$((i + 1)); done
	typed
}
if both && type_into_work; then
	say "typed into work's xterm from dom0: its shell ran the command"
	for f in /var/log/bulkhead/guid-*.log; do echo "BH-DEMO: $f:"; tail -n 10 $f; done
	say "ready"
elif both; then
	say "the keys typed into work's xterm did not arrive (see guid-work.log)"
	for f in /var/log/bulkhead/guid-*.log; do echo "BH-DEMO: $f:"; tail -n 20 $f; done
	say "ready (incomplete)"
else
	say "not all AppVM windows appeared"
	for f in /var/log/bulkhead/guid-*.log; do echo "BH-DEMO: $f:"; tail -n 20 $f; done
	say "ready (incomplete)"
fi
while :; do
	sleep 3600
done
