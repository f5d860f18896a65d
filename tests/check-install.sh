#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-install.sh BUILDDIR: "meson install" into a scratch DESTDIR, then check that every file lands in its FHS
# place, the unit's hardening exposure stays at or below 2.5, the bus policy is well-formed XML, the catalog
# compiles, and the shipped configuration validates with the installed tierd.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null

passed=0 failed=0
check() {
        local what=$1
        shift
        if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "not ok - $what"; failed=$((failed + 1)); fi
}
exists() { [[ -e $dest/$1 ]]; }

# The build's own directories (prefix /usr for packages, /usr/local by default).
eval "$(meson introspect "$build" --buildoptions | python3 -c '
import json, os, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
prefix = opts["prefix"]
for key in ("bindir", "sbindir", "sysconfdir", "datadir", "mandir"):
    print("%s=%s" % (key, os.path.join(prefix, opts[key]).lstrip("/")))
')"

check "tierd in sbin" exists "$sbindir/tierd"
check "tierctl in bin" exists "$bindir/tierctl"
check "default configuration in $sysconfdir/tierd" exists "$sysconfdir/tierd/tierd.conf"
check "drop-in directory" test -d "$dest/$sysconfdir/tierd/tierd.conf.d"
check "bus policy" exists "$datadir/dbus-1/system.d/org.tierd.Manager1.conf"
check "message catalog" exists usr/lib/systemd/catalog/tierd.catalog
for page in man8/tierd.8 man1/tierctl.1 man5/tierd.conf.5; do
        check "man page $page" exists "$mandir/$page"
done
unit=$(find "$dest" -name tierd.service -print -quit)
check "unit installed" test -n "$unit"
check "unit runs the installed tierd" grep -q "^ExecStart=/$sbindir/tierd\$" "$unit"
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
        sed -n 's/.*Overall exposure level for tierd.service: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security exposure: ${exposure:-unknown}"
check "hardening exposure <= 2.5" python3 -c 'import sys; sys.exit(not (sys.argv[1] and float(sys.argv[1]) <= 2.5))' \
        "${exposure:-}"
check "bus policy is well-formed XML" python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' \
        "$dest/$datadir/dbus-1/system.d/org.tierd.Manager1.conf"
check "catalog compiles" journalctl --root="$dest" --update-catalog
check "catalog lists all eleven of tierd's records" bash -c 'journalctl --root="$1" --list-catalog | grep -c "tierd" | grep -q "^11$"' _ "$dest"
check "shipped configuration validates" "$dest/$sbindir/tierd" --check-config --config "$dest/$sysconfdir/tierd/tierd.conf" \
        >/dev/null

echo "$passed passed, $failed failed"
((failed == 0))
