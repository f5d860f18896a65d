# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by the *-vm.sh scripts that boot an installed build (bash, set -e):
#   overlay_install NAME BUILDDIR   install BUILDDIR into a new temporary directory, as a package would, and set
#                                   overlay to it (removed on exit).  The build must be configured with
#                                   --prefix=/usr: otherwise NAME says so on stderr and the script exits 77 (skip).
overlay_install() {
        local name=$1 build=$2 prefix
        prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
        if [[ $prefix != /usr ]]; then
                echo "$name: the build's prefix is $prefix, not /usr: configure with --prefix=/usr to run this test" >&2
                exit 77
        fi
        overlay=$(mktemp -d)
        # shellcheck disable=SC2064 # expanded now: the directory just made
        trap "rm -rf '$overlay'" EXIT
        meson install -C "$build" --destdir "$overlay" --no-rebuild --quiet >/dev/null
}
