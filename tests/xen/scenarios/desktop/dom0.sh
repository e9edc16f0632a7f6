# SPDX-License-Identifier: GPL-2.0-only
# desktop, dom0: Xvfb as dom0's screen (no window manager: frames stay where
# guid puts them), AppVMs work (blue) and banking (green) shown by their own
# bulkhead-guid, and evil (red) speaking the GUI protocol wrongly. Every
# window is checked pixel by pixel on dom0's root and in xwd screenshots.
. /bh/desk-lib.sh
. /bh/scenario/lib.sh

bh_check "gntfb importer loaded (debugfs gntfb/imports)" desk_gntfb import_max_pages=65536
bh_check "debugfs gntfb/imports readable" cat /sys/kernel/debug/gntfb/imports
mkdir -p /tmp/.X11-unix
Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset -fp /usr/share/fonts/X11/misc >/tmp/Xvfb.log 2>&1 &
XPID=$!
export DISPLAY=:0
bh_check "dom0's X server (Xvfb 1024x768x24)" desk_wait_x 0 $XPID 60
# 256 MiB each: the AppVM image (Xorg, fonts) unpacks into the guest's RAM
bh_guest_start work appvm.sh || exit 1
bh_guest_start banking appvm.sh || exit 1
bh_guest_start evil hostile.sh || exit 1
W=$(bh_domid_of work)
E=$(bh_domid_of evil)
for g in work banking evil; do bh_domid_of $g >/tmp/domid-$g; done
guid_start work blue
guid_start banking green
# evil's cases (section 4); it listens for the first one meanwhile
CASES="paint oversize truncated lying-length unknown-type frame-type no-hello out-of-order forged-window huge-window flood bad-utf8 forged-ref replay-frame rect-outside clip-chunk clip-reply paste-result"
xenstore-write /local/domain/$E/data/hostile/cases "$CASES"

# ---- 1. a known pattern, exactly, in the label colour, "[vm]" in the title
bh_check "work: a client draws pattern 1 in a 240x160 window 'pattern' at 40,50" \
	gcmd work draw pattern 40 50 1
bh_check "banking: a client draws pattern 5 at 320,300" gcmd banking draw pattern 320 300 5
bh_check "work: dom0's root and xwd screenshot show exactly pattern 1 in a 3-pixel blue (#3465a4) frame titled '[work] pattern', at 40,50" \
	$T check "[work] pattern" 3465a4 pattern:1 300 -s 240x160 -a 40,50 -x
bh_check "banking, at the same time: exactly pattern 5 in a green (#73d216) frame titled '[banking] pattern', at 320,300" \
	$T check "[banking] pattern" 73d216 pattern:5 300 -s 240x160 -a 320,300 -x
bh_check "work's window still exact beside banking's" \
	$T check "[work] pattern" 3465a4 pattern:1 10 -s 240x160 -x

# ---- 2. the guest changes pixels: a damage message, no pixels on the vchan
s1=$(guid_stats work)
bh_check "work redraws its window (pattern 2)" gcmd work redraw pattern
bh_check "dom0's window shows the change, every pixel" \
	$T check "[work] pattern" 3465a4 pattern:2 120 -s 240x160 -x
s2=$(guid_stats work)
no_pixels() {
	local db dd lg
	db=$(($(stat_field "$s2" bytes) - $(stat_field "$s1" bytes)))
	dd=$(($(stat_field "$s2" damage) - $(stat_field "$s1" damage)))
	lg=$(echo "$s2" | sed -n 's/.*(largest \([0-9]*\)).*/\1/p')
	echo "before: $s1"
	echo "after:  $s2"
	echo "the redraw (153600 bytes of pixels) cost $dd damage message(s), $db bytes on the vchan; largest message so far $lg bytes"
	[ "$dd" -ge 1 ] && [ "$db" -lt 2048 ] && [ "$lg" -le 600 ]
}
bh_check "the change came as damage messages only: no pixels on the vchan" no_pixels

# ---- 3. window management mirrored; no grant or mapping leak
base_imp=$(imports work)
base_g=$(gcmd work gstats)
bh_log "work before windows a, b: dom0 imports $base_imp; guest pool: $base_g"
draw_ab() { gcmd work draw a 560 60 11 && gcmd work draw b 560 400 12; }
bh_check "work: windows a (pattern 11, 560,60) and b (pattern 12, 560,400)" draw_ab
check_ab() {
	$T check "[work] a" 3465a4 pattern:11 120 -s 240x160 -a 560,60 &&
		$T check "[work] b" 3465a4 pattern:12 60 -s 240x160 -a 560,400
}
bh_check "a and b shown exactly" check_ab
bh_check "stacking: b, mapped last, is above a in dom0" $T above "[work] b" "[work] a"
bh_check "the guest raises a" gcmd work op a raise
bh_check "dom0: a above b" wait_for 60 $T above "[work] a" "[work] b"
bh_check "the guest lowers a to the bottom" gcmd work op a lower
lowered() { $T above "[work] b" "[work] a" && $T above "[work] pattern" "[work] a"; }
bh_check "dom0: a below b and below work's first window" wait_for 60 lowered
bh_check "the guest moves a to 600,90: dom0's frame follows" gcmd work op a move 600 90
bh_check "a at 600,90, exact" $T check "[work] a" 3465a4 pattern:11 60 -s 240x160 -a 600,90
sb=$(guid_stats work)
bh_check "the guest resizes a 200 times (grow and shrink), then to 300x180" gcmd work resizes a 200 300 180
bh_check "a is 300x180 at 600,90 in dom0, every pixel of pattern 11" \
	$T check "[work] a" 3465a4 pattern:11 300 -s 300x180 -a 600,90 -x
sa=$(guid_stats work)
bh_log "guid during the resizes: $(($(stat_field "$sa" buffers) - $(stat_field "$sb" buffers))) buffers imported; $sa"
unmapped() { [ "$($T geom "[work] a" | cut -d' ' -f5)" = unmapped ]; }
bh_check "the guest unmaps a" gcmd work op a unmap
bh_check "dom0's frame of a is unmapped" wait_for 60 unmapped
bh_check "the guest maps a again: exact again" gcmd work op a map
bh_check "a mapped and exact" $T check "[work] a" 3465a4 pattern:11 120 -s 300x180 -a 600,90
close_ab() { gcmd work close a && gcmd work close b; }
bh_check "the guest closes a and b (their clients exit)" close_ab
gone_ab() { [ "$($T count '[work] a')" = 0 ] && [ "$($T count '[work] b')" = 0 ]; }
bh_check "no [work] a or [work] b left in dom0" wait_for 60 gone_ab
imp_back() { local i; i=$(imports work); echo "work's imports now $i, before a and b $base_imp"; [ "$i" = "$base_imp" ]; }
bh_check "dom0: work's imports, mmaps and grant maps back to what they were before a and b" wait_for 60 imp_back
pool_back() {
	local g lb rb fb max
	g=$(gcmd work gstats) || return 1
	echo "guest pool now: $g; before: $base_g"
	lb=$(echo "$g" | sed -n 's/.*live_bufs=\([0-9]*\).*/\1/p')
	rb=$(echo "$g" | sed -n 's/.*retiring_bufs=\([0-9]*\).*/\1/p')
	fb=$(echo "$g" | sed -n 's/.*free_bufs=\([0-9]*\).*/\1/p')
	max=$(echo "$g" | sed -n 's/.*max_free_bufs=\([0-9]*\).*/\1/p')
	[ "$lb" = "$(echo "$base_g" | sed -n 's/.*live_bufs=\([0-9]*\).*/\1/p')" ] &&
		[ "$rb" = 0 ] && [ "$fb" -le "$max" ]
}
bh_check "work's guest: live buffers back to what they were, none retiring, the free pool bounded" wait_for 90 pool_back

# ---- 5. killing guid or the agent: restarting them recovers the windows
gen() { xenstore-read /local/domain/$W/data/desk/agent-gen; }
g0=$(gen)
kill -9 "$(cat /tmp/guid-work.pid)"
new_agent() { [ "$(gen)" -gt "$1" ]; }
bh_check "guid of work killed (-9): work's agent ends and is restarted" wait_for 120 new_agent "$g0"
guid_start work blue
bh_check "a new guid for work shows its window again, exactly" \
	$T check "[work] pattern" 3465a4 pattern:2 300 -s 240x160 -a 40,50
g0=$(gen)
bh_check "work's agent killed (-9)" gcmd work kill-agent
agent_gone() {
	guid_wait_exit work 120
	[ $? = 1 ] || return 1
	grep 'dropping connection to work' /tmp/guid-work.log | tail -n 1 | grep .
}
bh_check "work's guid notices, logs why and exits" agent_gone
no_work_left() {
	local n i
	n=$($T count "[work]")
	i=$(imports work)
	echo "[work] windows: $n; work's imports: $i"
	[ "$n" = 0 ] && [ "$i" = "0 0 0 0" ]
}
bh_check "work's windows left dom0's screen, no import left" wait_for 30 no_work_left
bh_check "work's agent restarted" wait_for 120 new_agent "$g0"
guid_start work blue
bh_check "guid restarted: work's window back, exactly" \
	$T check "[work] pattern" 3465a4 pattern:2 300 -s 240x160 -a 40,50 -x
bh_check "after the restarts: work's imports as before" wait_for 60 imp_back
bh_check "banking was never disturbed" $T check "[banking] pattern" 73d216 pattern:5 10 -s 240x160

# ---- 4. a hostile agent: dropped or clamped as documented
reason() {
	case $1 in
	oversize) echo 'payload length 70000 of type [0-9]+ exceeds the channel maximum 65556' ;;
	truncated) echo 'protocol violation: truncated header \(10 bytes\)' ;;
	lying-length) echo 'protocol violation: title: message is 20 bytes, header says 116' ;;
	unknown-type) echo 'protocol violation: unknown message type 127' ;;
	frame-type) echo 'frame of type 4660 on the GUI channel' ;;
	no-hello) echo 'protocol violation: message before hello' ;;
	out-of-order) echo 'protocol violation: sequence 3, expected 2' ;;
	forged-window) echo 'protocol violation: map: window 4660 does not exist' ;;
	huge-window) echo 'protocol violation: create: size 16385x100 out of range' ;;
	flood) echo 'protocol violation: create: window limit \(512\)' ;;
	bad-utf8) echo 'protocol violation: title: not valid UTF-8' ;;
	forged-ref) echo 'buffer: domain [0-9]+ buffer ref [0-9]+: import: ' ;;
	replay-frame) echo 'protocol violation: damage: frame 1 not above the last one \(2\)' ;;
	rect-outside) echo 'protocol violation: damage: rect outside buffer 1' ;;
	clip-chunk) echo 'clipboard: chunk of transfer 5 with none active' ;;
	clip-reply) echo 'clipboard-reply: request 9 is not pending' ;;
	paste-result) echo 'paste-result: paste 77 is not pending' ;;
	esac
}
# the sanitized title of "evil\x01\x1b[31m\u202etxt\u2066x\x7f"
EVIL_TITLE="[evil] evil[31mtxtx"
or_clamped() {
	local g
	g=$($T geom "[evil] or") || { echo "no '[evil] or' frame"; return 1; }
	echo "override-redirect frame (asked 1024x768 at 0,0): $g"
	set -- $g
	[ "$3" -le 768 ] && [ "$4" -le 576 ] && [ "$1" -ge 0 ] && [ "$2" -ge 0 ] &&
		[ $(($1 + $3)) -le 1024 ] && [ $(($2 + $4)) -le 768 ]
}
no_evil_left() {
	local n i
	n=$($T count "[evil]")
	i=$(imports evil)
	echo "[evil] windows: $n; evil's imports (imports pages mmaps grant-maps): $i"
	[ "$n" = 0 ] && [ "$i" = "0 0 0 0" ]
}
hostile_case() {
	local n=$1 c=$2 r
	wait_for 300 xs_value_is /local/domain/$E/data/hostile/ready "$n $c" >/dev/null ||
		{ bh_not_ok "hostile $c: the hostile agent never listened"; return 1; }
	guid_start evil red
	if [ "$c" = paint ]; then
		bh_check "hostile: a title with C0 controls, ESC, DEL and bidi overrides is shown sanitized, prefixed [evil]; a 240x160 buffer damaged whole shows only in the 100x80 content: the red (#cc0000) border is intact" \
			$T check "$EVIL_TITLE" cc0000 solid:ffffff 120 -s 100x80 -a 820,620 -x
		bh_check "hostile: a screen-sized override-redirect window is clamped to 3/4 of the screen, on screen" \
			wait_for 30 or_clamped
		kill "$(cat /tmp/guid-evil.pid)"
		guid_wait_exit evil 60 >/dev/null
		bh_check "hostile paint: guid kept the connection until dom0 ended it" \
			sh -c "! grep 'dropping connection' /tmp/guid-evil.log"
	else
		r=$(reason "$c")
		dropped() {
			guid_wait_exit evil 120
			[ $? = 1 ] || return 1
			grep 'dropping connection' /tmp/guid-evil.log | tail -n 1
			tail -n 3 /tmp/guid-evil.log | grep -qE "dropping connection to evil: .*$r"
		}
		bh_check "hostile $c: guid drops the connection with the documented reason" dropped ||
			kill "$(cat /tmp/guid-evil.pid)" 2>/dev/null
	fi
	bh_check "hostile $c: no [evil] window and no import of evil's left" wait_for 30 no_evil_left
	: >/tmp/guid-evil.log
}
n=0
for c in $CASES; do
	n=$((n + 1))
	hostile_case $n $c
done
x_alive() { kill -0 $XPID && xdpyinfo | grep dimensions; }
bh_check "dom0's X server still runs" x_alive
bh_check "work keeps working after evil's attacks: it redraws (pattern 3)" gcmd work redraw pattern
bh_check "dom0 shows work's pattern 3 exactly" $T check "[work] pattern" 3465a4 pattern:3 120 -s 240x160
bh_check "banking's window unchanged, exact" $T check "[banking] pattern" 73d216 pattern:5 10 -s 240x160
evil_done() { [ "$(bh_guest_wait_done evil 600)" = gone ]; }
bh_check "evil ran all its cases and powered off (its own TAP says how each ended)" evil_done

# ---- 5. an AppVM destroyed while idle: no last event comes from it, guid
# must notice by itself (its once-a-second check) and its windows go
bh_guest_destroy banking
died() {
	guid_wait_exit banking 60
	[ $? = 1 ] && tail -n 3 /tmp/guid-banking.log | grep 'dropping connection to banking: .*peer domain died'
}
bh_check "banking destroyed while idle: its guid notices by itself and ends, saying why" died
no_banking() { n=$($T count "[banking]"); echo "[banking] windows: $n"; [ "$n" = 0 ]; }
bh_check "no [banking] window left on dom0's screen" wait_for 30 no_banking
bh_check "work unaffected: its window still exact" $T check "[work] pattern" 3465a4 pattern:3 10 -s 240x160

# ---- the end
bh_check "release work" gcmd work release
for g in work evil; do bh_guest_wait_done $g 120 >/dev/null; done
for g in work banking; do
	sed "s/^/# guid-$g: /" /tmp/guid-$g.log | tail -n 8
	kill "$(cat /tmp/guid-$g.pid)" 2>/dev/null
done
kill $XPID 2>/dev/null
true
