#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate-vm.sh TIERCTL WORKLOAD [run-vm.sh options]: boot the systemd guest on migrate-topology.args (node 0
# with the CPUs and 1 GiB, CPU-less node 1 with 2 GiB) with tierctl and migrate-workload in /usr/local/bin,
# and run migrate-test.sh there: tierctl migrate on the real kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tierctl=$1 workload=$2
shift 2
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
install -D -m 0755 "$tierctl" "$overlay/usr/local/bin/tierctl"
install -D -m 0755 "$workload" "$overlay/usr/local/bin/migrate-workload"
"$here/run-vm.sh" --overlay "$overlay" --topology "$here/migrate-topology.args" --test "$here/migrate-test.sh" "$@"
