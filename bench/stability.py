#!/usr/bin/env python3
"""Rules per workload and widenings between two recordings, for two builds.

    bench/stability.py NEW_MINPRIV OLD_MINPRIV CASE [CASE...]

Each CASE (as in tests/integration/test_stability.py: an enforcement case
or "pystdlib") is recorded twice with NEW_MINPRIV; both traces are turned
into profiles by each build, and for each build the table gives the
AppArmor file rules of the first recording and the widenings `minpriv diff
--fail-on-widen` reports from the first recording's profiles to the
second's (and back). OLD_MINPRIV may be a build from before files'
private_new (trace version 3): the copies it reads are without it, as
version 2; and, where it refuses those, from before runs[].pids: then
without them too."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import mp  # noqa: E402
import test_enforce as te  # noqa: E402
import test_stability as ts  # noqa: E402


def widenings(mp_bin, a, b):
    p = subprocess.run([mp_bin, "diff", "--fail-on-widen", a, b], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    first = p.stdout.decode(errors="replace").splitlines()[0]
    m = re.search(r"(\d+) widenings?", first)
    return int(m.group(1)) if m else 0


def main():
    new, old, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    base = mp.tmpdir()
    os.chmod(base, 0o755)
    print(f"{'case':16} {'rules old':>9} {'rules new':>9} {'widen old':>9} {'widen new':>9}")
    for name in names:
        d = os.path.join(base, name)
        work = os.path.join(d, "work")
        argv, setup, timeout = ts.case_argv(name, work)
        env = {"PATH": te.PATH, "TMPDIR": os.environ["TMPDIR"], "HOME": "/root", "LC_ALL": "C"}
        traces = []
        for i in (1, 2):
            ts.fresh(work)
            if setup:
                subprocess.run(["sh", "-c", setup], check=True)
            trace = os.path.join(d, f"trace{i}.json")
            subprocess.run([new, "record", "-q", "-o", trace, "--", *argv], cwd="/", env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout * 4)
            with open(trace) as f:
                t = json.load(f)
            for node in t["files"].values():
                node.pop("private_new", None)
            t["version"] = min(t["version"], 2)
            with open(trace + ".old", "w") as f:
                json.dump(t, f)
            if subprocess.run([old, "generate", "-q", "-o", os.path.join(d, "probe"), trace + ".old"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 2:
                for run in t["runs"]:
                    run.pop("pids", None)
                with open(trace + ".old", "w") as f:
                    json.dump(t, f)
            traces.append(trace)
        row = {}
        for label, b, suffix in (("old", old, ".old"), ("new", new, "")):
            profs = []
            for i, trace in enumerate(traces):
                prof = os.path.join(d, f"{label}{i}")
                subprocess.run([b, "generate", "-q", "-o", prof, trace + suffix], check=True)
                profs.append(prof)
            row[label] = (ts.rules(profs[0]), widenings(b, profs[0], profs[1]) + widenings(b, profs[1], profs[0]))
        print(f"{name:16} {row['old'][0]:9} {row['new'][0]:9} {row['old'][1]:9} {row['new'][1]:9}", flush=True)


if __name__ == "__main__":
    main()
