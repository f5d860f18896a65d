#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# daemon-vm.sh BUILDDIR [run-vm.sh options]: install the build into an overlay (as a package would: the build
# must use --prefix=/usr), add a test configuration (kernel mode, NumaBalancing=tiering, Demotion=on), and run
# daemon-test.sh in the systemd guest.  Exit 77 (skip) when the build is not for /usr or qemu is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
shift
. "$here/overlay.sh"
overlay_install daemon-vm "$build"
mkdir -p "$overlay/etc/tierd/tierd.conf.d"
printf '[Daemon]\nMode=kernel\n[Kernel]\nNumaBalancing=tiering\nDemotion=on\nPromoteRateLimitMBps=1234\nHotThresholdMSec=777\n' \
        >"$overlay/etc/tierd/tierd.conf.d/50-vmtest.conf"
"$here/run-vm.sh" --overlay "$overlay" --test "$here/daemon-test.sh" "$@"
