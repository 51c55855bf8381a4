#!/usr/bin/env python3
"""A golden diff case: `minpriv diff` of a case's OLD and NEW must give the
expected text, markdown and json byte for byte.

A case is tests/golden-diff/CASE/ with
  old*, new*       the inputs (profile directories, files of one kind, or traces)
  expected.txt     `minpriv diff --format text old* new*` (stdout is a pipe: no colour)
  expected.md      the same with --format markdown
  expected.json    the same with --format json
The diff runs in the case directory with relative paths, so the names in
the output are stable. Also checked: --fail-on-widen exits 1 exactly when
the json says "widens"; the diff the other way round has as many widenings
as this one has narrowings and the other way round; the output does not
depend on anything but the inputs (run twice).
Templates come from tests/golden/templates (pinned, for trace cases).
MINPRIV_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing.
Usage: run-golden-diff.py CASE_DIR"""
import difflib
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))


def run(case, *args):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["MINPRIV_TEMPLATES"] = os.path.join(ROOT, "tests", "golden", "templates")
    p = subprocess.run([MINPRIV, "diff", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=case, env=env,
                       timeout=600)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def one(case, prefix):
    found = sorted(os.path.basename(p) for p in glob.glob(os.path.join(case, prefix + "*")))
    if len(found) != 1:
        sys.exit(f"FAIL: {case}: expected exactly one {prefix}* input, found {found}")
    return found[0]


def main():
    case = os.path.abspath(sys.argv[1])
    name = os.path.basename(case)
    old, new = one(case, "old"), one(case, "new")
    update = os.environ.get("MINPRIV_UPDATE_GOLDEN") == "1"
    outputs = {}
    for fmt, ext in (("text", "txt"), ("markdown", "md"), ("json", "json")):
        rc, out, err = run(case, "--format", fmt, old, new)
        if rc != 0 or err:
            sys.exit(f"FAIL: {name}: diff --format {fmt} exited {rc}:\n{err}")
        rc2, out2, _ = run(case, "--format", fmt, old, new)
        if out2 != out:
            sys.exit(f"FAIL: {name}: two runs of --format {fmt} differ")
        outputs[fmt] = out
        path = os.path.join(case, f"expected.{ext}")
        if update:
            with open(path, "w") as f:
                f.write(out)
            continue
        want = open(path).read()
        if out != want:
            d = "".join(difflib.unified_diff(want.splitlines(True), out.splitlines(True), f"expected.{ext}", "got"))
            sys.exit(f"FAIL: {name}: --format {fmt} differs from expected.{ext}:\n{d}")
    doc = json.loads(outputs["json"])
    rc, _, err = run(case, "--fail-on-widen", old, new)
    if rc != (1 if doc["widens"] else 0):
        sys.exit(f"FAIL: {name}: --fail-on-widen exited {rc} for widens={doc['widens']}: {err}")
    rc, out, err = run(case, "--format", "json", new, old)
    back = json.loads(out)
    if rc != 0 or back["counts"]["widen"] != doc["counts"]["narrow"] or \
            back["counts"]["narrow"] != doc["counts"]["widen"]:
        sys.exit(f"FAIL: {name}: the reverse diff is not the mirror image: {doc['counts']} vs {back['counts']}")
    print(f"ok: {name}: {doc['counts']}" + (" (updated)" if update else ""))


if __name__ == "__main__":
    main()
