#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-migrate.sh BUILDDIR: page migration throughput in the VM (tests/vm-systemd, migrate-topology.args: node 0
# with the CPUs and 1 GiB, CPU-less node 1 with 2 GiB): the same workload memory moved back and forth, rounds
# alternating between tierctl migrate, numactl's migratepages and one move_pages(2) call per page
# (bench-migrate-guest.sh).  Prints the rounds, the median MiB/s per method and tierctl / migratepages.  TCG is
# ~10-50x slower than hardware: compare the ratios, not the figures.  Environment: BENCH_MIB (128),
# BENCH_ROUNDS (5 per method), BENCH_THP_PERCENT (50), TIERD_VM_ACCEL (e.g. tcg,thread=multi).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
overlay=$(mktemp -d) out=$(mktemp)
trap 'rm -rf "$overlay" "$out"' EXIT
install -D -m 0755 "$build/daemon/tierctl" "$overlay/usr/local/bin/tierctl"
install -D -m 0755 "$build/tests/migrate-workload" "$overlay/usr/local/bin/migrate-workload"
install -D -m 0755 "$build/bench/migrate-onepage" "$overlay/usr/local/bin/migrate-onepage"
"$here/../tests/vm-systemd/run-vm.sh" --overlay "$overlay" --topology "$here/../tests/vm-systemd/migrate-topology.args" \
        --test "$here/bench-migrate-guest.sh" --timeout 900 \
        --env "BENCH_MIB=${BENCH_MIB:-128}" --env "BENCH_ROUNDS=${BENCH_ROUNDS:-5}" \
        --env "BENCH_THP_PERCENT=${BENCH_THP_PERCENT:-50}" --env "TIERD_BENCH_ACCEL=${TIERD_VM_ACCEL:-tcg single}" \
        >"$out" 2>&1 || { cat "$out"; exit 1; }
sed -n '/^workload:/,/^verify/p' "$out" | grep -v '^BENCH'
mib=${BENCH_MIB:-128}
awk -v mib="$mib" '/^BENCH / { s[$2] = s[$2] " " $3 }
        function median(list,    a, n, i, j, t) {
                n = split(list, a, " ")
                for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        END {
                printf "\n%-13s %12s %12s\n", "METHOD", "MEDIAN S", "MEDIAN MIB/S"
                for (m in s) { med[m] = median(s[m]); printf "%-13s %12.3f %12.1f\n", m, med[m], mib / med[m] }
                printf "\ntierctl / migratepages: %.2fx (goal >= 0.9x); tierctl / one page per call: %.1fx\n",
                        med["migratepages"] / med["tierctl"], med["onepage"] / med["tierctl"]
        }' "$out"
