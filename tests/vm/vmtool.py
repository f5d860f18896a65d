#!/usr/bin/env python3
"""Helpers for oracle.sh (stdlib only).

    vmtool.py initramfs OUT.cpio.gz --busybox PATH --init FILE --capture FILE
    vmtool.py extract CONSOLE.LOG OUTDIR
    vmtool.py check --seed S --capture DIR [--topo TOPO.json]
                    [--tierctl-json FILE --tierctl-rc N --tierctl-err FILE]
    vmtool.py tiers ROOT            print the kernel tiers of a captured tree
"""

import argparse
import base64
import gzip
import io
import json
import os
import re
import stat
import struct
import sys
import tarfile

sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topogen  # noqa: E402

BEGIN = "TIERD-CAPTURE-BEGIN"
END = "TIERD-CAPTURE-END"


# ---------------------------------------------------------------------------
# initramfs (newc cpio, written directly: no root needed for /dev entries)
# ---------------------------------------------------------------------------

def _is_static_elf(path):
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", hdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, = struct.unpack("<I", f.read(4))
            if p_type == 3:          # PT_INTERP: dynamically linked
                return False
    return True


class Cpio:
    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08X}" for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
            len(name_b), 0))
        self.ino += 1
        self.buf.write(hdr.encode() + name_b)
        self.buf.write(b"\0" * (-(110 + len(name_b)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o755):
        self._entry(name, stat.S_IFREG | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def cmd_initramfs(a):
    if not _is_static_elf(a.busybox):
        sys.exit(f"{a.busybox} is not a static binary (install busybox-static)")
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/ttyS0", 4, 64)
    c.chardev("dev/null", 1, 3)
    with open(a.busybox, "rb") as f:
        c.file("bin/busybox", f.read())
    with open(a.init, "rb") as f:
        c.file("init", f.read())
    with open(a.capture, "rb") as f:
        c.file("bin/capture-sysfs.sh", f.read())
    data = c.finish()
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(data, 1))
    os.replace(tmp, a.out)


# ---------------------------------------------------------------------------
# extract the capture from the serial console log
# ---------------------------------------------------------------------------

B64 = re.compile(r"^[A-Za-z0-9+/=]+$")


def cmd_extract(a):
    with open(a.log, "rb") as f:
        text = f.read().decode("latin-1").replace("\r", "")
    lines = text.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.endswith(BEGIN))
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == END)
    except StopIteration:
        sys.exit(f"{a.log}: no complete capture between {BEGIN}/{END} markers")
    payload = "".join(l.strip() for l in lines[start + 1:end] if B64.match(l.strip()))
    raw = base64.b64decode(payload)
    os.makedirs(a.outdir, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tf:
        try:
            tf.extractall(a.outdir, filter="fully_trusted")
        except TypeError:        # Python without extraction filters
            tf.extractall(a.outdir)


# ---------------------------------------------------------------------------
# reading a captured tree
# ---------------------------------------------------------------------------

def read(root, rel, default=None):
    try:
        with open(os.path.join(root, rel)) as f:
            return f.read().strip()
    except OSError:
        return default


def parse_list(s):
    out = []
    for part in (s or "").split(","):
        part = part.strip()
        if not part:
            continue
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def kernel_tiers(root):
    base = os.path.join(root, "sys/devices/virtual/memory_tiering")
    tiers = {}
    if os.path.isdir(base):
        for name in os.listdir(base):
            m = re.fullmatch(r"memory_tier(\d+)", name)
            if not m:
                continue
            nodes = parse_list(read(base, f"{name}/nodelist", ""))
            if nodes:
                tiers[int(m.group(1))] = sorted(nodes)
    return dict(sorted(tiers.items()))


def node_figures(root, access="access1"):
    base = "sys/devices/system/node"
    out = {}
    for n in parse_list(read(root, f"{base}/possible", "")):
        d = f"{base}/node{n}/{access}/initiators"
        vals = {}
        for k, f in (("rl", "read_latency"), ("wl", "write_latency"),
                     ("rb", "read_bandwidth"), ("wb", "write_bandwidth")):
            v = read(root, f"{d}/{f}")
            if v is not None:
                vals[k] = int(v)
        if vals:
            out[n] = {k: vals.get(k, 0) for k in ("rl", "wl", "rb", "wb")}
    return out


def initiators(root, n, access="access1"):
    d = os.path.join(root, f"sys/devices/system/node/node{n}/{access}/initiators")
    try:
        return sorted(int(x[4:]) for x in os.listdir(d) if re.fullmatch(r"node\d+", x))
    except OSError:
        return []


def release(root):
    r = read(root, "proc/sys/kernel/osrelease", "0.0")
    m = re.match(r"(\d+)\.(\d+)", r)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def fmt_tiers(tiers):
    return topogen.fmt_tiers(tiers)


def figures_table(root):
    lines = []
    cpu = set(parse_list(read(root, "sys/devices/system/node/has_cpu", "")))
    mem = set(parse_list(read(root, "sys/devices/system/node/has_memory", "")))
    a0, a1 = node_figures(root, "access0"), node_figures(root, "access1")
    lines.append("  node cpu mem | access1 rl   wl   rb     wb     (from) | access0 rl   wl   rb     wb     (from)")
    for n in parse_list(read(root, "sys/devices/system/node/possible", "")):
        def f(d, acc):
            c = d.get(n)
            if c is None:
                return "   (no " + acc + ")" + " " * 27
            ini = ",".join(map(str, initiators(root, n, acc))) or "-"
            return f"{c['rl']:>4} {c['wl']:>4} {c['rb']:>6} {c['wb']:>6} ({ini:>4})"
        lines.append(f"  {n:>4} {'y' if n in cpu else '-':>3} {'y' if n in mem else '-':>3} |"
                     f"         {f(a1, 'access1')} |         {f(a0, 'access0')}")
    return "\n".join(lines)


def model_of_capture(root):
    cpu = set(parse_list(read(root, "sys/devices/system/node/has_cpu", "")))
    mem = set(parse_list(read(root, "sys/devices/system/node/has_memory", "")))
    return topogen.kernel_model(node_figures(root), cpu, mem, release(root))


# ---------------------------------------------------------------------------
# check one seed
# ---------------------------------------------------------------------------

def cmd_check(a):
    root = os.path.join(a.capture, "root")
    ktiers = kernel_tiers(root)
    node_tier = {n: t for t, ns in ktiers.items() for n in ns}
    nnodes = len(parse_list(read(root, "sys/devices/system/node/online", "")))
    head = f"seed {a.seed}: {nnodes} nodes, tiers {fmt_tiers(ktiers)}"

    errors, notes = [], []
    if not os.path.isdir(root) or read(root, "proc/sys/kernel/osrelease") is None:
        errors.append("the capture is empty or incomplete")
    elif not ktiers:
        errors.append("no memory tiers in the capture")

    # Independent look at what the kernel did, against the documented model.
    adist, perf_on, ref, _wide = model_of_capture(root)
    model = topogen.tiers_of(adist)
    if ktiers and model != ktiers:
        notes.append("NOTE: the kernel differs from the model of its algorithm: "
                     f"model {fmt_tiers(model)} (perf {'on' if perf_on else 'off'}, "
                     f"reference node {ref}), kernel {fmt_tiers(ktiers)}")

    topo = None
    if a.topo:
        with open(a.topo) as f:
            topo = json.load(f)
        pred = {int(k): v for k, v in topo["predicted"]["access1"].items()}
        got = node_figures(root)
        diff = [n for n in pred if got.get(n) != pred[n]]
        if diff:
            notes.append("NOTE: access1 figures differ from the generator's prediction "
                         f"for nodes {diff}")
        ptiers = {int(k): v for k, v in topo["predicted"]["tiers"].items()}
        if ktiers and ptiers != ktiers and release(root) >= (6, 10):
            notes.append(f"NOTE: the generator predicted tiers {fmt_tiers(ptiers)}")

    tierctl_out = ""
    if a.tierctl_json:
        tierctl_out = read(os.path.dirname(a.tierctl_json),
                           os.path.basename(a.tierctl_json), "") or ""
        if a.tierctl_rc:
            errors.append(f"tierctl exited with status {a.tierctl_rc}")
        try:
            doc = json.loads(tierctl_out)
            nodes = doc["nodes"]
            by_node = {}
            for e in nodes:
                by_node[int(e["node"])] = e
        except (ValueError, KeyError, TypeError) as e:
            errors.append(f"tierctl output is not the expected JSON ({e})")
            by_node = None
        # Before 6.10 the kernel ignores HMAT for boot-time nodes and tierctl
        # computes the 6.10+ tiers on purpose: there, a different "tier" is
        # accepted when tierctl raises a warning about that node.
        old_kernel = release(root) < (6, 10)
        warned = set()
        try:
            warned = {int(w["node"]) for w in doc.get("warnings", [])
                      if isinstance(w, dict) and w.get("node") is not None}
        except (ValueError, TypeError, AttributeError, NameError):
            pass
        if by_node is not None:
            for n, t in sorted(node_tier.items()):
                e = by_node.get(n)
                if e is None:
                    errors.append(f"node {n}: kernel tier {t}, missing from tierctl's nodes[]")
                    continue
                if e.get("tier") != t and old_kernel and n in warned:
                    notes.append(f"node {n}: kernel tier {t}, tierctl tier {e.get('tier')} "
                                 "with a warning (kernel before 6.10)")
                elif e.get("tier") != t:
                    errors.append(f"node {n}: kernel tier {t}, tierctl tier {e.get('tier')}"
                                  f" (adistance {e.get('adistance')}, reason {e.get('reason')!r})")
                if e.get("kernel_tier") != t:
                    errors.append(f"node {n}: kernel tier {t}, tierctl kernel_tier "
                                  f"{e.get('kernel_tier')}")
            # The kernel logs its demotion targets (6.10+; the last line per node wins, as
            # hotplug re-establishes them): tierctl must name the same preferred and
            # fallback nodes.
            if not old_kernel:
                dm = read(a.capture, "dmesg.txt", "") or ""
                kdemote = {}
                for m in re.finditer(r"Demotion targets for Node (\d+): (?:(null)|preferred: "
                                     r"([0-9,-]*), fallback: ([0-9,-]*))", dm):
                    n = int(m.group(1))
                    kdemote[n] = ([], []) if m.group(2) else \
                        (parse_list(m.group(3)), parse_list(m.group(4)))
                for n, (pref, fall) in sorted(kdemote.items()):
                    e = by_node.get(n)
                    if e is None:
                        continue
                    d = e.get("demotion") or {}
                    got_pref = sorted(d.get("preferred") or [])
                    got_fall = sorted(d.get("fallback") or []) if pref else []
                    if got_pref != sorted(pref) or got_fall != sorted(fall):
                        errors.append(f"node {n}: kernel demotes to preferred {pref} fallback "
                                      f"{fall}, tierctl preferred {got_pref} fallback "
                                      f"{d.get('fallback')}")
            for n, e in sorted(by_node.items()):
                if e.get("tier") is not None and n not in node_tier:
                    errors.append(f"node {n}: tierctl gives tier {e.get('tier')}, "
                                  "the kernel has it in no tier")

    if errors:
        print(f"{head} FAILED")
    elif a.tierctl_json:
        print(f"{head} ok")
    else:
        print(f"{head} captured")
    for n in notes:
        print(f"  {n}")
    if errors or (notes and a.verbose_notes):
        for e in errors:
            print(f"  ERROR: {e}")
        print(f"  kernel: {read(root, 'proc/sys/kernel/osrelease', '?')}")
        if topo:
            print("  topology:")
            print("    " + topogen.describe(_topo_from_json(topo)).replace("\n", "\n    "))
            print("  qemu args: " + " ".join(topo["qemu_args"]))
        elif a.qemu_args_file:
            with open(a.qemu_args_file) as f:
                print("  qemu args: " + " ".join(f.read().split("\n")))
        print("  captured HMAT figures (ns, MB/s):")
        print(figures_table(root))
        print(f"  kernel tiers: {fmt_tiers(ktiers)}")
        print(f"  model: {fmt_tiers(model)} adistance "
              + ", ".join(f"{n}:{v}" for n, v in sorted(adist.items())))
        dm = read(a.capture, "dmesg.txt", "") or ""
        rel = [l for l in dm.splitlines()
               if re.search(r"memory-tiers|memory_tier|acpi/hmat|DRAM node|"
                            r"read_latency:|performance of|Demotion", l)]
        if rel:
            print("  dmesg (tiering):")
            for l in rel[:60]:
                print("    " + l)
        if a.tierctl_json:
            print("  tierctl output:")
            print("    " + (tierctl_out[:8000] or "(empty)").replace("\n", "\n    "))
            err = read(os.path.dirname(a.tierctl_err), os.path.basename(a.tierctl_err), "") \
                if a.tierctl_err else ""
            if err:
                print("  tierctl stderr:")
                print("    " + err[:4000].replace("\n", "\n    "))
    return 1 if errors else 0


def _topo_from_json(j):
    """Rebuild enough of a topogen topology from its JSON for describe()."""
    t = dict(j)
    t["attach"] = {int(k): v for k, v in j["attach"].items()}
    t["nid"] = {int(k): v for k, v in j["nid"].items()}
    p = dict(j["predicted"])
    p["access1"] = {int(k): v for k, v in p["access1"].items()}
    p["adistance"] = {int(k): v for k, v in p["adistance"].items()}
    p["tiers"] = {int(k): v for k, v in p["tiers"].items()}
    t["predicted"] = p
    return t


def cmd_tiers(a):
    print(fmt_tiers(kernel_tiers(a.root)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("initramfs")
    p.add_argument("out")
    p.add_argument("--busybox", required=True)
    p.add_argument("--init", required=True)
    p.add_argument("--capture", required=True)
    p = sub.add_parser("extract")
    p.add_argument("log")
    p.add_argument("outdir")
    p = sub.add_parser("check")
    p.add_argument("--seed", required=True)
    p.add_argument("--capture", required=True)
    p.add_argument("--topo")
    p.add_argument("--qemu-args-file")
    p.add_argument("--tierctl-json")
    p.add_argument("--tierctl-rc", type=int, default=0)
    p.add_argument("--tierctl-err")
    p.add_argument("--verbose-notes", action="store_true")
    p = sub.add_parser("tiers")
    p.add_argument("root")
    a = ap.parse_args()
    return {"initramfs": cmd_initramfs, "extract": cmd_extract,
            "check": cmd_check, "tiers": cmd_tiers}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
