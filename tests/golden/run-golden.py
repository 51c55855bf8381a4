#!/usr/bin/env python3
"""A golden test: `minpriv generate` on a case's traces must reproduce the
case's expected files byte for byte, for every order of the traces.

A case is tests/golden/CASE/ with
  trace*.json      the input traces
  args             extra `generate` options on one line (may be empty)
  expected/FILE    what generate must write to DIR/FILE (only the files
                   present are compared, so each emitter adds its own)
  expected/notes   (optional) the stderr notes about those files, i.e. the
                   lines "minpriv: FILE: ..." for FILE in expected/
  exit             (optional) the expected exit status of a case that must
                   fail; then nothing may be written
  stderr           (optional) lines that must appear in generate's stderr
  other files      inputs named in args (e.g. a --globs file)
generate runs in the case directory, so args name inputs relatively.
An expected apparmor.profile is also compiled with `apparmor_parser -QK`.
With several traces, every order (or, beyond three, two) and the traces
merged first with `minpriv merge` must give the same bytes.
Templates come from tests/golden/templates (pinned, so re-measuring the
runtimes does not change the goldens).
MINPRIV_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing.
Usage: run-golden.py CASE_DIR"""
import difflib
import glob
import itertools
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))


def run_generate(case, traces, args, outdir):
    env = {**os.environ, "MINPRIV_TEMPLATES": os.path.join(HERE, "templates")}
    return subprocess.run([MINPRIV, "generate", "-o", outdir, *args, *traces], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=case)


CASE = None


def generate(traces, args, outdir):
    p = run_generate(CASE, traces, args, outdir)
    if p.returncode != 0:
        sys.exit(f"FAIL: minpriv generate {' '.join(args)} exited {p.returncode}:\n{p.stderr.decode()}")
    return p.stderr.decode()


def expect_failure(case, name, traces, args):
    """A case that must fail: the exit status, the message lines, nothing written."""
    want = int(open(os.path.join(case, "exit")).read().strip())
    tmp = tempfile.mkdtemp(prefix=f"minpriv-golden-{name}-")
    try:
        out = os.path.join(tmp, "out")
        p = run_generate(case, traces, args, out)
        err = p.stderr.decode(errors="replace")
        if p.returncode != want:
            sys.exit(f"FAIL: {name}: generate exited {p.returncode}, expected {want}:\n{err}")
        if os.path.exists(os.path.join(case, "stderr")):
            for line in open(os.path.join(case, "stderr")):
                line = line.rstrip("\n")
                if line and line not in err:
                    sys.exit(f"FAIL: {name}: stderr lacks {line!r}:\n{err}")
        if os.path.isdir(out) and os.listdir(out):
            sys.exit(f"FAIL: {name}: generate failed but wrote {os.listdir(out)}")
        print(f"ok: {name}: fails as expected (exit {want})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    global CASE
    case = os.path.abspath(sys.argv[1])
    CASE = case
    name = os.path.basename(case)
    traces = sorted(glob.glob(os.path.join(case, "trace*.json")))
    if not traces:
        sys.exit(f"FAIL: {name}: no trace*.json")
    args_path = os.path.join(case, "args")
    args = open(args_path).read().split() if os.path.exists(args_path) else []
    if os.path.exists(os.path.join(case, "exit")):
        return expect_failure(case, name, traces, args)
    expdir = os.path.join(case, "expected")
    files = sorted(f for f in os.listdir(expdir) if f != "notes") if os.path.isdir(expdir) else ["seccomp.json"]
    orders = list(itertools.permutations(traces)) if len(traces) <= 3 else [traces, traces[::-1]]
    tmp = tempfile.mkdtemp(prefix=f"minpriv-golden-{name}-")
    try:
        results = []
        for i, order in enumerate(orders):
            out = os.path.join(tmp, str(i))
            stderr = generate(list(order), args, out)
            notes = "".join(line + "\n" for line in stderr.splitlines()
                            if any(line.startswith(f"minpriv: {f}:") for f in files))
            got = {f: open(os.path.join(out, f), "rb").read() for f in files}
            got["notes"] = notes.encode()
            results.append(got)
        if len(traces) > 1:
            # merged first with `minpriv merge`: the same bytes again
            merged = os.path.join(tmp, "merged.json")
            p = subprocess.run([MINPRIV, "merge", "-o", merged, *traces], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if p.returncode != 0:
                sys.exit(f"FAIL: {name}: minpriv merge: {p.stderr.decode(errors='replace')}")
            out = os.path.join(tmp, "merged")
            stderr = generate([merged], args, out)
            notes = "".join(line + "\n" for line in stderr.splitlines()
                            if any(line.startswith(f"minpriv: {f}:") for f in files))
            got = {f: open(os.path.join(out, f), "rb").read() for f in files}
            got["notes"] = notes.encode()
            orders.append(("merged first",))
            results.append(got)
        for i, r in enumerate(results[1:], 1):
            for f in r:
                if r[f] != results[0][f]:
                    sys.exit(f"FAIL: {name}: {f} differs between trace orders "
                             f"{[os.path.basename(t) for t in orders[0]]} and {[os.path.basename(t) for t in orders[i]]}")
        if os.environ.get("MINPRIV_UPDATE_GOLDEN"):
            os.makedirs(expdir, exist_ok=True)
            for f, data in results[0].items():
                path = os.path.join(expdir, f)
                if f == "notes" and not data:
                    if os.path.exists(path):
                        os.unlink(path)
                    continue
                with open(path, "wb") as fh:
                    fh.write(data)
            print(f"updated: {name}")
            return
        bad = []
        for f, data in results[0].items():
            path = os.path.join(expdir, f)
            want = open(path, "rb").read() if os.path.exists(path) else b""
            if data != want:
                diff = difflib.unified_diff(want.decode(errors="replace").splitlines(True),
                                            data.decode(errors="replace").splitlines(True),
                                            f"expected/{f}", f"generated/{f}")
                bad.append("".join(diff))
        if bad:
            sys.exit(f"FAIL: {name}: output differs from the golden files "
                     f"(MINPRIV_UPDATE_GOLDEN=1 to accept):\n" + "\n".join(bad))
        parser = shutil.which("apparmor_parser") or (
            "/sbin/apparmor_parser" if os.path.exists("/sbin/apparmor_parser") else None)
        if "apparmor.profile" in files and parser:
            r = subprocess.run([parser, "-QK", os.path.join(expdir, "apparmor.profile")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit(f"FAIL: {name}: apparmor_parser -QK: {r.stderr.decode(errors='replace')}")
        print(f"ok: {name}: {', '.join(files)} match for {len(orders)} trace order(s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
