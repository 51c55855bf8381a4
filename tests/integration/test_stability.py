#!/usr/bin/env python3
"""Profiles that hold on the next run: two recordings of the same workload
give profiles that `minpriv diff` finds identical.

    test_stability.py CASE [CASE...]

CASE is a case of test_enforce.py (a sample, a workload script or a server
workload, with the same arguments; its TCP ports moved into this test's
range 47000-47499) or "pystdlib", a subset of Python's own test suite
(test_tempfile test_json test_logging test_httpservers test_glob
test_shutil, package libpython3.11-testsuite) run by Debian's python3.

Each case is recorded twice, in the same work directory (emptied in
between, so the paths the harness chose are the same) and with the same
environment; both traces are turned into profiles and
`minpriv diff --fail-on-widen` must say "no differences" for all three
profiles (seccomp.json, apparmor.profile, caps.txt), in both directions.
Names that change from run to run (mkstemp, tempfile, pids, hashes, dates)
must have become the same pattern in both. On failure the differences are
printed and the rule counts of both runs.

A server can take a path in one run and not the other for reasons of its
own: postgresql's parallel index build (pgbench -i) lets a worker sort part
of the tuples, and whether that worker's realloc moves its array with mremap
depends on how the rows were split. A seccomp.json difference is accepted
only when the product itself accounts for it: every differing syscall is a
*related* gap of the run that lacks it (`minpriv gaps`: reachable from the
binaries and related to a recorded syscall), and the profiles generated with
`--allow-gaps related` from both runs are identical (all three files). That
is the documented way to a stable profile for such a workload
(docs/gaps-format.md); the note names the syscalls. Anything else fails."""
import json
import os
import re
import shutil
import subprocess
import sys

import mp
import test_enforce as te

PYTESTS = ["test_tempfile", "test_json", "test_logging", "test_httpservers", "test_glob", "test_shutil"]


def port(a):
    """The enforcement test's ports (420xx) moved into this test's range."""
    if re.fullmatch(r"42\d\d\d", a):
        return str(47000 + int(a) % 500)
    return a


def case_argv(name, work):
    if name == "pystdlib":
        py = "/usr/bin/python3"
        if not os.path.exists(py):
            te.skip("no /usr/bin/python3")
        probe = subprocess.run([py, "-c", "import test.support, test.libregrtest"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        if probe.returncode != 0:
            te.skip("Python's test suite is not installed (package libpython3.11-testsuite)")
        return [py, "-m", "test", *PYTESTS], "", 600
    mp.check(name in te.CASES, f"unknown case {name}")
    kind, args, _needs, opts = te.CASES[name]
    if opts.get("i386") and not te.i386_runs():
        te.skip(f"{name}: this kernel does not run i386 programs")
    if kind == "sample":
        exe = os.path.join(mp.SAMPLES, name)
        if not os.path.exists(exe):
            te.skip(f"sample {name} not built")
        exe = os.path.abspath(exe)
    else:
        exe = os.path.join(te.WORKLOADS, name)
    argv = [exe] + [port(a.replace("@WORK@", work)) for a in args]
    if name == "nginx.sh" and len(argv) == 2:
        argv.append("47010")
    return argv, opts.get("setup", "").replace("@WORK@", work), opts.get("timeout", 120)


def fresh(work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chmod(work, 0o1777)


def rules(prof):
    with open(os.path.join(prof, "apparmor.profile")) as f:
        text = f.read()
    m = re.search(r"recorded paths became (\d+) file rules", text)
    return int(m.group(1)) if m else -1


def run_case(name, base):
    d = os.path.join(base, name)
    work = os.path.join(d, "work")
    argv, setup, timeout = case_argv(name, work)
    env = {"PATH": te.PATH, "TMPDIR": os.environ["TMPDIR"], "HOME": "/root", "LC_ALL": "C"}
    profs = []
    for i in (1, 2):
        fresh(work)
        if setup:
            subprocess.run(["sh", "-c", setup], check=True)
        trace = os.path.join(d, f"trace{i}.json")
        p = subprocess.run([te.MINPRIV, "record", "-q", "-o", trace, "--", *argv], cwd="/", env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout * 4)
        out = p.stdout.decode(errors="replace")
        # the Python suite may have failures of its own; the recording must finish
        mp.check(p.returncode == 0 or name == "pystdlib", f"{name}: recording {i} exited {p.returncode}: {out[-2000:]}")
        if name == "pystdlib":
            mp.check("Total tests:" in out or "tests OK" in out, f"{name}: the test suite did not run: {out[-2000:]}")
        profs.append(generate(name, trace, os.path.join(d, f"profiles{i}")))
    traces = [os.path.join(d, f"trace{i}.json") for i in (1, 2)]
    diffs = differences(profs)
    ok = not diffs
    if diffs and set(diffs) == {"seccomp.json"}:
        ok = related_only(name, d, traces, diffs["seccomp.json"])
    for fname, (a, b, code, out) in sorted(diffs.items()) if not ok else ():
        print(f"{name}: {fname} {os.path.basename(a)} -> {os.path.basename(b)}: exit {code}\n{out[:6000]}")
    print(f"{name}: AppArmor file rules {rules(profs[0])} and {rules(profs[1])}: "
          f"{'no differences' if ok else 'DIFFERENT'}")
    return ok


def generate(name, trace, prof, *opts):
    p = subprocess.run([te.MINPRIV, "generate", "-q", *opts, "-o", prof, trace], stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"{name}: generate {' '.join(opts)} {trace}: {p.stderr.decode(errors='replace')}")
    return prof


def differences(profs):
    """{file: (a, b, exit, output)} for each profile file whose diff, in
    either direction, is not "no differences"."""
    found = {}
    for fname in ("seccomp.json", "apparmor.profile", "caps.txt"):
        for a, b in ((profs[0], profs[1]), (profs[1], profs[0])):
            p = subprocess.run([te.MINPRIV, "diff", "--fail-on-widen", os.path.join(a, fname), os.path.join(b, fname)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out = p.stdout.decode(errors="replace")
            first = out.splitlines()[0] if out else ""
            if not (p.returncode == 0 and first.endswith("no differences")):
                found.setdefault(fname, (a, b, p.returncode, out))
    return found


def related_gaps(name, trace):
    """The syscalls `minpriv gaps` ranks related for this trace, per ABI."""
    p = subprocess.run([te.MINPRIV, "gaps", "--format", "json", trace], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"{name}: gaps {trace}: {p.stderr.decode(errors='replace')}")
    return {(g["abi"], g["syscall"]) for g in json.loads(p.stdout)["gaps"] if g["rank"] == "related"}


def recorded(trace):
    with open(trace) as f:
        t = json.load(f)
    return {(abi, sc) for abi, calls in t.get("syscalls", {}).items() for sc in calls}


def related_only(name, d, traces, diff):
    """True when the two runs' syscalls differ only by related gaps of the
    run that lacks them and --allow-gaps related makes the profiles equal."""
    sets = [recorded(t) for t in traces]
    missing = [sets[1] - sets[0], sets[0] - sets[1]]
    for i in (0, 1):
        unexplained = missing[i] - related_gaps(name, traces[i])
        if unexplained:
            print(f"{name}: run {i + 1} lacks {sorted(unexplained)}, not related gaps of it")
            return False
    if not (missing[0] or missing[1]):
        print(f"{name}: seccomp.json differs though both runs recorded the same syscalls")
        return False
    wide = [generate(name, t, os.path.join(d, f"related{i}"), "--allow-gaps", "related") for i, t in enumerate(traces, 1)]
    rest = differences(wide)
    if rest:
        for fname, (a, b, code, out) in sorted(rest.items()):
            print(f"{name}: --allow-gaps related: {fname} {a} -> {b}: exit {code}\n{out[:6000]}")
        return False
    names = " ".join(sorted(f"{sc}({abi})" for abi, sc in missing[0] | missing[1]))
    print(f"{name}: NOTE: seccomp.json: {names} recorded in one run only, a related gap of the other "
          f"(minpriv gaps); with --allow-gaps related the profiles of both runs are identical")
    return True


def main():
    names = sys.argv[1:]
    if not names:
        mp.fail("usage: test_stability.py CASE [CASE...]")
    base = mp.tmpdir()
    os.chmod(base, 0o755)
    bad = [n for n in names if not run_case(n, base)]
    mp.check(not bad, f"profiles differ between two recordings: {' '.join(bad)}")
    print(f"stability: {len(names)} cases, two recordings each, no differences")


if __name__ == "__main__":
    main()
