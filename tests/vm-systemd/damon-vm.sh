#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# damon-vm.sh PROBE WORKLOAD [run-vm.sh options]: put the DAMON probe and workload (tests/damon-probe.c,
# damon-workload.c; built, never installed) into an overlay and run damon-test.sh in the systemd guest on
# Debian's 6.12 kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
probe=$1 workload=$2
shift 2
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
install -D -m 0755 "$probe" "$overlay/usr/local/bin/damon-probe"
install -D -m 0755 "$workload" "$overlay/usr/local/bin/damon-workload"
"$here/run-vm.sh" --overlay "$overlay" --test "$here/damon-test.sh" "$@"
