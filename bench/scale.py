#!/usr/bin/env python3
"""Recording at scale: threads alive at once, processes in sequence and
distinct files, each at N/4, N/2 and N, native vs `minpriv record`. Prints
the time per unit and the tracer's own peak RSS, so that a cost that grows
worse than linearly (per-unit time rising with N) or memory that is not
bounded shows. Usage: bench/scale.py [--reps R]"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))
SAMPLES = os.path.join(os.path.dirname(MINPRIV), "..", "samples")
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else "/tmp"


def run(argv, traced):
    d = os.path.join(SCRATCH, f"minpriv-scale-{os.getpid()}")
    shutil.rmtree(d, ignore_errors=True)
    argv = [a.replace("@DIR@", d) for a in argv]
    cmd = [MINPRIV, "record", "-q", "-o", os.path.join(SCRATCH, "scale.json"), "--", *argv] if traced else argv
    env = dict(os.environ, MINPRIV_STATS="1")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    dt = time.perf_counter() - t0
    shutil.rmtree(d, ignore_errors=True)
    if p.returncode != 0:
        sys.exit(f"scale: {argv} failed: {p.stderr.decode()[-300:]}")
    rss = 0
    for line in p.stderr.decode().splitlines():
        if line.startswith("minpriv-stats:"):
            rss = int(dict(kv.split("=") for kv in line.split()[1:])["self_max_rss_kib"])
    return dt, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    hostile = os.path.join(SAMPLES, "hostile")
    manyfiles = os.path.join(SAMPLES, "manyfiles")
    cases = [("threads alive at once", lambda n: [hostile, "threads", str(n)], 2000),
             ("processes in sequence", lambda n: [hostile, "procs", str(n)], 10000),
             ("distinct files", lambda n: [manyfiles, "@DIR@", str(n)], 100000)]
    print(f"{'workload':24} {'N':>7} {'native':>9} {'minpriv':>9} {'us/unit':>8} {'tracer RSS':>11}")
    for label, mk, top in cases:
        per_unit = []
        for n in (top // 4, top // 2, top):
            nat = statistics.median(run(mk(n), False)[0] for _ in range(a.reps))
            res = [run(mk(n), True) for _ in range(a.reps)]
            rec = statistics.median(r[0] for r in res)
            rss = max(r[1] for r in res)
            pu = (rec - nat) / n * 1e6
            per_unit.append(pu)
            print(f"{label:24} {n:7} {nat:8.2f}s {rec:8.2f}s {pu:8.1f} {rss / 1024:9.1f} MiB")
        print(f"{'':24} overhead per unit at N vs N/4: {per_unit[-1] / per_unit[0]:.2f}x "
              f"(1.0 = linear)")


if __name__ == "__main__":
    main()
