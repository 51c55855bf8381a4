#!/usr/bin/env python3
"""Incremental recording: `record --baseline OLD` must give the same facts
as a full recording merged with OLD. Facts are what profiles are made of:
syscalls per ABI, argument values, file accesses (path, kind, result),
network endpoints, credential changes, capability reasons with results,
signals and ptrace requests. Counts and the programs behind calls that were
let through without a stop are what an incremental recording gives up.

With --profile the baseline is the seccomp.json generated from the first
recording instead: then the incremental trace must hold the facts of a full
recording plus the names the profile allows (listed under the program
"baseline:PATH"), so that a profile generated from it keeps them.

Usage: test_baseline.py [--profile] SAMPLE [ARGS...]   (@WORK@ = a fresh directory)"""
import json
import re
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402


# Temporary files the compiler names at random (mkstemp): the only facts
# that differ between two runs of the same build.
RANDOM_NAME = re.compile(r"/cc[A-Za-z0-9]{6}(\.[a-z.]+)$")


def facts(t):
    f = set()
    for abi, calls in t["syscalls"].items():
        f |= {("syscall", abi, n) for n in calls}
    for abi, calls in t.get("unknown_syscalls", {}).items():
        f |= {("unknown", abi, n) for n in calls}
    for kind, vals in t.get("arguments", {}).items():
        f |= {("argument", kind, k) for k in vals}
    for path, node in t.get("files", {}).items():
        path = RANDOM_NAME.sub(r"/ccXXXXXX\1", path)
        for kind, res in node["access"].items():
            f |= {("file", path, kind, r) for r in res}
    for op, fams in t.get("network", {}).items():
        for fam, addrs in fams.items():
            for addr, res in addrs.items():
                f |= {("network", op, fam, addr, r) for r in res}
    for sc, args in t.get("credentials", {}).items():
        for a, res in args.items():
            f |= {("credentials", sc, a, r) for r in res}
    for cap, reasons in t.get("capabilities", {}).items():
        for reason, node in reasons.items():
            f |= {("capability", cap, reason, r) for r in node["results"]}
    for sig, targets in t.get("signals", {}).items():
        for target, res in targets.items():
            f |= {("signal", sig, target, r) for r in res}
    for req, res in t.get("ptrace", {}).items():
        f |= {("ptrace", req, r) for r in res}
    return f


def main():
    argv0 = sys.argv[1:]
    profile = bool(argv0) and argv0[0] == "--profile"
    if profile:
        argv0 = argv0[1:]
    exe = mp.sample(argv0[0]) if not argv0[0].startswith("/") else argv0[0]
    args = argv0[1:]
    work = mp.tmpdir()
    # The same paths in every run: a fixed directory, emptied before each.
    fixed = mp.tmpdir()

    def argv():
        shutil.rmtree(fixed, ignore_errors=True)
        os.makedirs(fixed)
        return [exe, *[a.replace("@WORK@", fixed) for a in args]]

    base = os.path.join(work, "base.json")
    full = os.path.join(work, "full.json")
    inc = os.path.join(work, "inc.json")
    merged = os.path.join(work, "merged.json")
    env = dict(os.environ, TMPDIR=fixed)
    st1, _, e1 = mp.record(argv(), out=base, env=env)
    st2, _, e2 = mp.record(argv(), out=full, env=env)
    profile_names = set()
    if profile:
        pdir = os.path.join(work, "profiles")
        rc, _, err = mp.minpriv("generate", "-q", "-o", pdir, base)
        mp.check(rc == 0, f"generate: {err}")
        base = os.path.join(pdir, "seccomp.json")
    env = dict(env, MINPRIV_STATS="1")
    p = subprocess.run([mp.MINPRIV, "record", "-q", "--baseline", base, "-o", inc, "--", *argv()],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    mp.check(st1 == st2 == p.returncode, f"exit statuses differ: {st1} {st2} {p.returncode}: {p.stderr.decode()}")
    timing = {("syscall", "x86_64", n) for n in mp.TIMING.get(os.path.basename(exe), ())}
    if profile:
        ti = json.load(open(inc))
        label = f"baseline:{base}"
        from_profile = {("syscall", abi, n) for abi, calls in ti["syscalls"].items() for n, v in calls.items()
                        if set(v["programs"]) == {label}}
        mp.check(from_profile, "no syscall attributed to the baseline profile")
        for abi, calls in ti["syscalls"].items():
            for n, v in calls.items():
                if label in v["programs"]:
                    mp.check(v["programs"][label]["count"] == 0, f"{n}: baseline count must be 0")
        fi = facts(ti) - timing
        fm = (facts(json.load(open(full))) | from_profile) - timing
        # every name the profile allows is in the incremental trace
        sc = json.load(open(base))
        allowed = {n for g in sc["syscalls"] if g["action"] == "SCMP_ACT_ALLOW" and not g.get("args")
                   for n in g["names"]}
        have = set(ti["syscalls"].get("x86_64", {}))
        mp.check(allowed <= have, f"profile names missing from the trace: {sorted(allowed - have)[:10]}")
    else:
        rc, _, err = mp.minpriv("merge", "-o", merged, full, base)
        mp.check(rc == 0, f"merge: {err}")
        fi, fm = facts(json.load(open(inc))) - timing, facts(json.load(open(merged))) - timing
    missing, extra = sorted(fm - fi), sorted(fi - fm)
    mp.check(not missing and not extra,
             f"incremental != full merged with baseline\n  missing: {missing[:20]}\n  extra: {extra[:20]}")
    stats = {}
    for line in p.stderr.decode().splitlines():
        if line.startswith("minpriv-stats:"):
            stats = dict(kv.split("=") for kv in line.split()[1:])
    envf = dict(env)
    q = subprocess.run([mp.MINPRIV, "record", "-q", "-o", os.path.join(work, "x.json"), "--", *argv()],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=envf)
    fstats = {}
    for line in q.stderr.decode().splitlines():
        if line.startswith("minpriv-stats:"):
            fstats = dict(kv.split("=") for kv in line.split()[1:])
    print(f"ok: {os.path.basename(exe)}: {len(fi)} facts equal; stops {fstats.get('stops')} full -> "
          f"{stats.get('stops')} incremental")


if __name__ == "__main__":
    main()
