#!/usr/bin/env python3
"""Figures for issue 14 (not a test): per sample, the syscalls `minpriv gaps`
lists (related/other, x86_64), and the seccomp profile's size (names allowed
on x86_64, counted by tests/seccomp-eval, runc template included) plain, with
--allow-gaps related and with --portable; then what `record --repeat 6`
finds unstable on each sample.

Usage: bench/beyond.py [BUILD_DIR]   (default: build)"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
MINPRIV = os.path.join(BUILD, "cli", "minpriv")
EVAL = os.path.join(BUILD, "tests", "seccomp-eval")
S = os.path.join(BUILD, "samples")
W = os.path.join(ROOT, "samples", "workloads")


def run(*a, env=None):
    return subprocess.run(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)


def size(trace, work, *opts):
    d = tempfile.mkdtemp(dir=work)
    run(MINPRIV, "generate", "-q", "-o", d, *opts, trace)
    return int(run(EVAL, os.path.join(d, "seccomp.json"), "count").stdout.split()[1])


def main():
    work = tempfile.mkdtemp(prefix="minpriv-beyond-")
    cases = {
        "static_hello": [f"{S}/static_hello"],
        "threads": [f"{S}/threads", "8"],
        "forktree": [f"{S}/forktree"],
        "paths": [f"{S}/paths", f"{work}/paths"],
        "sockets": [f"{S}/sockets", work, "44010"],
        "signals": [f"{S}/signals"],
        "rarebranch": [f"{S}/rarebranch"],
        "flaky": [f"{S}/flaky", f"{work}/counter"],
        "portable": [f"{S}/portable", work],
        "pipeline": ["/bin/sh", f"{W}/pipeline.sh", "/usr/include/linux", work],
        "pyserver": ["/usr/bin/python3", f"{W}/pyserver.py", "44020"],
    }
    print("| sample | gaps related | gaps other | profile | --allow-gaps related | --portable | "
          "unstable in --repeat 6 |")
    print("|---|---|---|---|---|---|---|")
    for name, argv in cases.items():
        t = os.path.join(work, name + ".json")
        run(MINPRIV, "record", "-q", "-o", t, "--", *argv)
        g = json.loads(run(MINPRIV, "gaps", "--format", "json", t).stdout)
        s = g["summary"].get("x86_64", {"related": 0, "other": 0})
        rel = [e["syscall"] for e in g["gaps"] if e["rank"] == "related" and e["abi"] == "x86_64"]
        rep = os.path.join(work, name + "-rep.json")
        run(MINPRIV, "record", "-q", "--repeat", "6", "-o", rep, "--", *argv)
        r = json.load(open(rep))
        unstable = sorted(f"{n} {v['seen']}/6" for n, v in r["syscalls"].get("x86_64", {}).items() if "seen" in v)
        nfiles = sum(1 for v in r["files"].values() if "seen" in v)
        print(f"| {name} | {s['related']} ({', '.join(rel[:6])}{'...' if len(rel) > 6 else ''}) | {s['other']} | "
              f"{size(t, work)} | {size(t, work, '--allow-gaps', 'related')} | {size(t, work, '--portable')} | "
              f"{', '.join(unstable) or '-'}; {nfiles} paths |")


if __name__ == "__main__":
    main()
