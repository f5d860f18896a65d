#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-golden.sh TIERCTL ROOT GOLDEN VERB [ARGS...]: run "TIERCTL VERB ARGS --root ROOT" and compare its
# output with GOLDEN, the root's own path written as @ROOT@ (it differs between checkouts).
# With TIERD_UPDATE_GOLDEN=1 the golden file is rewritten instead: review the diff.  A golden file is only the
# code's own output; what it must say is in the fixture's hand-written expected.json, and tests/check-expected.py
# (the expected-NAME tests of the fixture suite) checks both the golden file and tierctl against it.
set -euo pipefail
tierctl=$1 root=$2 golden=$3
shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$tierctl" "$@" --root "$root" | ROOT="$root" python3 -c '
import os, sys
sys.stdout.write(sys.stdin.read().replace(os.environ["ROOT"], "@ROOT@"))' >"$out"
if [[ ${TIERD_UPDATE_GOLDEN:-0} == 1 ]]; then
        cp "$out" "$golden"
        echo "updated $golden"
        exit 0
fi
if ! diff -u "$golden" "$out"; then
        echo "output of 'tierctl $* --root $root' differs from $golden" >&2
        exit 1
fi
