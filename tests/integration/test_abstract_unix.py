#!/usr/bin/env python3
"""Abstract unix socket names with NUL bytes (issue 12, item 12).

A workload binds and connects to the abstract name "\\0minpriv-nul\\0y" (NUL
bytes inside the name). The trace must hold the whole name ("@minpriv-nul\\x00y",
not "@minpriv-nul", which would name another socket); apparmor.profile must
allow exactly it (addr="@minpriv-nul\\000y": asked through tests/aa_check.c,
the cut name and a sibling are refused) and compile with apparmor_parser
when installed; the report shows it escaped; and `minpriv diff` tells two
names that differ only after the NUL apart."""
import os
import shutil
import subprocess
import sys

import mp

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SCRIPT = """import socket, sys
name = sys.argv[1].encode().replace(b"@", b"\\0")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(name)
s.listen(1)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(name)
print("ok")
"""


def record(work, tail):
    script = os.path.join(work, "abstract.py")
    with open(script, "w") as f:
        f.write(SCRIPT)
    out = os.path.join(work, f"trace-{tail}.json")
    # "@" stands for NUL in the argument: "\\0minpriv-nul\\0" + tail
    st, trace, err = mp.record([PYTHON, script, f"@minpriv-nul-{os.getpid()}@{tail}"], out=out)
    mp.check(st == 0, f"the workload failed under minpriv record ({st}): {err}")
    return out, trace


def main():
    work = os.path.realpath(mp.tmpdir())
    name = f"@minpriv-nul-{os.getpid()}\\x00y"  # as the trace encodes it
    t1, trace = record(work, "y")
    for op in ("bind", "connect"):
        got = sorted(trace["network"].get(op, {}).get("AF_UNIX", {}))
        mp.check(got == [name], f"{op}: recorded {got}, expected [{name!r}]")
    prof_dir = os.path.join(work, "p")
    rc, _, err = mp.minpriv("generate", "-q", "-o", prof_dir, "--runtime", "none", t1)
    mp.check(rc == 0, f"generate: {err}")
    profile = os.path.join(prof_dir, "apparmor.profile")
    text = open(profile).read()
    want = f'addr="@minpriv-nul-{os.getpid()}\\000y"'
    mp.check(f"unix (bind, listen, accept) {want}," in text and f"peer=({want})" in text,
             f"the profile does not have {want}:\n" + "\n".join(ln for ln in text.splitlines() if "unix" in ln))

    raw = f"@minpriv-nul-{os.getpid()}".encode()
    queries = [(raw + b"\0y", True, "the recorded name"), (raw, False, "the name cut at the NUL"),
               (raw + b"\0z", False, "a sibling after the NUL"), (raw + b"\0y\0", False, "a longer name")]
    lines = []
    for addr, want_ok, _ in queries:
        lines.append(f"unix bind - {addr.hex()}")
        lines.append(f"unix connect - {addr.hex()}")
    p = subprocess.run([os.environ["MINPRIV_AA_CHECK"], profile], input="\n".join(lines) + "\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    mp.check(p.returncode == 0, f"aa_check: {p.returncode} {p.stderr}")
    answers = p.stdout.split()
    mp.check(len(answers) == len(lines), f"aa_check answered {p.stdout!r}")
    for i, (addr, want_ok, what) in enumerate(queries):
        for j, op in enumerate(("bind", "connect")):
            got = answers[2 * i + j]
            mp.check(got == ("allow" if want_ok else "deny"), f"{op} {what} ({addr!r}): aa_check says {got}")

    parser = shutil.which("apparmor_parser") or ("/sbin/apparmor_parser" if os.path.exists("/sbin/apparmor_parser")
                                                 else None)
    if parser:
        p = subprocess.run([parser, "-QK", profile], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        mp.check(p.returncode == 0, f"apparmor_parser -QK: {p.stderr.decode(errors='replace')}")

    report = os.path.join(work, "r.html")
    rc, _, err = mp.minpriv("report", "-q", "-o", report, t1)
    mp.check(rc == 0, f"report: {err}")
    html = open(report, encoding="utf-8").read()
    mp.check(f"minpriv-nul-{os.getpid()}\\x00y" in html, "the report does not show the name escaped")

    t2, _ = record(work, "q")
    rc, out, err = mp.minpriv("diff", "--fail-on-widen", t1, t2)
    mp.check(rc == 1 and "no differences" not in out and "\\000q" in out, f"diff of y vs q names: {rc}\n{out}{err}")
    print(f"ok: {name} recorded whole; profile, matcher, parser, report and diff agree")


if __name__ == "__main__":
    main()
