#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The DAMON hotness tracker on the real 6.12 kernel, inside the guest, run by damon-vm.sh: damon-probe (the
# tracker behind a line protocol, in a coprocess) and damon-workload (a hot part and a cold part).
#   - another tool's kdamond (made here with shell writes), running or only configured: refused, left intact;
#   - two workloads tracked at once: separate region lists, the hot part clearly hotter than the cold part;
#   - a third joins (commit): the others keep what the kernel learned (their ages keep growing);
#   - one exits: reported, the kdamond keeps running; its slot becomes a placeholder, then a newcomer's;
#   - all exit: the kernel stops the kdamond, the tracker gives it back (nr_kdamonds as before);
#   - kill -9 of the probe while its kdamond runs: the next probe turns it off and removes it.
# Prints how long the blocking sysfs writes and the collections took.
set -u
. /usr/lib/tierd-vmtest/lib.sh
fail=0

A=/sys/kernel/mm/damon/admin/kdamonds
SD=/run/damon-probe
PROBE=/usr/local/bin/damon-probe
WL=/usr/local/bin/damon-workload
mkdir -p $SD

# workload NAME TOTAL_MIB HOT_MIB: starts it, sets NAME_pid, NAME_start, NAME_hot, NAME_end (decimal addresses)
workload() {
        local out=/tmp/$1.out pid s h e
        $WL "$2" "$3" >"$out" &
        vmtest_wait 20 test -s "$out" || { echo "FAIL: workload $1 did not start"; exit 1; }
        read -r pid s h e <"$out"
        printf -v "$1_pid" %d "$pid"
        printf -v "$1_start" %d "0x$s"
        printf -v "$1_hot" %d "0x$h"
        printf -v "$1_end" %d "0x$e"
        echo "workload $1: pid $pid, $2 MiB at 0x$s, hot ${3} MiB up to 0x$h"
}

probe_start() {
        coproc PROBE_P { exec $PROBE $SD 2>>/tmp/probe.log; }
        # bash unsets PROBE_P_PID once it reaps the coprocess (a kill -9 below): keep the pid.
        probe_pid=$PROBE_P_PID
        read -r -u "${PROBE_P[0]}" line
        echo "probe $probe_pid: $line"
        [[ $line == "ok new"* ]]
}

# probe CMD...: send, collect the answer in /tmp/answer, its last line in $last
probe() {
        : >/tmp/answer
        echo "$*" >&"${PROBE_P[1]}"
        last=''
        while read -r -u "${PROBE_P[0]}" line; do
                echo "$line" >>/tmp/answer
                case $line in ok* | error*) last=$line; break ;; esac
        done
        echo "probe $*: $last"
}

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$last"; }

# hotness PID LO HI: the access rate of PID's regions over [LO, HI), weighted by bytes ("-" if none overlaps)
hotness() {
        awk -v pid="$1" -v lo="$2" -v hi="$3" '
                $1 == "region" && $2 == pid {
                        s = $3 > lo ? $3 : lo; e = $4 < hi ? $4 : hi
                        if (e > s) { bytes += e - s; sum += (e - s) * $5 }
                }
                END { if (bytes > 0) printf "%.2f\n", sum / bytes; else print "-" }' /tmp/answer
}
max_age() { awk -v pid="$1" '$1 == "region" && $2 == pid && $6 > m { m = $6 } END { print m + 0 }' /tmp/answer; }
nregions() { awk -v pid="$1" '$1 == "process" && $2 == pid { print $3 }' /tmp/answer; }
# Relative, not absolute: under TCG on a loaded host the hot loop may get little CPU (0.98 of 20 seen), but what
# it touches must still read hotter than what it never touches.
hotter() { awk -v h="$1" -v c="$2" 'BEGIN { exit !(h != "-" && c != "-" && h >= 0.3 && h > 3 * c) }'; }
zero_or_none() { [[ $1 == - || $1 == 0.00 ]]; }
# collect_until_hotter NAME...: DAMON splits and merges regions over several aggregation intervals, and under TCG a
# 64 MiB mapping with an 8 MiB hot part may still be one region after 3 s.  Collect every 2 s, up to 30 s, until
# each named workload's hot part reads hotter than its cold part; sets NAME_h and NAME_c from the last collection.
collect_until_hotter() {
        local n w pid lo mid hi hot cold all
        for n in $(seq 15); do
                probe collect
                all=1
                for w in "$@"; do
                        eval "pid=\$${w}_pid lo=\$${w}_start mid=\$${w}_hot hi=\$${w}_end"
                        hot=$(hotness "$pid" "$lo" "$mid") cold=$(hotness "$pid" "$mid" "$hi")
                        printf -v "${w}_h" %s "$hot"
                        printf -v "${w}_c" %s "$cold"
                        hotter "$hot" "$cold" || all=0
                done
                ((all)) && { echo "converged after $n collection(s)"; return 0; }
                sleep 2
        done
        return 1
}

snapshot() {
        local f
        for f in nr_kdamonds 0/state 0/pid 0/contexts/nr_contexts 0/contexts/0/operations \
                0/contexts/0/targets/nr_targets 0/contexts/0/targets/0/pid_target \
                0/contexts/0/monitoring_attrs/intervals/sample_us 0/contexts/0/monitoring_attrs/intervals/update_us \
                0/contexts/0/schemes/nr_schemes; do
                echo "$f=$(cat $A/$f 2>&1)"
        done
}

uname -r
nr_before=$(<$A/nr_kdamonds)
echo "nr_kdamonds before: $nr_before"
workload w1 96 16
workload w2 64 8

echo "--- another tool's kdamond"
echo 1 >$A/nr_kdamonds
echo 1 >$A/0/contexts/nr_contexts
echo vaddr >$A/0/contexts/0/operations
echo 1 >$A/0/contexts/0/targets/nr_targets
echo "$w1_pid" >$A/0/contexts/0/targets/0/pid_target
echo on >$A/0/state
snapshot >/tmp/foreign.before
check "probe starts" probe_start
probe pids "$w1_pid" "$w2_pid"
check "refused with EBUSY while another tool's kdamond runs" test "$last" = "error pids 16"
check "the log names what was found" grep -q "DAMON is used by another tool: 1 kdamond(s) .*(0: on)" /tmp/probe.log
snapshot >/tmp/foreign.after
check "the other kdamond is left intact" cmp -s /tmp/foreign.before /tmp/foreign.after
echo off >$A/0/state
snapshot >/tmp/foreign.before
probe pids "$w1_pid" "$w2_pid"
check "refused while it is only configured" test "$last" = "error pids 16"
snapshot >/tmp/foreign.after
check "the configured kdamond is left intact" cmp -s /tmp/foreign.before /tmp/foreign.after
check "no record written" test ! -e $SD/damon-kdamond
echo 0 >$A/nr_kdamonds

echo "--- two workloads"
probe pids "$w1_pid" "$w2_pid"
check "tracking w1 and w2" test "$last" != "${last#ok pids}"
echo "blocking: set_pids creating and starting the kdamond took $(field usec) us"
check "kdamond on" test "$(<$A/0/state)" = on
check "the record is there" test -s $SD/damon-kdamond
sed 's/^/    record: /' $SD/damon-kdamond
sleep 3
probe collect
collect_until_hotter w1 w2
echo "collect: update_schemes_tried_regions $(field update_usec) us, whole collect $(field collect_usec) us," \
        "$(nregions "$w1_pid") + $(nregions "$w2_pid") regions"
h1=$w1_h c1=$w1_c h2=$w2_h c2=$w2_c
echo "w1: hot part $h1, cold part $c1 accesses per 100 ms; w2: hot part $h2, cold part $c2 (of $(field max_nr_accesses))"
check "w1's hot part is clearly hotter than its cold part" hotter "$h1" "$c1"
check "w2's hot part is clearly hotter than its cold part" hotter "$h2" "$c2"
check "w1's hot part is not in w2's list" zero_or_none "$(hotness "$w2_pid" "$w1_start" "$w1_hot")"
check "w2's hot part is not in w1's list" zero_or_none "$(hotness "$w1_pid" "$w2_start" "$w2_hot")"
grep "^region $w1_pid " /tmp/answer | sed 's/^/    /'
age1=$(max_age "$w1_pid")

echo "--- w3 joins (commit)"
workload w3 48 8
probe pids "$w1_pid" "$w2_pid" "$w3_pid"
check "tracking w3 too" test "$last" != "${last#ok pids}"
echo "blocking: set_pids committing a new target took $(field usec) us"
check "still on" test "$(<$A/0/state)" = on
sleep 3
collect_until_hotter w3
echo "collect: update $(field update_usec) us, whole $(field collect_usec) us"
check "w3 has regions" test "$(nregions "$w3_pid")" -gt 0
h3=$w3_h c3=$w3_c
echo "w3: hot part $h3, cold part $c3"
check "w3's hot part is clearly hotter than its cold part" hotter "$h3" "$c3"
age1b=$(max_age "$w1_pid")
check "w1 kept what the kernel learned (oldest region age $age1 -> $age1b)" test "$age1b" -gt "$age1"

echo "--- w2 exits"
kill "$w2_pid"
wait "$w2_pid" 2>/dev/null
probe collect
check "w2 is reported gone" grep -qx "exited $w2_pid" /tmp/answer
check "w2 is not among the processes" test -z "$(nregions "$w2_pid")"
check "the kdamond keeps running" test "$(<$A/0/state)" = on
probe pids "$w1_pid" "$w3_pid"
echo "blocking: set_pids committing a placeholder took $(field usec) us"
check "w2's slot holds the probe itself" test "$(<$A/0/contexts/0/targets/1/pid_target)" = "$probe_pid"
check "w3 kept its index" test "$(<$A/0/contexts/0/targets/2/pid_target)" = "$w3_pid"
workload w4 32 8
sleep 2 # the placeholder's regions (the probe's own memory) grow old
probe collect
probe pids "$w1_pid" "$w3_pid" "$w4_pid"
check "w4 takes the placeholder" test "$(<$A/0/contexts/0/targets/1/pid_target)" = "$w4_pid"
probe collect
grep "^region $w4_pid " /tmp/answer | sed 's/^/    right after the commit: /'
check "w4 inherits none of the placeholder's old regions (oldest age $(max_age "$w4_pid"))" \
        test "$(max_age "$w4_pid")" -lt 10
sleep 3
collect_until_hotter w4
h4=$w4_h c4=$w4_c
echo "w4: hot part $h4, cold part $c4, $(nregions "$w4_pid") regions"
check "w4's hot part is clearly hotter than its cold part" hotter "$h4" "$c4"

echo "--- everybody exits"
kill "$w1_pid" "$w3_pid" "$w4_pid"
wait "$w1_pid" "$w3_pid" "$w4_pid" 2>/dev/null
vmtest_wait 10 grep -qx off $A/0/state
check "the kernel stopped the kdamond" test "$(<$A/0/state)" = off
probe collect
check "all three reported gone" test "$(grep -c '^exited ' /tmp/answer)" = 3
check "nr_kdamonds back to $nr_before" test "$(<$A/nr_kdamonds)" = "$nr_before"
check "the record is gone" test ! -e $SD/damon-kdamond

echo "--- kill -9 while the kdamond runs"
workload w5 32 4
probe pids "$w5_pid"
check "on for w5" test "$(<$A/0/state)" = on
kill -9 "$probe_pid"
wait "$probe_pid" 2>/dev/null
check "the kdamond outlives the probe" test "$(<$A/0/state)" = on
check "its record too" test -s $SD/damon-kdamond
check "a new probe starts" probe_start
check "it turned the old kdamond off and removed it" test "$(<$A/nr_kdamonds)" = "$nr_before"
check "and its record" test ! -e $SD/damon-kdamond
grep "previous tierd" /tmp/probe.log | sed 's/^/    log: /'
probe pids "$w5_pid"
check "tracking w5 again" test "$last" != "${last#ok pids}"
probe stop
echo "blocking: stop (off + nr_kdamonds) took $(field usec) us"
check "stop leaves nr_kdamonds as before" test "$(<$A/nr_kdamonds)" = "$nr_before"
probe pids "$w5_pid"
probe quit
echo "blocking: quit (free: off + nr_kdamonds) took $(field usec) us"
check "quit leaves nr_kdamonds as before" test "$(<$A/nr_kdamonds)" = "$nr_before"
check "no record left" test ! -e $SD/damon-kdamond
kill "$w5_pid"

cp /tmp/probe.log probe.log
vmtest_save probe.log
echo "probe log:"
sed 's/^/    /' /tmp/probe.log
exit $fail
