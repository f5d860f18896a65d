#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tierd in migrate mode under the guest's real systemd (hardened tierd.service), inside the guest, run by
# placement-vm.sh (topology migrate-topology.args: node 0 with the CPUs and 1 GiB, CPU-less node 1 with 2 GiB;
# configuration [Daemon] Mode=migrate, [Kernel] NumaBalancing=off Demotion=on, [Placement]
# Processes=placement-workload).  placement-workload (a hot and a cold part, its data checked at exit; also
# installed as pl-other and pl-hog, names outside the scope).  In one boot:
#   1. promotion: a workload bound to node 1 has most of its hot part on node 0 within 90 s, its cold part mostly
#      still on node 1; GetStats shows it managed and, at every reading, at least as many pages promoted as have
#      arrived on node 0 (also while a job runs, and with ranges that cut THPs); its data intact;
#   2. MigrateProcess() over D-Bus moves an unmanaged process to node 1 and replies with the job's JSON; a pid of
#      0, a pid that is no process, a node without memory and a caller other than root get their errors;
#   3. the process exits during a MigrateProcess() job: tierd stays active, logs one line, GetStats answers;
#   4. a Cgroups= scope (a systemd-run scope) whose process is managed, then killed and its cgroup removed:
#      tierd stays active and logs once that the cgroup is missing;
#   5. node 0 filled by an unmanaged hog (to about 3% free) while a second managed workload wants promotion:
#      node 0's free memory never goes below the kernel's min watermark nor 1% of the node, no OOM kill, the
#      data of both intact;
#   6. a memory block of node 1 offlined while tierd runs (skipped when no block can be offlined), then onlined;
#   7. SIGKILL of tierd while it promotes a workload: systemd restarts it, the new instance removes the dead one's
#      kdamond and runs exactly one; after systemctl stop no kdamond is left, the knobs are as booted, every
#      workload's data verifies; the summary records count fewer pages not moved than moved;
#   8. Promotion=kernel with NumaBalancing=keep: numa_balancing as booted plus the tiering mode while tierd runs,
#      as booted again after systemctl stop.
# Prints the measured figures as info: lines.
# shellcheck disable=SC2154 # hot0 hot1 cold0 cold1 are set by where_vars' printf -v
set -u
. /usr/lib/tierd-vmtest/lib.sh
fail=0
export PATH=/usr/local/bin:$PATH

# info TEXT: a measured figure, printed, never asserted.
info() { echo "info: $*"; }
NB=/proc/sys/kernel/numa_balancing
DE=/sys/kernel/mm/numa/demotion_enabled
KD=/sys/kernel/mm/damon/admin/kdamonds
BUS=(org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1)
SUMMARY_ID=009e5ee5a097423586be3c60e51174b4

# The first "KEY": VALUE of pretty JSON (tierctl's, or a bus reply made readable by unbus).
jget() { sed -n "s/^ *\"$1\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$2" | head -1; }
# busctl's reply (s "...", with \n and \" escaped) as the JSON it carries.
unbus() { sed -e 's/^s "//' -e 's/"$//' -e 's/\\n/\n/g' -e 's/\\"/"/g' "$1"; }
# stats: GetStats() through tierctl into /tmp/stats.json.
stats() { tierctl stats --json >/tmp/stats.json 2>/tmp/stats.err; }
# managed PID [RULE]: GetStats lists PID among the workloads (with that rule; json-c writes / as \/)
managed() {
        stats && grep -A2 "\"pid\": $1," /tmp/stats.json | sed 's,\\/,/,g' | grep -q "\"rule\": \"${2:-[^\"]*}\""
}
# tierd_pid, tierd_log: the service's main pid; its journal as plain messages.
tierd_pid() { systemctl show -p MainPID --value tierd; }
tierd_log() { journalctl -u tierd --no-pager -o cat; }
# node_kb NODE KEY: a value (kB) of the node's meminfo.
node_kb() { awk -v k="$2:" '$3 == k { print $4 }' "/sys/devices/system/node/node$1/meminfo"; }
# node_free_kb NODE: its MemFree into $FREE_KB, without forking (sampled under load).
node_free_kb() {
        local _ key value
        while read -r _ _ key value _; do
                [ "$key" = MemFree: ] && FREE_KB=$value && return 0
        done <"/sys/devices/system/node/node$1/meminfo"
        return 1
}
# The kernel's min watermarks of node $1's zones, in kB.
min_wmark_kb() {
        awk -v n="$1" '$1 == "Node" { node = $2 + 0 } $1 == "min" && node == n { sum += $2 } END { print sum * 4 }' \
                /proc/zoneinfo
}

declare -A WPID WOUT
# wl_start NAME CMD...: start a workload (its output in /tmp/NAME.out) and wait for its ready line.
wl_start() {
        local name=$1
        shift
        WOUT[$name]=/tmp/$name.out
        "$@" >"${WOUT[$name]}" 2>&1 &
        WPID[$name]=$!
        if ! vmtest_wait 120 grep -q '^ready' "${WOUT[$name]}"; then
                echo "FAIL: workload $name did not start"
                cat "${WOUT[$name]}"
                fail=1
                return 1
        fi
        info "workload $name ($*): pid ${WPID[$name]}"
}
# wl_ask NAME SIGNAL PREFIX: signal it, wait for its next PREFIX line, put that line in $LAST.
wl_ask() {
        local out=${WOUT[$1]} before
        before=$(grep -c "^$3" "$out")
        kill "-$2" "${WPID[$1]}" 2>/dev/null || return 1
        vmtest_wait 60 bash -c "(( \$(grep -c '^$3' $out) > $before ))" || return 1
        LAST=$(grep "^$3" "$out" | tail -1)
}
# where_vars LINE: hot0 hot1 cold0 cold1 (4 KiB pages on node 0 / 1) from a "where" line.
where_vars() {
        local f
        for f in hot0 hot1 cold0 cold1; do
                printf -v "$f" %d "$(sed -n "s/.* $f=\([0-9]*\).*/\1/p" <<<"$1")"
        done
}
# wl_where NAME: where its pages are now, into hot0 hot1 cold0 cold1.
wl_where() { wl_ask "$1" USR2 where && where_vars "$LAST"; }
# wl_verify NAME: SIGUSR1: it checks its data, "verify ok" when intact.
wl_verify() { wl_ask "$1" USR1 verify && [[ $LAST == "verify ok"* ]]; }
# wl_stop NAME: SIGTERM: it checks its data and exits 0 when intact.
wl_stop() {
        local rc
        kill -TERM "${WPID[$1]}" 2>/dev/null
        wait "${WPID[$1]}"
        rc=$?
        tail -1 "${WOUT[$1]}" | grep -q '^verify ok' && [ "$rc" = 0 ]
}
# hot_promoted NAME PERCENT: at least PERCENT of its hot part on node 0 (asked every 2 s: the query costs).
hot_promoted() {
        wl_where "$1" && ((hot0 * 100 >= (hot0 + hot1) * $2 && hot0 > 0)) && return 0
        sleep 2
        return 1
}
# no_oom: the kernel logged no OOM kill.
no_oom() { ! dmesg | grep -Eqi 'out of memory|oom-kill|invoked oom-killer'; }

nb_boot=$(knob $NB) de_boot=$(knob $DE) nr_boot=$(knob $KD/nr_kdamonds)
echo "boot: numa_balancing=$nb_boot demotion_enabled=$de_boot nr_kdamonds=$nr_boot" \
        "THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
numactl -H | grep -E 'size|free'
vmtest_tiers

check "systemctl start tierd" systemctl start tierd
check "tierd is active" systemctl is-active --quiet tierd
check "mode migrate" test "$(busctl get-property "${BUS[@]}" Mode)" = 's "migrate"'
check "numa_balancing set to off (0)" test "$(knob $NB)" = 0
check "demotion_enabled set to true" test "$(knob $DE)" = true

echo "--- 1. promotion of a hot part from node 1"
# vmstat VALUE: a /proc/vmstat counter
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
collapses_before=$(vmstat thp_collapse_alloc)
wl_start w1 numactl --membind=1 placement-workload 320 100 || exit 1
vmtest_stamp
t0=$VMTEST_NOW
where_vars "$(grep -m1 '^where' "${WOUT[w1]}")"
info "w1 as written: hot part $hot0 pages on node 0, $hot1 on node 1; cold part $cold0 / $cold1"
# tierd manages w1 from its start and may have promoted some of it already: what is on node 0 is what it promoted
# (its count, read after the placement line, can only be larger) -- or what khugepaged brought there: it collapses
# a 2 MiB range onto the node that holds most of its pages, whatever the memory policy, so each collapse since w1
# started may have brought up to 511 pages more.
# beyond_promoted: how many of w1's pages on node 0 (hot0 + cold0) exceed what tierd and khugepaged account for.
slowest_stats_ms=0
beyond_promoted() {
        local t0=${EPOCHREALTIME/./} ms
        stats && promoted=$(jget promoted_pages /tmp/stats.json)
        ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
        ((ms > slowest_stats_ms)) && slowest_stats_ms=$ms
        collapses=$(($(vmstat thp_collapse_alloc) - collapses_before))
        beyond=$((hot0 + cold0 - ${promoted:-0} - collapses * 511))
}
beyond_promoted
info "tierd promoted ${promoted:-?} pages by then; $collapses THP collapses"
check "w1 was written to node 1 (what is on node 0 was promoted)" \
        test "$beyond" -le 0 -a $((hot1 + cold1 + ${promoted:-0})) -ge $((320 * 256 * 95 / 100))
# Each time w1 is asked where it is, GetStats is asked next: its count must already hold every page that arrived
# on node 0, also while a promotion job is half done (the jobs of this phase run for seconds).
lagged=0 asked=0
w1_promoted() {
        wl_where w1 || return 1
        beyond_promoted
        asked=$((asked + 1))
        ((beyond > 0)) && lagged=$((lagged + 1)) &&
                info "GetStats lagged: $((hot0 + cold0)) pages of w1 on node 0, ${promoted:-?} promoted," \
                        "$collapses THP collapses"
        ((hot0 * 100 >= (hot0 + hot1) * 90 && hot0 > 0)) && return 0
        sleep 2
        return 1
}
check "most of w1's hot part reaches node 0 within 90 s" vmtest_wait 90 w1_promoted
vmtest_stamp
info "seconds to 90% of the hot part on node 0: $(awk -v a="$t0" -v b="$VMTEST_NOW" 'BEGIN { printf "%.1f", b - a }')"
w1_promoted
info "w1 then: hot part $hot0 pages on node 0, $hot1 on node 1; cold part $cold0 / $cold1"
check "GetStats counted every page that had reached node 0 ($lagged of $asked readings lagged)" test $lagged = 0
info "THP collapses while w1 was promoted: $collapses; THP splits on migration: $(vmstat thp_migration_split)"
info "slowest tierctl stats round trip while w1 was promoted: $slowest_stats_ms ms"
check "w1's cold part mostly stays on node 1 ($cold1 of $((cold0 + cold1)) pages)" \
        test $((cold1 * 100)) -ge $(((cold0 + cold1) * 60))
check "GetStats lists w1 as managed" managed "${WPID[w1]}" placement-workload
promoted=$(jget promoted_pages /tmp/stats.json)
info "GetStats after promotion: $promoted pages promoted, $(jget demoted_pages /tmp/stats.json) demoted," \
        "$(jget cycles /tmp/stats.json) cycles"
check "GetStats counts promoted pages ($promoted)" test "${promoted:-0}" -gt 0
check "w1's data verifies" wl_verify w1

echo "--- 2. MigrateProcess() over D-Bus"
wl_start w2 numactl --membind=0 pl-other 64 0 || exit 1
busctl call --timeout=300 -- "${BUS[@]}" MigrateProcess uiu "${WPID[w2]}" 1 0 >/tmp/mp.out 2>/tmp/mp.err
rc=$?
cat /tmp/mp.err
unbus /tmp/mp.out >/tmp/mp.json
check "MigrateProcess(w2, 1, 0) succeeds" test $rc = 0
moved=$(jget moved /tmp/mp.json)
info "MigrateProcess moved ${moved:-?} pages, end $(jget end /tmp/mp.json), $(jget move_calls /tmp/mp.json) calls," \
        "$(jget elapsed_usec /tmp/mp.json) us"
check "its JSON names the pid" test "$(jget pid /tmp/mp.json)" = "${WPID[w2]}"
check "it moved w2's 64 MiB (${moved:-?} pages)" test "${moved:-0}" -ge $((64 * 256))
wl_where w2
check "w2 is all on node 1 ($cold1 pages there, $cold0 on node 0)" test "$cold0" = 0 -a "$cold1" -ge $((64 * 256))
check "w2's data verifies" wl_verify w2
# call_fails PATTERN ARGS...: the call fails with an error message matching PATTERN
call_fails() {
        local pattern=$1
        shift
        ! busctl call -- "${BUS[@]}" MigrateProcess uiu "$@" >/dev/null 2>/tmp/call.err &&
                grep -Eq "$pattern" /tmp/call.err
}
true &
gone=$!
wait $gone
check "pid 0: not a process id" call_fails "pid: 0 is not a process id" 0 1 0
check "pid $gone (exited): no process" call_fails "No process $gone" "$gone" 1 0
check "node 2: not a node with memory" call_fails "node: 2 is not a node with memory" "${WPID[w2]}" 2 0
check "node -1: not a node with memory" call_fails "node: -1 is not a node with memory" "${WPID[w2]}" -1 0
check "a caller other than root is refused" bash -c "! runuser -u nobody -- busctl call ${BUS[*]} \
        MigrateProcess uiu ${WPID[w2]} 0 0 >/dev/null 2>/tmp/denied.err"
sed 's/^/    /' /tmp/denied.err
wl_where w2
check "after the refused calls w2 is where it was" test "$cold0" = 0

echo "--- 3. the process exits during a MigrateProcess() job"
busctl call --timeout=300 -- "${BUS[@]}" MigrateProcess uiu "${WPID[w2]}" 0 8 >/tmp/exit.out 2>/tmp/exit.err &
call=$!
# some pages have moved: the job runs (at 8 MiB/s, 64 MiB take 8 s)
vmtest_wait 30 bash -c "kill -USR2 ${WPID[w2]}; sleep 0.3; tail -1 ${WOUT[w2]} | grep -q ' cold0=[1-9]'"
tail -1 "${WOUT[w2]}"
kill -KILL "${WPID[w2]}"
wait "${WPID[w2]}" 2>/dev/null
wait $call
rc=$?
unbus /tmp/exit.out >/tmp/exit.json
info "the job at the exit: $(jget moved /tmp/exit.json) pages moved, end $(jget end /tmp/exit.json)"
check "the call returns the job's JSON" test $rc = 0
check "the job ended process_exited" test "$(jget end /tmp/exit.json)" = '"process_exited"'
check "tierd is active" systemctl is-active --quiet tierd
check "GetStats answers" stats
check "one line in tierd's journal about the exit" test "$(tierd_log | grep -c "process ${WPID[w2]} ")" = 1
tierd_log | grep "process ${WPID[w2]} " | sed 's/^/    /'

echo "--- 4. a managed cgroup removed"
WOUT[cg]=/tmp/cg.out
systemd-run --quiet --scope --unit=pl-scope pl-other 32 8 >"${WOUT[cg]}" 2>&1 &
WPID[cg]=$!
vmtest_wait 60 grep -q '^ready' "${WOUT[cg]}"
cg=$(sed -n 's/^0:://p' "/proc/${WPID[cg]}/cgroup")
info "pl-other ${WPID[cg]} in cgroup $cg"
check "the process is in the scope's cgroup" test "$cg" != "${cg%/pl-scope.scope}"
printf '[Placement]\nCgroups=%s\n' "$cg" >/etc/tierd/tierd.conf.d/60-cgroup.conf
check "tierctl reload takes Cgroups=$cg" tierctl reload
check "GetStats lists it as managed by the cgroup rule" vmtest_wait 30 managed "${WPID[cg]}" "$cg"
check "its data verifies at exit" wl_stop cg
check "systemd removed the cgroup" vmtest_wait 20 test ! -d "/sys/fs/cgroup$cg"
missing="cgroup $cg does not exist"
check "tierd logs that the cgroup is missing" vmtest_wait 20 bash -c "journalctl -u tierd -o cat | grep -q '$missing'"
sleep 3 # three more cycles
check "... once ($(tierd_log | grep -c "$missing") lines)" test "$(tierd_log | grep -c "$missing")" = 1
check "tierd is active" systemctl is-active --quiet tierd
check "GetStats answers, without the process" bash -c "tierctl stats --json | grep -vq '\"pid\": ${WPID[cg]},'"
rm /etc/tierd/tierd.conf.d/60-cgroup.conf
check "tierctl reload without Cgroups=" tierctl reload

echo "--- 5. node 0 full"
total0=$(node_kb 0 MemTotal) free0=$(node_kb 0 MemFree) min0=$(min_wmark_kb 0)
# leave about 3% free: between tierd's low (2%) and high (4%) watermarks, above the kernel's reserve
hog_mib=$(((free0 - total0 * 3 / 100 - min0 * 2) / 1024))
info "node 0: MemTotal $total0 kB, MemFree $free0 kB, min watermark $min0 kB; hog $hog_mib MiB"
stats
promoted_before=$(jget promoted_pages /tmp/stats.json) demoted_before=$(jget demoted_pages /tmp/stats.json)
# all of it touched once a second: hot enough for the kernel's LRU, without taking a CPU from the others
wl_start hog numactl --membind=0 pl-hog "$hog_mib" "$hog_mib" 1000 || exit 1
info "node 0 MemFree with the hog: $(node_kb 0 MemFree) kB"
wl_start w3 numactl --membind=1 placement-workload 128 64 || exit 1
node_free_kb 0
lowest=$FREE_KB samples=0 end=$((SECONDS + 20))
while ((SECONDS < end)); do
        node_free_kb 0
        ((FREE_KB < lowest)) && lowest=$FREE_KB
        ((samples++))
        sleep 0.5
done
stats
wl_where w3
info "node 0 MemFree lowest $lowest kB in $samples samples over 20 s; tierd promoted $(($(jget promoted_pages /tmp/stats.json) -
        promoted_before)) and demoted $(($(jget demoted_pages /tmp/stats.json) - demoted_before)) pages meanwhile;" \
        "w3's hot part: $hot0 pages on node 0, $hot1 on node 1"
info "pages not moved so far, by reason: $(sed -n '/"totals"/,/}/p' /tmp/stats.json | sed -n '/failed_pages/,/}/p' |
        sed -n 's/^ *"\([a-z_]*\)": \([0-9]*\),*$/\1=\2/p' | tr '\n' ' ')"
cp /tmp/stats.json /tmp/stats-node0-full.json
check "node 0 never below the kernel's min watermark ($min0 kB)" test "$lowest" -gt "$min0"
check "node 0 never below 1% of its memory ($((total0 / 100)) kB)" test "$lowest" -gt $((total0 / 100))
check "no OOM kill" no_oom
check "tierd is active" systemctl is-active --quiet tierd
check "the hog's data verifies at exit" wl_stop hog
check "w3's data verifies at exit" wl_stop w3

echo "--- 6. a memory block of node 1 offlined"
offlined=''
for b in $(ls -d /sys/devices/system/node/node1/memory[0-9]* | sort -V -r); do
        [ "$(cat "$b/state")" = online ] || continue
        if timeout 20 bash -c "echo offline > $b/state" 2>/dev/null && [ "$(cat "$b/state")" = offline ]; then
                offlined=$b
                break
        fi
done
if [ -z "$offlined" ]; then
        echo "skip: no memory block of node 1 could be offlined"
else
        info "offlined ${offlined##*/} ($(node_kb 1 MemTotal) kB left on node 1)"
        sleep 3 # a rescan and a few cycles
        check "tierd is active with ${offlined##*/} offline" systemctl is-active --quiet tierd
        check "GetStats answers" stats
        check "tierd's topology shows node 1 smaller" bash -c "tierctl nodes --json | grep -q '\"total_kb\": $(node_kb 1 MemTotal)'"
        check "the block goes online again" bash -c "echo online > $offlined/state"
        sleep 2
        check "tierd is active" systemctl is-active --quiet tierd
fi

echo "--- 7. SIGKILL while tierd promotes"
old=$(tierd_pid)
check "one kdamond before the kill" test "$(knob $KD/nr_kdamonds)" = 1
wl_start w4 numactl --membind=1 placement-workload 128 64 || exit 1
# the kill as soon as the first of its pages are on node 0: tierd is then most likely in the middle of moving it
vmtest_wait 60 bash -c "kill -USR2 ${WPID[w4]}; sleep 0.2; tail -1 ${WOUT[w4]} | grep -q ' hot0=[1-9]'"
kill -KILL "$old"
where_vars "$(tail -1 "${WOUT[w4]}")"
info "SIGKILL with $hot0 of w4's $((hot0 + hot1)) hot pages on node 0"
check "systemd restarts tierd" vmtest_wait 30 bash -c "[ \"\$(systemctl show -p MainPID --value tierd)\" != $old ] &&
        systemctl is-active --quiet tierd"
check "the new tierd removed the dead one's kdamond" vmtest_wait 10 bash -c \
        "journalctl -u tierd -o cat | grep -q 'A previous tierd left DAMON kdamond'"
tierd_log | grep 'previous tierd' | sed 's/^/    /'
check "it runs its own kdamond" vmtest_wait 20 grep -qx on $KD/0/state
check "exactly one kdamond ($(knob $KD/nr_kdamonds))" test "$(knob $KD/nr_kdamonds)" = 1
check "its record is there" test -s /run/tierd/damon-kdamond
check "the knobs stay as configured" test "$(knob $NB)" = 0 -a "$(knob $DE)" = true
check "w4's hot part reaches node 0" vmtest_wait 90 hot_promoted w4 90
stats
info "the new tierd: $(jget promoted_pages /tmp/stats.json) pages promoted, $(jget managed /tmp/stats.json) managed"
check "the journal has a placement summary" bash -c "journalctl -u tierd MESSAGE_ID=$SUMMARY_ID -o cat | grep -q ."
journalctl -u tierd MESSAGE_ID=$SUMMARY_ID -o cat | tail -3 | sed 's/^/    /'
check "systemctl stop tierd" systemctl stop tierd
check "nr_kdamonds back to $nr_boot" test "$(knob $KD/nr_kdamonds)" = "$nr_boot"
check "no DAMON record left" test ! -e /run/tierd/damon-kdamond
check "numa_balancing restored ($nb_boot)" test "$(knob $NB)" = "$nb_boot"
check "demotion_enabled restored ($de_boot)" test "$(knob $DE)" = "$de_boot"
echo "--- 8. Promotion=kernel: the kernel's tiering mode added to numa_balancing as booted, and put back"
printf '[Kernel]\nNumaBalancing=keep\n[Placement]\nPromotion=kernel\n' >/etc/tierd/tierd.conf.d/70-promotion.conf
want=$((nb_boot | 2))
check "systemctl start tierd (Promotion=kernel)" systemctl start tierd
check "numa_balancing $nb_boot -> $want" test "$(knob $NB)" = "$want"
check "the journal says who promotes" bash -c "journalctl -u tierd -o cat | grep -q 'promotion by the kernel'"
check "systemctl stop tierd" systemctl stop tierd
check "numa_balancing restored ($nb_boot)" test "$(knob $NB)" = "$nb_boot"
check "nr_kdamonds back to $nr_boot" test "$(knob $KD/nr_kdamonds)" = "$nr_boot"
rm /etc/tierd/tierd.conf.d/70-promotion.conf
for w in w1 w4; do
        check "$w's data verifies at exit" wl_stop $w
done
check "no OOM kill in the whole run" no_oom
# The summaries' counts over the whole run (both instances, and the last one's record at stop).
summary_sum() {
        journalctl -u tierd MESSAGE_ID=$SUMMARY_ID -o export | awk -F= -v k="$1" '$1 == k { s += $2 } END { print s + 0 }'
}
moved=$(($(summary_sum TIERD_PROMOTED_PAGES) + $(summary_sum TIERD_DEMOTED_PAGES))) not_moved=$(summary_sum TIERD_FAILED_PAGES)
info "summary records: $moved pages moved, $not_moved not moved"
check "the summaries count fewer pages not moved than moved" test "$not_moved" -lt "$moved"

journalctl -u tierd --no-pager -o short-monotonic >/tmp/tierd.log
vmtest_save /tmp/tierd.log /tmp/stats.json /tmp/stats-node0-full.json /tmp/mp.json /tmp/exit.json
exit $fail
