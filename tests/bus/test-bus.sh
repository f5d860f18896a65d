#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# D-Bus integration: tierd --root FIXTURE --user on a private dbus-daemon, driven by tierctl and busctl.
# Checks properties, methods, errors, TierMapChanged after a rescan of a changed tree, Reload() rejection and
# acceptance, knobs written into the tree and restored on SIGTERM, and tierctl's message without a daemon.
# usage: test-bus.sh TIERD TIERCTL FIXTURE_DIR
set -euo pipefail
tierd=$1 tierctl=$2 fixture=$3

. "$(dirname "$0")/private-bus.sh"

# A private copy of the tree: the test changes it.
cp -a "$fixture" "$tmp/root"
root=$tmp/root
mkdir -p "$root/proc/sys/kernel" "$root/sys/kernel/mm/numa"
echo 1 >"$root/proc/sys/kernel/numa_balancing"
echo false >"$root/sys/kernel/mm/numa/demotion_enabled"
cat >"$tmp/tierd.conf" <<CONF
[Daemon]
Mode=observe
CONF

# Without a daemon, tierctl says so plainly.
out=$("$tierctl" --user status 2>&1) && rc=0 || rc=$?
check "tierctl status without a daemon fails" test "$rc" -ne 0
check "tierctl status without a daemon says tierd is not running" grep -q "tierd is not running" <<<"$out"

dbus-monitor --address "$DBUS_SESSION_BUS_ADDRESS" "type='signal',sender='org.tierd.Manager1'" >"$tmp/signals" 2>/dev/null &
pids+=($!)
"$tierd" --root "$root" --user --config "$tmp/tierd.conf" 2>"$tmp/tierd.log" &
tierd_pid=$!
pids+=($tierd_pid)
wait_for_name || true


check "Mode is observe" test "$(prop Mode)" = 's "observe"'
check "TierMapGeneration starts at 1" test "$(prop TierMapGeneration)" = "t 1"
check "Version is set" grep -q '^s "[0-9]' <<<"$(prop Version)"
check "Nodes lists node 2 in tier 86" grep -q '2 11068 86 86 "hmat"' <<<"$(prop Nodes)"
check "Tiers lists tiers 4 and 86" grep -q '^a(iiiau) 2 4 576 612 2 0 1 86 11068 11068 2 2 3$' <<<"$(prop Tiers)"

# tierctl status as text: the first line's exact format, then one line per tier (spr-cxl: tiers 4 and 86), and
# no warnings line (spr-cxl has none).
version=$(prop Version | sed -n 's/^s "\(.*\)"$/\1/p')
"$tierctl" --user status >"$tmp/status.txt"
printf '%s\n' "tierd $version, kernel 6.12.107+deb12-amd64, mode observe, tier map generation 1" \
        "  tier 4: nodes 0,1" "  tier 86: nodes 2,3" >"$tmp/status.expected"
check "tierctl status names version, kernel, mode and generation" \
        test "$(head -n1 "$tmp/status.txt")" = "$(head -n1 "$tmp/status.expected")"
check "tierctl status lists tier 4 (nodes 0,1) and tier 86 (nodes 2,3), and nothing else" \
        cmp -s "$tmp/status.txt" "$tmp/status.expected"
check "the version in tierctl status is a real one" grep -q '^tierd [0-9][^ ]*, ' "$tmp/status.txt"

# GetTopology is exactly tierctl classify --json on the same tree.
"$tierctl" --user status --json >"$tmp/status.json"
check "tierctl status --json names the mode" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "observe" and d["tier_map_generation"] == 1, d' "$tmp/status.json"
busctl --user --json=short call org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 GetTopology |
        python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["data"][0])' >"$tmp/topology.json"
"$tierctl" classify --root "$root" --json >"$tmp/classify.json"
check "GetTopology equals tierctl classify --json" cmp -s "$tmp/topology.json" "$tmp/classify.json"

"$tierctl" --user explain 2 >"$tmp/explain-bus.txt"
"$tierctl" explain 2 --root "$root" >"$tmp/explain-local.txt"
check "Explain(2) equals the offline explanation" cmp -s "$tmp/explain-bus.txt" "$tmp/explain-local.txt"
out=$(call Explain u 99 2>&1) && rc=0 || rc=$?
check "Explain(99) fails" test "$rc" -ne 0
check "Explain(99) says the node is not online" grep -q "Node 99 is not online" <<<"$out"
out=$(call Explain s x 2>&1) && rc=0 || rc=$?
check "Explain with a string argument is refused" test "$rc" -ne 0

# Placement's statistics outside migrate mode: the mode and nothing managed, the kernel's counters.
"$tierctl" --user stats --json >"$tmp/stats.json"
check "GetStats() outside migrate mode: no placement, kernel counters" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["managed"] == 0 and "workloads" not in s and "pgpromote_success" in s["kernel"], s' "$tmp/stats.json"
check "tierctl stats prints the mode" grep -q "^Mode: " <("$tierctl" --user stats)
out=$(call MigrateProcess uiu 0 0 0 2>&1) && rc=0 || rc=$?
check "MigrateProcess(pid 0) is refused naming the pid" grep -q "pid: 0 is not a process id" <<<"$out"
out=$(call MigrateProcess uiu $$ 7 0 2>&1) && rc=0 || rc=$?
check "MigrateProcess(node 7) is refused naming the node" grep -q "node: 7 is not a node with memory" <<<"$out"

"$tierctl" --user tiers >"$tmp/tiers.txt"
check "tierctl tiers prints tier 86 with nodes 2,3" grep -Eq '^86 +11068-11068 +2,3 ' "$tmp/tiers.txt"
"$tierctl" --user nodes --json >"$tmp/nodes.json"
check "tierctl nodes --json has four nodes" python3 -c '
import json, sys
assert len(json.load(open(sys.argv[1]))) == 4' "$tmp/nodes.json"

# A slower CXL node 2, then Rescan(): generation 2 and a TierMapChanged signal.
for f in read_latency write_latency; do echo 600 >"$root/sys/devices/system/node/node2/access1/initiators/$f"; done
call Rescan >/dev/null
check "TierMapGeneration is 2 after a rescan of a changed tree" test "$(prop TierMapGeneration)" = "t 2"
check "node 2 moved to tier 195" grep -q '2 24961 195 86 "hmat"' <<<"$(prop Nodes)"
for _ in $(seq 50); do grep -q "member=TierMapChanged" "$tmp/signals" && break; sleep 0.1; done
# (grep without -q reads to the end: no SIGPIPE for the first grep under pipefail)
signalled_generation() { grep -A1 "member=TierMapChanged" "$tmp/signals" | grep "uint64 $1" >/dev/null; }
check "TierMapChanged(2) was signalled" signalled_generation 2
check "PropertiesChanged was signalled" grep -q "member=PropertiesChanged" "$tmp/signals"
check "PropertiesChanged names Nodes" grep -q 'string "Nodes"' "$tmp/signals"
call Rescan >/dev/null
check "an unchanged rescan keeps the generation" test "$(prop TierMapGeneration)" = "t 2"

# A kernel change visible only in the kernel's tier (node 2's memory_tier86 -> 4 in the tree, our tier stays) and
# then an adistance change within the same tier are published too: a new generation each.
mkdir -p "$root/sys/devices/virtual/memory_tiering"
gen=$(prop TierMapGeneration | cut -d' ' -f2)
tiering=$root/sys/devices/virtual/memory_tiering
printf '0-1\n' >"$tiering/memory_tier4/nodelist"
printf '3\n' >"$tiering/memory_tier86/nodelist"
mkdir -p "$tiering/memory_tier195" && printf '2\n' >"$tiering/memory_tier195/nodelist"
call Rescan >/dev/null
check "a kernel-tier-only change moves the generation" test "$(prop TierMapGeneration)" = "t $((gen + 1))"
check "Nodes shows the kernel's new tier for node 2" grep -q '2 24961 195 195 "hmat"' <<<"$(prop Nodes)"
for f in read_latency write_latency; do echo 601 >"$root/sys/devices/system/node/node2/access1/initiators/$f"; done
call Rescan >/dev/null
check "an adistance change within a tier moves the generation" test "$(prop TierMapGeneration)" = "t $((gen + 2))"
check "it is logged as a change within the tier, not a move to the same tier" \
        grep -q "Node 2 stays in tier 195, abstract distance 24961 -> 25002" "$tmp/tierd.log"
check "no record claims a move from a tier to itself" bash -c "! grep -q 'from tier \([0-9]*\) to tier \1 ' '$tmp/tierd.log'"

# Text read from files is not always UTF-8: a kernel release with a stray byte and a terminal escape must not
# stop the replies (sd-bus refuses invalid UTF-8, and the caller would time out).
printf '6.12.0-\377\033[31mtest\n' >"$root/proc/sys/kernel/osrelease"
call Rescan >/dev/null
out=$(timeout 10 busctl --user --timeout=5 get-property org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 \
        KernelRelease 2>&1) && rc=0 || rc=$?
check "KernelRelease answers for a release that is not UTF-8" test "$rc" -eq 0
check "KernelRelease is escaped" grep -qF '6.12.0-\\xff\\x1b[31mtest' <<<"$out"
timeout 10 "$tierctl" --user status >"$tmp/status-utf8.txt" 2>&1 && rc=0 || rc=$?
check "tierctl status answers for a release that is not UTF-8" test "$rc" -eq 0
check "tierctl status shows no raw escape byte" bash -c "! grep -q $'\x1b' '$tmp/status-utf8.txt'"
out=$(timeout 10 busctl --user --timeout=5 call org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 \
        GetTopology 2>&1) && rc=0 || rc=$?
check "GetTopology answers for a release that is not UTF-8" test "$rc" -eq 0
timeout 10 "$tierctl" --user explain 2 >/dev/null 2>&1 && rc=0 || rc=$?
check "Explain answers for a release that is not UTF-8" test "$rc" -eq 0

# Reload(): a bad file is rejected with FILE:LINE and the old configuration stays.
printf '[Daemon]\nMode=sometimes\n' >"$tmp/tierd.conf"
out=$(call Reload 2>&1) && rc=0 || rc=$?
check "Reload of a bad configuration fails" test "$rc" -ne 0
check "the rejection names FILE:LINE" grep -q "tierd.conf:2" <<<"$out"
check "the old mode stays after a rejected reload" test "$(prop Mode)" = 's "observe"'
# A huge line (40 MB, more than the bus's message limit) is refused quickly with a short error, and tierd stays
# on the bus with its configuration.
python3 -c 'import sys; sys.stdout.write("[Daemon]\nMode=" + "x" * 40000000 + "\n")' >"$tmp/tierd.conf"
out=$(timeout 20 busctl --user --timeout=10 call org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 Reload \
        2>&1) && rc=0 || rc=$?
check "Reload of a 40 MB line fails" test "$rc" -ne 0
check "the rejection of a 40 MB line is short" test "${#out}" -lt 400
check "tierd is still on the bus after the 40 MB line" test "$(prop Mode)" = 's "observe"'
# A good one is taken: kernel mode writes the knobs (into the tree, since --root).
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=tiering\nDemotion=on\n' >"$tmp/tierd.conf"
"$tierctl" --user reload
check "Mode is kernel after a reload" test "$(prop Mode)" = 's "kernel"'
check "numa_balancing was set to 2" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 2
check "demotion_enabled was set to true" test "$(cat "$root/sys/kernel/mm/numa/demotion_enabled")" = true
# SIGHUP reloads too: back to observe restores the knobs at once.
printf '[Daemon]\nMode=observe\n' >"$tmp/tierd.conf"
kill -HUP "$tierd_pid"
for _ in $(seq 50); do [[ $(prop Mode) == 's "observe"' ]] && break; sleep 0.1; done
check "SIGHUP reloads the configuration" test "$(prop Mode)" = 's "observe"'
check "numa_balancing restored after going back to observe" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1

# Idle means asleep: no timer or poll wakes tierd while nothing happens (no watchdog is set here).
switches() { awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }' "/proc/$tierd_pid/status"; }
before=$(switches)
sleep 2
after=$(switches)
check "an idle tierd does not wake up ($before -> $after context switches in 2 s)" test "$before" -eq "$after"

# SIGTERM restores what is still changed.
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=both\n' >"$tmp/tierd.conf"
"$tierctl" --user reload
check "numa_balancing set to 3" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 3
kill -TERM "$tierd_pid"
wait "$tierd_pid" && rc=0 || rc=$?
check "tierd exits 0 on SIGTERM" test "$rc" -eq 0
check "numa_balancing restored on SIGTERM" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1
check "the journal-less log names the restored knob" grep -q "Restored kernel knob numa_balancing" "$tmp/tierd.log"

# Without a bus to serve on, tierd stops before it changes anything.
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=off\n' >"$tmp/tierd.conf"
DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-such-bus "$tierd" --root "$root" --user --config "$tmp/tierd.conf" \
        2>"$tmp/nobus.log" && rc=0 || rc=$?
check "tierd fails without a bus" test "$rc" -ne 0
check "without a bus it changed no knob" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1
check "without a bus it logged no knob change" bash -c "! grep -q 'Set kernel knob' '$tmp/nobus.log'"

# A fatal error after the knobs were set (a tree whose knobs exist but whose nodes do not) still restores them.
mkdir -p "$tmp/nonodes/proc/sys/kernel"
echo 1 >"$tmp/nonodes/proc/sys/kernel/numa_balancing"
"$tierd" --root "$tmp/nonodes" --user --config "$tmp/tierd.conf" 2>"$tmp/fatal.log" && rc=0 || rc=$?
check "tierd fails on a tree without nodes" test "$rc" -ne 0
check "it set numa_balancing to 0 first" grep -q "Set kernel knob numa_balancing" "$tmp/fatal.log"
check "numa_balancing restored after the fatal error" test "$(cat "$tmp/nonodes/proc/sys/kernel/numa_balancing")" = 1

# A knob that cannot be put back (its file turned into a FIFO while tierd ran) makes the exit status 1.
cp -a "$root" "$tmp/root-fifo"
echo 1 >"$tmp/root-fifo/proc/sys/kernel/numa_balancing"
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=off\n' >"$tmp/fifo.conf"
"$tierd" --root "$tmp/root-fifo" --user --config "$tmp/fifo.conf" 2>"$tmp/fifo.log" &
tierd_pid=$!
pids+=($tierd_pid)
wait_for_name || true
check "numa_balancing set to 0 in the FIFO tree" test "$(cat "$tmp/root-fifo/proc/sys/kernel/numa_balancing")" = 0
rm "$tmp/root-fifo/proc/sys/kernel/numa_balancing"
mkfifo "$tmp/root-fifo/proc/sys/kernel/numa_balancing"
kill -TERM "$tierd_pid"
wait "$tierd_pid" && rc=0 || rc=$?
check "tierd exits 1 when a knob cannot be restored" test "$rc" -eq 1
check "the failed restore is logged once" test "$(grep -c "Failed to write '1' to /proc/sys/kernel/numa_balancing" "$tmp/fifo.log")" -eq 1

# SIGINT is an exit like SIGTERM.
"$tierd" --root "$root" --user --config "$tmp/tierd.conf" 2>"$tmp/int.log" &
tierd_pid=$!
pids+=($tierd_pid)
wait_for_name || true
check "numa_balancing set to 0" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 0
kill -INT "$tierd_pid"
wait "$tierd_pid" && rc=0 || rc=$?
check "tierd exits 0 on SIGINT" test "$rc" -eq 0
check "numa_balancing restored on SIGINT" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1

# A crash (SIGKILL) leaves the knobs changed; the next instance restores the administrator's values, not the
# dead instance's ones, thanks to the originals kept in $RUNTIME_DIRECTORY.
mkdir -p "$tmp/run"
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=both\n' >"$tmp/tierd.conf"
start_instance() {
        RUNTIME_DIRECTORY=$tmp/run "$tierd" --root "$root" --user --config "$tmp/tierd.conf" 2>>"$tmp/crash.log" &
        tierd_pid=$!
        pids+=($tierd_pid)
        wait_for_name || true
}
start_instance
check "numa_balancing set to 3 before the crash" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 3
check "the original value is kept in the runtime directory" grep -qx "numa_balancing=1" "$tmp/run/saved-knobs"
kill -KILL "$tierd_pid"
wait "$tierd_pid" 2>/dev/null || true
check "after SIGKILL the knob is still changed" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 3
start_instance
check "the restarted instance adopts the saved original" grep -q "original value 1 will be restored" "$tmp/crash.log"
kill -TERM "$tierd_pid"
wait "$tierd_pid" 2>/dev/null || true
check "the administrator's numa_balancing (1) is back, not the crashed instance's 3" \
        test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1
check "the saved originals are gone once restored" test ! -e "$tmp/run/saved-knobs"

# A bad configuration at start: refuse to run, with FILE:LINE.
printf '[Daemon]\nMod=observe\n' >"$tmp/tierd.conf"
"$tierd" --root "$root" --user --config "$tmp/tierd.conf" 2>"$tmp/start.log" && rc=0 || rc=$?
check "tierd refuses to start on a bad configuration" test "$rc" -ne 0
check "the refusal names FILE:LINE" grep -q "tierd.conf:2" "$tmp/start.log"

# A second instance while one runs: it cannot take the name, so it must leave the first one's knobs and its
# record of the originals alone.
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=both\n' >"$tmp/tierd.conf"
start_instance
first_pid=$tierd_pid
check "the first instance set numa_balancing to 3" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 3
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=off\n' >"$tmp/second.conf"
RUNTIME_DIRECTORY=$tmp/run "$tierd" --root "$root" --user --config "$tmp/second.conf" 2>"$tmp/second.log" &&
        rc=0 || rc=$?
check "a second instance refuses to run" test "$rc" -ne 0
check "the second instance says another tierd runs" grep -q "Another tierd" "$tmp/second.log"
check "the second instance left numa_balancing at the first one's 3" \
        test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 3
check "the first instance's record of the original is intact" grep -qx "numa_balancing=1" "$tmp/run/saved-knobs"

# Losing the bus: tierd must not run on unreachable, it exits non-zero with the knobs restored.
kill -TERM "${pids[0]}"
wait "$first_pid" && rc=0 || rc=$?
check "tierd exits non-zero when the bus goes away" test "$rc" -ne 0
check "it says it lost the bus" grep -q "Lost the connection" "$tmp/crash.log"
check "numa_balancing restored after losing the bus" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1

echo "$passed passed, $failed failed"
((failed == 0))
