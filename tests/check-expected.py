#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-expected.py TIERCTL FIXTURE GOLDEN

Check both "TIERCTL classify --json --root FIXTURE" and the golden file GOLDEN against FIXTURE/expected.json,
which is written by hand from the fixture's EXPECTED.md and arithmetic on the tree's own figures (never from
tierctl output).  The golden files are regenerated from the code (TIERD_UPDATE_GOLDEN=1): this is what keeps them,
and the code, honest.

expected.json:
  reference           {"state", "node", "culprit"}
  top_tier_adistance  int
  nodes               one entry per online node, ascending: node, adistance (null: memoryless), tier, reason,
                      default_cause, preferred, fallback, top_tier, kernel_tier
  tiers               one entry per tier, ascending: tier, nodes, adistance_min, adistance_max, top_tier,
                      kernel_nodes
  warnings            the complete list of {"code", "node"}: a missing or an extra warning fails
"""
import collections
import json
import os
import subprocess
import sys

NODE_FIELDS = ("adistance", "tier", "reason", "default_cause", "top_tier", "kernel_tier")
TIER_FIELDS = ("nodes", "adistance_min", "adistance_max", "top_tier", "kernel_nodes")


def check(name, got, expected):
    """Compare one classification document with the expectations; return a list of messages."""
    errors = []

    def differ(what, g, e):
        if g != e:
            errors.append(f"{name}: {what} is {json.dumps(g)}, expected {json.dumps(e)}")

    ref = got.get("reference") or {}
    for key, value in expected["reference"].items():
        differ(f"reference.{key}", ref.get(key), value)
    differ("top_tier_adistance", got.get("top_tier_adistance"), expected["top_tier_adistance"])

    got_nodes = {n["node"]: n for n in got.get("nodes", [])}
    differ("the set of nodes", sorted(got_nodes), [n["node"] for n in expected["nodes"]])
    for e in expected["nodes"]:
        n = got_nodes.get(e["node"])
        if n is None:
            continue
        where = f"node {e['node']}"
        for key in NODE_FIELDS:
            differ(f"{where} {key}", n.get(key), e[key])
        demotion = n.get("demotion") or {}
        differ(f"{where} demotion preferred", demotion.get("preferred"), e["preferred"])
        differ(f"{where} demotion fallback", demotion.get("fallback"), e["fallback"])
        if e["adistance"] is None and e["reason"] != "no-memory":
            errors.append(f"expected.json: {where} has no adistance but reason {e['reason']}")

    got_tiers = {t["tier"]: t for t in got.get("tiers", [])}
    differ("the set of tiers", sorted(got_tiers), [t["tier"] for t in expected["tiers"]])
    for e in expected["tiers"]:
        t = got_tiers.get(e["tier"])
        if t is None:
            continue
        for key in TIER_FIELDS:
            differ(f"tier {e['tier']} {key}", t.get(key), e[key])

    def key(w):
        return (w.get("code"), w.get("node"))

    have = collections.Counter(key(w) for w in got.get("warnings", []))
    want = collections.Counter(key(w) for w in expected["warnings"])
    for code, node in sorted((have - want).elements(), key=str):
        errors.append(f"{name}: unexpected warning {code} (node {node})")
    for code, node in sorted((want - have).elements(), key=str):
        errors.append(f"{name}: missing warning {code} (node {node})")
    return errors


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tierctl, fixture, golden = sys.argv[1:]
    with open(os.path.join(fixture, "expected.json")) as f:
        expected = json.load(f)

    run = subprocess.run([tierctl, "classify", "--json", "--root", fixture], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"tierctl classify --json --root {fixture} failed ({run.returncode}): {run.stderr}")
    errors = check("tierctl classify", json.loads(run.stdout), expected)
    with open(golden) as f:
        errors += check(os.path.basename(golden), json.load(f), expected)

    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} difference(s) from {fixture}/expected.json", file=sys.stderr)
        sys.exit(1)
    print(f"tierctl and {os.path.basename(golden)} agree with {os.path.basename(fixture)}/expected.json")


if __name__ == "__main__":
    main()
