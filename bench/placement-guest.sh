#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest side of bench/placement.sh (a tests/vm-systemd test): runs the hotshift workload under each placement
# manager in turn, in one boot, and leaves per-run files in $TIERD_VMTEST_OUT for the host to analyse.
#
# Environment (run-vm.sh --env): BENCH_MANAGERS (comma list of defaults, tiering, damon, tierd), BENCH_DURATION
# and BENCH_SHIFT (s), BENCH_SIZE_MIB (0: twice node 0's free memory, measured once, then the same for every
# run), BENCH_SAMPLE_KIB, BENCH_COST_COPIES (0: no cost runs) and BENCH_COST_DURATION.
#
# Per manager and run kind (placement: one workload; cost: BENCH_COST_COPIES small ones at once, together as
# large as the one), files named KIND-MANAGER*:
#   .csv (hotshift's output; cost-MANAGER-N.csv per copy), .err, .vmstat (deltas of /proc/vmstat), .time (the
#   workload's real/user/sys seconds), .mgr (the manager's CPU% and peak RSS: its kernel threads or tierd),
#   .damon (the schemes' stats), .tierd (tierd's journal); also setup.txt (topology, tiers, knobs as booted).
#
# Between runs: the manager stopped and the knobs as booted, the workload gone and its memory back, caches
# dropped, memory compacted.  Node 0's free memory is then brought back to what it was before the first run with a
# cold, movable "ballast" (hotshift --idle, another comm) on node 0: the first run starts with the boot's cold
# tmpfs pages there, and a manager that demoted them would otherwise hand the next one an emptier fast node.
# shellcheck disable=SC2317,SC2034 # the managers' functions and variables are used through their names
set -u
shopt -s extglob # the threads_ patterns
# shellcheck source=/dev/null
. /usr/lib/tierd-vmtest/lib.sh

out=$TIERD_VMTEST_OUT
mkdir -p "$out"
managers=${BENCH_MANAGERS:-defaults,tiering,damon,tierd}
duration=${BENCH_DURATION:-75}
shift_sec=${BENCH_SHIFT:-15}
size_mib=${BENCH_SIZE_MIB:-0}
sample_kib=${BENCH_SAMPLE_KIB:-64}
cost_copies=${BENCH_COST_COPIES:-10}
cost_duration=${BENCH_COST_DURATION:-30}
fast=0 slow=1
nb_knob=/proc/sys/kernel/numa_balancing
demotion_knob=/sys/kernel/mm/numa/demotion_enabled
damon=/sys/kernel/mm/damon/admin/kdamonds
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
ballast_pid=''

say() { echo "bench: $*"; }

node_free_mib() { awk '/MemFree/ { print int($4 / 1024) }' "/sys/devices/system/node/node$1/meminfo"; }

# "START END" of node $1's physical memory (its memory blocks; contiguous in this topology).
node_range() {
	local bs m idx lo='' hi=''
	bs=$((16#$(cat /sys/devices/system/memory/block_size_bytes)))
	for m in /sys/devices/system/memory/memory*/node"$1"; do
		idx=$(cat "${m%/*}/phys_index")
		idx=$((16#$idx))
		if [ -z "$lo" ] || [ "$idx" -lt "$lo" ]; then lo=$idx; fi
		if [ -z "$hi" ] || [ "$idx" -gt "$hi" ]; then hi=$idx; fi
	done
	echo "$((lo * bs)) $(((hi + 1) * bs))"
}

vmstat_snapshot() { grep -E '^(pgmigrate_|pgpromote_|pgdemote_|numa_|thp_migration_|thp_split_page |pgsteal_|compact_)' /proc/vmstat; }

# vmstat_delta BEFORE_FILE: "name delta" for every counter, after minus before.
vmstat_delta() { vmstat_snapshot | awk 'NR == FNR { a[$1] = $2; next } { print $1, $2 - a[$1] }' "$1" -; }

# "COMM USER SYS RSS_KIB" of each process and kernel thread whose comm matches the glob $1 (ticks; RSS 0 for a
# kernel thread), its comm's trailing digits dropped (kdamond.0 and kdamond.1 both count as kdamond.).
sample_threads() {
	local pattern=$1 p comm stat rest rss
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null < "$p/comm" || continue
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $comm == $pattern ]] || continue
		stat=$(cat "$p/stat" 2>/dev/null) || continue
		rss=$(awk '/^VmRSS/ { print $2 }' "$p/status" 2>/dev/null)
		rest=${stat##*) }
		# shellcheck disable=SC2086 # fields
		set -- $rest
		echo "${comm%%+([0-9])} ${12} ${13} ${rss:-0}"
	done
}

# "COMM USER SYS" ticks per comm of sample_threads' lines on stdin, for cpu_split.
cpu_by_comm() { awk '{ u[$1] += $2; s[$1] += $3 } END { for (c in u) print c, u[c], s[c] }'; }

# cpu_split BEFORE AFTER LAST SECONDS: "TOTAL comm:user%+sys%,..." of the CPU the comms used between the
# cpu_by_comm files BEFORE and AFTER, in percent of one CPU over SECONDS.  LAST is the last cpu_by_comm taken
# while the workload ran: a kdamond ends with the process it monitors, so that it is missing from AFTER.
cpu_split() {
	awk -v hz="$clk_tck" -v secs="$4" 'FILENAME == ARGV[1] { u0[$1] = $2; s0[$1] = $3; next }
		{ if ($2 + $3 >= u[$1] + s[$1]) { u[$1] = $2; s[$1] = $3 } }
		END {
			for (c in u) {
				du = (u[c] - u0[c]) / hz / secs * 100; ds = (s[c] - s0[c]) / hz / secs * 100
				out = out sep sprintf("%s:%.1f%%+%.1f%%", c, du, ds); sep = ","; total += du + ds
			}
			printf "%.1f %s\n", total, out == "" ? "-" : out
		}' "$1" "$2" "$3"
}

# Peak VmRSS (KiB) of the processes matching $1, sampled every 2 s until the file $2 disappears, into $3; the
# matching threads' CPU (cpu_by_comm) into $4 at each sample.
rss_watch() {
	local pattern=$1 flag=$2 file=$3 cpu=$4 peak=0 rss samples
	while [ -e "$flag" ]; do
		samples=$(sample_threads "$pattern")
		rss=$(awk '$4 > m { m = $4 } END { print m + 0 }' <<< "$samples")
		[ "$rss" -gt "$peak" ] && peak=$rss
		cpu_by_comm <<< "$samples" > "$cpu.new" && mv "$cpu.new" "$cpu"
		sleep 2
	done
	echo "$peak" > "$file"
}

# --- the managers: manager_start_NAME / manager_stop_NAME; threads_NAME is the comm glob (extglob) whose CPU is
# its cost: tierd's includes the kdamond it runs and kswapd, which demotes for the kernel's part as for the others.

threads_defaults='kswapd*'
manager_start_defaults() { :; } # numa_balancing and demotion_enabled as booted
manager_stop_defaults() { :; }

threads_tiering='kswapd*'
manager_start_tiering() {
	echo 2 > "$nb_knob" && echo true > "$demotion_knob"
}
manager_stop_tiering() { :; } # knobs_restore

# One kdamond per scheme: $1 index, $2 action, $3 target node, $4 "START END" monitored, then the access pattern
# "NR_MIN NR_MAX AGE_MIN" and the young filter's "matching" (pages whose young-ness equals it are skipped).
damon_kdamond() {
	local k=$damon/$1 c s range pattern young=$6
	read -r -a range <<< "$4"
	read -r -a pattern <<< "$5"
	echo 1 > "$k/contexts/nr_contexts" || return 1
	c=$k/contexts/0
	echo paddr > "$c/operations" || return 1
	echo 5000 > "$c/monitoring_attrs/intervals/sample_us"
	echo 100000 > "$c/monitoring_attrs/intervals/aggr_us"
	echo 1000000 > "$c/monitoring_attrs/intervals/update_us"
	echo 10 > "$c/monitoring_attrs/nr_regions/min"
	echo 1000 > "$c/monitoring_attrs/nr_regions/max"
	echo 1 > "$c/targets/nr_targets"
	echo 1 > "$c/targets/0/regions/nr_regions"
	# end first: the new region is 0..0 and the kernel refuses start > end
	echo "${range[1]}" > "$c/targets/0/regions/0/end"
	echo "${range[0]}" > "$c/targets/0/regions/0/start"
	echo 1 > "$c/schemes/nr_schemes"
	s=$c/schemes/0
	echo "$2" > "$s/action" || return 1
	echo "$3" > "$s/target_nid" || return 1
	echo 0 > "$s/apply_interval_us" # at every aggregation
	# every min and max: a new scheme's ranges are 0..0 (kernel-notes.md)
	echo 4096 > "$s/access_pattern/sz/min"
	echo 18446744073709551615 > "$s/access_pattern/sz/max"
	echo "${pattern[0]}" > "$s/access_pattern/nr_accesses/min"
	echo "${pattern[1]}" > "$s/access_pattern/nr_accesses/max"
	echo "${pattern[2]}" > "$s/access_pattern/age/min"
	echo 4294967295 > "$s/access_pattern/age/max"
	echo $((200 << 20)) > "$s/quotas/bytes"
	echo 500 > "$s/quotas/ms"
	echo 1000 > "$s/quotas/reset_interval_ms"
	echo 0 > "$s/quotas/weights/sz_permil"
	echo 100 > "$s/quotas/weights/nr_accesses_permil"
	echo 100 > "$s/quotas/weights/age_permil"
	echo none > "$s/watermarks/metric"
	echo 1 > "$s/filters/nr_filters"
	if ! echo young > "$s/filters/0/type" 2>/dev/null; then
		say "damon: no young filter in this kernel, the scheme acts on whole regions"
		echo 0 > "$s/filters/nr_filters"
	else
		echo "$young" > "$s/filters/0/matching"
	fi
	echo on > "$k/state"
}

# DAMON paddr schemes, NUMA balancing off (see the README's Benchmarks section for the parameters).
threads_damon='kdamond.*'
manager_start_damon() {
	echo 0 > "$nb_knob"
	[ "$(cat "$damon/nr_kdamonds")" = 0 ] || { say "damon: kdamonds exist already"; return 1; }
	echo 2 > "$damon/nr_kdamonds" || return 1
	# hot: any access in the 100 ms aggregation, young when applied; cold: none for 1 s (10 aggregations), not young
	damon_kdamond 0 migrate_hot "$fast" "$(node_range "$slow")" "1 4294967295 0" N || return 1
	damon_kdamond 1 migrate_cold "$slow" "$(node_range "$fast")" "0 0 10" Y || return 1
}
manager_stop_damon() {
	local k i f t0=$SECONDS
	for i in 0 1; do
		k=$damon/$i
		[ -d "$k" ] || continue
		echo update_schemes_stats > "$k/state" 2>/dev/null
		for f in nr_tried sz_tried nr_applied sz_applied qt_exceeds; do
			echo "kdamond$i $(cat "$k/contexts/0/schemes/0/action") $f $(cat "$k/contexts/0/schemes/0/stats/$f")"
		done
	done > "$out/$run_name.damon"
	local t1=$SECONDS
	damon_off
	say "damon: stats read in $((t1 - t0)) s, kdamonds off in $((SECONDS - t1)) s"
}
damon_off() {
	local k
	for k in "$damon"/[0-9]*; do
		[ -d "$k" ] && [ "$(cat "$k/state")" = on ] && echo off > "$k/state"
	done
	echo 0 > "$damon/nr_kdamonds"
}

# tierd as installed by the host (--tierd-build), with the configuration it put into the overlay; tierd-nb0 and
# tierd-nb2 add [Kernel] NumaBalancing=off or tiering: does the kernel's NUMA-balancing promotion help or hinder?
threads_tierd='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd() {
	[ -x /usr/sbin/tierd ] || { say "tierd: skipped (no /usr/sbin/tierd in the overlay)"; return 77; }
	systemctl start tierd.service || { journalctl -u tierd --no-pager | tail -n 20; return 1; }
}
manager_stop_tierd() {
	tierctl stats --json > "$out/$run_name.stats" 2>&1
	systemctl stop tierd.service
	journalctl -u tierd --no-pager -o short-monotonic > "$out/$run_name.tierd" 2>&1
	rm -f /etc/tierd/tierd.conf.d/60-bench-variant.conf
}
tierd_variant() { # tierd_variant 'INI TEXT': the drop-in (printf format), then tierd
	mkdir -p /etc/tierd/tierd.conf.d
	printf "$1" > /etc/tierd/tierd.conf.d/60-bench-variant.conf
	manager_start_tierd
}
threads_tierd_nb0='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd_nb0() { tierd_variant '[Kernel]\nNumaBalancing=off\n'; }
manager_stop_tierd_nb0() { manager_stop_tierd; }
threads_tierd_nb2='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd_nb2() { tierd_variant '[Kernel]\nNumaBalancing=tiering\n'; }
manager_stop_tierd_nb2() { manager_stop_tierd; }
# tierd_debug: tierd as "tierd", with its per-cycle and per-job debug records in the .tierd file
threads_tierd_debug='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd_debug() { tierd_variant '[Daemon]\nLogLevel=debug\n'; }
manager_stop_tierd_debug() { manager_stop_tierd; }
# tierd_kp: the kernel's NUMA-balancing tiering promotes, tierd only makes room (Promotion=kernel), with debug records
threads_tierd_kp='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd_kp() {
	tierd_variant '[Daemon]\nLogLevel=debug\n[Kernel]\nNumaBalancing=both\n[Placement]\nPromotion=kernel\n'
}
manager_stop_tierd_kp() { manager_stop_tierd; }
# tierd_kpn: as tierd_kp with NumaBalancing=normal (mode 1 promotes towards the task's CPUs)
threads_tierd_kpn='@(tierd|kdamond.*|kswapd*)'
manager_start_tierd_kpn() {
	tierd_variant '[Daemon]\nLogLevel=debug\n[Kernel]\nNumaBalancing=normal\n[Placement]\nPromotion=kernel\n'
}
manager_stop_tierd_kpn() { manager_stop_tierd; }
# tierd_rN: as tierd_debug with [Placement] RateLimitMBps=N (defined on demand, for any N)
define_tierd_rate() { # define_tierd_rate NAME
	[[ $1 =~ ^tierd_r([0-9]+)$ ]] || return 0
	declare -g "threads_$1=@(tierd|kdamond.*|kswapd*)"
	eval "manager_start_$1() { tierd_variant '[Daemon]\\nLogLevel=debug\\n[Placement]\\nRateLimitMBps=${BASH_REMATCH[1]}\\n'; }"
	eval "manager_stop_$1() { manager_stop_tierd; }"
}

knobs_restore() {
	echo "$booted_nb" > "$nb_knob"
	echo "$booted_demotion" > "$demotion_knob"
}

ballast_stop() {
	[ -n "$ballast_pid" ] || return 0
	kill "$ballast_pid" 2>/dev/null
	wait "$ballast_pid" 2>/dev/null
	ballast_pid=''
}

# Back to the state before the first run (see the top).
reset_system() {
	local t0 want now extra
	ballast_stop
	knobs_restore
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
	t0=$SECONDS
	want=$((base_free_total - 64))
	until now=$(($(node_free_mib $fast) + $(node_free_mib $slow))) && [ "$now" -ge "$want" ]; do
		[ $((SECONDS - t0)) -ge 30 ] && { say "reset: only $now of $want MiB free after 30 s"; break; }
		sleep 1
	done
	extra=$(($(node_free_mib $fast) - base_free_fast))
	if [ "$extra" -ge 16 ]; then
		hotshift --idle --comm ballast --slow-node $fast --fast-node $slow --size-mib "$extra" \
			> "$out/ballast.log" 2>&1 &
		ballast_pid=$!
		vmtest_wait 60 grep -q '^# idle' "$out/ballast.log" || say "reset: the ballast did not start"
	fi
	say "reset: node $fast free $(node_free_mib $fast) MiB (ballast $((extra >= 16 ? extra : 0)) MiB)," \
		"node $slow free $(node_free_mib $slow) MiB"
}

# run_kind KIND MANAGER COPIES DURATION: the manager started, COPIES workloads of size_mib/COPIES each.
run_kind() {
	local kind=$1 m=$2 copies=$3 secs=$4 i rc=0 t0 flag pids=() each phase=$SECONDS
	run_name=$kind-$m
	reset_system
	local reset_s=$((SECONDS - phase))
	vmstat_snapshot > "$out/vmstat.before"
	"manager_start_$m"
	rc=$?
	if [ $rc -ne 0 ]; then
		"manager_stop_$m" 2>/dev/null
		[ $rc -eq 77 ] && echo skipped > "$out/$run_name.skipped"
		return $rc
	fi
	local threads_var=threads_$m
	local threads=${!threads_var}
	sample_threads "$threads" | cpu_by_comm > "$out/cpu.before"
	cp "$out/cpu.before" "$out/cpu.last"
	t0=$(vmtest_now)
	flag=$out/.watching
	touch "$flag"
	rss_watch "$threads" "$flag" "$out/$run_name.rss" "$out/cpu.last" &
	local watcher=$!

	each=$((size_mib / copies))
	TIMEFORMAT='real=%R user=%U sys=%S'
	if [ "$copies" -eq 1 ]; then
		{ time hotshift --size-mib "$each" --duration "$secs" --shift-sec "$shift_sec" \
			--sample-kib "$sample_kib" > "$out/$run_name.csv" 2> "$out/$run_name.err"; } 2> "$out/$run_name.time"
		rc=$?
	else
		for i in $(seq 1 "$copies"); do
			{ time hotshift --size-mib "$each" --duration "$secs" --shift-sec "$shift_sec" \
				--sample-kib "$sample_kib" > "$out/$run_name-$i.csv" 2> "$out/$run_name-$i.err"; } \
				2> "$out/$run_name-$i.time" &
			pids+=($!)
		done
		for i in "${pids[@]}"; do
			wait "$i" || rc=$?
		done
	fi

	sample_threads "$threads" | cpu_by_comm > "$out/cpu.after"
	local t1
	t1=$(vmtest_now)
	rm -f "$flag"
	wait "$watcher"
	phase=$SECONDS
	local cpu
	cpu=$(cpu_split "$out/cpu.before" "$out/cpu.after" "$out/cpu.last" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
	awk -v t0="$t0" -v t1="$t1" -v th="$threads" -v cpu="$cpu" -v rss="$(cat "$out/$run_name.rss")" \
		'BEGIN { split(cpu, c, " "); printf "threads=%s cpu_pct=%s cpu_split=%s rss_peak_kib=%d seconds=%.1f\n", th, c[1], c[2], rss, t1 - t0 }' \
		> "$out/$run_name.mgr"
	"manager_stop_$m"
	vmstat_delta "$out/vmstat.before" > "$out/$run_name.vmstat"
	say "$run_name: status $rc, $(grep -h '^# summary' "$out/$run_name"*.csv | sed 's/^# summary //' | head -n 1)," \
		"pgmigrate_success +$(awk '$1 == "pgmigrate_success" { print $2 }' "$out/$run_name.vmstat"), $(cat "$out/$run_name.mgr")," \
		"reset ${reset_s} s, stop $((SECONDS - phase)) s"
	return $rc
}

{
	numactl -H
	vmtest_tiers
	echo "numa_balancing $(cat $nb_knob)"
	echo "demotion_enabled $(cat $demotion_knob)"
	echo "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	echo "node$fast range $(node_range $fast)"
	echo "node$slow range $(node_range $slow)"
	uname -r
} > "$out/setup.txt"
cat "$out/setup.txt"
booted_nb=$(cat $nb_knob)
booted_demotion=$(cat $demotion_knob)
[ -d "$damon" ] && [ "$(cat "$damon/nr_kdamonds")" != 0 ] && damon_off

sync
echo 3 > /proc/sys/vm/drop_caches
base_free_fast=$(node_free_mib $fast)
base_free_total=$((base_free_fast + $(node_free_mib $slow)))
[ "$size_mib" -gt 0 ] || size_mib=$((2 * base_free_fast))
say "workload ${size_mib} MiB (node $fast free at start: $base_free_fast MiB), managers $managers," \
	"${duration} s, shift ${shift_sec} s; cost: $cost_copies copies, ${cost_duration} s"

status=0
IFS=, read -r -a list <<< "$managers"
for m in "${list[@]}"; do
	define_tierd_rate "$m"
	if ! declare -F "manager_start_$m" > /dev/null; then
		say "unknown manager $m"
		status=1
		continue
	fi
	say "$m: placement, $(date +%T)"
	run_kind placement "$m" 1 "$duration"
	rc=$?
	[ $rc -eq 77 ] && continue
	[ $rc -ne 0 ] && status=1
	if [ "$cost_copies" -gt 0 ]; then
		say "$m: cost, $(date +%T)"
		run_kind cost "$m" "$cost_copies" "$cost_duration" || status=1
	fi
done
ballast_stop
knobs_restore
rm -f "$out/vmstat.before" "$out/ballast.log"
exit $status
