# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the bus tests: a scratch directory, a private dbus-daemon as the session bus, TAP-style checks.
# Defines $tmp, pids (killed on exit), check DESCRIPTION COMMAND..., prop NAME, call METHOD [SIG ARGS...],
# wait_for_name (until tierd answers), and passed/failed counters.
tmp=$(mktemp -d)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        wait 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION COMMAND...
        local what=$1
        shift
        if "$@"; then ok "$what"; else fail "$what"; fi
}

cat >"$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nosyslog &
pids+=($!)
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/bus"
for _ in $(seq 100); do [[ -S $tmp/bus ]] && break; sleep 0.05; done

prop() { busctl --user get-property org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 "$1"; }
call() { busctl --user call org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 "$@"; }
# tierd takes its name before it is ready (so that a second instance stops before changing anything); a property
# read is answered only once the loop runs, that is after the knobs and the first scan.
wait_for_name() {
        for _ in $(seq 200); do
                if busctl --user status org.tierd.Manager1 >/dev/null 2>&1; then
                        prop Version >/dev/null 2>&1 && return 0
                fi
                sleep 0.05
        done
        return 1
}
