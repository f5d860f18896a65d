# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/vm/oracle.sh and tests/vm-systemd/build-rootfs.sh (bash).
# vm_resolve_kernel SERIES CACHE: set $kimage to the /boot/vmlinuz-* of the newest Debian
# linux-image-<SERIES>...-amd64-unsigned that apt can fetch (6.12 or 6.1), downloaded with apt-get download
# into CACHE/debs and unpacked (the image only: the guests load no modules) into CACHE/kernels/<package>;
# the newest cached one when apt offers none.  Calls the caller's die() on failure.
vm_resolve_kernel() {
	local series=$1 cache=$2 me re pat pkg='' cand deb dir
	me=$(basename "$0" .sh)
	case $series in
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$'
	      pat='linux-image-6.12.*+deb*-amd64-unsigned' ;;
	6.1)  re='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
	      pat='linux-image-6.1.0-*-amd64-unsigned' ;;
	*)    die "unknown kernel series $series (6.12 or 6.1)" ;;
	esac
	if command -v apt-cache >/dev/null; then
		for cand in $(apt-cache search --names-only "$re" 2>/dev/null | awk '{print $1}' | sort -V -r); do
			# (no grep -q: with pipefail, an early exit of grep would fail the pipeline through SIGPIPE)
			if apt-cache policy "$cand" 2>/dev/null | grep 'Candidate: [^(]' >/dev/null; then
				pkg=$cand
				break
			fi
		done
	fi
	if [ -z "$pkg" ]; then
		kimage=$(ls -d "$cache"/kernels/$pat/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$kimage" ] || die "no $series kernel: apt-cache found no package and the cache ($cache) has none"
		echo "$me: apt has no $series kernel package, using cached $kimage" >&2
		return
	fi
	dir=$cache/kernels/$pkg
	kimage=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$kimage" ] && return
	mkdir -p "$cache/debs"
	deb=$(ls "$cache"/debs/"${pkg}"_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		echo "$me: downloading $pkg" >&2
		(cd "$cache/debs" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed"
		deb=$(ls "$cache"/debs/"${pkg}"_*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg left no .deb in $cache/debs"
	fi
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards './boot/vmlinuz-*' &&
		rm -rf "$dir" && mv "$dir.tmp" "$dir" || die "cannot unpack $deb"
	kimage=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$kimage" ] || die "$deb holds no /boot/vmlinuz-*"
}
