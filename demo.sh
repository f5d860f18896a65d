#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Set up (missing Debian packages, build) and show tierd's main job on a bundled example: a Sapphire-Rapids-like
# host with two CXL memory expanders described by HMAT.  No daemon, no root needed once packages are present.
set -euo pipefail
cd "$(dirname "$0")"

packages=(build-essential meson ninja-build pkg-config libnuma-dev libsystemd-dev libudev-dev libcxl-dev
          libdaxctl-dev libjson-c-dev libinih-dev)
missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
        sudo=()
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
[[ -d build ]] || meson setup build -Dvm-tests=false >/dev/null
ninja -C build >/dev/null

root=tests/fixtures/spr-cxl
echo "\$ tierctl classify --root $root"
./build/daemon/tierctl classify --root "$root"
echo
echo "\$ tierctl explain 2 --root $root"
./build/daemon/tierctl explain 2 --root "$root"
