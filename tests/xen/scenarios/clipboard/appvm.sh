# SPDX-License-Identifier: GPL-2.0-only
# clipboard, an AppVM (work or banking): Xorg on gntfb + gntinput (dom0's
# keys come only through its input ring), bulkhead-agent, and a clip_test
# client logging every key it gets and fetching CLIPBOARD on Ctrl-V
# (/tmp/clip); then runs dom0's commands (data/clip/cmdN, shell words,
# answered in data/clip/doneN) until "end".
. /bh/desk-lib.sh
C=/bh/scenario/clip_test
bh_check "Xorg with gntfb and gntinput is up" desk_appvm_x
export DISPLAY=:0 # bh_check ran desk_appvm_x in a subshell
desk_agent
mkdir -p /tmp/clip
$C watch /tmp/clip clip-watch >/tmp/watch.log 2>&1 &
# own KIND FILE: (re)start the CLIPBOARD owner, wait until it owns it
own() {
	[ -f /tmp/owner.pid ] && kill "$(cat /tmp/owner.pid)" 2>/dev/null
	: >/tmp/owner.log
	$C own "$@" >/tmp/owner.log 2>&1 &
	echo $! >/tmp/owner.pid
	i=0
	while [ $i -lt 100 ] && ! grep -q owned /tmp/owner.log; do sleep 0.1; i=$((i + 1)); done
	grep owned /tmp/owner.log
}
# pastes N: wait until the client logged N pastes
pastes() {
	i=0
	while [ $i -lt 300 ] && [ "$(wc -l </tmp/clip/pastes.log 2>/dev/null || echo 0)" -lt "$1" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat /tmp/clip/pastes.log
	[ "$(wc -l </tmp/clip/pastes.log)" -eq "$1" ]
}
# no_shortcut_keys: the client never got a 'c' nor a 'v' with Shift
no_shortcut_keys() {
	echo "keys the client got:"
	cat /tmp/clip/keys.log 2>/dev/null
	! grep -q 'keysym=0x63 ' /tmp/clip/keys.log 2>/dev/null || return 1
	grep 'keysym=0x76 ' /tmp/clip/keys.log 2>/dev/null | while read -r kind sym state; do
		s=$((${state#state=} & 1))
		[ $s = 0 ] || exit 1
	done
}
i=0
while [ $i -lt 300 ] && ! grep -q watching /tmp/watch.log; do sleep 0.1; i=$((i + 1)); done
bh_check "clip_test watching (window clip-watch)" grep watching /tmp/watch.log
xenstore-write data/clip/ready 1
n=1
while :; do
	cmd=$(bh_xs_wait data/clip/cmd$n 400) || { bh_not_ok "no command $n from dom0"; break; }
	[ "$cmd" = end ] && break
	eval "$cmd"
	xenstore-write data/clip/done$n $?
	n=$((n + 1))
done
bh_check "bulkhead-agent still running" kill -0 "$(cat /tmp/agent.pid)"
sed 's/^/# agent: /' /tmp/agent.log | tail -n 10
[ -f /tmp/owner.pid ] && kill "$(cat /tmp/owner.pid)" 2>/dev/null
kill "$(cat /tmp/agent.pid)" 2>/dev/null
kill "$(cat /tmp/Xorg.pid)" 2>/dev/null
sleep 0.5
true
