#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# demo.sh (`make demo`): the Bulkhead desktop. Boots Xen 4.17 under QEMU with
# QEMU's std VGA as dom0's screen: dom0 runs Xorg (modesetting on the bochs
# DRM driver) and twm, and starts two AppVMs with `bulkhead start`: "work"
# (label blue, an xterm) and "banking" (green, an xclock), each with its own
# Xorg on the gntfb driver and bulkhead-agent; dom0's bulkhead-guid shows
# their windows framed in the label colour with "[vmname]" titles.
# Writes a screenshot of dom0's screen to build/demo/desktop.png. Unless
# DEMO_HEADLESS=1, keeps running (VNC on 127.0.0.1 only) until Ctrl-C.
# Environment: DEMO_HEADLESS=1, DEMO_VNC (display number, 7 = port 5907),
# DEMO_TIMEOUT (s until the desktop must be ready, 600).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
D=$TOP/build/demo
SCEN=$TOP/tests/demo/desktop
OUT=$TOP/build/xen/images/demo-desktop
VNC=${DEMO_VNC:-7}
READY_TIMEOUT=${DEMO_TIMEOUT:-600}
mkdir -p "$D" "$OUT"
rm -f "$D/desktop.png" "$D/desktop.ppm" "$D/serial.log"

say() { printf '\033[1m== %s\033[0m\n' "$*"; }
say "building the images (Xen, dom0 and AppVM initramfs with Xorg) into $OUT"
if ! "$TOP/tests/xen/lib/build.sh" "$OUT" "$SCEN" >"$D/build.log" 2>&1; then
	tail -n 20 "$D/build.log"
	echo "demo: image build failed (build/demo/build.log)"
	exit 1
fi

# shellcheck disable=SC1091
DOM0_MEM=768 QEMU_MEM=1920
. "$SCEN/scenario.conf"
KV=$("$TOP/scripts/kversion.sh")
# The same Xen, dom0 and CPU settings as the Xen test tier
# (Documentation/testing-xen.rst), plus a display: -vga std (bochs DRM in
# dom0), VNC on localhost only, and a monitor socket for the screenshot.
XENARGS="console=com1 com1=115200,8n1 dom0_mem=${DOM0_MEM}M,max:${DOM0_MEM}M dom0_max_vcpus=1 loglvl=all guest_loglvl=all smap=0"
DOM0ARGS="console=hvc0 earlyprintk=xen quiet loglevel=5 panic_on_warn=1 oops=panic panic=-1"
MON=$D/monitor.sock
rm -f "$MON"
say "booting Xen under QEMU (TCG; the desktop takes a few minutes to come up)"
qemu-system-x86_64 -accel tcg,tb-size=256 -cpu "${BH_XEN_CPU:-max,-smap,-xsave,-rdtscp}" \
	-m "$QEMU_MEM" -smp "${BH_XEN_QEMU_SMP:-2}" -no-reboot -nodefaults \
	-vga std -display none -vnc "127.0.0.1:$VNC" -monitor "unix:$MON,server,nowait" \
	-serial stdio -kernel "$OUT/xen" -append "$XENARGS" \
	-initrd "/boot/vmlinuz-$KV $DOM0ARGS,$OUT/dom0.cpio" \
	>"$D/serial.log" 2>&1 </dev/null &
QPID=$!
stop() {
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
}
trap 'echo; say "stopping"; stop; exit 0' INT TERM

start=$(date +%s)
shown=0
while :; do
	if ! kill -0 "$QPID" 2>/dev/null; then
		echo "demo: QEMU exited early; see build/demo/serial.log"
		tail -n 30 "$D/serial.log"
		exit 1
	fi
	# progress: the BH-DEMO lines of dom0
	n=$(grep -ac 'BH-DEMO:' "$D/serial.log")
	if [ "$n" -gt "$shown" ]; then
		grep -a 'BH-DEMO:' "$D/serial.log" | tr -d '\r' | sed -n "$((shown + 1)),\$p" | sed 's/^/   /'
		shown=$n
	fi
	grep -aq 'BH-DEMO: ready' "$D/serial.log" && break
	if [ $(($(date +%s) - start)) -ge "$READY_TIMEOUT" ]; then
		echo "demo: the desktop was not ready after ${READY_TIMEOUT}s; see build/demo/serial.log"
		stop
		exit 1
	fi
	sleep 2
done
sleep 5	# let the clock tick and the last damage land
echo "screendump $D/desktop.ppm" | socat - "UNIX-CONNECT:$MON" >/dev/null
for i in $(seq 1 20); do [ -s "$D/desktop.ppm" ] && break; sleep 0.5; done
sleep 1
convert "$D/desktop.ppm" "$D/desktop.png" && rm -f "$D/desktop.ppm"
echo "demo: desktop ready after $(($(date +%s) - start))s"
echo "demo: screenshot of dom0's screen: $D/desktop.png"
echo "demo: serial log (Xen, dom0, AppVMs): $D/serial.log"
if grep -aq 'BH-DEMO: ready (incomplete)' "$D/serial.log"; then
	echo "demo: FAILED: not every AppVM window appeared, or the keys typed into work did not arrive (see the serial log); the screenshot shows what did"
	[ "${DEMO_HEADLESS:-0}" = 1 ] && { stop; exit 1; }
fi
if [ "${DEMO_HEADLESS:-0}" = 1 ]; then
	stop
	exit 0
fi
echo "demo: running. Watch it live: vncviewer 127.0.0.1:$((5900 + VNC))  (VNC on localhost only)"
echo "demo: Ctrl-C stops it."
wait "$QPID"
