#!/bin/bash
# Kernel oracle: boot random NUMA/HMAT topologies under QEMU with a real Debian
# kernel, capture what the kernel made of them (memory tiers, HMAT figures),
# and check that `tierctl classify` computes the same tiers from the capture.
#
# usage: oracle.sh [--tierctl PATH] [--kernel 6.12|6.1] [--seeds 1,2,...]
#                  [--count N] [--keep DIR] [--cache DIR] [--kernel-image FILE]
#                  [--args-file FILE] [--timeout SECS] [--jobs N] [--verbose]
#
#   --tierctl PATH     tierctl to check (without it: boot and capture only)
#   --kernel SERIES    6.12 (default) or 6.1: newest Debian bookworm
#                      linux-image-...-amd64-unsigned of that series, fetched
#                      with apt-get download into the cache
#   --kernel-image F   boot this vmlinuz instead (env TIERD_VM_KERNEL)
#   --seeds LIST       comma-separated seeds (default: the fixed CI seeds)
#   --count N          add N random seeds (printed, so they can be replayed)
#   --args-file FILE   boot the QEMU topology in FILE (one argument per line)
#                      instead of generated seeds
#   --keep DIR         keep per-seed work dirs (topology, console log,
#                      capture, tierctl output) under DIR
#   --cache DIR        kernel download cache (env TIERD_VM_CACHE, default
#                      $MESON_BUILD_ROOT/vm-cache or ~/.cache/tierd-vm)
#   --timeout SECS     per boot (default 120)
#   --jobs N           boots in parallel (default: CPUs, at most 4)
#   --verbose          print details for seeds with notes, not only failures
#
# Output: one line per seed, then "N passed, N failed".  Exit 0 if all
# passed, 77 (skip) if qemu-system-x86_64 is missing, 1 otherwise.

set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Fixed CI seeds; see README.md for what each one covers.
default_seeds="3,7,78,113,153,165,223,334"

tierctl='' series=6.12 seeds='' count=0 keep='' cache='' kimage=${TIERD_VM_KERNEL:-}
argsfile='' vm_timeout=120 jobs='' verbose=''

die() { echo "oracle: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--tierctl) tierctl=$2; shift ;;
	--tierctl=*) tierctl=${1#*=} ;;
	--kernel) series=$2; shift ;;
	--kernel=*) series=${1#*=} ;;
	--kernel-image) kimage=$2; shift ;;
	--kernel-image=*) kimage=${1#*=} ;;
	--seeds) seeds=$2; shift ;;
	--seeds=*) seeds=${1#*=} ;;
	--count) count=$2; shift ;;
	--count=*) count=${1#*=} ;;
	--keep) keep=$2; shift ;;
	--keep=*) keep=${1#*=} ;;
	--cache) cache=$2; shift ;;
	--cache=*) cache=${1#*=} ;;
	--args-file) argsfile=$2; shift ;;
	--args-file=*) argsfile=${1#*=} ;;
	--timeout) vm_timeout=$2; shift ;;
	--timeout=*) vm_timeout=${1#*=} ;;
	--jobs|-j) jobs=$2; shift ;;
	--jobs=*) jobs=${1#*=} ;;
	--verbose|-v) verbose=--verbose-notes ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
	shift
done

qemu=$(command -v qemu-system-x86_64) || {
	echo "oracle: qemu-system-x86_64 not found, skipping"
	exit 77
}
command -v python3 >/dev/null || die "python3 is needed"
[ -z "$tierctl" ] || [ -x "$tierctl" ] || die "tierctl not executable: $tierctl"
case $series in 6.12|6.1) ;; *) die "--kernel: 6.12 or 6.1" ;; esac
if [ -z "$jobs" ]; then
	jobs=$(nproc 2>/dev/null || echo 1)
	[ "$jobs" -gt 4 ] && jobs=4
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs: a positive number"

cache=${cache:-${TIERD_VM_CACHE:-}}
if [ -z "$cache" ]; then
	if [ -n "${MESON_BUILD_ROOT:-}" ]; then
		cache=$MESON_BUILD_ROOT/vm-cache
	else
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/tierd-vm
	fi
fi
mkdir -p "$cache" || die "cannot create cache dir $cache"
cache=$(cd "$cache" && pwd)

# --- kernel -----------------------------------------------------------------
# Newest Debian package of the series that apt can fetch; the package name
# carries the ABI version, so it is looked up, not hard-coded.
. "$here/kernel-cache.sh"

if [ -z "$kimage" ]; then
	vm_resolve_kernel "$series" "$cache"
fi
[ -r "$kimage" ] || die "kernel image not readable: $kimage"

# --- work dir and initramfs ---------------------------------------------------
if [ -n "$keep" ]; then
	mkdir -p "$keep" || die "cannot create $keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/tierd-oracle.XXXXXX") || die "mktemp failed"
	trap 'rm -rf "$work"' EXIT
fi

busybox=${TIERD_VM_BUSYBOX:-}
if [ -z "$busybox" ]; then
	for b in /bin/busybox /usr/bin/busybox $(command -v busybox 2>/dev/null); do
		[ -x "$b" ] && busybox=$b && break
	done
fi
[ -n "$busybox" ] || die "busybox not found (install busybox-static)"
initrd=$work/initramfs.cpio.gz
python3 "$here/vmtool.py" initramfs "$initrd" --busybox "$busybox" \
	--init "$here/guest-init.sh" --capture "$here/capture-sysfs.sh" ||
	die "cannot build the initramfs"

# --- seeds --------------------------------------------------------------------
declare -a list=()
if [ -n "$argsfile" ]; then
	[ -r "$argsfile" ] || die "cannot read $argsfile"
	list=(custom)
else
	IFS=, read -r -a list <<< "${seeds:-$default_seeds}"
	for ((i = 0; i < count; i++)); do
		list+=($(( ($(od -An -N4 -tu4 /dev/urandom) % 1000000) + 1000 )))
	done
	for s in "${list[@]}"; do
		[[ $s =~ ^[0-9]+$ ]] || die "bad seed: $s"
	done
fi

echo "oracle: kernel $kimage, $(( ${#list[@]} )) topologies${tierctl:+, checking $tierctl}"

# run_seed SEED: boot, capture, check.  Output goes to $work/seed-SEED/result,
# status to $work/seed-SEED/status.
run_seed() {
	local s=$1 d=$work/seed-$1 rc t0 t1
	rm -rf "$d" && mkdir -p "$d"
	{
		if [ "$s" = custom ]; then
			grep -v '^[[:space:]]*\(#\|$\)' "$argsfile" > "$d/qemu-args.txt"
		else
			python3 "$here/topogen.py" "$s" > "$d/topo.json" &&
				python3 "$here/topogen.py" "$s" --qemu-args > "$d/qemu-args.txt"
		fi || { echo "seed $s: FAILED (topology generator failed)"; return 1; }
		local -a qargs
		mapfile -t qargs < "$d/qemu-args.txt"
		# thread=single: the guests are idle-ish and it is as fast as
		# MTTCG here, and MTTCG occasionally oopses the guest while the
		# kernel patches its own text (int3 in a half-patched
		# instruction).  One retry covers any other emulator hiccup.
		local try
		for try in 1 2; do
			t0=$(date +%s)
			timeout --kill-after=10 "$vm_timeout" "$qemu" \
				-accel "${TIERD_VM_ACCEL:-tcg,thread=single}" -cpu max \
				-nodefaults -display none -no-reboot \
				-serial "file:$d/console.log" \
				-kernel "$kimage" -initrd "$initrd" \
				-append "console=ttyS0 quiet panic=-1" \
				"${qargs[@]}" < /dev/null > "$d/qemu.log" 2>&1
			rc=$?
			t1=$(date +%s)
			echo "$((t1 - t0))" > "$d/boot-seconds"
			rm -rf "$d/capture"
			python3 "$here/vmtool.py" extract "$d/console.log" "$d/capture" \
				> "$d/extract.log" 2>&1 && break
			[ $try = 1 ] && [ $rc != 124 ] && grep -q '^qemu-system' "$d/qemu.log" && break
			[ $try = 1 ] && cp "$d/console.log" "$d/console-try1.log" &&
				echo "  (boot $try gave no capture, qemu status $rc; retrying)"
		done
		if [ ! -d "$d/capture/root" ]; then
			echo "seed $s: FAILED (no capture; qemu status $rc after $((t1 - t0)) s$([ $rc = 124 ] && echo ', timed out'))"
			echo "  qemu args: ${qargs[*]}"
			sed 's/^/  qemu: /' "$d/qemu.log" | tail -n 20
			tr -d '\r' < "$d/console.log" 2>/dev/null | tail -n 30 | sed 's/^/  console: /'
			return 1
		fi
		local -a check=(--seed "$s" --capture "$d/capture")
		[ "$s" != custom ] && check+=(--topo "$d/topo.json")
		[ "$s" = custom ] && check+=(--qemu-args-file "$d/qemu-args.txt")
		if [ -n "$tierctl" ]; then
			"$tierctl" classify --root "$d/capture/root" --json \
				> "$d/tierctl.json" 2> "$d/tierctl.err"
			check+=(--tierctl-json "$d/tierctl.json" --tierctl-rc $?
				--tierctl-err "$d/tierctl.err")
		fi
		python3 "$here/vmtool.py" check "${check[@]}" $verbose
	} > "$d/result" 2>&1
}

pass=0 fail=0 start=$(date +%s)
declare -a running=()
report() {
	local s=$1 d=$work/seed-$1
	cat "$d/result"
	if [ "$(cat "$d/status")" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}
for s in "${list[@]}"; do
	( run_seed "$s"; echo $? > "$work/seed-$s/status" ) &
	running+=("$s:$!")
	if [ ${#running[@]} -ge "$jobs" ]; then
		wait "${running[0]#*:}"
		report "${running[0]%%:*}"
		running=("${running[@]:1}")
	fi
done
for r in "${running[@]}"; do
	wait "${r#*:}"
	report "${r%%:*}"
done

echo "oracle: $(( $(date +%s) - start )) s for ${#list[@]} boots${keep:+, work dirs in $work}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
