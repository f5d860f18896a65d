#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The placement benchmark (issue 7, item 8): the hotshift workload (bench/hotshift.c) under each placement manager
# in turn, in one boot of Debian's 6.12 kernel (tests/vm-systemd) on bench/placement-topology.args, then a table
# per manager and the goal check.  Printed, not asserted.
#
# usage: placement.sh [--build DIR] [--keep DIR] [--managers a,b,c] [--duration S] [--shift S] [--size-mib N]
#                     [--cost-copies N] [--cost-duration S] [--sample-kib K] [--tierd-build DIR] [--timeout S]
#                     [--report-only DIR]
#
#   --build DIR         the meson build whose bench/hotshift is shipped (default $MESON_BUILD_ROOT, else ./build)
#   --keep DIR          keep the per-second series (DIR/*.csv), the report (DIR/report.txt) and the VM's files
#                       (DIR/vm/)
#   --managers LIST     of defaults (numa_balancing and demotion as booted), tiering (numa_balancing=2 +
#                       demotion_enabled), damon (paddr migrate_hot/migrate_cold schemes), tierd, and
#                       tierd_nb0 / tierd_nb2 (tierd with [Kernel] NumaBalancing=off / tiering), tierd_debug
#                       (tierd with LogLevel=debug: its cycle and job records in the kept .tierd file), tierd_kp
#                       (as tierd_debug, with [Placement] Promotion=kernel and [Kernel] NumaBalancing=both),
#                       tierd_rN (as tierd_debug, with [Placement] RateLimitMBps=N)
#                       (default: defaults,tiering,damon,tierd; tierd* are skipped without --tierd-build)
#   --duration S        seconds of each placement run (default 75: the start and four shifts, each window a part
#                       of the buffer not hot before; at 20% there are five)
#   --shift S           the hot window moves every S seconds (default 15)
#   --size-mib N        the workload's size (default: twice node 0's free memory before the first run)
#   --cost-copies N     the cost runs' number of workloads at once (default 10; 0: no cost runs)
#   --cost-duration S   seconds of each cost run (default 30)
#   --sample-kib K      hotshift's placement query stride (default 64)
#   --tierd-build DIR   a build configured with --prefix=/usr: installed into the guest with
#                       [Daemon] Mode=migrate and [Placement] Processes=hotshift, and run as the "tierd" manager
#   --timeout S         the whole VM run (default: from the durations)
#   --report-only DIR   analyse the files of an earlier --keep DIR again, no VM
#
# Needs what tests/vm-systemd/run-vm.sh needs (its cache: TIERD_VM_CACHE) and python3 on the host.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

build=${MESON_BUILD_ROOT:-$PWD/build} keep='' managers=defaults,tiering,damon,tierd duration=75 shift_sec=15
size_mib=0 cost_copies=10 cost_duration=30 sample_kib=64 tierd_build='' timeout='' report_only=''
while [ $# -gt 0 ]; do
	case $1 in
	--*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
	esac
	case $1 in
	--build) build=$2; shift ;;
	--keep) keep=$2; shift ;;
	--managers) managers=$2; shift ;;
	--duration) duration=$2; shift ;;
	--shift) shift_sec=$2; shift ;;
	--size-mib) size_mib=$2; shift ;;
	--cost-copies) cost_copies=$2; shift ;;
	--cost-duration) cost_duration=$2; shift ;;
	--sample-kib) sample_kib=$2; shift ;;
	--tierd-build) tierd_build=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--report-only) report_only=$2; shift ;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "placement: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

report() { # report VM-DIR: the tables, from the guest's files (VM-DIR/files), host.log and qemu-cpu.txt
	python3 - "$1" "$shift_sec" <<'PY'
import glob, os, re, sys

vmdir, shift_default = sys.argv[1], float(sys.argv[2])
files = os.path.join(vmdir, "files")
GOAL_SHARE, GOAL_SECONDS, GOAL_PROGRESS = 0.95, 10, 0.80
ORDER = ["defaults", "tiering", "damon", "tierd", "tierd_nb0", "tierd_nb2", "tierd_debug", "tierd_kp", "tierd_kpn"]


def read_series(path):
    """hotshift's CSV: the '#' parameter and summary lines, and the per-second rows."""
    params, summary, rows = {}, {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("# hotshift "):
                params = dict(kv.split("=", 1) for kv in line[11:].split())
            elif line.startswith("# summary "):
                summary = dict(kv.split("=", 1) for kv in line[10:].split())
            elif line[:1].isdigit():
                t, w, hot, all_, aps, free, ms = line.strip().split(",")
                rows.append({"t": float(t), "window": int(w), "hot": float(hot) if hot else None,
                             "all": float(all_) if all_ else None, "aps": float(aps), "free": float(free)})
    return params, summary, rows


def kv_file(path):
    try:
        with open(path) as f:
            return dict(kv.split("=", 1) for kv in f.read().split())
    except OSError:
        return {}


def vmstat(path):
    try:
        with open(path) as f:
            return {k: int(v) for k, v in (line.split() for line in f if line.strip())}
    except OSError:
        return {}


def qemu_clock():
    """QEMU's CPU seconds over time (qemu-cpu.txt: seconds since QEMU started, CPU seconds), and the offset from the
    guest's CLOCK_MONOTONIC to that clock (host.log's time of the READY line, which carries the guest's time)."""
    try:
        with open(os.path.join(vmdir, "qemu-cpu.txt")) as f:
            samples = [tuple(map(float, line.split())) for line in f if line.strip()]
        with open(os.path.join(vmdir, "host.log")) as f:
            ready = next(m for m in (re.match(r"\s*([\d.]+) guest: TIERD-VMTEST-READY .*now=([\d.]+)", line)
                                     for line in f) if m)
    except (OSError, StopIteration, ValueError):
        return None, None
    return samples, float(ready.group(1)) - float(ready.group(2))


SAMPLES, OFFSET = qemu_clock()


def cpu_between(start_mono, end_mono):
    """QEMU's CPU seconds between two guest CLOCK_MONOTONIC times, interpolated; None when unknown."""
    if not SAMPLES or start_mono is None:
        return None

    def at(t):
        t += OFFSET
        if t <= SAMPLES[0][0] or t >= SAMPLES[-1][0]:
            return None
        i = next(i for i, s in enumerate(SAMPLES) if s[0] >= t)
        (t0, c0), (t1, c1) = SAMPLES[i - 1], SAMPLES[i]
        return c0 + (c1 - c0) * (t - t0) / (t1 - t0)

    a, b = at(start_mono), at(end_mono)
    return b - a if a is not None and b is not None and b > a else None


def mono(summary, key):
    return float(summary[key]) if key in summary else None


def loop_wall(first, last):
    a, b = mono(first, "loop_start_mono"), mono(last, "loop_end_mono")
    return b - a if a is not None and b is not None else None


def reach_times(rows, shift, duration):
    """Per window: (seconds from its start to the first sample >= 95%, or None; seconds it was observed)."""
    out = []
    windows = sorted({r["window"] for r in rows})
    for w in windows:
        start = w * shift
        mine = [r for r in rows if r["window"] == w and r["hot"] is not None]
        reached = next((r["t"] - start for r in mine if r["hot"] >= GOAL_SHARE), None)
        out.append((w, reached, min(duration, start + shift) - start))
    return out


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def placement(m):
    path = os.path.join(files, f"placement-{m}.csv")
    if not os.path.exists(path):
        return None
    params, summary, rows = read_series(path)
    if not rows:
        return {"manager": m, "broken": True}
    shift = float(params.get("shift_sec", shift_default))
    duration = float(params.get("duration_sec", rows[-1]["t"]))
    # Full: the workload's pages on node 0 and one more hot window no longer fit in what node 0 had free at the
    # start, so that a new hot set only fits if something is demoted.
    room = float(params.get("fast_free_mib", 0)) - float(params.get("hot_mib", 0))
    size = float(params.get("size_mib", 0))
    filled = next((r["t"] for r in rows if r["all"] is not None and r["all"] * size > room), None)
    windows = int(params.get("windows", 0)) or 1
    reach = reach_times(rows, shift, duration)
    vm = vmstat(os.path.join(files, f"placement-{m}.vmstat"))
    return {
        "manager": m, "params": params, "summary": summary, "rows": rows, "reach": reach, "filled": filled,
        "windows": windows,
        "mean_hot": mean(r["hot"] for r in rows),
        "mean_hot_filled": mean(r["hot"] for r in rows if filled is not None and r["t"] >= filled),
        "mean_all": mean(r["all"] for r in rows),
        "aps": float(summary.get("mean_aps", 0)), "verify": summary.get("verify", "?"),
        "migrated": vm.get("pgmigrate_success"), "vm": vm,
        "mgr": kv_file(os.path.join(files, f"placement-{m}.mgr")),
        "accesses": float(summary.get("accesses", 0)), "wall": loop_wall(summary, summary),
        "cpu": cpu_between(mono(summary, "loop_start_mono"), mono(summary, "loop_end_mono")),
        "time": kv_file(os.path.join(files, f"placement-{m}.time")),
    }


def cost(m):
    paths = sorted(glob.glob(os.path.join(files, f"cost-{m}-*.csv")))
    if not paths:
        return None
    series = [read_series(p) for p in paths]
    aps = sum(float(s.get("mean_aps", 0)) for _, s, _ in series)
    verify = "ok" if all(s.get("verify") == "ok" for _, s, _ in series) else "FAILED"
    hot = mean(mean(r["hot"] for r in rows) for _, _, rows in series)
    vm = vmstat(os.path.join(files, f"cost-{m}.vmstat"))
    # One window over all copies' loops: from the first start to the last end (their first touches overlap it).
    starts = [mono(s, "loop_start_mono") for _, s, _ in series]
    ends = [mono(s, "loop_end_mono") for _, s, _ in series]
    start = min(starts) if None not in starts else None
    end = max(ends) if None not in ends else None
    return {"copies": len(paths), "aps": aps, "verify": verify, "hot": hot, "migrated": vm.get("pgmigrate_success"),
            "accesses": sum(float(s.get("accesses", 0)) for _, s, _ in series),
            "cpu": cpu_between(start, end), "wall": end - start if start is not None and end is not None else None,
            "mgr": kv_file(os.path.join(files, f"cost-{m}.mgr"))}


def pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def secs(x):
    return "never" if x is None else f"{x:.0f} s"


def table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def order_of(m):
    """ORDER, then the tierd_rN variants by N, then the rest."""
    if m in ORDER:
        return (ORDER.index(m), 0)
    rate = re.fullmatch(r"tierd_r(\d+)", m)
    return (len(ORDER), int(rate.group(1))) if rate else (len(ORDER) + 1, 0)


present = sorted({re.sub(r"^(placement|cost)-(\w+).*", r"\2", os.path.basename(p))
                  for p in glob.glob(os.path.join(files, "*-*.csv"))}, key=order_of)
results = {m: placement(m) for m in present}
costs = {m: cost(m) for m in present}
skipped = [os.path.basename(p)[len("placement-"):-len(".skipped")]
           for p in glob.glob(os.path.join(files, "placement-*.skipped"))]

setup = os.path.join(files, "setup.txt")
if os.path.exists(setup):
    print(open(setup).read().rstrip())
    print()

def progress(r):
    """Accesses per CPU second QEMU got from the host while the loops ran (TCG shares the host's cores with
    whatever else runs there, and the guest is busy throughout a run); accesses/s when that is unknown."""
    return r["accesses"] / r["cpu"] if r.get("cpu") else r["aps"]


def host_share(r):
    return f"{r['cpu'] / r['wall']:.2f}" if r.get("cpu") and r.get("wall") else "?"


base = results.get("defaults")
base_aps = progress(base) if base and not base.get("broken") else None
for m, r in results.items():
    if not r or r.get("broken"):
        continue
    p = r["params"]
    print(f"== {m}: {p.get('size_mib')} MiB, hot window {p.get('hot_mib')} MiB, node 0 free at start "
          f"{p.get('fast_free_mib')} of {p.get('fast_total_mib')} MiB, touched in {p.get('touch_s')} s")
    reach = ", ".join(f"w{w}: {secs(t)}" + (f" (w{w % r['windows']}'s pages again)" if w >= r["windows"] else "")
                      + ("" if seen >= GOAL_SECONDS else f" (seen {seen:.0f} s)") for w, t, seen in r["reach"])
    print(f"   time to >= 95% of the hot window on node 0: {reach}")
    print(f"   node 0 full (its share of the workload + a hot window > its free memory at start): "
          f"{'at ' + secs(r['filled']) if r['filled'] is not None else 'never'}")
    print(f"   mean hot share {pct(r['mean_hot'])}, once node 0 was full {pct(r['mean_hot_filled'])}, "
          f"whole buffer {pct(r['mean_all'])}")
    rel = f" = {progress(r) / base_aps:.2f}x defaults" if base_aps else ""
    vm_speed = (f" ({progress(r) / 1e6:.2f} M per QEMU CPU second, QEMU had {host_share(r)} of a host core)"
                if r.get("cpu") else "")
    print(f"   progress {r['aps'] / 1e6:.2f} M accesses/s{vm_speed}{rel}; workload CPU {r['time'].get('user', '?')} s "
          f"user, {r['time'].get('sys', '?')} s sys")
    vm = r["vm"]
    print(f"   migrated {vm.get('pgmigrate_success', 0)} pages (failed {vm.get('pgmigrate_fail', 0)}), promoted "
          f"{vm.get('pgpromote_success', 0)}, demoted {vm.get('pgdemote_kswapd', 0)} kswapd + "
          f"{vm.get('pgdemote_direct', 0)} direct, NUMA hint faults {vm.get('numa_hint_faults', 0)}")
    print(f"   manager threads {r['mgr'].get('threads', '?')}: CPU {r['mgr'].get('cpu_pct', '?')}%"
          f" (user+sys by thread: {r['mgr'].get('cpu_split', '?')}); data {r['verify']}")
    series = ", ".join(f"{row['hot']:.2f}" if row["hot"] is not None else "-" for row in r["rows"])
    print(f"   hot share per second: {series}")
    print()

valid = {m: r for m, r in results.items() if r and not r.get("broken")}
best = max((r["mean_hot"] or 0 for r in valid.values()), default=0)
header = ["manager", "to 95%: start", "after shifts", "mean hot", "mean hot, node 0 full", "progress vs defaults*",
          "pages migrated", "data", "goal: 95% in 10 s", "highest mean", ">= 80% progress"]
rows = []
for m, r in valid.items():
    judged = [t for w, t, seen in r["reach"] if seen >= GOAL_SECONDS]
    in_time = bool(judged) and all(t is not None and t <= GOAL_SECONDS for t in judged)
    shifts = [secs(t) for w, t, seen in r["reach"][1:]]
    rel = progress(r) / base_aps if base_aps else None
    rows.append([m, secs(r["reach"][0][1]) if r["reach"] else "-", " ".join(shifts) or "-", pct(r["mean_hot"]),
                 pct(r["mean_hot_filled"]), "-" if rel is None else f"{rel:.2f}",
                 r["migrated"] if r["migrated"] is not None else "-", r["verify"],
                 "yes" if in_time else "no", "yes" if (r["mean_hot"] or 0) >= best else "no",
                 "-" if rel is None else ("yes" if rel >= GOAL_PROGRESS else "no")])
for m in skipped:
    rows.append([m, "skipped"] + [""] * (len(header) - 2))
print("Placement (one workload):")
table(header, rows)
print("* accesses per CPU second QEMU got from the host during the loop (TCG shares the host's cores with other "
      "work);\n  accesses/s when qemu-cpu.txt is missing")

crows = []
base_cost = costs.get("defaults")
for m, c in costs.items():
    if not c:
        continue
    rel = progress(c) / progress(base_cost) if base_cost and progress(base_cost) else None
    rss = c["mgr"].get("rss_peak_kib", "0")
    crows.append([m, c["copies"], f"{c['aps'] / 1e6:.2f} M/s", host_share(c), "-" if rel is None else f"{rel:.2f}",
                  pct(c["hot"]),
                  c["migrated"] if c["migrated"] is not None else "-", c["mgr"].get("threads", "?"),
                  c["mgr"].get("cpu_pct", "?") + "%", f"{int(rss) / 1024:.1f} MiB" if rss not in ("", "0") else "-",
                  c["verify"]])
if crows:
    print()
    print("Cost (several workloads at once):")
    table(["manager", "copies", "progress (sum)", "QEMU's host core share", "progress vs defaults*", "mean hot", "pages migrated", "manager threads",
           "their CPU", "peak RSS", "data"], crows)
PY
}

if [ -n "$report_only" ]; then
	d=$report_only
	[ -d "$d/vm/files" ] && d=$d/vm
	report "$d"
	exit 0
fi

# "SECONDS-SINCE-QEMU-STARTED CPU-SECONDS" of the VM's QEMU every half second into $1/qemu-cpu.txt, until it exits.
qemu_cpu_sampler() {
	local dir=$1 pid='' hz stat rest start uptime _
	hz=$(getconf CLK_TCK)
	for _ in $(seq 600); do
		pid=$(pgrep -f -- "qemu-system.*file:$dir/console.log" | head -n 1) && [ -n "$pid" ] && break
		sleep 0.5
	done
	[ -n "$pid" ] || return 0
	while stat=$(cat "/proc/$pid/stat" 2>/dev/null); do
		rest=${stat##*) }
		# shellcheck disable=SC2086 # fields
		set -- $rest
		start=${20}
		read -r uptime _ < /proc/uptime
		awk -v u="$uptime" -v s="$start" -v c=$((${12} + ${13})) -v hz="$hz" \
			'BEGIN { printf "%.2f %.2f\n", u - s / hz, c / hz }'
		sleep 0.5
	done > "$dir/qemu-cpu.txt"
}

ninja -C "$build" bench/hotshift >/dev/null
overlay=$(mktemp -d)
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	rm -rf "$overlay"
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
install -D -m 0755 "$build/bench/hotshift" "$overlay/usr/bin/hotshift"
if [ -n "$tierd_build" ]; then
	meson install -C "$tierd_build" --destdir "$overlay" --no-rebuild --quiet >/dev/null
	[ -x "$overlay/usr/sbin/tierd" ] || { echo "placement: $tierd_build does not install /usr/sbin/tierd (--prefix=/usr?)" >&2; exit 1; }
	mkdir -p "$overlay/etc/tierd/tierd.conf.d"
	printf '[Daemon]\nMode=migrate\n\n[Placement]\nProcesses=hotshift\n' > "$overlay/etc/tierd/tierd.conf.d/50-bench.conf"
fi

# Boot ~30 s; per manager and run: ~25 s of touching, verifying and resetting besides the loop (TCG), with room.
n=$(tr ',' '\n' <<< "$managers" | grep -c .)
per=$((duration + 40))
[ "$cost_copies" -gt 0 ] && per=$((per + cost_duration + 60))
timeout=${timeout:-$((120 + n * per * 3 / 2))}
echo "placement: managers $managers, ${duration} s each (shift ${shift_sec} s), cost ${cost_copies} x ${cost_duration} s;" \
	"VM timeout ${timeout} s" >&2

rc=0
mkdir -p "$work/vm"
rm -f "$work/vm/qemu-cpu.txt"
qemu_cpu_sampler "$work/vm" &
sampler=$!
"$here/../tests/vm-systemd/run-vm.sh" --test "$here/placement-guest.sh" --topology "$here/placement-topology.args" \
	--overlay "$overlay" --timeout "$timeout" --keep "$work/vm" \
	--env "BENCH_MANAGERS=$managers" --env "BENCH_DURATION=$duration" --env "BENCH_SHIFT=$shift_sec" \
	--env "BENCH_SIZE_MIB=$size_mib" --env "BENCH_SAMPLE_KIB=$sample_kib" \
	--env "BENCH_COST_COPIES=$cost_copies" --env "BENCH_COST_DURATION=$cost_duration" || rc=$?
wait "$sampler" || true
[ -d "$work/vm/files" ] || { echo "placement: the VM returned no files (status $rc)" >&2; exit 1; }
cp "$work/vm/files/"*.csv "$work/" 2>/dev/null || true
report "$work/vm" | tee "$work/report.txt"
[ -n "$keep" ] && echo "placement: series and report in $keep" >&2
exit $rc
