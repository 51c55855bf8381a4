#!/usr/bin/env python3
"""One golden case: tests/golden/<case>/ holds trace*.json (in) and the
files `minpriv generate` must write (out), e.g. caps.txt, hardening.md,
seccomp.json. The case runs `minpriv generate -o TMP case/trace*.json` and
compares every expected file present in the case directory byte for byte;
files generate writes that the case has no copy of are not compared, so
cases for different emitters coexist.

With several traces it also checks determinism: the traces in reverse
order, and merged first with `minpriv merge`, must give the same bytes for
every file generate writes.

MINPRIV_GOLDEN_UPDATE=1 rewrites the expected files present from the
current output (review the diff before committing); with
MINPRIV_GOLDEN_UPDATE=all it writes every file generate writes.

Usage: run_golden.py CASE_DIR"""
import difflib
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def generate(traces, out):
    p = subprocess.run([MINPRIV, "generate", "-q", "-o", out, *traces], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        fail(f"minpriv generate {' '.join(traces)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')}")
    files = {}
    for name in sorted(os.listdir(out)):
        with open(os.path.join(out, name), "rb") as f:
            files[name] = f.read()
    return files


def show_diff(name, want, got):
    d = difflib.unified_diff(want.decode(errors="replace").splitlines(True), got.decode(errors="replace").splitlines(True),
                             f"expected/{name}", f"generated/{name}")
    return "".join(list(d)[:80])


def main():
    if len(sys.argv) != 2:
        fail("usage: run_golden.py CASE_DIR")
    case = os.path.abspath(sys.argv[1])
    name = os.path.basename(case)
    traces = sorted(glob.glob(os.path.join(case, "trace*.json")))
    if not traces:
        fail(f"{name}: no trace*.json")
    expected = sorted(f for f in os.listdir(case)
                      if os.path.isfile(os.path.join(case, f)) and not (f.startswith("trace") and f.endswith(".json"))
                      and not f.startswith("README"))
    tmp = tempfile.mkdtemp(prefix="minpriv-golden-")
    try:
        got = generate(traces, os.path.join(tmp, "fwd"))
        update = os.environ.get("MINPRIV_GOLDEN_UPDATE", "")
        if update:
            for f in (got if update == "all" else expected):
                if f in got:
                    with open(os.path.join(case, f), "wb") as fh:
                        fh.write(got[f])
            print(f"updated: {name}")
            return
        if not expected:
            fail(f"{name}: no expected file (run with MINPRIV_GOLDEN_UPDATE=all to create them)")
        problems = []
        for f in expected:
            with open(os.path.join(case, f), "rb") as fh:
                want = fh.read()
            if f not in got:
                problems.append(f"{f}: expected, but generate did not write it")
            elif got[f] != want:
                problems.append(f"{f}: differs\n{show_diff(f, want, got[f])}")
        if problems:
            fail(f"{name}:\n" + "\n".join(problems))
        checked = f"{len(expected)} file(s) match"
        if len(traces) > 1:
            rev = generate(list(reversed(traces)), os.path.join(tmp, "rev"))
            merged = os.path.join(tmp, "merged.json")
            p = subprocess.run([MINPRIV, "merge", "-o", merged, *traces], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
            if p.returncode != 0:
                fail(f"{name}: minpriv merge failed: {p.stderr.decode(errors='replace')}")
            mer = generate([merged], os.path.join(tmp, "merged"))
            for label, other in (("reversed order", rev), ("merged first", mer)):
                if sorted(other) != sorted(got):
                    fail(f"{name}: {label} wrote {sorted(other)}, in order {sorted(got)}")
                for f in got:
                    if other[f] != got[f]:
                        fail(f"{name}: {f} differs with the traces {label}\n{show_diff(f, got[f], other[f])}")
            checked += f"; identical with the {len(traces)} traces reversed and merged first ({len(got)} files)"
        print(f"ok: {name}: {checked}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
