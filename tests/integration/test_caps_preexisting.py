#!/usr/bin/env python3
"""Capabilities that come from host leftovers (issue 12 item 10).

Outside the recording, a 0700 data directory owned by 65534 is left behind
(as an earlier run of a service would); then root's `rm -rf` of it is
recorded: CAP_DAC_READ_SEARCH and CAP_DAC_OVERRIDE are used, and every such
reason is marked `preexisting` in the trace, flagged "(pre-existing state)"
in caps.txt with the advice to record in a fresh container, and listed in
hardening.md. The negative control records the same, but with the service
user creating the directory inside the recording: the same capabilities,
no mark. Needs root and setpriv."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import mp  # noqa: E402

SVC = 65534


def leftover(d):
    os.makedirs(os.path.join(d, "sub"))
    with open(os.path.join(d, "sub", "state"), "w") as f:
        f.write("x\n")
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            os.chown(os.path.join(root, n), SVC, SVC)
    os.chown(d, SVC, SVC)
    os.chmod(os.path.join(d, "sub"), 0o700)
    os.chmod(d, 0o700)


def generate(trace, out):
    rc, _, err = mp.minpriv("generate", "-o", out, trace)
    mp.check(rc == 0, f"generate failed: {err}")
    return open(os.path.join(out, "caps.txt")).read(), open(os.path.join(out, "hardening.md")).read()


def dac_reasons(trace):
    caps = trace.get("capabilities", {})
    return {(c, r): v for c in ("CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH") for r, v in caps.get(c, {}).items()}


def main():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("SKIP: needs root and setpriv", file=sys.stderr)
        sys.exit(77)
    work = mp.tmpdir()
    os.chmod(work, 0o755)

    # the leftover exists before the recording
    data = os.path.join(work, "data")
    leftover(data)
    tpath = os.path.join(work, "leftover.json")
    mp.record(["rm", "-rf", data], out=tpath, check_status=0)
    mp.check(not os.path.exists(data), "rm -rf did not remove the data directory")
    t = json.load(open(tpath))
    reasons = dac_reasons(t)
    mp.check({c for c, _ in reasons} == {"CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"},
             f"rm -rf of the leftover did not use both DAC capabilities: {sorted(reasons)}")
    unmarked = [r for (c, r), v in reasons.items() if v.get("preexisting") is not True]
    mp.check(not unmarked, f"reasons about the leftover not marked preexisting: {unmarked}")
    caps, md = generate(tpath, os.path.join(work, "p1"))
    lines = [l for l in caps.splitlines() if l.startswith("#   ")]
    mp.check(lines and all(l.endswith("(pre-existing state)") for l in lines), f"caps.txt reasons not marked: {lines}")
    mp.check("Record in a fresh container" in caps, "caps.txt does not say how to avoid it")
    mp.check("reasons depend on pre-existing state:**" in md and "Record in a fresh container" in md,
             "hardening.md does not flag the pre-existing state")
    # caps.txt still reads back (diff parses it)
    rc, _, err = mp.minpriv("diff", os.path.join(work, "p1"), os.path.join(work, "p1"))
    mp.check(rc == 0, f"diff cannot read the caps.txt it wrote: {err}")

    # negative control: the service user makes the directory while recorded
    shared = os.path.join(work, "shared")  # like /tmp: the service user may make its directory there
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    data2 = os.path.join(shared, "data2")
    script = (f"setpriv --reuid={SVC} --regid={SVC} --clear-groups sh -c "
              f"'umask 077; mkdir -p {data2}/sub && echo x > {data2}/sub/state' && rm -rf {data2}")
    tpath2 = os.path.join(work, "fresh.json")
    mp.record(["sh", "-c", script], out=tpath2, check_status=0)
    t2 = json.load(open(tpath2))
    reasons2 = dac_reasons(t2)
    mp.check({c for c, _ in reasons2} == {"CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"},
             f"the control did not use both DAC capabilities: {sorted(reasons2)}")
    marked = [r for (c, r), v in reasons2.items() if "preexisting" in v]
    mp.check(not marked, f"reasons about a directory made while recorded are marked preexisting: {marked}")
    caps2, md2 = generate(tpath2, os.path.join(work, "p2"))
    mp.check("pre-existing" not in caps2 and "pre-existing state" not in md2, "the control is flagged")
    print("ok")


if __name__ == "__main__":
    main()
