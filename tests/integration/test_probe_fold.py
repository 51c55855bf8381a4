#!/usr/bin/env python3
"""Probe floods fold into one glob (issue 12 item 9): a workload that looks
for 100 names that do not exist in one directory gets one AppArmor rule,
DIR/PREFIX*SUFFIX r (the longest prefix and suffix all names share) with a comment giving the count, instead of 100 rules;
12 probes in another directory (under the threshold) stay literal, and a
flood whose names share too little (x*) is not folded to DIR/*. The folded
rule allows another name of the same shape and nothing else of the directory
(asked through tests/aa_check). Merging the trace with one that holds one
of the probed paths changes that path only (the loader shares identical
file nodes between paths)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import mp  # noqa: E402

AA_CHECK = os.environ.get("MINPRIV_AA_CHECK", os.path.join(os.path.dirname(mp.MINPRIV), "..", "tests", "aa_check"))

# sh probes with `test -r` would not open; use python's open, as a loader does.
WORKLOAD = r"""
import os, sys
base = sys.argv[1]
def probe(path):
    try:
        os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        pass
for i in range(100):
    probe(f"{base}/plugins/libplug-{i:03d}.so")
for i in range(12):
    probe(f"{base}/few/cfg-{i}.conf")
for i in range(70):
    probe(f"{base}/mixed/{chr(97 + i % 26)}{i}x" if i % 2 else f"{base}/mixed/Q{i}")
"""


def ask(profile, queries):
    data = "".join(f"file r 0 {p.encode().hex()}\n" for p in queries)
    p = subprocess.run([AA_CHECK, profile], input=data.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"aa_check: {p.stderr.decode()}")
    return p.stdout.decode().split()


def main():
    work = mp.tmpdir()
    for d in ("plugins", "few", "mixed"):
        os.makedirs(os.path.join(work, d))
    trace = os.path.join(work, "trace.json")
    mp.record([sys.executable, "-c", WORKLOAD, work], out=trace, check_status=0)
    out = os.path.join(work, "profiles")
    rc, _, err = mp.minpriv("generate", "-o", out, trace)
    mp.check(rc == 0, f"generate failed: {err}")
    text = open(os.path.join(out, "apparmor.profile")).read()
    lines = text.splitlines()

    plug = [l for l in lines if "/plugins/" in l and not l.lstrip().startswith("#")]
    mp.check(plug == [f"  {work}/plugins/libplug-0*.so r,"], f"the plugin probes are not one folded rule: {plug}")
    i = lines.index(plug[0])
    mp.check(lines[i - 1].lstrip().startswith("# 100 names that did not exist probed in this directory"),
             f"the folded rule has no comment giving the count: {lines[i - 1]!r}")
    mp.check(f"{work}/plugins/libplug-000.so" in lines[i - 1], "the comment gives no example name")

    few = [l for l in lines if "/few/" in l and not l.lstrip().startswith("#")]
    mp.check(len(few) == 12 and all("*" not in l for l in few), f"12 probes were folded: {few}")
    mixed = [l for l in lines if "/mixed/" in l and not l.lstrip().startswith("#")]
    mp.check(len(mixed) == 70 and all("*" not in l for l in mixed),
             f"a flood without a common shape was folded (to DIR/*?): {mixed[:3]}")

    got = ask(os.path.join(out, "apparmor.profile"),
              [f"{work}/plugins/libplug-0999.so", f"{work}/plugins/libplug-000.so", f"{work}/plugins/libplug-999.so", f"{work}/plugins/secret.key",
               f"{work}/plugins/libplug-1.so/x", f"{work}/few/cfg-99.conf"])
    mp.check(got == ["allow", "allow", "deny", "deny", "deny", "deny"], f"the folded rule allows the wrong names: {got}")

    # The loader shares identical file nodes (the 100 probes have the same
    # one); merging must change one path's node without touching the others.
    import json
    t = json.load(open(trace))
    one = f"{work}/plugins/libplug-000.so"
    b = dict(t)
    b["files"] = {one: t["files"][one]}
    bpath = os.path.join(work, "b.json")
    with open(bpath, "w") as f:
        json.dump(b, f)
    merged = os.path.join(work, "merged.json")
    rc, _, err = mp.minpriv("merge", "-o", merged, trace, bpath)
    mp.check(rc == 0, f"merge failed: {err}")
    m = json.load(open(merged))["files"]

    def count(path):
        return sum(p["count"] for p in m[path]["access"]["read"]["ENOENT"]["programs"].values())

    mp.check(count(one) == 2 and count(f"{work}/plugins/libplug-001.so") == 1,
             f"merging changed shared nodes: {count(one)}, {count(f'{work}/plugins/libplug-001.so')}")

    # the profile compiles, where apparmor_parser exists
    if os.path.exists("/sbin/apparmor_parser"):
        p = subprocess.run(["/sbin/apparmor_parser", "-QK", os.path.join(out, "apparmor.profile")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        mp.check(p.returncode == 0, f"apparmor_parser rejects the profile: {p.stderr.decode()}")
    print("ok")


if __name__ == "__main__":
    main()
