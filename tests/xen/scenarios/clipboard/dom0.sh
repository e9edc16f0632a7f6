# SPDX-License-Identifier: GPL-2.0-only
# clipboard, dom0: Xvfb as dom0's screen, AppVMs "work" (blue) and "banking"
# (green) with their bulkhead-guid, and the clipboard driven as a user
# would: xdotool types Ctrl-Shift-C / Ctrl-Shift-V on guid's dom0 windows.
# Checks the dom0 store, the notifications (guid logs), the policy, and what
# each AppVM's client received, byte for byte.
. /bh/desk-lib.sh
S=/bh/scenario
STORE=/run/bulkhead/clipboard
POLICY=/etc/bulkhead/clipboard.policy
bh_check "load gntfb (importer)" desk_gntfb import_max_pages=16384
mkdir -p /tmp/.X11-unix /etc/bulkhead
Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset -fp /usr/share/fonts/X11/misc >/tmp/Xvfb.log 2>&1 &
xpid=$!
bh_check "dom0's X server (Xvfb 1024x768x24)" desk_wait_x 0 $xpid 60
export DISPLAY=:0
bh_guest_start work appvm.sh || exit 1
bh_guest_start banking appvm.sh || exit 1
w=$(bh_domid_of work)
b=$(bh_domid_of banking)
bulkhead-guid --vm work --label blue --domid "$w" --vchan >/tmp/guid-work.log 2>&1 &
gw=$!
bulkhead-guid --vm banking --label green --domid "$b" --vchan >/tmp/guid-banking.log 2>&1 &
gb=$!

# do_in VM CMD...: run CMD in the AppVM (its appvm.sh loop); status = its status
do_in() {
	local vm=$1 d n
	shift
	d=$(bh_domid_of "$vm")
	n=$(($(cat /tmp/seq-$vm 2>/dev/null || echo 0) + 1))
	echo $n >/tmp/seq-$vm
	xenstore-write "/local/domain/$d/data/clip/cmd$n" "$*"
	[ "$*" = end ] && return 0
	[ "$(bh_xs_wait "/local/domain/$d/data/clip/done$n" 120)" = 0 ]
}
# frame VM: the dom0 window of the AppVM's clip-watch window
frame() {
	xwininfo -root -children 2>/dev/null | sed -n "s/^ *\(0x[0-9a-f]*\) \"\[$1\] clip-watch\".*/\1/p" | head -n1
}
wait_frame() {
	local end=$(($(date +%s) + 180))
	while [ "$(date +%s)" -lt $end ]; do
		[ -n "$(frame "$1")" ] && return 0
		sleep 1
	done
	echo "dom0's windows:"
	xwininfo -root -children
	echo "guid-$1.log:"
	tail -n 20 /tmp/guid-$1.log
	return 1
}
# keys VM KEYS: xdotool types KEYS (XTest) with the VM's frame focused
keys() {
	local f
	f=$(frame "$1")
	[ -n "$f" ] || return 1
	timeout 30 xdotool windowfocus --sync "$f" key "$2"
}
copy() { keys "$1" ctrl+shift+c; }
paste() { keys "$1" ctrl+shift+v; }
# said VM TEXT: guid of VM logged this clipboard notification (waits)
said() {
	local i=0
	while [ $i -lt 150 ]; do
		grep -qF "clipboard: $2" "/tmp/guid-$1.log" && { grep -F "clipboard: $2" "/tmp/guid-$1.log" | tail -n1; return 0; }
		sleep 0.2
		i=$((i + 1))
	done
	echo "not in guid-$1.log:"
	grep clipboard: "/tmp/guid-$1.log"
	return 1
}
# stored FILE TYPE: the dom0 store holds FILE's bytes from work (waits)
store_is() {
	cmp -s $STORE/data "$1" && grep -qx 'source=work' $STORE/meta && grep -qx 'label=blue' $STORE/meta &&
		grep -qx "type=$2" $STORE/meta && grep -qx "size=$(wc -c <"$1")" $STORE/meta &&
		[ "$(stat -c %a $STORE/data)" = 600 ] && [ "$(stat -c %a $STORE/meta)" = 600 ] &&
		[ "$(stat -c %a $STORE)" = 700 ]
}
stored() {
	local i=0
	while [ $i -lt 150 ] && ! store_is "$@" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
	cat $STORE/meta
	store_is "$@"
}
empty() { [ ! -e $STORE/meta ] && [ ! -e $STORE/data ]; }

shown=0
for vm in work banking; do
	d=$(bh_domid_of $vm)
	bh_xs_wait /local/domain/$d/data/clip/ready 240 >/dev/null || bh_not_ok "$vm never got ready"
	bh_check "$vm's window is on dom0's screen ([$vm] clip-watch)" wait_frame $vm &&
		shown=$((shown + 1))
done
if [ $shown != 2 ]; then
	# Nothing below can work: say why, and end the AppVMs now.
	for vm in work banking; do
		do_in $vm 'sed "s/^/# agent: /" /tmp/agent.log | tail -n 20; true'
		do_in $vm end
	done
	for g in work banking; do bh_guest_wait_done $g 90 >/dev/null; done
	kill $gw $gb $xpid 2>/dev/null
	return 1
fi

nothing_to_paste() { paste banking && said banking 'Nothing to paste into banking'; }
bh_check "paste with nothing copied: nothing sent, dom0 says so" nothing_to_paste
bh_check "work owns CLIPBOARD with UTF-8 text" do_in work own text $S/text.txt
copy work
bh_check "Ctrl-Shift-C in work: the dom0 store holds the exact text, source work/blue, 0600" stored $S/text.txt 'text/plain;charset=utf-8'
bh_check "dom0 notification of the copy" said work "Copied $(wc -c <$S/text.txt) bytes of text from work"
paste banking
bh_check "Ctrl-Shift-V in banking: its client got exactly the text" \
	do_in banking 'pastes 1 && cmp /tmp/clip/paste-1 /bh/scenario/text.txt'
bh_check "dom0 notification of the paste" said banking "Pasted $(wc -c <$S/text.txt) bytes of text from work (blue) into banking"
bh_check "one-shot: the dom0 copy is gone after the paste" empty

bh_check "work owns CLIPBOARD with a PNG image" do_in work own png $S/image.png
copy work
bh_check "image copied: the dom0 store holds the exact PNG" stored $S/image.png image/png
paste banking
bh_check "image pasted: banking's client got exactly the PNG" \
	do_in banking 'pastes 2 && grep -q "^2 png" /tmp/clip/pastes.log && cmp /tmp/clip/paste-2 /bh/scenario/image.png'

bh_check "work owns 300 KiB of text" do_in work own text $S/big.txt
copy work
oversize_refused() { said work 'Copy from work refused: 307200 bytes' && empty; }
bh_check "oversize copy refused with a notification, nothing stored" oversize_refused

printf 'label:blue banking deny\n* * allow\n' >$POLICY
bh_check "work owns CLIPBOARD with text again" do_in work own text $S/text.txt
copy work
bh_check "copied" stored $S/text.txt 'text/plain;charset=utf-8'
paste banking
bh_check "policy 'label:blue banking deny': paste denied with a notification" \
	said banking 'Paste from work (blue) into banking (green) denied by policy line 1'
still_stored() { sleep 2; [ -f $STORE/meta ]; }
bh_check "denied: the copy stays in dom0" still_stored
bh_check "denied: banking still has 2 pastes" do_in banking 'sleep 1; pastes 2'
rm -f $POLICY

bh_check "work's CLIPBOARD holds bytes that are not UTF-8, as UTF8_STRING" do_in work own text $S/bad.txt
copy work
bh_check "dom0 stores them as they are (it never parses clipboard data)" stored $S/bad.txt 'text/plain;charset=utf-8'
paste banking
bh_check "banking's agent refuses them: dom0 notification" \
	said banking 'Paste into banking refused by its agent: the text is not valid UTF-8'
bh_check "banking's client got nothing" do_in banking 'sleep 1; pastes 2'

bh_check "the shortcuts never reached work" do_in work no_shortcut_keys
bh_check "the shortcuts never reached banking (only the agent's own Ctrl-V)" \
	do_in banking 'no_shortcut_keys && [ "$(grep -c "press keysym=0x76 " /tmp/clip/keys.log)" = 2 ]'
bh_check "both bulkhead-guid processes still running" kill -0 $gw $gb
do_in work end
do_in banking end
for g in work banking; do bh_guest_wait_done $g 90 >/dev/null; done
sed 's/^/# guid-work: /' /tmp/guid-work.log | tail -n 20
sed 's/^/# guid-banking: /' /tmp/guid-banking.log | tail -n 20
kill $gw $gb $xpid 2>/dev/null
wait $gw $gb $xpid 2>/dev/null
true
