#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tierd end to end, inside the guest (real systemd, udev, dbus, kernel 6.12), run by daemon-vm.sh:
# start the service, query it as root and as nobody, hot-add a DIMM to the memory-less node 2 through the
# host and see tierd log it and signal it within a second, check the journal's MESSAGE_IDs, stop the service and
# check that every kernel knob is back.  Prints the figures bench/ reports.
set -u
. /usr/lib/tierd-vmtest/lib.sh
fail=0

NB=/proc/sys/kernel/numa_balancing
DE=/sys/kernel/mm/numa/demotion_enabled
RL=/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps
HT=/sys/kernel/debug/sched/numa_balancing/hot_threshold_ms
hpnode=$TIERD_VMTEST_HOTPLUG_NODE

nb_before=$(knob $NB) de_before=$(knob $DE) rl_before=$(knob $RL) ht_before=$(knob $HT)
echo "knobs before: numa_balancing=$nb_before demotion_enabled=$de_before promote_rate_limit=$rl_before" \
        "hot_threshold=$ht_before"

# Kernel uevents with monotonic timestamps, and tierd's signals on the system bus.
stdbuf -oL udevadm monitor --kernel --subsystem-match=memory --subsystem-match=node >/tmp/uevents 2>&1 &
stdbuf -oL dbus-monitor --system "type='signal',sender='org.tierd.Manager1'" >/tmp/signals 2>&1 &
sleep 1

check "systemctl start tierd returns after READY=1" systemctl start tierd
check "tierd is active" systemctl is-active --quiet tierd
check "tierctl status answers" tierctl status
check "nobody may read: tierctl nodes" runuser -u nobody -- tierctl nodes
check "nobody may not Rescan" bash -c '! runuser -u nobody -- tierctl rescan 2>/tmp/denied'
sed 's/^/    /' /tmp/denied
check "the refusal comes from the bus policy or tierd" grep -Eqi "denied|not allowed|not authorized|rejected" /tmp/denied
check "root may Rescan" tierctl rescan
check "numa_balancing set to tiering (2)" test "$(knob $NB)" = 2
check "demotion_enabled set to true" test "$(knob $DE)" = true
check "promote rate limit set to 1234" test "$(knob $RL)" = 1234
check "hot threshold (debugfs) set to 777" test "$(knob $HT)" = 777
tierctl nodes --json >/tmp/nodes-before.json
gen_before=$(busctl get-property org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 TierMapGeneration |
        awk '{ print $2 }')

check "the host hot-added a DIMM on node $hpnode" vmtest_hotplug
# (no python3 in the minimal guest: read tierctl's table)
node_has_tier() { tierctl nodes | grep -Eq "^$hpnode +[0-9]+ +[0-9]+ "; }
check "tierd sees node $hpnode with a tier" vmtest_wait 10 node_has_tier
vmtest_wait 5 grep -q "member=TierMapChanged" /tmp/signals
check "TierMapChanged was signalled" grep -q "member=TierMapChanged" /tmp/signals
gen_after=$(busctl get-property org.tierd.Manager1 /org/tierd/Manager1 org.tierd.Manager1 TierMapGeneration |
        awk '{ print $2 }')
check "the generation advanced ($gen_before -> $gen_after)" test "$gen_after" -gt "$gen_before"
kernel_tier=$(for d in /sys/devices/virtual/memory_tiering/memory_tier*; do
        grep -qx "$hpnode" "$d/nodelist" && echo "${d##*memory_tier}"; done)
tierctl nodes >/tmp/nodes-after.txt
check "tierd's tier for node $hpnode matches the kernel's ($kernel_tier)" \
        grep -Eq "^$hpnode +[0-9]+ +$kernel_tier +$kernel_tier " /tmp/nodes-after.txt

# Latency: first kernel uevent of the DIMM -> tierd's "node appeared" record, both on CLOCK_MONOTONIC.
first_uevent=$(awk '/^KERNEL\[/ && /add/ { gsub(/KERNEL\[|\]/, "", $1); print $1; exit }' /tmp/uevents)
journalctl -u tierd -o json --no-pager >/tmp/journal.json
added=$(journalctl -u tierd MESSAGE_ID=15d2439834f04d80bf2e5bab6092dee7 -o export --no-pager |
        awk -F= '/^__MONOTONIC_TIMESTAMP=/ { printf "%.6f", $2 / 1e6; exit }')
echo "first uevent at ${first_uevent:-?} s, node-added record at ${added:-?} s (monotonic)"
if [ -n "$first_uevent" ] && [ -n "$added" ]; then
        latency_ms=$(awk -v a="$first_uevent" -v b="$added" 'BEGIN { printf "%d", (b - a) * 1000 }')
        echo "BENCH hotplug-uevent-to-log-ms $latency_ms"
        check "node $hpnode logged within 1 s of the first uevent (${latency_ms} ms)" test "$latency_ms" -lt 1000
else
        check "hotplug latency measured" false
fi

for id in e7e6f53485d241549b32f2f8e63e53db:started 9c438391bff9419d9f6baa3e92ccb1ec:knob-changed \
        15d2439834f04d80bf2e5bab6092dee7:node-added d47393367bf14727af3a3102b3fc1f55:tier-map-changed; do
        check "journal has MESSAGE_ID ${id#*:}" grep -q "\"MESSAGE_ID\":\"${id%%:*}\"" /tmp/journal.json
done
check "journal records carry TIERD_NODE" grep -q "\"TIERD_NODE\":\"$hpnode\"" /tmp/journal.json

echo "BENCH tierd-rss-kib $(awk '/^VmRSS/ { print $2 }' /proc/"$(systemctl show -p MainPID --value tierd)"/status)"
check "systemctl stop tierd" systemctl stop tierd
check "numa_balancing restored ($nb_before)" test "$(knob $NB)" = "$nb_before"
check "demotion_enabled restored ($de_before)" test "$(knob $DE)" = "$de_before"
check "promote rate limit restored ($rl_before)" test "$(knob $RL)" = "$rl_before"
check "hot threshold restored ($ht_before)" test "$(knob $HT)" = "$ht_before"
journalctl -u tierd -o json --no-pager >/tmp/journal.json
for id in 55e2c4b9f70e4babba4ebfa00840c55e:knob-restored 9df1e3e22e8b439083e5799187288d85:stopped; do
        check "journal has MESSAGE_ID ${id#*:}" grep -q "\"MESSAGE_ID\":\"${id%%:*}\"" /tmp/journal.json
done

vmtest_save /tmp/journal.json /tmp/signals /tmp/uevents /tmp/nodes-before.json /tmp/nodes-after.txt
exit $fail
