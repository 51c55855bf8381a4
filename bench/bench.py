#!/usr/bin/env python3
"""Recording overhead, measured the honest way: the native workload,
`minpriv record` and `strace -f -c` run interleaved (a different order each
round), repeated, and compared by their medians.

Modes: native; minpriv (full recording, the default: hot syscalls counted
in the kernel and path calls reported by the eBPF recorder where it
allows); nobpf (record --no-bpf: hot syscalls counted by perf counters, a
stop at every other call); fullstop (record --no-kernel-count: a stop at
every syscall); baseline (record --baseline with a previous full
recording of the same workload); stacks (record --stacks); strace
(strace -f -c). For each minpriv mode the tracer's stops are counted too
(MINPRIV_STATS, one extra run): unlike times, they do not depend on the
machine's load. Workloads: mixed (tar | gzip of /usr/include and
ls -la /usr/lib), pysuite (a Python test suite), make (make -j2 of a small
C project).

Usage: bench/bench.py [--reps N] [--workloads mixed,pysuite,make[,pysuite-tmpfs,server]]
                      [--modes native,minpriv,fullstop,baseline,stacks,strace]
                      [--json OUT] [--svg OUT] [--memory] [--per-call]
Needs a built minpriv (build/cli/minpriv or $MINPRIV) and strace."""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))
TMP = tempfile.mkdtemp(prefix="minpriv-bench-")

HERE = os.path.dirname(os.path.abspath(__file__))


def make_project(root, modules=24):
    """A small C project: `modules` files of sorting code and a main,
    built with make -j2 (bench/cproject.mk)."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "project.h"), "w") as f:
        f.write("".join(f"long work{i}(long n);\n" for i in range(modules)))
    for i in range(modules):
        with open(os.path.join(root, f"mod{i}.c"), "w") as f:
            f.write(f"""#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "project.h"
static int cmp(const void *a, const void *b) {{ return (*(const long *)a > *(const long *)b) - (*(const long *)a < *(const long *)b); }}
long work{i}(long n)
{{
        long *v = malloc((size_t)n * sizeof *v), s = 0;
        char buf[64];
        if (!v) return -1;
        for (long k = 0; k < n; k++) v[k] = (k * 2654435761L + {i}) % 1000003;
        qsort(v, (size_t)n, sizeof *v, cmp);
        for (long k = 0; k < n; k += 7) s += v[k] % 97;
        snprintf(buf, sizeof buf, "module {i}: %ld", s);
        free(v);
        return s + (long)strlen(buf);
}}
""")
    with open(os.path.join(root, "main.c"), "w") as f:
        f.write('#include <stdio.h>\n#include "project.h"\nint main(void) { long s = 0;\n' +
                "".join(f"  s += work{i}(1000);\n" for i in range(modules)) +
                '  printf("%ld\\n", s); return 0; }\n')
    objs = " ".join(["main.o"] + [f"mod{i}.o" for i in range(modules)])
    with open(os.path.join(root, "Makefile"), "w") as f:
        f.write(f"project: {objs}\n\tcc -O2 -o $@ {objs}\n%.o: %.c project.h\n\tcc -O2 -g -Wall -c -o $@ $<\n"
                "clean:\n\trm -f *.o project\n")


WORKLOADS = {
    # tar | gzip of /usr/include plus repeated `ls -la /usr/lib`: many small
    # reads and writes, thousands of path lookups, a few processes.
    "mixed": ["/usr/bin/sh", "-c",
              f"tar -C /usr/include -cf - . | gzip > {TMP}/inc.tgz; "
              "for i in 1 2 3 4 5 6 7 8 9 10; do ls -la /usr/lib > /dev/null; done"],
    # a Python test suite: unittest cases with temporary files, JSON,
    # regular expressions, threads and subprocesses (bench/pysuite.py)
    "pysuite": ["/usr/bin/python3", os.path.join(HERE, "pysuite.py")],
    # the same suite with its temporary files on a tmpfs: on this VM's ext4
    # (no journal) creating a file skips the inodes freed in the last
    # seconds to minutes (ext4's recently_deleted), so pysuite's native
    # time depends on the runs before it; not in the default set
    "pysuite-tmpfs": ["/usr/bin/env", "TMPDIR=/dev/shm", "/usr/bin/python3", os.path.join(HERE, "pysuite.py")],
    # a compile of a small C project with make -j2 (clean build each time)
    "make": ["/usr/bin/sh", "-c", f"make -s -C {TMP}/proj clean && make -s -j2 -C {TMP}/proj"],
    # nginx from Debian serving 5,000 requests to ab, a connection each,
    # server and client both recorded (bench/server.sh; root)
    "server": ["/usr/bin/sh", os.path.join(HERE, "server.sh"), TMP, "43990", "5000"],
}


def modes(trace_out, baseline):
    return {
        "native": lambda argv: argv,
        "minpriv": lambda argv: [MINPRIV, "record", "-q", "-o", trace_out, "--", *argv],
        "nobpf": lambda argv: [MINPRIV, "record", "-q", "--no-bpf", "-o", trace_out, "--", *argv],
        "fullstop": lambda argv: [MINPRIV, "record", "-q", "--no-kernel-count", "-o", trace_out, "--", *argv],
        "baseline": lambda argv: [MINPRIV, "record", "-q", "--baseline", baseline, "-o", trace_out, "--", *argv],
        "stacks": lambda argv: [MINPRIV, "record", "-q", "--stacks", "-o", trace_out, "--", *argv],
        "strace": lambda argv: ["strace", "-f", "-c", "-o", os.devnull, "--", *argv],
    }


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd[:4])}... failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return dt


def run(workloads, mode_names, reps):
    trace_out = os.path.join(TMP, "trace.json")
    make_project(os.path.join(TMP, "proj"))
    results = {}
    for w in workloads:
        argv = WORKLOADS[w]
        # the baseline of an incremental recording: a full recording of the
        # same workload (what a previous CI run would have left)
        baseline = os.path.join(TMP, f"baseline-{w}.json")
        timed([MINPRIV, "record", "-q", "-o", baseline, "--", *argv])
        mk = modes(trace_out, baseline)
        times = {m: [] for m in mode_names}
        for m in mode_names:  # warm the page cache once per mode
            timed(mk[m](argv))
        for r in range(reps):
            order = list(mode_names)
            random.Random(r).shuffle(order)
            for m in order:
                times[m].append(timed(mk[m](argv)))
        med = {m: statistics.median(v) for m, v in times.items()}
        results[w] = {"median_s": med, "samples_s": times, "stops": {}}
        for m in mode_names:
            cmd = mk[m](argv)
            if cmd[0] == MINPRIV:
                results[w]["stops"][m] = stats_of(cmd)
    return results


def stats_of(cmd):
    """The tracer's counters for one run (MINPRIV_STATS)."""
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=dict(os.environ, MINPRIV_STATS="1"))
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("minpriv-stats:")]
    stats = dict(kv.split("=") for kv in line[0].split()[1:]) if line else {}
    return {k: int(v) for k, v in stats.items() if k in ("stops", "exit_stops", "counted", "bpf", "bpf_tallied", "self_cpu_ms")}


COLORS = {"minpriv": "#2b7bb9", "nobpf": "#5a93c4", "fullstop": "#7aa6c9", "baseline": "#5fb760", "stacks": "#e3a33b", "strace": "#c9473d"}


def svg_chart(res, ms, reps):
    """Grouped bars: wall time relative to native, per workload and mode."""
    bw, gap, left, top, h = 26, 34, 56, 36, 220
    ws = list(res)
    width = left + len(ws) * (len(ms) * bw + gap) + 150
    vmax = max(4.0, max(r["median_s"][m] / r["median_s"]["native"] for r in res.values() for m in ms))
    y = lambda v: top + h - v / vmax * h  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + h + 60}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="18" font-size="14">Recording overhead: wall time / native '
           f'(median of {reps} interleaved runs)</text>']
    step = next(st for st in (1, 2, 5, 10, 20, 50) if vmax / st <= 8)  # at most 8 grid lines
    for v in range(0, int(vmax) + 1, step):
        out.append(f'<line x1="{left}" x2="{width - 150}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v}x</text>')
    out.append(f'<line x1="{left}" x2="{width - 150}" y1="{y(1):.1f}" y2="{y(1):.1f}" stroke="#555"/>')
    for i, w in enumerate(ws):
        x0 = left + gap / 2 + i * (len(ms) * bw + gap)
        nat = res[w]["median_s"]["native"]
        for j, m in enumerate(ms):
            r = res[w]["median_s"][m] / nat
            x = x0 + j * bw
            out.append(f'<rect x="{x:.1f}" y="{y(r):.1f}" width="{bw - 4}" height="{y(0) - y(r):.1f}" '
                       f'fill="{COLORS.get(m, "#888")}"/>'
                       f'<text x="{x + (bw - 4) / 2:.1f}" y="{y(r) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10">{r:.2f}</text>')
        out.append(f'<text x="{x0 + len(ms) * bw / 2:.1f}" y="{top + h + 18}" text-anchor="middle">{w} '
                   f'({nat:.2f} s)</text>')
    for j, m in enumerate(ms):
        ly = top + 10 + j * 18
        out.append(f'<rect x="{width - 140}" y="{ly}" width="12" height="12" fill="{COLORS.get(m, "#888")}"/>'
                   f'<text x="{width - 122}" y="{ly + 10}">{m}</text>')
    out.append("</svg>\n")
    return "\n".join(out)


def memory_check():
    """The tracer's own peak RSS while tracing 1,000 short-lived processes."""
    env = dict(os.environ, MINPRIV_STATS="1")
    p = subprocess.run([MINPRIV, "record", "-q", "-o", os.path.join(TMP, "mem.json"), "--", "/usr/bin/sh", "-c",
                        "for i in $(seq 1000); do /usr/bin/true; done"], stderr=subprocess.PIPE, env=env)
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("minpriv-stats:")]
    stats = dict(kv.split("=") for kv in line[0].split()[1:]) if line else {}
    return {k: int(v) for k, v in stats.items()}


LOOP_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
        long n = atol(argv[1]);
        int fd = open("/dev/zero", O_RDONLY);
        char b[1];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++)
                if (read(fd, b, 1) != 1)
                        return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
        return 0;
}
"""


def per_call(reps):
    """What one syscall costs (read(2) of a byte, 2,000,000 times, ns per
    call): natively, in a recorded process (a counted call), and in a
    process that is not recorded while a recording runs beside it (the
    eBPF recorder's programs run on every syscall of the machine)."""
    src, exe = os.path.join(TMP, "loop.c"), os.path.join(TMP, "loop")
    with open(src, "w") as f:
        f.write(LOOP_C)
    subprocess.run(["cc", "-O2", "-o", exe, src], check=True)
    n = "2000000"
    res = {"native": [], "recorded": [], "beside": []}
    record = modes(os.path.join(TMP, "loop.json"), None)["minpriv"]

    def loop(cmd):
        return float(subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout.decode().split()[-1])

    for r in range(reps):
        order = list(res)
        random.Random(r).shuffle(order)
        for m in order:
            if m == "native":
                res[m].append(loop([exe, n]))
            elif m == "recorded":
                res[m].append(loop(record([exe, n])))
            else:
                rec = subprocess.Popen(record(["sleep", "30"]))
                time.sleep(0.5)  # its programs attached
                res[m].append(loop([exe, n]))
                rec.terminate()
                rec.wait()
    return {m: statistics.median(v) for m, v in res.items()}


def bpf_stats_enabled():
    """Whether the kernel times every eBPF program run (a cost the
    recorder's programs then pay on every syscall)."""
    try:
        with open("/proc/sys/kernel/bpf_stats_enabled") as f:
            return f.read().strip() == "1"
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--workloads", default="mixed,pysuite,make")
    ap.add_argument("--modes", default="native,minpriv,fullstop,baseline,stacks,strace")
    ap.add_argument("--svg", help="write a bar chart of the median ratios")
    ap.add_argument("--json")
    ap.add_argument("--memory", action="store_true", help="also measure the tracer's peak RSS on 1,000 processes")
    ap.add_argument("--per-call", action="store_true",
                    help="also measure what a syscall costs recorded, and in a process beside a recording")
    a = ap.parse_args()
    stats_on = bpf_stats_enabled()
    if stats_on:
        print("bench.py: kernel.bpf_stats_enabled is 1: every eBPF program run costs about 40 ns more "
              "(the kernel times it), which the minpriv figures below include; "
              "sysctl kernel.bpf_stats_enabled=0 for figures to publish", file=sys.stderr)
    ws = a.workloads.split(",")
    ms = a.modes.split(",")
    res = run(ws, ms, a.reps)
    print(f"{'workload':10} " + " ".join(f"{m:>10}" for m in ms) + "   ratios (median wall time)")
    for w, r in res.items():
        med = r["median_s"]
        cells = " ".join(f"{med[m]:9.3f}s" for m in ms)
        ratios = []
        if "native" in med:
            ratios += [f"{m}/native {med[m] / med['native']:.2f}x" for m in ms if m != "native"]
        if "minpriv" in med and "strace" in med:
            ratios.append(f"strace/minpriv {med['strace'] / med['minpriv']:.2f}x")
            if "native" in med and med["minpriv"] > med["native"]:
                # the time each adds to the native run
                ratios.append(f"strace's overhead / minpriv's {(med['strace'] - med['native']) / (med['minpriv'] - med['native']):.1f}x")
        print(f"{w:10} {cells}   {', '.join(ratios)}")
        for m, st in r["stops"].items():
            print(f"{'':10} {m}: {st.get('stops', '?')} stops ({st.get('exit_stops', '?')} at exits), "
                  f"{st.get('counted', 0)} calls counted in the kernel, {st.get('bpf', 0)} reported by eBPF "
                  f"({st.get('bpf_tallied', 0)} more counted per process), "
                  f"tracer CPU {st.get('self_cpu_ms', '?')} ms")
    out = {"reps": a.reps, "workloads": res, "bpf_stats_enabled": stats_on}
    if a.memory:
        mem = memory_check()
        out["memory"] = mem
        print(f"tracer peak RSS tracing {mem.get('processes', 0)} processes: "
              f"{mem.get('self_max_rss_kib', 0) / 1024:.1f} MiB ({mem.get('stops', 0)} stops)")
    if a.per_call:
        pc = per_call(a.reps)
        out["per_call_ns"] = pc
        print(f"a read(2): {pc['native']:.0f} ns natively, {pc['recorded']:.0f} ns recorded (counted), "
              f"{pc['beside']:.0f} ns in a process beside a recording")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg_chart(res, [m for m in ms if m != "native"], a.reps))
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
