#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Inside the guest (bench-migrate.sh): one workload's memory moved between node 0 and node 1, round after round,
# the methods taking turns: tierctl migrate (the whole process), numactl's migratepages (the whole process),
# and one move_pages(2) call per 4 KiB page of the workload's memory (migrate-onepage).  Each round moves
# everything to the node the previous round took it from, so every method moves in both directions.  Prints one
# line per round, the median per method and the ratio of the medians; the data is verified at the end.
set -u
. /usr/lib/tierd-vmtest/lib.sh
export PATH=/usr/local/bin:$PATH
MIB=${BENCH_MIB:-128} ROUNDS=${BENCH_ROUNDS:-5} THP=${BENCH_THP_PERCENT:-50}

migrate-workload --size "$MIB" --node 1 --thp-percent "$THP" >/tmp/w.out 2>&1 &
W=$!
vmtest_wait 60 grep -q '^ready' /tmp/w.out || { cat /tmp/w.out; exit 1; }
read -r _ _ addr size _ </tmp/w.out
addr=${addr#addr=} size=${size#size=}
echo "workload: $MIB MiB, $THP% in THPs ($(grep AnonHugePages "/proc/$W/smaps_rollup" | awk '{ print $2 }') kB), accel ${TIERD_BENCH_ACCEL:-tcg single}"

now() { vmtest_stamp; echo "$VMTEST_NOW"; }
printf '%-6s %-13s %-5s %9s %9s\n' ROUND METHOD MOVE SECONDS MIB/S
from=1 to=0 round=0 fail=0
for ((r = 0; r < ROUNDS; r++)); do
        for method in tierctl migratepages onepage; do
                round=$((round + 1))
                t0=$(now)
                case $method in
                tierctl) tierctl migrate "$W" --to-node $to >/tmp/out 2>&1 ;;
                migratepages) migratepages "$W" $from $to >/tmp/out 2>&1 ;;
                onepage) migrate-onepage "$W" "$addr" "$size" $to >/tmp/out 2>&1 ;;
                esac
                rc=$?
                t1=$(now)
                # Everything must have moved: otherwise the round's figure means nothing.
                left=$(numastat -p "$W" | awk -v n=$((from + 2)) '/^Total/ { print $n }')
                secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
                printf '%-6s %-13s %-5s %9s %9.1f\n' $round $method "$from>$to" "$secs" \
                        "$(awk -v m="$MIB" -v s="$secs" 'BEGIN { print m / s }')"
                echo "BENCH $method $secs"
                if [ $rc != 0 ] || awk -v l="$left" 'BEGIN { exit !(l > 4) }'; then
                        echo "  round $round: exit $rc, $left MiB left on node $from"
                        sed 's/^/  /' /tmp/out
                        fail=1
                fi
                t=$from from=$to to=$t
        done
done
kill -USR1 $W
vmtest_wait 30 grep -q '^verify' /tmp/w.out
grep '^verify' /tmp/w.out
grep -q '^verify ok' /tmp/w.out || fail=1
kill $W
exit $fail
