#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-config-golden.sh TIERD: "tierd --check-config --config CASE/tierd.conf" for every directory under
# cases/, run from cases/ so that the file names in the output are stable; stdout, stderr and the exit status
# are compared with cases/CASE.expected.  TIERD_UPDATE_GOLDEN=1 rewrites the expected files.
set -uo pipefail
tierd=$(realpath "$1")
cd "$(dirname "$0")/cases"
passed=0 failed=0
for dir in */; do
        name=${dir%/}
        actual=$( { "$tierd" --check-config --config "$name/tierd.conf" 2>&1; echo "exit $?"; } )
        if [[ ${TIERD_UPDATE_GOLDEN:-0} == 1 ]]; then
                printf '%s\n' "$actual" >"$name.expected"
                echo "updated $name.expected"
                continue
        fi
        if diff -u "$name.expected" <(printf '%s\n' "$actual"); then
                echo "ok - $name"
                passed=$((passed + 1))
        else
                echo "not ok - $name"
                failed=$((failed + 1))
        fi
done
echo "$passed passed, $failed failed"
((failed == 0))
