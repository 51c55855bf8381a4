#!/usr/bin/env python3
"""The tracer's own memory stays bounded at scale (a memory check, not a
timing one; timings are in bench/scale.py): 1,000 threads alive at once,
10,000 processes in sequence, and 100,000 distinct files. The bounds are
stated in docs/performance.md; the trace must still be complete (every process and
every file recorded)."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

BOUNDS_KIB = {"threads": 8 * 1024, "procs": 8 * 1024, "files": 64 * 1024}


def record_stats(argv, out):
    env = dict(os.environ, MINPRIV_STATS="1")
    p = subprocess.run([mp.MINPRIV, "record", "-q", "-o", out, "--", *argv], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=1200)
    mp.check(p.returncode == 0, f"{argv}: exit {p.returncode}: {p.stderr.decode()[-500:]}")
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("minpriv-stats:")]
    mp.check(line, "no stats line")
    return {k: int(v) for k, v in (kv.split("=") for kv in line[0].split()[1:])}


def main():
    h = mp.sample("hostile")
    work = mp.tmpdir()
    out = os.path.join(work, "t.json")
    results = []

    st = record_stats([h, "threads", "1000"], out)
    t = json.load(open(out))
    mp.check(t["resources"]["max_threads"] >= 1001, f"max_threads {t['resources']['max_threads']}")
    results.append(("1,000 threads", st))

    st = record_stats([h, "procs", "10000"], out)
    t = json.load(open(out))
    mp.check(t["resources"]["processes"] == 10001, f"processes {t['resources']['processes']}")
    results.append(("10,000 processes", st))

    # 100,000 files on a tmpfs when possible (the disk would only add noise)
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else work
    d = os.path.join(base, f"minpriv-scale-{os.getpid()}")
    shutil.rmtree(d, ignore_errors=True)
    try:
        st = record_stats([mp.sample("manyfiles"), d, "100000"], out)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    mp.check(st["paths"] >= 100000 + 1000, f"paths {st['paths']}")
    results.append(("100,000 files", st))

    for (label, st), bound in zip(results, (BOUNDS_KIB["threads"], BOUNDS_KIB["procs"], BOUNDS_KIB["files"])):
        mp.check(st["self_max_rss_kib"] <= bound,
                 f"{label}: tracer peak RSS {st['self_max_rss_kib']} KiB exceeds {bound} KiB")
        print(f"ok: {label}: tracer peak RSS {st['self_max_rss_kib'] / 1024:.1f} MiB (bound {bound // 1024} MiB), "
              f"{st['stops']} stops")


if __name__ == "__main__":
    main()
