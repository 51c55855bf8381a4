#!/usr/bin/env python3
"""A probe flood: a workload that tries to open N names that do not exist in
one directory (what a plugin loader, a locale search or a fuzzer does), is
recorded with `minpriv record`, then `minpriv generate` runs on the trace
under /usr/bin/time -v. Prints the trace size, the record time, the generate
wall time and peak RSS, and the size of the AppArmor profile. Issue 12 item 9:
the goal is under 10 s and 200 MB of generate for N = 200,000.

On a loaded machine the wall time is not the program's: generate_cpu_s
(user + system) is what an idle machine's wall time would be (one thread).
Figures: bench/probe-flood.txt.

Usage: bench/probe-flood.py [-n N] [--keep DIR]"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))

# The workload: one process, N failed opens of distinct names in one directory
# plus a few in a second one, so that the trace is what a real probe loop gives.
PROBE = r"""
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    try:
        os.open(f"{d}/probe-{i:07d}.so", os.O_RDONLY)
    except FileNotFoundError:
        pass
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("--keep", help="keep the trace and profiles in this directory")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="minpriv-probe-flood-")
    os.makedirs(work, exist_ok=True)
    probedir = os.path.join(work, "plugins")
    os.makedirs(probedir, exist_ok=True)
    trace = os.path.join(work, "trace.json")
    t0 = time.perf_counter()
    subprocess.run([MINPRIV, "record", "-q", "-o", trace, "--", sys.executable, "-c", PROBE, probedir, str(a.n)], check=True)
    rec = time.perf_counter() - t0
    out = os.path.join(work, "profiles")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", MINPRIV, "generate", "-o", out, trace], stderr=subprocess.PIPE, text=True)
    gen = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"probe-flood: generate failed: {p.stderr[-500:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([0-9.]+)", p.stderr).group(1)) for k in ("User", "System"))
    with open(os.path.join(out, "apparmor.profile")) as f:
        lines = f.read().count("\n")
    print(f"probes={a.n} trace_mib={os.path.getsize(trace) / 1048576:.1f} record_s={rec:.1f} "
          f"generate_s={gen:.2f} generate_cpu_s={cpu:.2f} generate_max_rss_mib={rss / 1024:.0f} apparmor_lines={lines}")
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
