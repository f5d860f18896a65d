#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot Debian's 6.12 kernel with a systemd + udev + dbus userland under QEMU
# (TCG) on a NUMA/HMAT topology, run a test script in the guest as
# tierd-vmtest.service, hot-add pc-dimms when the guest asks, collect results.
#
# usage: run-vm.sh --test SCRIPT [--cache DIR] [--overlay DIR]... [--enable UNIT]...
#                  [--env NAME=VALUE]... [--hotplug-after-marker MARKER]
#                  [--hotplug-node N] [--hotplug-size SIZE] [--timeout S]
#                  [--keep DIR] [--topology FILE] [--append ARGS] [--qemu ARG]...
#                  [--kernel-image FILE] [--verbose] [--quiet]
#
#   --test SCRIPT    run in the guest (as root, cwd /run/tierd-vmtest, stdout
#                    and stderr to the host); its exit status is run-vm.sh's
#   --cache DIR      rootfs/kernel cache (env TIERD_VM_CACHE, default
#                    $MESON_BUILD_ROOT/vm-cache or ~/.cache/tierd-vm); built
#                    by build-rootfs.sh on first use
#   --overlay DIR    files to install, laid out as in the guest (DIR/usr/bin/tierd,
#                    DIR/etc/systemd/system/tierd.service, ...); repeatable
#   --enable UNIT    start UNIT at boot (multi-user.target.wants symlink)
#   --env N=V        exported to the test (in /usr/lib/tierd-vmtest/env)
#   --hotplug-after-marker M
#                    the line that asks for a hot-plug (default
#                    TIERD-VMTEST-HOTPLUG-NOW; "M node=N size=S" overrides
#                    the defaults below for one request)
#   --hotplug-node N QEMU node of hot-added pc-dimms (default 2)
#   --hotplug-size S size of one pc-dimm (default 256M; 128 MiB blocks)
#   --timeout S      whole VM run (default 300)
#   --keep DIR       keep console.log, test.log, host.log, results.txt,
#                    files/ (journal, dmesg, what the test saved), qemu-cmdline.txt
#   --topology FILE  QEMU arguments, one per line (default topology.args here)
#   --append ARGS    extra kernel command line
#   --qemu ARG       extra QEMU argument (repeatable)
#
# Exit status: the test's; 99 when the harness failed (no status from the
# guest: timeout, crash, ...); 77 (skip) without qemu-system-x86_64 or, when
# the rootfs is not cached yet, without root or debootstrap.

set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "run-vm: $*" >&2; exit 99; }

cache='' test='' keep='' timeout=300 topology=$here/topology.args kimage=${TIERD_VM_KERNEL:-}
declare -a pack_args=() run_args=()

while [ $# -gt 0 ]; do
	case $1 in
	--*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
	esac
	case $1 in
	--cache) cache=$2; shift ;;
	--test) test=$2; shift ;;
	--overlay) [ -d "$2" ] || die "--overlay: no directory $2"
		pack_args+=(--overlay "$2"); shift ;;
	--enable) pack_args+=(--enable "$2"); shift ;;
	--env) pack_args+=(--env "$2"); shift ;;
	--hotplug-after-marker) pack_args+=(--marker "$2"); run_args+=(--marker "$2"); shift ;;
	--hotplug-node) pack_args+=(--hotplug-node "$2"); run_args+=(--hotplug-node "$2"); shift ;;
	--hotplug-size) pack_args+=(--hotplug-size "$2"); run_args+=(--hotplug-size "$2"); shift ;;
	--timeout) timeout=$2; shift ;;
	--keep) keep=$2; shift ;;
	--topology) topology=$2; shift ;;
	--append) run_args+=(--append="$2"); shift ;;
	--qemu) run_args+=(--qemu="$2"); shift ;;
	--kernel-image) kimage=$2; shift ;;
	--verbose|-v) run_args+=(--verbose) ;;
	--quiet|-q) run_args+=(--quiet) ;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
	shift
done
[ -n "$test" ] || die "--test SCRIPT is required"
[ -r "$test" ] || die "cannot read the test script $test"
[ -r "$topology" ] || die "cannot read the topology $topology"

command -v qemu-system-x86_64 >/dev/null || { echo "run-vm: qemu-system-x86_64 not found, skipping"; exit 77; }
command -v python3 >/dev/null || die "python3 is needed"

cache=${cache:-${TIERD_VM_CACHE:-}}
if [ -z "$cache" ]; then
	if [ -n "${MESON_BUILD_ROOT:-}" ]; then
		cache=$MESON_BUILD_ROOT/vm-cache
	else
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/tierd-vm
	fi
fi

# The rootfs: build it (or check it is current) -- needs root and debootstrap
# only when something has to be built.
if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
	vsd=$cache/vm-systemd
	if [ -s "$vsd/base.cpio" ] && [ -s "$vsd/kernel" ]; then
		echo "run-vm: not root or no debootstrap: using the cached rootfs as it is" >&2
	else
		echo "run-vm: the rootfs is not cached and building it needs root and debootstrap, skipping"
		exit 77
	fi
else
	t0=$(date +%s.%N)
	vsd=$("$here/build-rootfs.sh" ${kimage:+--kernel-image "$kimage"} "$cache" | tail -n 1) ||
		die "build-rootfs.sh failed"
	echo "run-vm: rootfs ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
fi
kernel=${kimage:-$(cat "$vsd/kernel")}
[ -r "$kernel" ] || die "kernel image not readable: $kernel"

if [ -n "$keep" ]; then
	mkdir -p "$keep" || die "cannot create $keep"
	work=$(cd "$keep" && pwd)
	rm -rf "$work/files" "$work/results.txt"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/tierd-vmsd.XXXXXX") || die "mktemp failed"
	trap 'rm -rf "$work"' EXIT
fi

python3 "$here/vmrun.py" pack "$work/run.cpio" --rootfs "$vsd/rootfs" --guest "$here/guest" \
	--test "$test" "${pack_args[@]}" || die "cannot pack the overlay"

python3 "$here/vmrun.py" run ${TIERD_VM_ACCEL:+--accel "$TIERD_VM_ACCEL"} --kernel "$kernel" --initrd "$vsd/base.cpio" --initrd "$work/run.cpio" \
	--work "$work" --args-file "$topology" --timeout "$timeout" "${run_args[@]}"
rc=$?
[ -n "$keep" ] && echo "run-vm: results in $work"
exit $rc
