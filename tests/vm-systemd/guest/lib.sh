# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2034
# Helpers for VM test scripts (tests/vm-systemd), installed in the guest as
# /usr/lib/tierd-vmtest/lib.sh (bash):   . /usr/lib/tierd-vmtest/lib.sh
#
# The test's stdout and stderr go to the host live (serial port ttyS1).
#
#   vmtest_now                  print CLOCK_MONOTONIC in seconds (the clock of
#                               `udevadm monitor` timestamps and of
#                               systemd's *Monotonic properties)
#   vmtest_stamp                the same into VMTEST_NOW, without forking
#   vmtest_hotplug [node=N] [size=S]
#                               ask the host to hot-add a pc-dimm (default
#                               node/size: run-vm.sh --hotplug-node/-size),
#                               wait for its answer; 0 when the host says
#                               device_add succeeded.  Sets VMTEST_HOTPLUG_T0
#                               (request), VMTEST_HOTPLUG_T1 (answer) and
#                               VMTEST_HOTPLUG_REPLY.
#   vmtest_wait SECS CMD...     run CMD every 0.1 s until it succeeds; 1 on timeout
#   vmtest_save FILE...         copy files into the results the host extracts
#                               ($TIERD_VMTEST_OUT, run-vm.sh --keep DIR/files/)
#   vmtest_tiers                one line per memory tier: "memory_tierN NODELIST"
#   check WHAT CMD...           run CMD: "ok: WHAT" when it succeeds, else
#                               "FAIL: WHAT" and fail=1 (the test's exit
#                               status, which the test sets to 0 first)
#   knob FILE                   a kernel knob's value, "absent" without the file

. /usr/lib/tierd-vmtest/env

check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fail=1
	fi
}

knob() {
	cat "$1" 2>/dev/null || echo absent
}

vmtest_now() {
	vmtest_stamp
	echo "$VMTEST_NOW"
}

# Sets VMTEST_NOW without forking (even $(...) forks, which costs milliseconds
# under TCG): for timestamps taken right before or after an event.
vmtest_stamp() {
	# /proc/timer_list (root only) starts with "now at N nsecs" (monotonic).
	local a b n rest
	while read -r a b n rest; do
		if [ "$a $b" = "now at" ]; then
			printf -v VMTEST_NOW '%d.%06d' $((n / 1000000000)) $((n % 1000000000 / 1000))
			return 0
		fi
	done < /proc/timer_list
	read -r VMTEST_NOW rest < /proc/uptime
}

vmtest_hotplug() {
	local line=''
	vmtest_stamp
	VMTEST_HOTPLUG_T0=$VMTEST_NOW
	echo "$TIERD_VMTEST_HOTPLUG_MARKER${*:+ $*}" > "$TIERD_VMTEST_TTY"
	# The host answers on the same port (raw mode, no echo: see the wrapper).
	# bash reads a tty byte by byte, so nothing after the line is consumed.
	IFS= read -r -t "${TIERD_VMTEST_HOTPLUG_TIMEOUT:-60}" line < "$TIERD_VMTEST_TTY"
	vmtest_stamp
	VMTEST_HOTPLUG_T1=$VMTEST_NOW
	VMTEST_HOTPLUG_REPLY=${line%$'\r'}
	case $VMTEST_HOTPLUG_REPLY in
	TIERD-VMTEST-HOTPLUG-DONE*) return 0 ;;
	*) return 1 ;;
	esac
}

vmtest_wait() {
	local secs=$1 end
	shift
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	until "$@"; do
		[ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
		sleep 0.1
	done
}

vmtest_save() {
	mkdir -p "$TIERD_VMTEST_OUT" && cp -a -- "$@" "$TIERD_VMTEST_OUT"/
}

vmtest_tiers() {
	local d
	for d in /sys/devices/virtual/memory_tiering/memory_tier*; do
		[ -d "$d" ] || continue
		echo "${d##*/} $(cat "$d/nodelist")"
	done | sort -V
}
