#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-hotplug.sh BUILDDIR: boot the systemd guest (tests/vm-systemd) with tierd, hot-add a DIMM to the
# memory-less node 2, and print the guest's figures: first kernel uevent -> tierd's "node appeared" journal
# record (the debounce and udevd's processing included), and tierd's RSS.  TCG: the guest runs ~10-50x slower
# than hardware, so these are upper bounds.  Printed, not asserted (daemon-test.sh asserts < 1 s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$here/../tests/vm-systemd/daemon-vm.sh" "$1" --timeout 300 >"$out" 2>&1 || { cat "$out"; exit 1; }
printf '%-44s %s\n' "MEASURE (guest, TCG)" "VALUE"
awk '/^BENCH hotplug-uevent-to-log-ms/ { printf "%-44s %s ms\n", "hotplug uevent -> tierd log record", $3 }
     /^BENCH tierd-rss-kib/ { printf "%-44s %s KiB\n", "tierd RSS after the hotplug", $3 }' "$out"
grep -E "^vmrun: hotplug" "$out" | sed 's/^vmrun: /  /'
