#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Command-line conventions of tierctl and tierd: 0 success, 1 failure, 2 usage error; messages name the problem.
# usage: test-cli.sh TIERD TIERCTL FIXTURE_DIR
set -uo pipefail
tierd=$1 tierctl=$2 fixture=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect STATUS MESSAGE-REGEX COMMAND...: exit status and a line of stderr.
expect() {
        local want=$1 pattern=$2
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
        local rc=$?
        if [[ $rc == "$want" ]] && { [[ -z $pattern ]] || grep -Eq -e "$pattern" "$tmp/err"; }; then
                echo "ok - $* -> $rc"
                passed=$((passed + 1))
        else
                echo "not ok - $* -> $rc (expected $want${pattern:+, stderr matching '$pattern'}): $(head -c 300 "$tmp/err")"
                failed=$((failed + 1))
        fi
}

# DBUS_SESSION_BUS_ADDRESS to nowhere: no verb may reach a real daemon from here.
export DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-bus
expect 2 "" "$tierctl"
expect 2 "Unknown command 'bogus'" "$tierctl" bogus
expect 2 "status takes no arguments" "$tierctl" --user status extra
expect 2 "tiers takes no arguments" "$tierctl" --user tiers extra
expect 2 "nodes takes no arguments" "$tierctl" --user nodes extra
expect 2 "reload takes no arguments" "$tierctl" --user reload extra
expect 2 "classify takes no arguments" "$tierctl" classify extra --root "$fixture"
expect 2 "explain takes exactly one node number" "$tierctl" explain --root "$fixture"
expect 2 "Invalid node number 'x'" "$tierctl" explain x --root "$fixture"
expect 2 "--root needs a directory" "$tierctl" classify --root ""
expect 2 "--root works with classify and explain only" "$tierctl" status --root "$fixture"
expect 2 "" "$tierctl" --no-such-option
expect 1 "No NUMA nodes found below $tmp" "$tierctl" classify --root "$tmp"
expect 1 "Node 99 is not online" "$tierctl" explain 99 --root "$fixture"
expect 1 "tierd is not running" "$tierctl" --user status
expect 0 "" "$tierctl" classify --root "$fixture"
expect 0 "" "$tierctl" explain 2 --root "$fixture"

# migrate: usage errors, then a process of our own (a dry run; a node no kernel has: ENODEV, exit 1).
expect 2 "migrate takes exactly one process id" "$tierctl" migrate --to-node 0
expect 2 "migrate takes exactly one process id" "$tierctl" migrate 1 2 --to-node 0
expect 2 "Invalid process id 'x'" "$tierctl" migrate x --to-node 0
expect 2 "Invalid process id '0'" "$tierctl" migrate 0 --dry-run
expect 2 "migrate needs --to-node N \\(or --dry-run\\)" "$tierctl" migrate 1
expect 2 "Invalid node number 'y' for --to-node" "$tierctl" migrate 1 --to-node y
expect 2 "Invalid node number '-1' for --to-node" "$tierctl" migrate 1 --to-node -1
expect 2 "Invalid rate '-5' for --rate" "$tierctl" migrate 1 --to-node 0 --rate -5
expect 2 "Invalid size 'lots' for --free-floor" "$tierctl" migrate 1 --to-node 0 --free-floor lots
expect 2 "work with migrate only" "$tierctl" --user status --dry-run
expect 2 "work with migrate only" "$tierctl" classify --to-node 1 --root "$fixture"
expect 2 "migrate acts on the live system" "$tierctl" migrate 1 --dry-run --root "$fixture"
expect 1 "No process 2147483647" "$tierctl" migrate 2147483647 --dry-run
sleep 60 &
sleeper=$!
expect 0 "" "$tierctl" migrate "$sleeper" --dry-run
grep -q "present pages" "$tmp/out" || { echo "not ok - the dry run prints where the pages are"; failed=$((failed + 1)); }
expect 1 "Node 1023 has no memory" "$tierctl" migrate "$sleeper" --to-node 1023 --json
grep -q '"end": "node_gone"' "$tmp/out" || { echo "not ok - the JSON names the node's end"; failed=$((failed + 1)); }
kill "$sleeper"

expect 2 "--root needs a directory" "$tierd" --root ""
expect 2 "no positional arguments" "$tierd" extra
expect 2 "" "$tierd" --no-such-option
printf '[Daemon]\nMode=fast\n' >"$tmp/bad.conf"
expect 1 "bad.conf:2: invalid value 'fast' for Mode=" "$tierd" --check-config --config "$tmp/bad.conf"
printf '[Daemon]\nMode=kernel\n' >"$tmp/good.conf"
expect 0 "" "$tierd" --check-config --config "$tmp/good.conf"

echo "$passed passed, $failed failed"
((failed == 0))
