#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Mutation check: apply each one-line break of lib/ listed in tests/mutants/mutants.txt to a scratch copy of the
# tree, rebuild it incrementally and expect the mutant's suites (default: unit and fixture, plus bus for
# lib/service/) to fail.  A mutant the suites do not notice is a survivor: a test is missing.
#
# usage: run-mutants.sh [--list | --check] [--keep] [--timeout-multiplier X] [ID...]
#   ID...       run only these entries (default: all)
#   --list      print the entries (id, file, suites, why) and exit
#   --check     only check that every entry still applies (its text occurs exactly once), without building
#   --keep      keep the scratch directory (source, build, one log per mutant) and print its path
#   --timeout-multiplier X   meson's per-test timeout multiplier (default 0.25): a test a mutant hangs is killed
#                            and the mutant counts as caught
# Prints one line per mutant (id, file, result, seconds) and ends with "mutants: N caught, M survived".
# Exit status: 0 if every mutant was caught; 1 on a survivor, a stale entry or a failing unmutated baseline;
# 2 on a usage error.  Environment: CC (default gcc), TMPDIR, TIERD_MUTANTS_LIST (another list file).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
list=${TIERD_MUTANTS_LIST:-$here/mutants.txt}
mode=run keep=0 multiplier=0.25
ids=()
while (($#)); do
        case $1 in
        --list) mode=list ;;
        --check) mode=check ;;
        --keep) keep=1 ;;
        --timeout-multiplier) multiplier=${2:?--timeout-multiplier needs a value}; shift ;;
        --timeout-multiplier=*) multiplier=${1#*=} ;;
        -h | --help) sed -n '3,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "run-mutants.sh: unknown option $1" >&2; exit 2 ;;
        *) ids+=("$1") ;;
        esac
        shift
done

# The list's parser and the exact-once replacement, shared by every mode.
# helper.py select LIST SRC [ID...]  -> one "id<TAB>file<TAB>suites<TAB>why" line per selected entry; exit 1 (and
#                                       a message per entry on stderr) if an entry is malformed, unknown or stale
# helper.py apply LIST ROOT ID       -> replace the entry's text in ROOT/FILE (it must occur exactly once)
read -r -d '' helper <<'PY'
import os, re, sys

KEYS = ("id", "file", "from", "to", "why", "suites")
SUITES = {"unit", "fixture", "bus", "install"}

def parse(path):
    entries, cur, errors = [], None, []
    def close():
        if cur is not None:
            entries.append(cur)
    for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            close()
            cur = None
            continue
        m = re.match(r"([a-z]+):(.*)$", line)
        if not m or m.group(1) not in KEYS:
            errors.append(f"{path}:{lineno}: expected one of {', '.join(k + ':' for k in KEYS)}")
            continue
        if cur is None:
            cur = {"_line": lineno}
        key, value = m.group(1), m.group(2).strip()
        if key in cur:
            errors.append(f"{path}:{lineno}: {key}: given twice in one entry")
        cur[key] = value
    close()
    seen = {}
    for e in entries:
        where = f"{path}:{e['_line']}"
        for k in ("id", "file", "from", "to", "why"):
            if k not in e:
                errors.append(f"{where}: entry {e.get('id', '?')} has no {k}:")
        if "id" in e:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", e["id"]):
                errors.append(f"{where}: id {e['id']!r}: use lower-case letters, digits and dashes")
            if e["id"] in seen:
                errors.append(f"{where}: id {e['id']} also at line {seen[e['id']]}")
            seen[e["id"]] = e["_line"]
        f = e.get("file", "")
        if f and (not f.startswith("lib/") or ".." in f.split("/")):
            errors.append(f"{where}: {e.get('id')}: file must be under lib/")
        if "from" in e and not e["from"]:
            errors.append(f"{where}: {e.get('id')}: from: is empty")
        if "from" in e and e.get("from") == e.get("to"):
            errors.append(f"{where}: {e.get('id')}: to: equals from:")
        if "suites" in e:
            s = e["suites"].split()
            bad = [x for x in s if x not in SUITES]
            if not s or bad:
                errors.append(f"{where}: {e.get('id')}: suites: must be some of {' '.join(sorted(SUITES))}")
        else:
            e["suites"] = "unit fixture bus" if f.startswith("lib/service/") else "unit fixture"
    return entries, errors

def occurrences(root, e):
    try:
        text = open(os.path.join(root, e["file"]), encoding="utf-8").read()
    except OSError as err:
        return None, f"{e['file']}: {err.strerror}"
    return text, text.count(e["from"])

def main():
    cmd, path, root, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    entries, errors = parse(path)
    byid = {e.get("id"): e for e in entries}
    unknown = [i for i in ids if i not in byid]
    for i in unknown:
        errors.append(f"no entry with id {i}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    chosen = [byid[i] for i in ids] if ids else entries
    if cmd == "select":
        stale = 0
        for e in chosen:
            text, n = occurrences(root, e)
            if text is None or n != 1:
                what = n if text is None else ("not found" if n == 0 else f"found {n} times")
                print(f"stale: {e['id']} ({path}:{e['_line']}): {e['file']}: {e['from']!r}: {what}",
                      file=sys.stderr)
                stale += 1
                continue
            print("\t".join((e["id"], e["file"], e["suites"], e["why"])))
        sys.exit(1 if stale else 0)
    if cmd == "apply":
        (e,) = chosen
        text, n = occurrences(root, e)
        if text is None or n != 1:
            print(f"{e['id']}: {e['from']!r} must occur exactly once in {e['file']}", file=sys.stderr)
            sys.exit(1)
        with open(os.path.join(root, e["file"]), "w", encoding="utf-8") as out:
            out.write(text.replace(e["from"], e["to"], 1))
        sys.exit(0)
    sys.exit(2)

main()
PY
helper() { python3 -c "$helper" "$@"; }
scratch_errors=$(mktemp) || exit 1

errors=$scratch_errors
selected=$(helper select "$list" "$src" "${ids[@]}" 2>"$errors")
status=$?
if ((status != 0)); then
        sed 's/^/run-mutants.sh: /' "$errors" >&2
        n_stale=$(grep -c '^stale: ' "$errors")
        rm -f "$errors"
        ((n_stale)) && echo "mutants: $n_stale stale entries (text gone or ambiguous: update them to the code)" >&2
        exit 1
fi
rm -f "$errors"
if [[ $mode == list ]]; then
        printf '%s\n' "$selected" | awk -F'\t' '{ printf "%-32s %-34s %-18s %s\n", $1, $2, $3, $4 }'
        exit 0
fi
if [[ $mode == check ]]; then
        echo "mutants: $(grep -c . <<<"$selected") entries apply"
        exit 0
fi

# A scratch copy of the tree as it is on disk: tracked files and new ones not ignored, but no build directory.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tierd-mutants.XXXXXX") || exit 1
cleanup() {
        if ((keep)); then echo "scratch directory kept: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$scratch/src" "$scratch/logs"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
                while IFS= read -r -d '' f; do
                        [[ -e $src/$f || -L $src/$f ]] || continue # deleted in the work tree
                        top=${f%%/*}
                        [[ $top != "$f" && -e $src/$top/meson-private ]] && continue # an unignored build directory
                        printf '%s\0' "$f"
                done | tar -C "$src" --null -T - -cf - | tar -C "$scratch/src" -xf -
else # no git (a source tarball): everything but build directories
        for f in "$src"/* "$src"/.[!.]*; do
                [[ -e $f ]] || continue
                [[ -d $f/meson-private || $(basename "$f") == .git ]] && continue
                cp -a "$f" "$scratch/src/"
        done
fi
[[ -f $scratch/src/meson.build ]] || { echo "run-mutants.sh: could not copy the tree to $scratch/src" >&2; exit 1; }

# One build for all mutants: buildtype plain compiles fastest and the suites are short; no -Werror, so that a
# mutant that only draws a warning (an unused variable) is still tested rather than "did not compile".
build=$scratch/build
echo "mutants: configuring a scratch build in $build"
if ! CC=${CC:-gcc} meson setup "$build" "$scratch/src" --buildtype=plain -Dwerror=false -Dvm-tests=false \
        -Dfuzz=false >"$scratch/logs/setup.log" 2>&1; then
        cat "$scratch/logs/setup.log" >&2
        echo "run-mutants.sh: meson setup failed" >&2
        exit 1
fi

meson_test() { # LOG LOGBASE ARGS...: one "meson test" run; its JSON log is $build/meson-logs/LOGBASE.json
        local log=$1 logbase=$2
        shift 2
        meson test -C "$build" --no-rebuild --num-processes 2 --timeout-multiplier "$multiplier" --print-errorlogs \
                --logbase "$logbase" "$@" >>"$log" 2>&1
}

failed_tests() { # LOGBASE: the names of the tests that did not pass in that run
        python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] not in ("OK", "SKIP", "EXPECTEDFAIL"):
        print(r["name"].split(" / ", 1)[-1])' "$build/meson-logs/$1.json" 2>/dev/null
}

# run_suites LOG SUITE...: 0 if the suites pass.  A failure counts only if the failing tests fail again when run
# once more, so that a flaky test neither hides a survivor nor fails the baseline.  After such a flake the suites
# run once more from the start (--maxfail stopped the first run early); $flaky names the tests that failed once and
# then passed.
run_suites() {
        local log=$1 args=() failing attempt
        shift
        flaky=
        for s in "$@"; do args+=(--suite "$s"); done
        for attempt in 1 2; do
                meson_test "$log" run --maxfail 1 "${args[@]}" && return 0
                mapfile -t failing < <(failed_tests run)
                ((${#failing[@]})) || return 1 # no log to read: meson itself failed
                echo "=== again: ${failing[*]}" >>"$log"
                meson_test "$log" again "${failing[@]}" || return 1
                flaky+="${flaky:+, }${failing[*]}"
                echo "=== flaky: ${failing[*]} passed when run again (attempt $attempt)" >>"$log"
        done
        return 0
}

# The unmutated tree must pass every suite that is used, or every mutant would look caught.
all_suites=$(cut -f3 <<<"$selected" | tr ' ' '\n' | sort -u | tr '\n' ' ')
start=$SECONDS
# shellcheck disable=SC2086
if ! ninja -C "$build" >"$scratch/logs/baseline.log" 2>&1 || ! run_suites "$scratch/logs/baseline.log" $all_suites; then
        tail -n 40 "$scratch/logs/baseline.log" >&2
        echo "run-mutants.sh: the unmutated tree fails (suites: $all_suites); fix that first" >&2
        exit 1
fi
echo "mutants: baseline (suites: $all_suites) passes in $((SECONDS - start)) s"
[[ -n $flaky ]] && echo "mutants: warning: in the baseline, $flaky failed once and then passed (a flaky test)"
echo
printf '%-32s %-34s %-18s %s\n' ID FILE RESULT SECONDS

caught=0 survived=0 nocompile=0 stale=0
survivors=() flaky_notes=()
while IFS=$'\t' read -r id file suites why; do
        [[ -n $id ]] || continue
        t0=${EPOCHREALTIME/./}
        log=$scratch/logs/$id.log
        cp -p "$scratch/src/$file" "$scratch/pristine" # kept aside; restored below with a new mtime
        if ! helper apply "$list" "$scratch/src" "$id" >"$log" 2>&1; then
                result=stale
        elif ! ninja -C "$build" >>"$log" 2>&1; then
                result="did not compile"
        else
                # shellcheck disable=SC2086
                if ! run_suites "$log" $suites; then
                        result=caught
                elif [[ -n $flaky ]]; then
                        result=SURVIVED flaky_notes+=("$id: $flaky failed once, then passed: not counted as caught")
                else
                        result=SURVIVED
                fi
        fi
        # A fresh mtime, so that the next ninja rebuilds the restored file along with the next mutant's.
        cat "$scratch/pristine" >"$scratch/src/$file"
        touch "$scratch/src/$file"
        case $result in
        caught) caught=$((caught + 1)) ;;
        "did not compile") caught=$((caught + 1)) nocompile=$((nocompile + 1)) ;;
        stale) stale=$((stale + 1)) ;;
        *) survived=$((survived + 1)) survivors+=("$id ($file): $why") ;;
        esac
        t=$(((${EPOCHREALTIME/./} - t0 + 50000) / 100000)) # tenths of a second
        printf '%-32s %-34s %-18s %d.%d\n' "$id" "$file" "$result" $((t / 10)) $((t % 10))
done <<<"$selected"

echo
for s in "${survivors[@]}"; do echo "survivor: $s"; done
for s in "${flaky_notes[@]}"; do echo "flaky: $s"; done
((nocompile)) && echo "($nocompile of the caught mutants did not compile: prefer a break that builds)"
((stale)) && echo "($stale entries did not apply in the scratch copy: stale)"
echo "mutants: $caught caught, $survived survived ($((SECONDS - start)) s)"
((survived == 0 && stale == 0))
