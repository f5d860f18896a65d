#!/bin/sh
# capture-sysfs.sh DESTDIR
#
# Copy the sysfs/procfs files tierd looks at from / into DESTDIR, keeping the
# relative layout (DESTDIR/sys/..., DESTDIR/proc/...), so that the copy can be
# used as a --root for tierctl or as a test fixture.
#
# Portable POSIX sh: runs under busybox ash (inside the test guest) and under
# dash/bash on a real host.
#
# - Regular files are copied by reading them (sysfs sizes are meaningless,
#   so no cp/tar of file contents).  Files that cannot be read (write-only
#   attributes, EIO, ...) are skipped silently.
# - Directories that are symlinks in sysfs (e.g. /sys/bus/dax/devices/dax0.0)
#   become real directories in the copy.
# - A few entries are recreated as symlinks with the same target text
#   (dangling in the copy, which is fine).
# - Memory block files are read by a few grep processes and written by one
#   sh; directories and symlinks are created by a couple of batched
#   commands: no process per memory block, so hosts with thousands of
#   blocks take seconds, not minutes.
#
# Environment: CAPTURE_ROOT (default /) reads from another tree instead of /
# (useful to test the script itself).

set -u

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DESTDIR" >&2
	exit 2
fi

src_root=${CAPTURE_ROOT:-/}
src_root=${src_root%/}
dest=$1
mkdir -p "$dest" || exit 1
dest=$(cd "$dest" && pwd) || exit 1

# Work lists (one relative path per line).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capture-sysfs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/files"
: > "$tmp/links"

# want_file REL: queue a regular file (relative to the source root).
want_file() {
	[ -f "$src_root/$1" ] && printf '%s\n' "$1" >> "$tmp/files"
}

# want_files REL...: queue every argument that exists (unexpanded glob
# patterns simply do not exist).
want_files() {
	for _w in "$@"; do
		[ -f "$src_root/$_w" ] && printf '%s\n' "$_w"
	done >> "$tmp/files"
}

# want_links REL...: queue every argument that is a symlink.
want_links() {
	for _w in "$@"; do
		[ -L "$src_root/$_w" ] && printf '%s\n' "$_w"
	done >> "$tmp/links"
}

cd "$src_root/" || exit 1

# --- what to capture -------------------------------------------------------
want_file proc/sys/kernel/osrelease
want_file proc/sys/kernel/numa_balancing
want_file proc/meminfo
want_file sys/kernel/mm/numa/demotion_enabled

n=sys/devices/system/node
want_files $n/possible $n/online $n/has_cpu $n/has_memory \
	$n/has_normal_memory $n/has_high_memory $n/has_generic_initiator

for nd in "$n"/node[0-9]*; do
	[ -d "$nd" ] || continue
	want_files "$nd/cpulist" "$nd/meminfo" "$nd/distance"
	for acc in "$nd"/access[0-9]*; do
		[ -d "$acc" ] || continue
		want_files "$acc/initiators/read_latency" \
			"$acc/initiators/write_latency" \
			"$acc/initiators/read_bandwidth" \
			"$acc/initiators/write_bandwidth"
		want_links "$acc"/initiators/node[0-9]* "$acc"/targets/node[0-9]*
	done
	for c in "$nd"/memory_side_cache/index[0-9]*; do
		[ -d "$c" ] || continue
		want_files "$c/size" "$c/line_size" "$c/indexing" "$c/write_policy"
	done
done

m=sys/devices/system/memory
want_file $m/block_size_bytes
for b in "$m"/memory[0-9]*; do
	[ -d "$b" ] || continue
	want_files "$b/phys_index" "$b/state" "$b/online" "$b/valid_zones" \
		"$b/removable"
	want_links "$b"/node[0-9]*
done

for t in sys/devices/virtual/memory_tiering/memory_tier[0-9]*; do
	want_files "$t/nodelist"
done

for d in sys/bus/dax/devices/*; do
	[ -d "$d" ] || continue
	want_files "$d/target_node" "$d/resource" "$d/size" "$d/numa_node"
	want_links "$d/driver"
done

for d in sys/bus/cxl/devices/*; do
	[ -d "$d" ] || continue
	want_files "$d/resource" "$d/size" "$d/mode" "$d/devtype"
done

# --- directories (one batched mkdir) ---------------------------------------
# The parent of every queued file and link.
sed 's,/[^/]*$,,' "$tmp/files" "$tmp/links" | sort -u > "$tmp/dirs"
(cd "$dest" && xargs mkdir -p < "$tmp/dirs") || exit 1

# --- regular files -----------------------------------------------------------
# Memory block attributes (possibly tens of thousands of one-line text
# attributes) are read by grep, a few processes in all (xargs), and turned
# into a script of printf redirections run by one sh: no process and no
# byte-by-byte read per file.  Everything else is read with cat, one file at
# a time: some attributes (node cpulist, ...) are binary sysfs attributes
# that return nothing to the one-byte reads of the dash/busybox `read`
# builtin.  (busybox awk 1.35 mangles FILENAME with long file lists: no awk.)
# A file that reads empty is dropped: sysfs attributes always print at least
# a newline, so empty means unreadable (write-only, EIO, ...).
grep '^sys/devices/system/memory/memory[0-9]' "$tmp/files" > "$tmp/blockfiles"
grep -v '^sys/devices/system/memory/memory[0-9]' "$tmp/files" > "$tmp/otherfiles"

if [ -s "$tmp/blockfiles" ]; then
	# path:value  ->  printf '%s\n' 'value' > 'path'   (paths have no ':')
	xargs grep -H '' < "$tmp/blockfiles" 2>/dev/null |
		sed -e "s/'/'\\\\''/g" \
		    -e "s/^\([^:]*\):\(.*\)\$/printf '%s\\\\n' '\2' > '\1'/" \
		    > "$tmp/blockscript"
	(cd "$dest" && sh "$tmp/blockscript")
fi

while IFS= read -r f; do
	cat "$f" > "$dest/$f"
	[ -s "$dest/$f" ] || rm -f "$dest/$f"
done < "$tmp/otherfiles" 2>/dev/null

# --- symlinks: keep the link text -------------------------------------------
# tar stores symlinks as symlinks (it does not read through them), one
# process pair for all of them.
if [ -s "$tmp/links" ]; then
	# shellcheck disable=SC2046  # sysfs paths contain no whitespace
	set -- $(cat "$tmp/links")
	tar -cf - "$@" 2>/dev/null | (cd "$dest" && tar -xf - 2>/dev/null)
	# Fallback, should tar be missing or refuse: one link at a time.
	while IFS= read -r f; do
		[ -L "$dest/$f" ] && continue
		t=$(readlink "$f") && ln -sf "$t" "$dest/$f"
	done < "$tmp/links"
fi

exit 0
