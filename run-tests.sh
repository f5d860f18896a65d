#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Set up a Debian machine (packages, builds) and run tierd's whole test suite:
#   1. unit + fixture + real-kernel oracle tests (gcc build, "build/")
#   2. unit + fixture tests under ASan+UBSan (clang build, "build-asan/")
#   3. the mutation check: every break of lib/ in tests/mutants/mutants.txt must make its suites fail (one test)
#   4. unit tests under valgrind
#   5. the libFuzzer target for a short while (clang, "build-fuzz/")
# Ends with one line "Summary: N passed, N failed".  Environment: TIERD_SKIP_VM=1 skips the VM suite,
# TIERD_VM_SEEDS=1,2,3 picks oracle seeds, TIERD_SKIP_MUTANTS=1 skips the mutation check.
set -uo pipefail
cd "$(dirname "$0")"

packages=(build-essential meson ninja-build pkg-config clang libclang-rt-14-dev valgrind
          libnuma-dev libsystemd-dev libudev-dev libcxl-dev libdaxctl-dev libjson-c-dev libinih-dev
          qemu-system-x86 busybox-static cpio kmod xz-utils python3 numactl systemd dbus-daemon dbus-bin libumockdev-dev umockdev debootstrap)

install_packages() {
        local missing=()
        for p in "${packages[@]}"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
        done
        ((${#missing[@]} == 0)) && return 0
        echo "Installing: ${missing[*]}"
        local sudo=()
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

passed=0 failed=0
# Add the counts of one "meson test" run from its JSON log (BUILDDIR [LOGBASE]; meson appends "-SETUP" to the
# log base of a run with --setup).
count() {
        local log=$1/meson-logs/${2:-testlog}.json
        [[ -f $log ]] || { echo "no test log $log: counting the step as failed" >&2; failed=$((failed + 1)); return; }
        read -r p f < <(python3 -c '
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "SKIP", "EXPECTEDFAIL"): p += 1
    else: f += 1
print(p, f)' "$log")
        passed=$((passed + p)) failed=$((failed + f))
}

step() { echo; echo "=== $*"; }

install_packages || { echo "Summary: 0 passed, 1 failed"; exit 1; }

step "build (gcc) and run unit, fixture and vm suites"
vm_opt=true
[[ ${TIERD_SKIP_VM:-0} == 1 ]] && vm_opt=false
# --prefix=/usr: installed as a package would be, which the systemd VM test needs.
{ [[ -d build ]] || meson setup build --prefix=/usr -Dvm-tests=$vm_opt; } &&
        meson configure build -Dprefix=/usr -Dvm-tests=$vm_opt >/dev/null && ninja -C build
meson test -C build --print-errorlogs --num-processes 2
count build

step "ASan + UBSan (clang): unit, fixture and bus suites"
{ [[ -d build-asan ]] || CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dvm-tests=false; } &&
        ninja -C build-asan
meson test -C build-asan --setup asan --suite unit --suite fixture --suite bus --print-errorlogs
count build-asan testlog-asan

step "mutation check: tests/mutants/run-mutants.sh (a scratch copy and build; a survivor fails it)"
# Every entry must still apply; one third of them is built and run each time (~5 s each), the third chosen by
# the commit, so that the run stays short and consecutive commits cover the whole list.  TIERD_MUTANTS=all runs
# every entry.
shard=$(( 0x$(git rev-parse --short=4 HEAD 2>/dev/null || echo 0) % 3 ))
if [[ ${TIERD_SKIP_MUTANTS:-0} == 1 ]]; then
        echo "skipped (TIERD_SKIP_MUTANTS=1)"
elif ! tests/mutants/run-mutants.sh --check; then
        failed=$((failed + 1))
elif [[ ${TIERD_MUTANTS:-} == all ]] && tests/mutants/run-mutants.sh; then
        passed=$((passed + 1))
elif [[ ${TIERD_MUTANTS:-} != all ]] &&
        tests/mutants/run-mutants.sh $(tests/mutants/run-mutants.sh --list | awk -v s="$shard" 'NR % 3 == s { print $1 }'); then
        passed=$((passed + 1))
else
        failed=$((failed + 1))
fi

step "valgrind: unit suite"
meson test -C build --setup valgrind --suite unit --print-errorlogs --logbase valgrind
count build valgrind-valgrind

step "libFuzzer (clang): parsers"
{ [[ -d build-fuzz ]] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false -Dvm-tests=false; } &&
        ninja -C build-fuzz
meson test -C build-fuzz --suite fuzz --print-errorlogs
count build-fuzz

echo
echo "Summary: $passed passed, $failed failed"
((failed == 0))
