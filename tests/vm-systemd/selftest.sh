#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Demo test for the tests/vm-systemd harness (runs in the guest):
#   run-vm.sh --test tests/vm-systemd/selftest.sh
# Checks that systemd reached multi-user with udev and dbus, hot-adds a
# pc-dimm to the memory-less node 2 through the host, and reports the
# uevents, the memory blocks and the memory tiers before and after.
# Exit 0 when everything expected was seen.
set -u
. /usr/lib/tierd-vmtest/lib.sh
fail=0


hpnode=$TIERD_VMTEST_HOTPLUG_NODE
sysnode=/sys/devices/system/node
sysmem=/sys/devices/system/memory

state() {
	echo "  nodes: possible $(cat $sysnode/possible) online $(cat $sysnode/online)" \
		"has_memory $(cat $sysnode/has_memory) has_cpu $(cat $sysnode/has_cpu)"
	local d n blocks
	for d in $sysnode/node[0-9]*; do
		n=${d##*/node}
		blocks=$(ls -d "$d"/memory[0-9]* 2>/dev/null | wc -l)
		printf '  node%s: %s memory blocks, MemTotal %s kB, access1 %s\n' "$n" "$blocks" \
			"$(awk '/MemTotal/ { print $4 }' "$d/meminfo")" \
			"$(cd "$d/access1/initiators" 2>/dev/null &&
				echo "rl=$(cat read_latency) wl=$(cat write_latency) rb=$(cat read_bandwidth) wb=$(cat write_bandwidth)" ||
				echo none)"
	done
	echo "  memory tiers:"
	vmtest_tiers | sed 's/^/    /'
}

in_list() {      # in_list N LIST: is N in the kernel list LIST ("0-2,5")?
	awk -v n="$1" -v l="$2" 'BEGIN { k = split(l, p, ","); for (i = 1; i <= k; i++) {
		split(p[i], r, "-"); if (n >= r[1] + 0 && n <= (r[2] == "" ? r[1] : r[2]) + 0) exit 0 }
		exit 1 }'
}

in_tier() {      # in_tier N: is node N in some memory tier?
	local t
	for t in /sys/devices/virtual/memory_tiering/memory_tier*/nodelist; do
		in_list "$1" "$(cat "$t")" && return 0
	done
	return 1
}

blocks_on_node() {      # online memory blocks of node $1
	local b c=0
	for b in $sysnode/node$1/memory[0-9]*; do
		[ -e "$b/online" ] && [ "$(cat "$b/online")" = 1 ] && c=$((c + 1))
	done
	echo $c
}

has_online_block() {    # has_online_block N
	[ "$(blocks_on_node "$1")" -gt 0 ]
}

echo "== system"
st=$(timeout 90 systemctl is-system-running --wait 2>&1)
echo "systemctl is-system-running: $st"
check "systemd is up (running or degraded)" test "$st" = running -o "$st" = degraded
echo "failed units:"
systemctl --failed --no-pager --no-legend | sed 's/^/  /'
check "dbus.service active" systemctl -q is-active dbus.service
check "systemd-udevd.service active" systemctl -q is-active systemd-udevd.service
check "the system bus answers" busctl --system call org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus GetId >/dev/null
echo "kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "multi-user.target reached at $(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target |
	awk '{ printf "%.1f", $1 / 1e6 }') s (monotonic)"
echo "memory block size 0x$(cat $sysmem/block_size_bytes), auto_online_blocks: $(cat $sysmem/auto_online_blocks)"

echo "== before the hot-plug"
state
nblocks0=$(ls -d $sysmem/memory[0-9]* | wc -l)

# The uevents, with udevadm's monotonic timestamps (line-buffered to a file).
mon=/run/tierd-vmtest/uevents.txt
stdbuf -oL udevadm monitor --kernel --udev --property \
	--subsystem-match=memory --subsystem-match=node --subsystem-match=memory_tiering > "$mon" 2>&1 &
monpid=$!
vmtest_wait 10 grep -q 'monitor will print' "$mon" || echo "(udevadm monitor did not start?)"
sleep 0.5

echo "== hot-plug: asking the host for a pc-dimm on node $hpnode"
vmtest_hotplug
hp=$?
echo "host: $VMTEST_HOTPLUG_REPLY"
echo "requested at $VMTEST_HOTPLUG_T0, answer at $VMTEST_HOTPLUG_T1 (guest monotonic)"
check "the host hot-added the pc-dimm" test $hp = 0

# A new memory block on node $hpnode, online.
check "an online memory block on node $hpnode within 30 s" \
	vmtest_wait 30 has_online_block "$hpnode"
udevadm settle -t 30
sleep 1             # the uevents of the memory tier follow the blocks'
kill $monpid 2>/dev/null
wait $monpid 2>/dev/null

echo "== uevents (monotonic seconds)"
grep -E '^(KERNEL|UDEV)\[' "$mon" | sed 's/^/  /'
first=$(grep -m1 -oE '^KERNEL\[[0-9.]+\]' "$mon" | tr -dc '0-9.')
if [ -n "$first" ]; then
	awk -v f="$first" -v a="$VMTEST_HOTPLUG_T0" -v b="$VMTEST_HOTPLUG_T1" 'BEGIN {
		printf "first kernel uevent %.3f s after the request, %.3f s after the host answered\n",
			f - a, f - b }'
fi
check "kernel uevent: memory add" grep -qE '^KERNEL\[[0-9.]+\] add +/devices/system/memory/memory[0-9]+ \(memory\)' "$mon"
check "kernel uevent: memory online" grep -qE '^KERNEL\[[0-9.]+\] online +/devices/system/memory/memory[0-9]+ \(memory\)' "$mon"
check "kernel uevent: node$hpnode add" grep -qE "^KERNEL\[[0-9.]+\] add +/devices/system/node/node$hpnode \(node\)" "$mon"
check "udev saw the memory blocks" grep -qE '^UDEV +\[[0-9.]+\] (add|online) +/devices/system/memory/' "$mon"

echo "== after the hot-plug"
state
echo "memory blocks: $nblocks0 -> $(ls -d $sysmem/memory[0-9]* | wc -l)"
for b in $sysnode/node$hpnode/memory[0-9]*; do
	[ -e "$b" ] || continue
	echo "  ${b##*/}: state $(cat "$b/state"), zone $(cat "$b/valid_zones"), phys_index 0x$(cat "$b/phys_index")"
done
echo "numactl -H:"
numactl -H | sed 's/^/  /'
check "node $hpnode has memory" in_list "$hpnode" "$(cat $sysnode/has_memory)"
check "node $hpnode is in a memory tier" in_tier "$hpnode"
echo "kernel messages about the hot-plug and tiers:"
dmesg | grep -E 'Demotion targets|memory_tier|hotplug|acpi.*PNP0C80|Initmem|node [0-9]+ .*online|Fallback order|Built [0-9]+ zonelists' |
	tail -n 30 | sed 's/^/  /'

cp "$mon" "$TIERD_VMTEST_OUT/uevents.txt"
echo "== selftest: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
