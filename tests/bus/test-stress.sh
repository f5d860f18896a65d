#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What must keep holding under load: 200 parallel calls all answered, 1000 SIGHUPs survived, SIGTERM in the middle
# of a stream of rescans still restores the knobs and exits 0.
# usage: test-stress.sh TIERD TIERCTL FIXTURE_DIR
set -euo pipefail
tierd=$1 tierctl=$2 fixture=$3
. "$(dirname "$0")/private-bus.sh"

cp -a "$fixture" "$tmp/root"
root=$tmp/root
mkdir -p "$root/proc/sys/kernel"
echo 1 >"$root/proc/sys/kernel/numa_balancing"
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=tiering\n' >"$tmp/tierd.conf"
"$tierd" --root "$root" --user --config "$tmp/tierd.conf" 2>"$tmp/tierd.log" &
tierd_pid=$!
pids+=($tierd_pid)
check "tierd is on the bus" wait_for_name
check "numa_balancing set to 2" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 2

# 200 calls at once, of every read-only kind.
for i in $(seq 200); do
        case $((i % 4)) in
        0) call GetTopology >"$tmp/par.$i" 2>&1 ;;
        1) call Explain u $((i % 5)) >"$tmp/par.$i" 2>&1 ;;
        2) prop Nodes >"$tmp/par.$i" 2>&1 ;;
        3) prop Tiers >"$tmp/par.$i" 2>&1 ;;
        esac &
done
wait_calls() {
        local bad=0
        for i in $(seq 200); do
                # Explain(4) asks for a node that is not online: an error is its right answer.
                if ((i % 4 == 1 && i % 5 == 4)); then grep -q "not online" "$tmp/par.$i" || bad=$((bad + 1))
                else grep -q "^[sa]" "$tmp/par.$i" || bad=$((bad + 1)); fi
        done
        ((bad == 0))
}
for _ in $(seq 100); do (($(jobs -rp | wc -l) <= 2)) && break; sleep 0.1; done
check "200 parallel calls all answered" wait_calls
check "tierd still runs after 200 parallel calls" kill -0 "$tierd_pid"

# 1000 SIGHUPs in a burst: each is a reload; tierd keeps answering with its configuration.
for _ in $(seq 1000); do kill -HUP "$tierd_pid"; done
check "tierd survives 1000 SIGHUPs" kill -0 "$tierd_pid"
check "it still answers after 1000 SIGHUPs" test "$(prop Mode)" = 's "kernel"'
check "numa_balancing still 2 after the reloads" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 2

# SIGTERM while rescans keep coming.
( for _ in $(seq 300); do call Rescan >/dev/null 2>&1 || break; done ) &
rescanner=$!
sleep 0.3
kill -TERM "$tierd_pid"
wait "$tierd_pid" && rc=0 || rc=$?
wait "$rescanner" 2>/dev/null || true
check "tierd exits 0 on SIGTERM during rescans" test "$rc" -eq 0
check "numa_balancing restored after SIGTERM during rescans" test "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1

echo "$passed passed, $failed failed"
((failed == 0))
