#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build (or reuse) what tests/vm-systemd/run-vm.sh boots: a Debian bookworm
# userland with systemd, udev and dbus, packed as an uncompressed cpio
# initramfs, and Debian's 6.12 kernel.
#
# usage: build-rootfs.sh [--kernel-image FILE] [--packages "P1 P2"] CACHE
#
#   CACHE            cache directory (shared layout with tests/vm: kernels/,
#                    debs/; this script's own files go to CACHE/vm-systemd/)
#   --kernel-image F boot this vmlinuz instead of downloading Debian's newest
#                    linux-image-6.12.*+deb12-amd64-unsigned (env TIERD_VM_KERNEL)
#   --packages LIST  extra packages for the rootfs (env TIERD_VM_EXTRA_PACKAGES)
#
# Needs root (debootstrap, device nodes and file owners in the cpio),
# debootstrap, cpio, apt-get and dpkg-deb.  Steps whose inputs did not change
# are skipped: debootstrap is keyed by the package list, the preparation and
# the cpio by the package list and this script's contents.  The mirror is the
# first bookworm URI of the host's apt sources (env TIERD_VM_MIRROR).
#
# Output (the last line on stdout is for run-vm.sh):
#   CACHE/vm-systemd/rootfs/     the debootstrapped tree, prepared for booting
#   CACHE/vm-systemd/base.cpio   the tree as newc cpio, docs/locales/apt lists left out
#   CACHE/vm-systemd/kernel      path of the kernel image to boot

set -u -o pipefail

# Packages of the guest.  The second line: run-time libraries of tierd and
# tierctl (see the top meson.build), and numactl for tests.
packages="systemd,systemd-sysv,udev,dbus,kmod,procps,iproute2"
packages="$packages,libnuma1,libsystemd0,libudev1,libcxl1,libdaxctl1,libjson-c5,libinih1,numactl"
suite=bookworm

kimage=${TIERD_VM_KERNEL:-}
extra=${TIERD_VM_EXTRA_PACKAGES:-}
cache=''

die() { echo "build-rootfs: $*" >&2; exit 1; }
log() { echo "build-rootfs: $*" >&2; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel-image) kimage=$2; shift ;;
	--kernel-image=*) kimage=${1#*=} ;;
	--packages) extra=$2; shift ;;
	--packages=*) extra=${1#*=} ;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option: $1" ;;
	*) [ -z "$cache" ] || die "only one CACHE argument"; cache=$1 ;;
	esac
	shift
done
[ -n "$cache" ] || die "usage: build-rootfs.sh [options] CACHE"
extra=$(echo "$extra" | tr ', ' '\n\n' | sed '/^$/d' | sort -u | paste -sd, -)
[ -n "$extra" ] && packages="$packages,$extra"

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, device nodes in the cpio)"
for t in debootstrap cpio dpkg-deb sha256sum flock; do
	command -v $t >/dev/null || die "$t not found (apt-get install debootstrap cpio)"
done

mkdir -p "$cache/vm-systemd" || die "cannot create $cache/vm-systemd"
cache=$(cd "$cache" && pwd)
dir=$cache/vm-systemd
rootfs=$dir/rootfs
# One builder at a time; a second run waits and then finds everything current.
exec 9> "$dir/.lock"
flock 9 || die "cannot lock $dir/.lock"

# --- kernel ---------------------------------------------------------------------
# The same kernel and cache layout as tests/vm/oracle.sh.
. "$(dirname "$0")/../vm/kernel-cache.sh"
if [ -z "$kimage" ]; then
	vm_resolve_kernel 6.12 "$cache"
fi
[ -r "$kimage" ] || die "kernel image not readable: $kimage"
kimage=$(cd "$(dirname "$kimage")" && pwd)/$(basename "$kimage")

# --- debootstrap ------------------------------------------------------------------
mirror() {
	local m=${TIERD_VM_MIRROR:-} f
	if [ -z "$m" ]; then
		# deb822 sources: the URIs of the stanza whose Suites hold "bookworm".
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			m=$(awk -v s="$suite" '
				/^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
				/^URIs:/ { uri = $2 }
				/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
				END { if (uri != "" && ok) print uri }' "$f" | head -n 1)
			[ -n "$m" ] && break
		done
	fi
	if [ -z "$m" ]; then
		m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk -v s="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { if ($(i+1) == s) { print $i; exit } } }')
	fi
	echo "${m:-http://deb.debian.org/debian}"
}

pkg_key=$(echo "$suite $packages" | sha256sum | cut -c1-16)
if [ "$(cat "$dir/rootfs.stamp" 2>/dev/null)" != "$pkg_key" ]; then
	m=$(mirror)
	log "debootstrap $suite from $m (packages: $packages)"
	rm -f "$dir/rootfs.stamp" "$dir/base.stamp"
	rm -rf "$rootfs"
	t0=$(date +%s.%N)
	debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$m" \
		> "$dir/debootstrap.log" 2>&1 || {
		tail -n 30 "$dir/debootstrap.log" >&2
		die "debootstrap failed (log: $dir/debootstrap.log)"
	}
	echo "$pkg_key" > "$dir/rootfs.stamp"
	log "debootstrap took $(since "$t0") s"
fi

# --- preparation and cpio ---------------------------------------------------------
base_key=$(cat "$dir/rootfs.stamp" "$0" | sha256sum | cut -c1-16)
if [ "$(cat "$dir/base.stamp" 2>/dev/null)" != "$base_key" ] || [ ! -s "$dir/base.cpio" ]; then
	log "preparing the rootfs for booting as an initramfs"
	r=$rootfs
	echo tierd-vm > "$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\ttierd-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
	# Root password locked (no password field), no login prompt anywhere.
	sed -i 's/^root:[^:]*:/root:*:/' "$r/etc/shadow"
	# A fixed machine id: an empty one means "first boot" (systemd-firstboot
	# could prompt on the console); the same id in every VM is fine.
	echo 7469657264766d746573740000000001 > "$r/etc/machine-id"
	: > "$r/etc/fstab"
	ln -sfn /lib/systemd/system/multi-user.target "$r/etc/systemd/system/default.target"
	# Units that are useless in a throw-away VM or slow under TCG, and
	# gettys (the serial console carries kernel/systemd messages only; the
	# test talks over ttyS1).  binfmt_misc's automount needs the autofs4
	# module, which the initramfs does not have.  journal-flush (volatile
	# journal) and utmp (no logins) only lengthen the critical chain.
	for u in serial-getty@ttyS0.service serial-getty@ttyS1.service getty@tty1.service \
		getty-static.service console-getty.service \
		apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service \
		dpkg-db-backup.timer dpkg-db-backup.service e2scrub_all.timer e2scrub_all.service \
		e2scrub_reap.service fstrim.timer fstrim.service man-db.timer man-db.service \
		systemd-timesyncd.service systemd-networkd.service systemd-networkd.socket \
		systemd-networkd-wait-online.service networking.service ifupdown-wait-online.service \
		systemd-pstore.service systemd-firstboot.service systemd-tmpfiles-clean.timer \
		proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-binfmt.service \
		systemd-remount-fs.service remote-fs.target \
		systemd-journal-flush.service systemd-update-utmp.service \
		systemd-update-utmp-runlevel.service; do
		ln -sfn /dev/null "$r/etc/systemd/system/$u"
	done
	rm -f "$r"/etc/systemd/system/timers.target.wants/* \
		"$r"/etc/systemd/system/getty.target.wants/* \
		"$r"/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service \
		"$r"/etc/systemd/system/multi-user.target.wants/remote-fs.target \
		"$r"/etc/systemd/system/sysinit.target.wants/systemd-pstore.service
	# Journal in /run only; keep the console for the kernel and failures.
	mkdir -p "$r/etc/systemd/journald.conf.d" "$r/etc/systemd/system.conf.d"
	printf '[Journal]\nStorage=volatile\nForwardToConsole=no\nRateLimitBurst=0\n' \
		> "$r/etc/systemd/journald.conf.d/tierd-vm.conf"
	# Short stop timeouts: a stuck unit must not hold the power-off for 90 s.
	printf '[Manager]\nDefaultTimeoutStopSec=10s\nShowStatus=error\n' \
		> "$r/etc/systemd/system.conf.d/tierd-vm.conf"

	log "packing $dir/base.cpio"
	t0=$(date +%s.%N)
	# Left out (not needed to boot or test, ~125 MB): apt's lists and
	# downloaded .debs, documentation, man pages, translations.
	# "." is in: its entry gives the guest's / mode 0755 (the initramfs'
	# tmpfs starts as 1777).
	(cd "$r" && find . \
		\( -path ./var/cache/apt -o -path ./var/lib/apt/lists -o -path ./usr/share/doc \
		   -o -path ./usr/share/man -o -path ./usr/share/locale -o -path ./usr/share/info \
		   -o -path ./usr/share/i18n \) -prune -o -print |
		LC_ALL=C sort | cpio -o -H newc --quiet > "$dir/base.cpio.tmp") ||
		die "cpio failed"
	mv "$dir/base.cpio.tmp" "$dir/base.cpio"
	echo "$base_key" > "$dir/base.stamp"
	log "packed $(( $(stat -c %s "$dir/base.cpio") / 1048576 )) MiB in $(since "$t0") s"
fi

echo "$kimage" > "$dir/kernel"
echo "$dir"
