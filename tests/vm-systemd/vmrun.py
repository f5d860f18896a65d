#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host side of tests/vm-systemd (stdlib only); run-vm.sh calls it.

    vmrun.py pack OUT.cpio --rootfs DIR --guest DIR --test SCRIPT
                  [--overlay DIR]... [--enable UNIT]... [--env K=V]...
        newc cpio with the harness's guest files, the overlays and the test,
        to append to the base cpio (the kernel unpacks concatenated archives
        in order, later entries overwriting earlier ones).

    vmrun.py run --kernel VMLINUZ --initrd CPIO... --work DIR --args-file FILE
                 [--timeout S] [--marker M] [--hotplug-node N]
                 [--hotplug-size S] [--append ARGS] [--qemu ARG]...
        boots the VM, serves hot-plug requests, collects results; exit
        status: the guest test's, or 99 when the harness itself failed.
"""

import argparse
import base64
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

sys.dont_write_bytecode = True

PFX = "TIERD-VMTEST-"
HARNESS_ERROR = 99
# The least time left of --timeout for which a failed first boot is retried.
RETRY_MIN_S = 60


# ---------------------------------------------------------------------------
# pack
# ---------------------------------------------------------------------------

class Cpio:
    """newc writer: every entry owned by root, hard links stored as copies."""

    def __init__(self, f):
        self.f = f
        self.ino = 300000000      # well away from the base archive's inode numbers
        self.names = set()

    def _entry(self, name, mode, data=b"", mtime=0):
        if name in self.names:
            return
        self.names.add(name)
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08X}" for v in (
            self.ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, int(mtime),
            len(data), 0, 0, 0, 0, len(nb), 0))
        self.ino += 1
        self.f.write(hdr.encode() + nb + b"\0" * (-(110 + len(nb)) % 4))
        self.f.write(data + b"\0" * (-len(data) % 4))

    def dir(self, name, mtime=0):
        self._entry(name, stat.S_IFDIR | 0o755, mtime=mtime)

    def file(self, name, data, perm=0o644, mtime=0):
        self._entry(name, stat.S_IFREG | perm, data, mtime)

    def symlink(self, name, target, mtime=0):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode(), mtime)

    def finish(self):
        self._entry("TRAILER!!!", 0)
        # Pad to 512 bytes like cpio(1), so a further archive could follow.
        self.f.write(b"\0" * (-self.f.tell() % 512))


class Packer:
    def __init__(self, rootfs, out):
        self.rootfs = rootfs
        self.cpio = Cpio(out)

    def canon(self, rel):
        """Resolve directory symlinks of the base tree in REL's parent
        components (bookworm: lib -> usr/lib, bin -> usr/bin, ...), so the
        archive never holds a directory where the base has a symlink."""
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        cur = []
        for i, comp in enumerate(parts):
            cur.append(comp)
            if i == len(parts) - 1:
                break
            for _ in range(16):
                p = os.path.join(self.rootfs, *cur)
                if not os.path.islink(p):
                    break
                t = os.readlink(p)
                base = [] if t.startswith("/") else cur[:-1]
                cur = os.path.normpath("/" + "/".join(base + [t])).strip("/").split("/")
        return "/".join(cur)

    def parents(self, rel):
        """Directory entries for REL's parents that the base tree lacks."""
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if not os.path.isdir(os.path.join(self.rootfs, d)):
                self.cpio.dir(d)

    def add_file(self, rel, data, perm, mtime=0):
        rel = self.canon(rel)
        self.parents(rel)
        self.cpio.file(rel, data, perm, mtime)

    def add_symlink(self, rel, target, mtime=0):
        rel = self.canon(rel)
        self.parents(rel)
        self.cpio.symlink(rel, target, mtime)

    def add_tree(self, top):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            reldir = os.path.relpath(dirpath, top)
            for name in sorted(dirnames) + sorted(filenames):
                src = os.path.join(dirpath, name)
                rel = os.path.normpath(os.path.join(reldir, name))
                st = os.lstat(src)
                if stat.S_ISLNK(st.st_mode):
                    self.add_symlink(rel, os.readlink(src), st.st_mtime)
                elif stat.S_ISDIR(st.st_mode):
                    c = self.canon(rel)
                    if not os.path.isdir(os.path.join(self.rootfs, c)):
                        self.parents(c)
                        self.cpio.dir(c, st.st_mtime)
                elif stat.S_ISREG(st.st_mode):
                    with open(src, "rb") as f:
                        self.add_file(rel, f.read(), stat.S_IMODE(st.st_mode), st.st_mtime)
                else:
                    sys.exit(f"vmrun: {src}: only files, directories and symlinks "
                             "are supported in an overlay")


UNIT_DIRS = ("etc/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")


def cmd_pack(a):
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as out:
        p = Packer(a.rootfs, out)
        g = a.guest
        with open(os.path.join(g, "tierd-vmtest.service"), "rb") as f:
            p.add_file("etc/systemd/system/tierd-vmtest.service", f.read(), 0o644)
        p.add_symlink("etc/systemd/system/multi-user.target.wants/tierd-vmtest.service",
                      "/etc/systemd/system/tierd-vmtest.service")
        for name, perm in (("run", 0o755), ("lib.sh", 0o644)):
            with open(os.path.join(g, name), "rb") as f:
                p.add_file(f"usr/lib/tierd-vmtest/{name}", f.read(), perm)
        env = {
            "TIERD_VMTEST_TTY": "/dev/ttyS1",
            "TIERD_VMTEST_OUT": "/run/tierd-vmtest/out",
            "TIERD_VMTEST_HOTPLUG_MARKER": a.marker,
            "TIERD_VMTEST_HOTPLUG_NODE": str(a.hotplug_node),
            "TIERD_VMTEST_HOTPLUG_SIZE": a.hotplug_size,
            # stdout is a serial tty: no colours, hyperlinks or pagers.
            "SYSTEMD_COLORS": "0",
            "SYSTEMD_URLIFY": "0",
            "SYSTEMD_PAGER": "",
            "PAGER": "cat",
            "TERM": "dumb",
        }
        for kv in a.env:
            k, sep, v = kv.partition("=")
            if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                sys.exit(f"vmrun: --env {kv!r}: expected NAME=VALUE")
            env[k] = v
        text = "".join(f"export {k}='" + v.replace("'", "'\\''") + "'\n" for k, v in env.items())
        p.add_file("usr/lib/tierd-vmtest/env", text.encode(), 0o644)
        with open(a.test, "rb") as f:
            p.add_file("usr/lib/tierd-vmtest/test", f.read(), 0o755)
        for o in a.overlay:
            p.add_tree(o)
        for unit in a.enable:
            target = None
            for d in UNIT_DIRS:
                for o in a.overlay:
                    if os.path.lexists(os.path.join(o, d, unit)):
                        target = "/" + p.canon(f"{d}/{unit}")
                if target:
                    break
            if target is None:
                for d in UNIT_DIRS:
                    if os.path.lexists(os.path.join(a.rootfs, d, unit)):
                        target = "/" + p.canon(f"{d}/{unit}")
                        break
            if target is None:
                sys.exit(f"vmrun: --enable {unit}: no such unit in the overlays or the base")
            p.add_symlink(f"etc/systemd/system/multi-user.target.wants/{unit}", target)
        p.cpio.finish()
    os.replace(tmp, a.out)


# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------

class Qmp:
    def __init__(self, path, log):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.log = log
        self.recv_one(10)                  # greeting
        self.cmd("qmp_capabilities")

    def recv_one(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("QMP: no answer")
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                d = self.sock.recv(65536)
                if not d:
                    raise ConnectionError("QMP: connection closed")
                self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def pump(self):
        """Read whatever is available; events go to self.events."""
        d = self.sock.recv(65536)
        if not d:
            raise ConnectionError("QMP: connection closed")
        self.buf += d
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                self._event(json.loads(line))

    def _event(self, msg):
        if "event" in msg:
            self.events.append((time.monotonic(), msg))
            self.log(f"qmp event {json.dumps(msg, sort_keys=True)}")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv_one(30)
            if "event" in r:
                self._event(r)
                continue
            if "error" in r:
                raise RuntimeError(f"{name}: {r['error'].get('desc', r['error'])}")
            return r.get("return")


def size_bytes(s):
    m = re.fullmatch(r"(\d+)([KMGT]?)", s.strip().upper().rstrip("B").rstrip("I"))
    if not m:
        raise ValueError(f"bad size {s!r}")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2)]


def read_args_file(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


class Run:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.t0 = time.monotonic()
        self.hostlog = open(os.path.join(self.work, "host.log"), "w")
        self.testlog = open(os.path.join(self.work, "test.log"), "wb")
        self.lines = []            # (host time, text) of ttyS1
        self.partial = b""
        self.hotplugs = []         # dicts
        self.nhot = 0
        self.status = None
        self.ready = None
        self.files_done = False
        self.in_files = False
        self.qmp = None
        self.reason = None
        self.returncode = None

    def now(self):
        return time.monotonic() - self.t0

    def log(self, msg):
        self.hostlog.write(f"{self.now():9.3f} {msg}\n")
        self.hostlog.flush()
        if self.a.verbose:
            print(f"vmrun: {self.now():8.3f} {msg}", file=sys.stderr, flush=True)

    def say(self, msg):
        print(f"vmrun: {msg}", flush=True)

    # -- hot-plug ------------------------------------------------------------
    def hotplug(self, params, conn):
        self.nhot += 1
        n = self.nhot
        opts = {"node": str(self.a.hotplug_node), "size": self.a.hotplug_size}
        for p in params.split():
            k, sep, v = p.partition("=")
            if sep and k in ("node", "size"):
                opts[k] = v
        rec = {"n": n, "id": f"vmtest-dimm{n}", "node": opts["node"], "size": opts["size"],
               "marker_at": self.now()}
        try:
            size = size_bytes(opts["size"])
            node = int(opts["node"])
            # QEMU places DIMMs back to back; Linux (x86-64, < 64 GiB) adds
            # memory in aligned 128 MiB blocks and ignores anything else, so
            # an odd size would also spoil every later DIMM.
            if size <= 0 or size % (128 << 20):
                raise ValueError(f"size {opts['size']}: not a multiple of 128 MiB, "
                                 "the guest's memory block size")
            self.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram",
                                          "id": f"vmtest-mem{n}", "size": size})
            rec["device_add_at"] = self.now()
            try:
                self.qmp.cmd("device_add", driver="pc-dimm", id=rec["id"],
                             memdev=f"vmtest-mem{n}", node=node)
            except RuntimeError:
                self.qmp.cmd("object-del", id=f"vmtest-mem{n}")
                raise
            rec["done_at"] = self.now()
            reply = f"{PFX}HOTPLUG-DONE id={rec['id']} node={node} size={opts['size']}"
            self.log(f"hotplug {n}: device_add {rec['id']} node={node} size={size} ok "
                     f"({(rec['done_at'] - rec['device_add_at']) * 1000:.1f} ms)")
        except (ValueError, RuntimeError, OSError, TimeoutError) as e:
            rec["error"] = str(e)
            reply = f"{PFX}HOTPLUG-FAILED {e}"
            self.log(f"hotplug {n}: FAILED: {e}")
        self.hotplugs.append(rec)
        try:
            conn.sendall(reply.encode() + b"\n")
        except OSError as e:
            self.log(f"cannot answer the guest: {e}")

    # -- ttyS1 ----------------------------------------------------------------
    def on_line(self, text, conn):
        text = text.rstrip("\r")
        t = self.now()
        self.lines.append((t, text))
        if text == PFX + "FILES-BEGIN":
            self.in_files = True
        if not self.in_files:
            self.log(f"guest: {text[:200]}")
        m = self.a.marker
        if text == m or text.startswith(m + " "):
            self.hotplug(text[len(m):], conn)
        elif text.startswith(PFX + "READY"):
            self.ready = t
        elif text.startswith(PFX + "STATUS="):
            try:
                self.status = int(text.split("=", 1)[1])
            except ValueError:
                self.status = HARNESS_ERROR
        elif text == PFX + "FILES-END":
            self.files_done = True
            self.in_files = False
            self.log("guest: (files) " + text)

    def main(self, initrd):
        a = self.a
        sockdir = tempfile.mkdtemp(prefix="vmsd.")       # short paths for AF_UNIX
        tty_sock = os.path.join(sockdir, "tty")
        qmp_sock = os.path.join(sockdir, "qmp")
        append = ("console=ttyS0 rdinit=/lib/systemd/systemd quiet panic=-1 "
                  "systemd.firstboot=off systemd.show_status=error " + a.append).strip()
        cmd = [a.qemu_binary, "-accel", a.accel, "-cpu", "max",
               "-nodefaults", "-display", "none", "-no-reboot",
               "-serial", "file:" + os.path.join(self.work, "console.log"),
               "-chardev", f"socket,id=vmtest,path={tty_sock},server=on,wait=on",
               "-serial", "chardev:vmtest",
               "-qmp", f"unix:{qmp_sock},server=on,wait=off",
               "-kernel", a.kernel, "-initrd", initrd, "-append", append]
        cmd += read_args_file(a.args_file) + a.qemu
        with open(os.path.join(self.work, "qemu-cmdline.txt"), "w") as f:
            f.write("\n".join(cmd) + "\n")
        qlog = open(os.path.join(self.work, "qemu.log"), "wb")
        self.t0 = time.monotonic()
        self.log("starting qemu")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog, stderr=qlog,
                                start_new_session=True)
        conn = None
        reason = None
        qmp_alive = True
        try:
            deadline = self.t0 + a.timeout
            conn = self.connect(tty_sock, proc, 30)
            self.qmp = Qmp(self.connect_path(qmp_sock, proc, 30), self.log)
            self.log("connected to the guest's ttyS1 and QMP")
            exit_wait = None
            while True:
                now = time.monotonic()
                if proc.poll() is not None:
                    self.log(f"qemu exited with status {proc.returncode}")
                    break
                if now > deadline:
                    reason = f"timed out after {a.timeout} s"
                    break
                if self.files_done and exit_wait is None:
                    exit_wait = now + 15      # the guest powers off now
                if exit_wait is not None and now > exit_wait:
                    self.log("the guest did not power off: quitting qemu")
                    break
                fds = [conn, self.qmp.sock] if qmp_alive else [conn]
                r, _, _ = select.select(fds, [], [], 0.5)
                if qmp_alive and self.qmp.sock in r:
                    try:
                        self.qmp.pump()
                    except (ConnectionError, ValueError) as e:
                        self.log(f"QMP: {e}")
                        qmp_alive = False
                if conn in r:
                    d = conn.recv(65536)
                    if not d:
                        time.sleep(0.1)
                        continue
                    self.testlog.write(d)
                    self.testlog.flush()
                    self.partial += d
                    while b"\n" in self.partial:
                        line, self.partial = self.partial.split(b"\n", 1)
                        self.on_line(line.decode("utf-8", "replace"), conn)
        except (OSError, TimeoutError, ConnectionError, RuntimeError) as e:
            reason = f"harness error: {e}"
        finally:
            self.stop(proc)
            for s in (conn, self.qmp.sock if self.qmp else None):
                if s is not None:
                    s.close()
            shutil.rmtree(sockdir, ignore_errors=True)
        if self.partial:
            self.on_line(self.partial.decode("utf-8", "replace"), conn)
        self.reason = reason
        self.returncode = proc.returncode
        return self

    def crashed(self):
        """Did the guest kernel oops or panic (console.log)?"""
        try:
            with open(os.path.join(self.work, "console.log"), "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return False
        return re.search(r"Oops|Kernel panic|BUG: |general protection fault|"
                         r"invalid opcode|int3: 0000", text) is not None

    def connect_path(self, path, proc, timeout):
        end = time.monotonic() + timeout
        while not os.path.exists(path):
            if proc.poll() is not None:
                raise OSError(f"qemu exited with status {proc.returncode} before "
                              f"creating {os.path.basename(path)} (see qemu.log)")
            if time.monotonic() > end:
                raise TimeoutError(f"qemu created no socket {path}")
            time.sleep(0.05)
        return path

    def connect(self, path, proc, timeout):
        self.connect_path(path, proc, timeout)
        end = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > end or proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self, proc):
        if proc.poll() is None and self.qmp is not None:
            try:
                self.qmp.sock.sendall(b'{"execute":"quit"}\n')
                proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    # -- results ----------------------------------------------------------------
    def section(self, begin, end):
        texts = [t for _, t in self.lines]
        try:
            i = texts.index(begin)
        except ValueError:
            return None
        try:
            j = texts.index(end, i + 1)
        except ValueError:
            j = len(texts)
        return texts[i + 1:j]

    def report(self):
        reason = self.reason
        res = self.section(PFX + "BEGIN", PFX + "END")
        if res is not None:
            with open(os.path.join(self.work, "results.txt"), "w") as f:
                f.write("".join(l + "\n" for l in res))
        files = self.section(PFX + "FILES-BEGIN", PFX + "FILES-END")
        if files:
            try:
                raw = base64.b64decode("".join(files))
                with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tf:
                    dest = os.path.join(self.work, "files")
                    os.makedirs(dest, exist_ok=True)
                    try:
                        tf.extractall(dest, filter="data")
                    except TypeError:
                        tf.extractall(dest)
            except (ValueError, tarfile.TarError, OSError) as e:
                self.log(f"cannot unpack the guest's files: {e}")
        if res is not None and not self.a.quiet:
            print("--- guest test output " + "-" * 40)
            for l in res:
                print(l)
            print("-" * 62)
        # timings
        for _, t in self.lines:
            if t.startswith(PFX + "READY"):
                self.say(f"guest ready {self.ready:.1f} s after qemu start ({t[len(PFX) + 6:]})")
        for h in self.hotplugs:
            if "error" in h:
                self.say(f"hotplug {h['n']} (node {h['node']}, {h['size']}): FAILED: {h['error']}")
                continue
            ost = [(t - self.t0, e) for t, e in self.qmp.events
                   if e.get("event") == "ACPI_DEVICE_OST"
                   and e.get("data", {}).get("info", {}).get("device") == h["id"]]
            extra = ""
            if ost:
                extra = (f", guest ACPI _OST status {ost[0][1]['data']['info'].get('status')} "
                         f"{(ost[0][0] - h['done_at']) * 1000:.0f} ms after device_add")
            self.say(f"hotplug {h['n']}: {h['id']} node {h['node']} {h['size']}: "
                     f"device_add {(h['done_at'] - h['marker_at']) * 1000:.0f} ms after the "
                     f"request{extra}")
        self.say(f"qemu ran {self.now():.1f} s")
        if reason:
            self.say(f"ERROR: {reason}")
        if self.status is None:
            why = reason or f"qemu exited ({self.returncode}) before the test reported a status"
            self.say(f"ERROR: no test status: {why}")
            self.say(f"last console lines ({self.work}/console.log):")
            try:
                with open(os.path.join(self.work, "console.log"), "rb") as f:
                    tail = f.read().decode("utf-8", "replace").replace("\r", "").splitlines()[-25:]
                for l in tail:
                    print("  console: " + l)
            except OSError:
                pass
            for _, l in self.lines[-15:]:
                print("  ttyS1: " + l)
            return HARNESS_ERROR
        self.say(f"test status {self.status}")
        return self.status


LOGS = ("console.log", "test.log", "host.log", "qemu.log")


def cmd_run(a):
    os.makedirs(a.work, exist_ok=True)
    initrd = os.path.join(a.work, "initrd.cpio")
    t = time.monotonic()
    with open(initrd, "wb") as out:
        for part in a.initrd:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 22)
    note = (f"initrd {os.path.getsize(initrd) >> 20} MiB written in "
            f"{time.monotonic() - t:.2f} s")
    # --timeout bounds the whole run, a retry included: a retry gets what
    # the first attempt left, and none when that is under RETRY_MIN_S.
    end = time.monotonic() + a.timeout
    try:
        for attempt in (1, 2):
            r = Run(a)
            r.log(note)
            r.main(initrd)
            # One retry when the guest never got to the test, or its kernel
            # crashed (multi-threaded TCG occasionally breaks the kernel's
            # text patching); the first attempt's logs are kept as *.try1.
            if r.status is not None or attempt == 2 or not (r.ready is None or r.crashed()):
                break
            left = end - time.monotonic()
            failure = (f"{r.reason or 'no test status'}"
                       f"{', guest kernel crashed' if r.crashed() else ''}")
            if left < RETRY_MIN_S:
                print(f"vmrun: attempt 1 failed ({failure}), {left:.0f} s left of --timeout: no retry", flush=True)
                break
            a.timeout = left
            print(f"vmrun: attempt 1 failed ({failure}), retrying within the {left:.0f} s left", flush=True)
            r.hostlog.close()
            r.testlog.close()
            for name in LOGS:
                try:
                    os.replace(os.path.join(a.work, name), os.path.join(a.work, name + ".try1"))
                except OSError:
                    pass
    finally:
        try:
            os.unlink(initrd)
        except OSError:
            pass
    return r.report()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("out")
    p.add_argument("--rootfs", required=True)
    p.add_argument("--guest", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--overlay", action="append", default=[])
    p.add_argument("--enable", action="append", default=[])
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--marker", default=PFX + "HOTPLUG-NOW")
    p.add_argument("--hotplug-node", type=int, default=2)
    p.add_argument("--hotplug-size", default="256M")
    p = sub.add_parser("run")
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", action="append", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--args-file", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--marker", default=PFX + "HOTPLUG-NOW")
    p.add_argument("--hotplug-node", type=int, default=2)
    p.add_argument("--hotplug-size", default="256M")
    p.add_argument("--append", default="")
    p.add_argument("--accel", default="tcg,thread=single")
    p.add_argument("--qemu-binary", default="qemu-system-x86_64")
    p.add_argument("--qemu", action="append", default=[])
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    return {"pack": cmd_pack, "run": cmd_run}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
