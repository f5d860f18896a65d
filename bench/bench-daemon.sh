#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-daemon.sh TIERD TIERCTL [FIXTURE]: the service's footprint, printed, not asserted.
#   - wakeups (context switches) over 10 idle seconds, without and with a 30 s watchdog
#   - RSS after start
#   - Rescan() round trip on an unchanged and a changed tree, against "tierctl classify" (the same work offline)
# Runs tierd --user on a private dbus-daemon.  The hotplug-to-signal latency needs a real kernel: see
# tests/vm-systemd.
set -euo pipefail
tierd=$1 tierctl=$2 fixture=${3:-$(dirname "$0")/../tests/fixtures/spr-cxl}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

cat >"$tmp/bus.conf" <<CONF
<busconfig><type>session</type><listen>unix:path=$tmp/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy></busconfig>
CONF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nosyslog 2>/dev/null &
pids+=($!)
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/bus"
for _ in $(seq 100); do [[ -S $tmp/bus ]] && break; sleep 0.05; done
cp -a "$fixture" "$tmp/root"
printf '[Daemon]\nMode=observe\n' >"$tmp/tierd.conf"

switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
start_tierd() { # start_tierd [WATCHDOG_USEC]
        # WATCHDOG_PID must name tierd itself: exec from a shell that knows its own pid.
        sh -c 'if [ -n "$1" ]; then export WATCHDOG_USEC=$1 WATCHDOG_PID=$$; fi; shift; exec "$@"' _ "${1:-}" \
                "$tierd" --root "$tmp/root" --user --config "$tmp/tierd.conf" 2>/dev/null &
        pid=$!
        pids+=($pid)
        for _ in $(seq 200); do busctl --user status org.tierd.Manager1 >/dev/null 2>&1 && return; sleep 0.05; done
}
ms() { date +%s%N; }

printf '%-44s %s\n' "MEASURE" "VALUE"
start_tierd
sleep 1
a=$(switches "$pid")
sleep 10
b=$(switches "$pid")
printf '%-44s %s\n' "wakeups in 10 idle s (no watchdog)" "$((b - a))"
printf '%-44s %s KiB\n' "RSS after start" "$(rss_kib "$pid")"

n=20
t0=$(ms)
for _ in $(seq $n); do busctl --user call org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 Rescan >/dev/null; done
t1=$(ms)
for _ in $(seq $n); do "$tierctl" classify --root "$tmp/root" --json >/dev/null; done
t2=$(ms)
printf '%-44s %s ms\n' "Rescan() round trip, unchanged tree" "$(((t1 - t0) / n / 1000000))"
printf '%-44s %s ms\n' "tierctl classify (process start included)" "$(((t2 - t1) / n / 1000000))"
kill "$pid"
wait "$pid" 2>/dev/null || true

# With WatchdogSec= systemd sets WATCHDOG_USEC; sd-event pings at half of it (4 s here: 5 pings in 10 s).
start_tierd 4000000
sleep 1
a=$(switches "$pid")
sleep 10
b=$(switches "$pid")
printf '%-44s %s\n' "wakeups in 10 idle s (WatchdogSec=4s)" "$((b - a))"
