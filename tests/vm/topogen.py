#!/usr/bin/env python3
"""Random NUMA/HMAT topologies for the kernel-oracle test (stdlib only).

    topogen.py SEED                 JSON description (nodes, figures, qemu args,
                                    predicted sysfs figures and tiers, features)
    topogen.py SEED --qemu-args     the QEMU arguments, one per line
    topogen.py SEED --describe      a short human-readable summary
    topogen.py --scan A-B [--want FEATURE,...]
                                    list seeds in A..B with their features

A seed always gives the same topology.  Every topology is checked against the
limits QEMU (7.2) puts on -numa hmat-lb values (each HMAT table stores 16-bit
entries times one base unit) and re-drawn, deterministically, until it fits.

The "predicted" section applies the memory-tiering algorithm of Linux 6.10+
(kernel_model(), after mm/memory-tiers.c + drivers/acpi/numa/hmat.c) to the
figures the kernel is expected to read from the generated HMAT; the oracle
does not rely on it, it only uses it to pick seeds and to report surprises.
"""

import argparse
import json
import random
import sys

MIB = 1 << 20
BW_UNIT_MIB = 256            # bandwidths are multiples of 256 MiB/s
DRAM_ADIST = 576             # MEMTIER_ADISTANCE_DRAM
CHUNK_BITS = 7               # MEMTIER_CHUNK_BITS

# HMAT data types, in the order QEMU emits the tables (and Linux parses them).
DTYPES = ["access-latency", "read-latency", "write-latency",
          "access-bandwidth", "read-bandwidth", "write-bandwidth"]

CPULESS_KINDS = [  # (kind, weight)
    ("cxl", 30), ("pmem", 20), ("hbm", 15), ("near", 10),
    ("nohmat", 8), ("partial", 7), ("far", 10),
]

SOCKET_SCENARIOS = [  # (scenario, weight); only meaningful with >= 2 sockets
    ("equal", 30), ("within10", 35), ("boundary10", 7), ("beyond10", 22),
    ("first-nohmat", 6),
]


class Redraw(Exception):
    """The drawn topology is not acceptable; draw again."""


def wchoice(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for item, w in table:
        x -= w
        if x <= 0:
            return item
    return table[-1][0]


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

def scale_lat(rng, lat, lo, hi):
    return clamp(int(round(lat * rng.uniform(lo, hi))), 1, 4000)


def scale_bw(rng, units, lo, hi):
    return clamp(int(round(units * rng.uniform(lo, hi))), 1, 8192)


def perf(rl, wl, rb, wb):
    """Figures of one initiator-target pair: latency ns, bandwidth units."""
    return {"rl": rl, "wl": wl, "rb": rb, "wb": wb}


def mb(units):
    return units * BW_UNIT_MIB


def kernel_differs_10pct(a, b):
    """Linux mt_set_default_dram_perf(): does b differ from reference a by
    more than 10% on any figure (kernel units: ns, MB/s)?"""
    for k in ("rl", "wl"):
        if abs(b[k] - a[k]) * 10 > a[k]:
            return True
    for k in ("rb", "wb"):
        if abs(mb(b[k]) - mb(a[k])) * 10 > mb(a[k]):
            return True
    return False


def draw(seed, attempt):
    rng = random.Random(f"tierd-topo-{seed}-{attempt}")
    n_sock = rng.choice([1, 1, 2, 2, 2, 3])
    n_less = rng.choice([0, 1, 1, 2, 2, 3, 4])
    if n_sock + n_less < 2:
        n_less = 1
    nn = n_sock + n_less

    # Node order: sockets first most of the time, sometimes interleaved.
    kinds = ["socket"] * n_sock + [None] * n_less
    if rng.random() < 0.25:
        rest = kinds[1:]
        rng.shuffle(rest)
        kinds = kinds[:1] + rest
        if rng.random() < 0.3:      # occasionally a CPU-less node 0
            rng.shuffle(kinds)
    sockets = [i for i, k in enumerate(kinds) if k == "socket"]
    for i, k in enumerate(kinds):
        if k is None:
            kinds[i] = wchoice(rng, CPULESS_KINDS)

    # How HMAT figures are given: access-* only, read/write split, or both
    # styles mixed (per target).
    style = wchoice(rng, [("access", 50), ("split", 40), ("mixed", 10)])

    # Reference DRAM figures.
    lat = rng.randint(60, 130)
    bw = rng.randint(32, 256)               # 8..64 GiB/s
    if rng.random() < 0.15:
        bw = rng.randint(1024, 4096)        # 256 GiB/s..1 TiB/s: 64-bit math
    if style == "access":
        ref = perf(lat, lat, bw, bw)
    else:
        ref = perf(lat, scale_lat(rng, lat, 1.0, 1.3),
                   bw, scale_bw(rng, bw, 0.5, 1.0))

    scenario = "equal"
    if n_sock >= 2:
        scenario = wchoice(rng, SOCKET_SCENARIOS)

    local = {}        # socket -> its local figures (None: not given)
    for idx, s in enumerate(sockets):
        p = dict(ref)
        if idx > 0 and scenario == "within10":
            for _ in range(50):
                q = {k: (scale_lat(rng, v, 0.905, 1.095) if k in ("rl", "wl")
                         else scale_bw(rng, v, 0.905, 1.095))
                     for k, v in ref.items()}
                if not kernel_differs_10pct(ref, q):
                    p = q
                    break
        local[s] = p
    if scenario == "boundary10":
        # One figure of one socket exactly 10% away: still "same" DRAM.
        s = rng.choice(sockets[1:])
        k = rng.choice(["rl", "wl", "rb", "wb"])
        p = dict(local[s])
        if k in ("rl", "wl"):
            base = ref[k] - ref[k] % 10 if ref[k] >= 20 else 20
            for kk in ("rl", "wl") if style == "access" else (k,):
                ref[kk] = base
            p[k] = base + base // 10
            if style == "access":
                p["rl"] = p["wl"] = p[k]
        else:
            base = max(10, ref[k] - ref[k] % 10)
            for kk in ("rb", "wb") if style == "access" else (k,):
                ref[kk] = base
            p[k] = base - base // 10 if rng.random() < 0.5 else base + base // 10
            if style == "access":
                p["rb"] = p["wb"] = p[k]
        for s2 in sockets:
            if s2 != s:
                local[s2] = dict(ref)
        local[s] = p
    elif scenario == "beyond10":
        s = rng.choice(sockets[1:])
        p = dict(local[s])
        k = rng.choice(["rl", "wl", "rb", "wb"])
        for _ in range(50):
            f = rng.uniform(1.12, 1.6) if rng.random() < 0.5 else rng.uniform(0.55, 0.88)
            v = (scale_lat if k in ("rl", "wl") else scale_bw)(rng, ref[k], f, f)
            q = dict(p)
            q[k] = v
            if style == "access":
                pair = ("rl", "wl") if k in ("rl", "wl") else ("rb", "wb")
                q[pair[0]] = q[pair[1]] = v
            if kernel_differs_10pct(ref, q):
                p = q
                break
        else:
            raise Redraw("beyond10")
        local[s] = p
    elif scenario == "first-nohmat":
        local[sockets[0]] = None

    # Figures for every initiator (socket) x target pair.
    figs = {}          # (init, target) -> perf or None (= not given)
    attach = {}        # CPU-less node -> its processor domain (initiator=)
    for t in range(nn):
        if kinds[t] == "socket":
            for i in sockets:
                if i == t:
                    figs[(i, t)] = local[t]
                else:
                    src = local[t] or ref
                    figs[(i, t)] = perf(scale_lat(rng, src["rl"], 1.3, 2.2),
                                        scale_lat(rng, src["wl"], 1.3, 2.2),
                                        scale_bw(rng, src["rb"], 0.3, 0.7),
                                        scale_bw(rng, src["wb"], 0.3, 0.7))
            continue
        a = rng.choice(sockets)
        attach[t] = a
        base = local[a] or ref
        kind = kinds[t]
        if kind == "cxl":
            f = perf(scale_lat(rng, base["rl"], 1.6, 3.5), 0,
                     scale_bw(rng, base["rb"], 0.15, 0.7), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.2)
            f["wb"] = scale_bw(rng, f["rb"], 0.6, 1.0)
        elif kind == "far":      # CXL behind a switch, or remote memory
            f = perf(scale_lat(rng, base["rl"], 3.0, 8.0), 0,
                     scale_bw(rng, base["rb"], 0.05, 0.3), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.3)
            f["wb"] = scale_bw(rng, f["rb"], 0.5, 1.0)
        elif kind == "pmem":
            f = perf(scale_lat(rng, base["rl"], 2.5, 5.0), 0,
                     scale_bw(rng, base["rb"], 0.1, 0.4), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.6)
            f["wb"] = scale_bw(rng, f["rb"], 0.2, 0.6)
        elif kind == "hbm":
            f = perf(scale_lat(rng, base["rl"], 0.6, 1.1), 0,
                     scale_bw(rng, base["rb"], 1.5, 6.0), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.2)
            f["wb"] = scale_bw(rng, f["rb"], 0.7, 1.0)
        elif kind == "near":
            f = perf(scale_lat(rng, base["rl"], 0.9, 1.2), 0,
                     scale_bw(rng, base["rb"], 0.8, 1.1), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.1)
            f["wb"] = scale_bw(rng, f["rb"], 0.9, 1.0)
        elif kind == "partial":
            f = perf(scale_lat(rng, base["rl"], 1.5, 3.0), 0,
                     scale_bw(rng, base["rb"], 0.2, 0.6), 0)
            f["wl"] = scale_lat(rng, f["rl"], 1.0, 1.2)
            f["wb"] = scale_bw(rng, f["rb"], 0.6, 1.0)
            if rng.random() < 0.5:
                f["rb"] = f["wb"] = None      # latency only
            else:
                f["rl"] = f["wl"] = None      # bandwidth only
        else:                                 # nohmat
            f = None
        for i in sockets:
            if f is None:
                figs[(i, t)] = None
            elif i == a:
                figs[(i, t)] = f
            else:
                g = dict(f)
                better = rng.random() < 0.15   # another socket "sees" it better
                for k in ("rl", "wl"):
                    if g[k] is not None:
                        g[k] = scale_lat(rng, g[k], 0.7, 0.95) if better else \
                            scale_lat(rng, g[k], 1.2, 1.8)
                for k in ("rb", "wb"):
                    if g[k] is not None:
                        g[k] = scale_bw(rng, g[k], 1.05, 1.4) if better else \
                            scale_bw(rng, g[k], 0.4, 0.8)
                figs[(i, t)] = g

    # Per target: give the figures as access-* or read/write entries.
    split = {}
    for t in range(nn):
        if style == "access":
            split[t] = False
        elif style == "split":
            split[t] = True
        else:
            split[t] = rng.random() < 0.5
        if not split[t]:
            # access-* entries carry one value: make read == write.
            for i in sockets:
                f = figs[(i, t)]
                if f is None:
                    continue
                if f["rl"] is not None:
                    f["wl"] = f["rl"]
                if f["rb"] is not None:
                    f["wb"] = f["rb"]

    # Memory sizes (MiB).
    mem = []
    for t in range(nn):
        if kinds[t] == "socket":
            mem.append(rng.choice([256, 256, 384, 512]))
        else:
            mem.append(rng.choice([128, 128, 256, 256, 384]))
    if mem[0] < 256:
        mem[0] = 256
    while sum(mem) > 2048:
        j = max(range(nn), key=lambda x: mem[x])
        mem[j] -= 128

    # SLIT.
    dist = None
    if rng.random() < 0.85:
        dist = [[10] * nn for _ in range(nn)]
        for x in range(nn):
            for y in range(x + 1, nn):
                kx, ky = kinds[x] == "socket", kinds[y] == "socket"
                if kx and ky:
                    d = rng.randint(16, 32)
                elif kx or ky:
                    s, c = (x, y) if kx else (y, x)
                    d = rng.randint(14, 30) if attach.get(c) == s else rng.randint(25, 60)
                else:
                    d = rng.randint(20, 80)
                dist[x][y] = dist[y][x] = d

    # Memory-side caches on some nodes with complete figures.
    caches = []
    for t in range(nn):
        f = figs.get((attach.get(t, t), t))
        if f is None or None in f.values() or rng.random() > 0.2:
            continue
        caches.append({
            "node": t,
            "size_mib": rng.choice([4, 8, 16, 64]),
            "associativity": rng.choice(["none", "direct", "complex"]),
            "policy": rng.choice(["none", "write-back", "write-through"]),
            "line": rng.choice([64, 128]),
        })

    return {
        "seed": seed,
        "attempt": attempt,
        "kinds": kinds,
        "sockets": sockets,
        "attach": attach,
        "style": style,
        "scenario": scenario,
        "figs": figs,
        "split": split,
        "mem_mib": mem,
        "dist": dist,
        "caches": caches,
    }


# ---------------------------------------------------------------------------
# HMAT entries, QEMU limits, QEMU arguments
# ---------------------------------------------------------------------------

def hmat_entries(topo):
    """List of (dtype, initiator, target, value) in the order they are given
    on the QEMU command line: latency in ns, bandwidth in bytes/s."""
    out = []
    for (i, t), f in sorted(topo["figs"].items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if f is None:
            continue
        if topo["split"][t]:
            pairs = [("read-latency", f["rl"]), ("write-latency", f["wl"]),
                     ("read-bandwidth", f["rb"]), ("write-bandwidth", f["wb"])]
        else:
            pairs = [("access-latency", f["rl"]), ("access-bandwidth", f["rb"])]
        for dt, v in pairs:
            if v is None:
                continue
            if dt.endswith("bandwidth"):
                v = v * BW_UNIT_MIB * MIB
            out.append((dt, i, t, v))
    return out


def _ctz(x):
    return (x & -x).bit_length() - 1


def qemu_hmat_ok(entries):
    """Mirror the checks of QEMU's parse_numa_hmat_lb() (7.2): per data type,
    the values must fit 16-bit entries of one common base unit."""
    state = {}
    for dt, _i, _t, v in entries:
        if v <= 0:
            return False, f"{dt}: non-positive value"
        st = state.setdefault(dt, {"base": 0, "range": 0})
        if dt.endswith("latency"):
            base = st["base"] or (1 << 64) - 1
            m, tb = v, 1
            while m % 10 == 0:
                m //= 10
                tb *= 10
            tb = min(base, tb)
            me = max(st["range"], v // base)
            if me >= 0xFFFF:
                return False, f"{dt} {v} out of 16-bit range"
            st["base"], st["range"] = tb, me
        else:
            bm = st["range"] | v
            first = _ctz(bm)
            last = bm.bit_length()
            if last - first > 16 or v // (1 << first) >= 0xFFFF:
                return False, f"{dt} {v} out of 16-bit range"
            st["base"], st["range"] = 1 << first, bm
    # Final entries with the final base (what ends up in the table).
    for dt, st in state.items():
        vals = [v for d, _i, _t, v in entries if d == dt]
        if dt.endswith("latency"):
            if any(v % st["base"] or v // st["base"] >= 0xFFFF for v in vals):
                return False, f"{dt}: entries do not fit the base"
        else:
            if any(v // st["base"] >= 0xFFFF for v in vals):
                return False, f"{dt}: entries do not fit the base"
    return True, ""


def qemu_args(topo):
    nn = len(topo["kinds"])
    sockets = topo["sockets"]
    args = ["-machine", "pc,hmat=on",
            "-m", f"{sum(topo['mem_mib'])}M",
            "-smp", f"{len(sockets)}"]
    for t in range(nn):
        args += ["-object", f"memory-backend-ram,size={topo['mem_mib'][t]}M,id=m{t}"]
    for t in range(nn):
        if topo["kinds"][t] == "socket":
            cpu = sockets.index(t)
            args += ["-numa", f"node,nodeid={t},cpus={cpu},memdev=m{t}"]
        else:
            args += ["-numa", f"node,nodeid={t},memdev=m{t},initiator={topo['attach'][t]}"]
    if topo["dist"]:
        for x in range(nn):
            for y in range(x + 1, nn):
                args += ["-numa", f"dist,src={x},dst={y},val={topo['dist'][x][y]}"]
    for dt, i, t, v in hmat_entries(topo):
        if dt.endswith("latency"):
            val = f"latency={v}"
        else:
            val = f"bandwidth={v // MIB}M"
        args += ["-numa", f"hmat-lb,initiator={i},target={t},hierarchy=memory,"
                          f"data-type={dt},{val}"]
    for c in topo["caches"]:
        args += ["-numa", f"hmat-cache,node-id={c['node']},size={c['size_mib']}M,"
                          f"level=1,associativity={c['associativity']},"
                          f"policy={c['policy']},line={c['line']}"]
    return args


# ---------------------------------------------------------------------------
# What Linux should make of it
# ---------------------------------------------------------------------------

def predicted_access1(topo):
    """access1 figures (ns, MB/s) Linux should show for each memory node.

    Linux takes the figures of the pair (processor domain, target) only (the
    SRAT/HMAT "initiator" of the node; a socket is its own), table by table
    in QEMU's order; a table that exists but has no entry for the pair writes
    a 0 over what an access-* table put there."""
    entries = hmat_entries(topo)
    nid = linux_nids(topo)
    present = [dt for dt in DTYPES if any(e[0] == dt for e in entries)]
    val = {(dt, i, t): v for dt, i, t, v in entries}
    res = {}
    for t in range(len(topo["kinds"])):
        p = t if topo["kinds"][t] == "socket" else topo["attach"][t]
        c = {"rl": 0, "wl": 0, "rb": 0, "wb": 0}
        for dt in present:
            v = val.get((dt, p, t), 0)
            if dt.endswith("bandwidth"):
                v //= MIB
            keys = {"access-latency": ("rl", "wl"), "read-latency": ("rl",),
                    "write-latency": ("wl",), "access-bandwidth": ("rb", "wb"),
                    "read-bandwidth": ("rb",), "write-bandwidth": ("wb",)}[dt]
            for k in keys:
                c[k] = v
        res[nid[t]] = c
    return res


def linux_nids(topo):
    """QEMU node ids are ACPI proximity domains (PXM); Linux numbers nodes in
    the order it meets PXMs in SRAT: processor entries first (CPU order),
    then memory entries (address order, which is QEMU node order)."""
    order = list(topo["sockets"]) + [t for t in range(len(topo["kinds"]))
                                     if t not in topo["sockets"]]
    return {pxm: i for i, pxm in enumerate(order)}


def kernel_model(nodes, cpu_nodes, mem_nodes, release=(6, 12)):
    """Memory tiers as Linux 6.10+ (x86_64) computes them at boot, from the
    access1 figures of each node (ns, MB/s): nodes = {nid: {"rl","wl","rb",
    "wb"}}; a node missing from `nodes` has no HMAT memory target.

    Follows mm/memory-tiers.c and drivers/acpi/numa/hmat.c (6.12):
    - the DRAM nodes (CPUs + memory at boot) are walked in ascending order;
      the first one becomes the reference; any DRAM node whose latency sum or
      bandwidth sum is zero turns the perf-based algorithm off for the boot
      (hmat_set_default_dram_perf() stops at the first error), and so does
      one that differs from the reference by more than 10% on any figure;
    - otherwise adist = 576 * (rl+wl) / (ref rl+wl) * (ref rb+wb) / (rb+wb),
      integer, left to right, in 64 bits (MEMTIER_ADISTANCE_DRAM is a long),
      stored into an int; a node without figures keeps 576.
    Before 6.10 every boot node is DRAM (576).

    Returns ({nid: adistance}, perf_on, reference nid or None, list of
    nodes whose intermediate product needs more than 32 bits)."""
    mem_nodes = sorted(mem_nodes)
    if tuple(release) < (6, 10):
        return {n: DRAM_ADIST for n in mem_nodes}, False, None, []
    ref, perf_on = None, True
    for n in (n for n in mem_nodes if n in cpu_nodes):
        c = nodes.get(n)
        if c is None:
            continue
        if not (c["rl"] + c["wl"]) or not (c["rb"] + c["wb"]):
            perf_on = False
            break
        if ref is None:
            ref = n
        elif any(abs(c[k] - nodes[ref][k]) * 10 > nodes[ref][k]
                 for k in ("rl", "wl", "rb", "wb")):
            perf_on = False
            break
    perf_on = perf_on and ref is not None
    adist, wide = {}, []
    for n in mem_nodes:
        c = nodes.get(n)
        if not perf_on or not c or not (c["rl"] + c["wl"]) or not (c["rb"] + c["wb"]):
            adist[n] = DRAM_ADIST
            continue
        r = nodes[ref]
        x = DRAM_ADIST * (c["rl"] + c["wl"])
        big = x
        x //= (r["rl"] + r["wl"])
        x *= (r["rb"] + r["wb"])
        big = max(big, x)
        x //= (c["rb"] + c["wb"])
        if big >= 1 << 32:
            wide.append(n)
        adist[n] = x
    return adist, perf_on, ref, wide


def tiers_of(adist):
    out = {}
    for n, a in sorted(adist.items()):
        out.setdefault(a >> CHUNK_BITS, []).append(n)
    return dict(sorted(out.items()))


def generate(seed):
    last = ""
    for attempt in range(100):
        try:
            topo = draw(seed, attempt)
        except Redraw as e:
            last = str(e)
            continue
        ok, why = qemu_hmat_ok(hmat_entries(topo))
        if not ok:
            last = why
            continue
        pred = predicted_access1(topo)
        nid = linux_nids(topo)
        adist, perf_on, ref, wide = kernel_model(
            pred, {nid[p] for p in topo["sockets"]}, set(nid.values()))
        if max(adist.values()) >= 1 << 31:
            last = "adistance beyond int"
            continue
        topo["nid"] = nid
        topo["predicted"] = {
            "access1": pred, "adistance": adist, "perf_on": perf_on,
            "reference": ref, "tiers": tiers_of(adist), "wide": wide,
        }
        topo["features"] = features(topo)
        topo["qemu_args"] = qemu_args(topo)
        return topo
    raise SystemExit(f"seed {seed}: no acceptable topology after 100 draws ({last})")


def features(topo):
    f = []
    kinds, sockets = topo["kinds"], topo["sockets"]
    pred = topo["predicted"]
    f.append(f"{len(sockets)}-sockets")
    f.append(f"{len(kinds) - len(sockets)}-cpuless")
    if len(sockets) >= 2:
        f.append(f"sockets-{topo['scenario']}")
    if not pred["perf_on"]:
        f.append("perf-off")
    a = pred["adistance"]
    nid = linux_nids(topo)
    if len(sockets) >= 2 and pred["perf_on"]:
        if len({a[nid[s]] >> CHUNK_BITS for s in sockets}) > 1:
            f.append("sockets-split-tiers")
    if any(a[nid[t]] >> CHUNK_BITS < 4 for t in range(len(kinds)) if kinds[t] != "socket"):
        f.append("faster-than-dram")
    if any(topo["split"][t] for t in range(len(kinds))):
        f.append("split-rw")
    if topo["style"] == "mixed":
        f.append("mixed-tables")
    if sockets != list(range(len(sockets))):
        f.append("pxm-renumbered")      # Linux node ids differ from QEMU's
    for k in sorted(set(kinds) - {"socket"}):
        f.append(f"kind-{k}")
    if topo["caches"]:
        f.append("mem-side-cache")
    if pred["wide"]:
        f.append("wide-intermediate")   # needs 64-bit arithmetic
    if topo["dist"] is None:
        f.append("no-slit")
    return f


def describe(topo):
    lines = [f"seed {topo['seed']} (draw {topo['attempt']}): style={topo['style']} "
             f"sockets={topo['scenario']}"]
    pred = topo["predicted"]
    nid = topo["nid"]
    for t, k in enumerate(topo["kinds"]):
        n = nid[t]
        c = pred["access1"][n]
        extra = "" if k == "socket" else f" initiator={topo['attach'][t]}"
        lines.append(f"  pxm{t} (node{n}): {k:<7} {topo['mem_mib'][t]:>4} MiB{extra:<12} "
                     f"access1 rl={c['rl']} wl={c['wl']} rb={c['rb']} wb={c['wb']} "
                     f"-> adist {pred['adistance'][n]} tier {pred['adistance'][n] >> CHUNK_BITS}")
    lines.append(f"  predicted tiers {fmt_tiers(pred['tiers'])}"
                 f"{'' if pred['perf_on'] else ' (perf algorithm off)'}")
    lines.append(f"  features: {' '.join(topo['features'])}")
    return "\n".join(lines)


def fmt_tiers(tiers):
    return "{" + ", ".join(f"{t}:[{','.join(map(str, ns))}]"
                           for t, ns in sorted(tiers.items())) + "}"


def to_json(topo):
    t = dict(topo)
    t["figs"] = [{"initiator": i, "target": tg, **(f or {})}
                 for (i, tg), f in sorted(topo["figs"].items())]
    t["attach"] = {str(k): v for k, v in topo["attach"].items()}
    t["nid"] = {str(k): v for k, v in topo["nid"].items()}
    t["split"] = {str(k): v for k, v in topo["split"].items()}
    p = dict(topo["predicted"])
    p["access1"] = {str(k): v for k, v in p["access1"].items()}
    p["adistance"] = {str(k): v for k, v in p["adistance"].items()}
    p["tiers"] = {str(k): v for k, v in p["tiers"].items()}
    t["predicted"] = p
    return json.dumps(t, indent=1, sort_keys=True)


def parse_range(s):
    a, _, b = s.partition("-")
    return range(int(a), int(b or a) + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seed", nargs="?", type=int)
    ap.add_argument("--qemu-args", action="store_true")
    ap.add_argument("--describe", action="store_true")
    ap.add_argument("--scan", metavar="A-B")
    ap.add_argument("--want", default="", help="comma-separated features (with --scan)")
    a = ap.parse_args()
    if a.scan:
        want = [w for w in a.want.split(",") if w]
        for s in parse_range(a.scan):
            topo = generate(s)
            if all(w in topo["features"] for w in want):
                print(s, " ".join(topo["features"]), fmt_tiers(topo["predicted"]["tiers"]))
        return
    if a.seed is None:
        ap.error("a seed is needed")
    topo = generate(a.seed)
    if a.qemu_args:
        print("\n".join(topo["qemu_args"]))
    elif a.describe:
        print(describe(topo))
    else:
        print(to_json(topo))


if __name__ == "__main__":
    sys.exit(main())
