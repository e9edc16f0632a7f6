# SPDX-License-Identifier: GPL-2.0-only
# input, an AppVM (work or banking): Xorg on gntfb + gntinput,
# bulkhead-agent, input_client (a window, and an XInput2 raw watcher). Then
# it runs what dom0 asks (data/input/cmd "SEQ COMMAND ARGS", answered with
# data/input/ack SEQ) and checks what arrived.
. /bh/desk-lib.sh
. /bh/scenario/strings.sh
C=/bh/scenario/input_client
case $BH_NAME in
work) X=$WORK_X Y=$WORK_Y ;;
*) X=$BANK_X Y=$BANK_Y ;;
esac
bh_check "Xorg with gntfb and gntinput is up" desk_appvm_x
export DISPLAY=:0 # bh_check ran desk_appvm_x in a subshell
bh_check "gntinput granted its ring to dom0" grep -q 'gntinput: ring page granted' /tmp/Xorg.0.log
if [ "$(cat /tmp/bh-check-rc)" != 0 ]; then
	grep -E 'gntinput|\(EE\)' /tmp/Xorg.0.log | sed 's/^/# X: /'
fi
desk_agent
: >/tmp/typed
$C raw >/tmp/raw.log 2>&1 &
$C window $X $Y $WIN_W $WIN_H /tmp/typed >/tmp/events.log 2>&1 &
cpid=$!
bh_check "input_client's window is mapped" wait_for 60 grep -q '^M mapped' /tmp/events.log
bh_check "the XInput2 raw watcher is ready" wait_for 60 grep -q '^R ready' /tmp/raw.log
[ "$(cat /tmp/bh-check-rc)" = 0 ] || sed 's/^/# raw: /' /tmp/raw.log
grep -v '^[KB] ' /tmp/events.log | sed 's/^/# client: /'
xenstore-write data/input/ready 1

typed_is() { [ "$(cat /tmp/typed)" = "$1" ]; }
# typed_check NAME: the typed text is exactly $NAME
typed_check() {
	local want
	eval "want=\$$1"
	if ! wait_for 90 typed_is "$want"; then
		echo "want: $want"
		echo "got:  $(cat /tmp/typed)"
		return 1
	fi
}
since_mark() { tail -n +$((mark + 1)) /tmp/events.log; }
# balanced N: N key presses since the mark, and as many releases
balanced() {
	local p r
	p=$(since_mark | grep -c '^K p')
	r=$(since_mark | grep -c '^K r')
	echo "presses $p, releases $r"
	[ "$p" = "$1" ] && [ "$r" = "$1" ]
}
# clicks: dom0 clicked buttons 1, 3, 2 and scrolled down (5) at known spots
clicks_ok() {
	local want
	want=$(for b in "1 10 20" "3 200 150" "2 319 199" "5 160 100"; do
		set -- $b
		echo "B p $1 $2 $3 $((X + $2)) $((Y + $3))"
		echo "B r $1 $2 $3 $((X + $2)) $((Y + $3))"
	done)
	[ "$(since_mark | grep '^B')" = "$want" ]
}
clicks_check() {
	wait_for 60 clicks_ok && return 0
	echo "got:"; since_mark | grep '^B'
	return 1
}
# layout_applied NAME: the last layout gntinput applied is NAME
layout_applied() { grep 'XKB layout .* applied' /tmp/Xorg.0.log | tail -n 1 | grep -q "/$1/"; }
raw_count() { grep -c '^R [0-9]' /tmp/raw.log; }

last=
mark=0
raw_mark=0
while :; do
	c=$(xenstore-read data/input/cmd 2>/dev/null)
	n=${c%% *}
	if [ -z "$c" ] || [ "$n" = "$last" ]; then
		sleep 0.2
		continue
	fi
	last=$n
	set -- ${c#* }
	cmd=$1
	shift
	case $cmd in
	reset)
		: >/tmp/typed
		mark=$(wc -l </tmp/events.log)
		;;
	typed)
		case $1 in
		S_US) d="a US-layout string with shifted characters arrives exactly" ;;
		S_DE) d="with dom0 on the German layout, umlauts, sharp s and z/y arrive exactly" ;;
		S_BURST) d="a burst of 10,000 key events arrives complete and in order" ;;
		S_FULL) d="text typed while the AppVM's X server was stopped (ring full) arrives exactly" ;;
		S_BANK) d="once the focus moved here, exactly what is typed arrives" ;;
		S_A) d="Shift+a, held when the focus left, typed 'A' and nothing more" ;;
		*) d="typed text $1 arrives exactly" ;;
		esac
		bh_check "$d" typed_check "$1"
		;;
	clicks)
		bh_check "clicks at known window positions land at the right AppVM coordinates (buttons 1, 3, 2, wheel)" clicks_check
		;;
	balanced)
		bh_check "$1 key presses and $1 releases, none lost" wait_for 60 balanced "$1"
		;;
	layout)
		bh_check "dom0's XKB layout '$1' applied by gntinput" wait_for 60 layout_applied "$1"
		;;
	stop)
		kill -STOP "$(cat /tmp/Xorg.pid)"
		;;
	cont)
		kill -CONT "$(cat /tmp/Xorg.pid)"
		;;
	down)
		# down K1 K2: exactly these keycodes are down
		want=$(for k in "$@"; do echo "key $k down"; done | sort)
		bh_check "keys $* are held down" wait_for 60 \
			sh -c "[ \"\$($C down | sort)\" = \"$want\" ]"
		;;
	none-down)
		bh_check "no key or button left down" wait_for 60 $C down
		;;
	raw-mark)
		raw_mark=$(raw_count)
		;;
	raw-none)
		sleep 2
		bh_check "XInput2 raw events saw nothing while the other AppVM had the input ($(($(raw_count) - raw_mark)) events)" \
			[ "$(raw_count)" = "$raw_mark" ]
		;;
	empty)
		bh_check "received no key while another AppVM had the focus" [ ! -s /tmp/typed ]
		;;
	done)
		xenstore-write data/input/ack "$n"
		break
		;;
	esac
	xenstore-write data/input/ack "$n"
done
bh_check "bulkhead-agent still running" kill -0 "$(cat /tmp/agent.pid)"
bh_check "input_client still running" kill -0 $cpid
grep -E 'gntinput' /tmp/Xorg.0.log | tail -n 8 | sed 's/^/# X: /'
kill $cpid "$(cat /tmp/agent.pid)" 2>/dev/null
kill "$(cat /tmp/Xorg.pid)" 2>/dev/null
sleep 0.5
