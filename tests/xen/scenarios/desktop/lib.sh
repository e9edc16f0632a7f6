# SPDX-License-Identifier: GPL-2.0-only
# desktop scenario helpers (dom0).
T=/bh/scenario/desk_test

# gcmd VM CMD...: run CMD in VM's command loop (appvm.sh); prints its
# output, returns its status.
gcmd() {
	local vm=$1 d n r
	shift
	d=$(cat /tmp/domid-$vm 2>/dev/null) || d=$(bh_domid_of "$vm")
	n=$(($(cat /tmp/gcmd-$vm 2>/dev/null || echo 0) + 1))
	echo $n >/tmp/gcmd-$vm
	xenstore-write /local/domain/$d/data/desk/cmd/$n "$*"
	r=$(bh_xs_wait /local/domain/$d/data/desk/res/$n "${GCMD_TIMEOUT:-400}") ||
		{ echo "$vm: no answer to '$*'"; return 1; }
	echo "${r#* }"
	return "${r%% *}"
}

# guid_start VM LABEL: bulkhead-guid for VM over vchan, log /tmp/guid-VM.log,
# pid /tmp/guid-VM.pid, exit status /tmp/guid-VM.rc once it ended
guid_start() {
	local d i=0
	d=$(cat /tmp/domid-$1 2>/dev/null) || d=$(bh_domid_of "$1")
	rm -f /tmp/guid-$1.pid /tmp/guid-$1.rc
	(
		bulkhead-guid --vm "$1" --label "$2" --domid "$d" --vchan --verbose \
			>>/tmp/guid-$1.log 2>&1 &
		echo $! >/tmp/guid-$1.pid
		wait $!
		echo $? >/tmp/guid-$1.rc
	) &
	while [ ! -s /tmp/guid-$1.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

# guid_wait_exit VM TIMEOUT_S: until VM's guid exited; prints its status,
# returns it
guid_wait_exit() {
	local i=0
	while [ ! -s /tmp/guid-$1.rc ]; do
		[ $i -ge $(($2 * 5)) ] && { echo "guid of $1 still running after $2 s"; return 255; }
		sleep 0.2
		i=$((i + 1))
	done
	echo "guid of $1 exited with status $(cat /tmp/guid-$1.rc)"
	return "$(cat /tmp/guid-$1.rc)"
}

# guid_stats VM: SIGUSR1 to VM's guid, then its stats line
guid_stats() {
	local n i=0
	n=$(grep -c 'stats:' /tmp/guid-$1.log)
	kill -USR1 "$(cat /tmp/guid-$1.pid)" || return 1
	while [ "$(grep -c 'stats:' /tmp/guid-$1.log)" = "$n" ] && [ $i -lt 150 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	grep 'stats:' /tmp/guid-$1.log | tail -n 1
}

# stat_field LINE WORD: the number before WORD in a guid stats line
stat_field() {
	echo "$1" | tr ',;()' '    ' | awk -v w="$2" '{ for (i = 2; i <= NF; i++) if ($i == w) print $(i - 1) }' | head -n 1
}

# imports VM: "imports pages mmaps grant-maps" of VM's buffers in dom0's
# gntfb importer (debugfs), 0 0 0 0 if none
imports() {
	local d
	d=$(cat /tmp/domid-$1 2>/dev/null) || d=$(bh_domid_of "$1")
	awk -v d="$d" '$1 == d { print $2, $3, $4, $5; f = 1 } END { if (!f) print "0 0 0 0" }' \
		/sys/kernel/debug/gntfb/imports
}

# xs_value_is PATH VALUE
xs_value_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }
