#!/usr/bin/env python3
"""Recording overhead, measured the honest way: the native workload,
`minpriv record` and `strace -f -c` run interleaved (a different order each
round), repeated, and compared by their medians.

Usage: bench/bench.py [--reps N] [--workloads mixed,...] [--modes native,minpriv,strace]
                      [--json OUT] [--memory]
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

WORKLOADS = {
    # tar | gzip of /usr/include plus repeated `ls -la /usr/lib`: many small
    # reads and writes, thousands of path lookups, a few processes.
    "mixed": ["/usr/bin/sh", "-c",
              f"tar -C /usr/include -cf - . | gzip > {TMP}/inc.tgz; "
              "for i in 1 2 3 4 5 6 7 8 9 10; do ls -la /usr/lib > /dev/null; done"],
}


def modes(trace_out):
    return {
        "native": lambda argv: argv,
        "minpriv": lambda argv: [MINPRIV, "record", "-q", "-o", trace_out, "--", *argv],
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
    mk = modes(trace_out)
    results = {}
    for w in workloads:
        argv = WORKLOADS[w]
        times = {m: [] for m in mode_names}
        for m in mode_names:  # warm the page cache once per mode
            timed(mk[m](argv))
        for r in range(reps):
            order = list(mode_names)
            random.Random(r).shuffle(order)
            for m in order:
                times[m].append(timed(mk[m](argv)))
        med = {m: statistics.median(v) for m, v in times.items()}
        results[w] = {"median_s": med, "samples_s": times}
    return results


def memory_check():
    """The tracer's own peak RSS while tracing 1,000 short-lived processes."""
    env = dict(os.environ, MINPRIV_STATS="1")
    p = subprocess.run([MINPRIV, "record", "-q", "-o", os.path.join(TMP, "mem.json"), "--", "/usr/bin/sh", "-c",
                        "for i in $(seq 1000); do /usr/bin/true; done"], stderr=subprocess.PIPE, env=env)
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("minpriv-stats:")]
    stats = dict(kv.split("=") for kv in line[0].split()[1:]) if line else {}
    return {k: int(v) for k, v in stats.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--modes", default="native,minpriv,strace")
    ap.add_argument("--json")
    ap.add_argument("--memory", action="store_true", help="also measure the tracer's peak RSS on 1,000 processes")
    a = ap.parse_args()
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
        print(f"{w:10} {cells}   {', '.join(ratios)}")
    out = {"reps": a.reps, "workloads": res}
    if a.memory:
        mem = memory_check()
        out["memory"] = mem
        print(f"tracer peak RSS tracing {mem.get('processes', 0)} processes: "
              f"{mem.get('self_max_rss_kib', 0) / 1024:.1f} MiB ({mem.get('stops', 0)} stops)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
