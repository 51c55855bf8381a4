#!/usr/bin/env python3
"""`minpriv verify` starts with a grouped summary and suggests globs.

A small Python workload writes and removes 6 temporary files
(tempfile.mkstemp, random names) and one fixed file in a work directory.
It is recorded and its profiles generated; the generated profile has one
glob rule for the temporary files (checked). That rule is then taken out,
as in a profile from before the workload used temporary files, and verify
runs the workload again (new random names):

- the report starts with "summary: 1 rule to add" and a line counting all
  the violations (one per file and access kind) under ONE suggested rule, a
  glob (`job????????.dat`), with the reason for the glob; every fix line
  suggests that glob;
- no line of the report suggests a literal random name;
- the fixed file, still allowed, is not reported.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

WORKLOAD = r'''
import os, sys, tempfile
work = sys.argv[1]
for i in range(6):
    fd, path = tempfile.mkstemp(prefix="job", suffix=".dat", dir=work)
    os.write(fd, b"x" * i)
    os.close(fd)
    os.unlink(path)
with open(os.path.join(work, "fixed.txt"), "w") as f:
    f.write("ok")
'''


def main():
    tmp = mp.tmpdir()
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    script = os.path.join(tmp, "tempfiles.py")
    with open(script, "w") as f:
        f.write(WORKLOAD)
    argv = [sys.executable, script, work]
    trace = os.path.join(tmp, "trace.json")
    mp.record(argv, out=trace)
    prof = os.path.join(tmp, "profiles")
    p = subprocess.run([mp.MINPRIV, "generate", "-q", "-o", prof, trace], stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"generate: {p.stderr.decode(errors='replace')}")
    aa = os.path.join(prof, "apparmor.profile")
    with open(aa) as f:
        text = f.read()
    glob = re.compile(r"^\s*(owner )?" + re.escape(work) + r"/job\?{8}\.dat rw,$", re.M)
    mp.check(glob.search(text), f"generate: no glob rule for the temporary files in\n{text}")
    mp.check(not re.search(re.escape(work) + r"/job[a-z0-9_]{8}\.dat", text),
             f"generate: a literal temporary name in\n{text}")
    with open(aa, "w") as f:
        f.write(glob.sub("", text))

    report = os.path.join(tmp, "report.txt")
    p = subprocess.run([mp.MINPRIV, "verify", "-p", prof, "-o", report, "--", *argv], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    with open(report) as f:
        rep = f.read()
    mp.check(p.returncode == 3, f"verify: exit {p.returncode} (want 3: violations)\n{rep}")
    lines = rep.splitlines()
    mp.check(lines[1:2] == ["summary: 1 rule to add (violations each covers):"],
             f"verify: the report does not start with the summary:\n{rep}")
    # one violation per name and access kind (create, write, delete...)
    nviol = len([l for l in lines if l.startswith("apparmor.profile: ")])
    mp.check(nviol >= 6, f"verify: {nviol} violations, want one per temporary file and kind at least:\n{rep}")
    want = re.compile(rf"^\s+{nviol}  apparmor\.profile: (owner )?" + re.escape(work) + r"/job\?{8}\.dat rw,$")
    mp.check(want.match(lines[2]), f"verify: the summary line is not one glob for all {nviol} violations:\n{rep}")
    mp.check("(a glob: names the workload created" in lines[3], f"verify: the glob's reason is missing:\n{rep}")
    fixes = [l for l in lines if l.strip().startswith("fix:")]
    mp.check(len(fixes) == nviol and all("job????????.dat" in l for l in fixes),
             f"verify: the fixes do not all suggest the glob:\n{rep}")
    mp.check(not re.search(r"`[^`]*/job[a-z0-9_]{8}\.dat ", rep), f"verify: a literal random name suggested:\n{rep}")
    mp.check("fixed.txt" not in rep, f"verify: the allowed file is reported:\n{rep}")
    print(f"verify summary: {nviol} violations under one glob rule, no literal random names")


if __name__ == "__main__":
    main()
