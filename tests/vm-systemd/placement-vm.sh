#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# placement-vm.sh BUILDDIR WORKLOAD [run-vm.sh options]: install the build into an overlay (as a package would:
# the build must use --prefix=/usr), add placement-workload (tests/vm-systemd/placement-workload.c, also as the
# unmanaged names pl-other and pl-hog) and a migrate-mode configuration, and run placement-test.sh in the systemd
# guest on migrate-topology.args (node 0 with the CPUs and 1 GiB, CPU-less node 1 with 2 GiB).  Exit 77 (skip)
# when the build is not for /usr or qemu is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 workload=$2
shift 2
. "$here/overlay.sh"
overlay_install placement-vm "$build"
install -D -m 0755 "$workload" "$overlay/usr/local/bin/placement-workload"
# The same program under other names (comm): not in the Processes= scope below.
ln -s placement-workload "$overlay/usr/local/bin/pl-other"
ln -s placement-workload "$overlay/usr/local/bin/pl-hog"
mkdir -p "$overlay/etc/tierd/tierd.conf.d"
# Knobs the test expects to see changed while tierd runs and restored afterwards (the guest boots with
# numa_balancing=1 and demotion off).
printf '[Daemon]\nMode=migrate\n[Kernel]\nNumaBalancing=off\nDemotion=on\n[Placement]\nProcesses=placement-workload\n' \
        >"$overlay/etc/tierd/tierd.conf.d/50-vmtest.conf"
# The cache: TIERD_VM_CACHE when set (meson test passes it through), else the build's, as for the other tests.
export TIERD_VM_CACHE=${TIERD_VM_CACHE:-$(cd "$build" && pwd)/vm-cache}
"$here/run-vm.sh" --overlay "$overlay" --topology "$here/migrate-topology.args" --test "$here/placement-test.sh" "$@"
