#!/usr/bin/env python3
"""Golden tests: `minpriv generate` on stored traces, compared byte for byte.

    test_golden.py CASE_DIR

A case directory (tests/golden/<case>/) holds:
  trace*.json   the input traces (all of them, in name order)
  args          optional: extra `generate` arguments, one a line; a line
                naming a file of the case directory is an input too
  exit          optional: the expected exit status (default 0)
  stderr        optional: lines that must appear in generate's stderr
  README*       notes, ignored
and, as expected output, any file `generate` writes (apparmor.profile,
seccomp.json, ...): each one present is compared with what generate wrote
into a temporary directory, so emitters can add their files independently.
Every expected file must be produced. generate runs in the case directory
(relative names in args and messages stay short).

MINPRIV_UPDATE_GOLDEN=1 rewrites the expected files present from the
output (review the diff before committing). An expected apparmor.profile
is also compiled with `apparmor_parser -QK` when that is installed.
"""
import filecmp
import os
import shutil
import subprocess
import sys

import mp

MINPRIV = os.path.abspath(mp.MINPRIV)


def main():
    if len(sys.argv) != 2:
        mp.fail("usage: test_golden.py CASE_DIR")
    case = os.path.abspath(sys.argv[1])
    names = sorted(os.listdir(case))
    traces = [n for n in names if n.startswith("trace") and n.endswith(".json")]
    mp.check(traces, f"{case}: no trace*.json")
    args = []
    if "args" in names:
        with open(os.path.join(case, "args")) as f:
            args = [l.rstrip("\n") for l in f if l.strip()]
    inputs = set(traces) | {"args", "exit", "stderr"} | {a for a in args if a in names}
    expected = [n for n in names if n not in inputs and not n.startswith("README")]
    want_exit = 0
    if "exit" in names:
        with open(os.path.join(case, "exit")) as f:
            want_exit = int(f.read().strip())

    out = mp.tmpdir()
    p = subprocess.run([MINPRIV, "generate", "-o", out, *args, *traces], cwd=case, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    err = p.stderr.decode(errors="replace")
    mp.check(p.returncode == want_exit, f"{case}: generate exited {p.returncode}, expected {want_exit}\n{err}")
    if "stderr" in names:
        with open(os.path.join(case, "stderr")) as f:
            for line in f:
                line = line.rstrip("\n")
                mp.check(not line or line in err, f"{case}: stderr lacks {line!r}:\n{err}")
    if want_exit != 0:
        mp.check(not os.listdir(out), f"{case}: generate failed but wrote {os.listdir(out)}")
    if len(traces) > 1 and want_exit == 0:
        # the traces in the other order give the same bytes
        out2 = mp.tmpdir()
        p2 = subprocess.run([MINPRIV, "generate", "-q", "-o", out2, *args, *reversed(traces)], cwd=case,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        mp.check(p2.returncode == 0, f"{case}: generate (traces reversed) failed: {p2.stderr.decode()}")
        for n in sorted(os.listdir(out)):
            mp.check(filecmp.cmp(os.path.join(out, n), os.path.join(out2, n), shallow=False),
                     f"{case}: {n} depends on the order of the traces")
        shutil.rmtree(out2, ignore_errors=True)
    update = os.environ.get("MINPRIV_UPDATE_GOLDEN") == "1"
    compared = 0
    for n in expected:
        got = os.path.join(out, n)
        want = os.path.join(case, n)
        mp.check(os.path.exists(got), f"{case}: generate did not write {n}")
        if update:
            shutil.copyfile(got, want)
        elif not filecmp.cmp(got, want, shallow=False):
            diff = subprocess.run(["diff", "-u", want, got], stdout=subprocess.PIPE).stdout.decode(errors="replace")
            mp.fail(f"{case}: {n} differs from the expected file (MINPRIV_UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")
        compared += 1
        if n == "apparmor.profile":
            parser = shutil.which("apparmor_parser") or ("/sbin/apparmor_parser"
                                                         if os.path.exists("/sbin/apparmor_parser") else None)
            if parser:
                r = subprocess.run([parser, "-QK", want], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                mp.check(r.returncode == 0, f"{case}: apparmor_parser -QK {n}: {r.stderr.decode(errors='replace')}")
    mp.check(compared or want_exit != 0, f"{case}: no expected output file")
    shutil.rmtree(out, ignore_errors=True)
    print(f"{os.path.basename(case)}: {compared} file(s) {'updated' if update else 'as expected'}")


if __name__ == "__main__":
    main()
