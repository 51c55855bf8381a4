#!/usr/bin/env python3
"""io_uring is recorded (issue 12 item 3). samples/uring submits, through a
ring set up with raw syscalls, an IORING_OP_OPENAT of a file for reading
and one that creates a file (O_CREAT, relative to a dirfd), then a STATX.
None of these pass through the open syscalls. The trace must hold the ring,
its opcodes and the accesses with their results; the AppArmor profile,
files-used.txt and hardening.md must show them, hardening.md must say that
seccomp cannot mediate the ring. A failing open through the ring is
recorded with its errno (ENOENT, from the completion queue). An SQPOLL ring
is reported as unrecordable. Skips when the host refuses io_uring."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import mp  # noqa: E402


def ops(trace):
    out = {}
    for ring in trace.get("io_uring", {}).get("rings", {}).values():
        for op, u in ring.get("opcodes", {}).items():
            out[op] = out.get(op, 0) + sum(p["count"] for p in u["programs"].values())
    return out


def main():
    uring = mp.sample("uring")
    work = mp.tmpdir()
    inp = "/etc/passwd"  # outside the /tmp tmpfs, so files-used.txt lists it
    outdir = os.path.join(work, "out")
    os.mkdir(outdir)
    probe = subprocess.run([uring, inp, outdir, "probe"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if probe.returncode == 77:
        print(f"SKIP: io_uring unavailable here: {probe.stderr.decode().strip()}", file=sys.stderr)
        sys.exit(77)
    mp.check(probe.returncode == 0, f"the sample fails without the recorder: {probe.stderr.decode()}")
    os.unlink(os.path.join(outdir, "probe"))

    tpath = os.path.join(work, "trace.json")
    mp.record([uring, inp, outdir, "created"], out=tpath, check_status=0)
    t = json.load(open(tpath))
    mp.check(t["version"] >= 2, f"trace version {t['version']} (io_uring needs 2)")
    mp.check("io_uring_setup" in t["syscalls"]["x86_64"] and "io_uring_enter" in t["syscalls"]["x86_64"],
             "the io_uring syscalls are not recorded")
    mp.check(list(t["io_uring"]["rings"]) == ["none"], f"rings: {list(t['io_uring']['rings'])}")
    got = ops(t)
    mp.check(got == {"IORING_OP_OPENAT": 2, "IORING_OP_STATX": 1}, f"opcodes recorded: {got}")
    created = os.path.join(outdir, "created")
    fi, fc = t["files"].get(inp, {}).get("access", {}), t["files"].get(created, {}).get("access", {})
    mp.check("ok" in fi.get("read", {}) and "ok" in fi.get("stat", {}), f"the ring's read/statx of input: {fi}")
    mp.check("ok" in fc.get("create", {}) and "ok" in fc.get("write", {}), f"the ring's O_CREAT open: {fc}")

    out = os.path.join(work, "profiles")
    rc, _, err = mp.minpriv("generate", "-o", out, tpath)
    mp.check(rc == 0, f"generate failed: {err}")
    aa = open(os.path.join(out, "apparmor.profile")).read()
    mp.check(f"  {inp} r," in aa, "the AppArmor profile lacks the ring's read")
    mp.check(f" {created} w," in aa, "the AppArmor profile lacks the ring's create")
    used = open(os.path.join(out, "files-used.txt")).read().split("\n")
    mp.check(inp in used and created not in used, f"files-used.txt: {inp} listed? {inp in used}")
    md = open(os.path.join(out, "hardening.md")).read()
    mp.check("**io_uring was used**" in md and "`IORING_OP_OPENAT` x2" in md and "cannot mediate" in md,
             "hardening.md does not report the ring, its opcodes and what seccomp cannot see")
    rc, _, err = mp.minpriv("report", "-o", os.path.join(work, "report.html"), tpath)
    if rc == 0:
        html = open(os.path.join(work, "report.html")).read()
        mp.check('id="io_uring"' in html and "IORING_OP_OPENAT" in html, "the report has no io_uring section")

    # a failed open through the ring: its errno comes from the completion queue
    missing = os.path.join(work, "no-such-file")
    tpath2 = os.path.join(work, "trace2.json")
    mp.record([uring, missing, outdir, "created2"], out=tpath2, check_status=1)
    t2 = json.load(open(tpath2))
    fm = t2["files"].get(missing, {}).get("access", {}).get("read", {})
    mp.check(list(fm) == ["ENOENT"], f"the ring's failed open is not recorded as ENOENT: {fm}")

    # an SQPOLL ring cannot be read reliably: said so
    sq = subprocess.run([uring, "--sqpoll", inp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if sq.returncode == 0:
        tpath3 = os.path.join(work, "trace3.json")
        mp.record([uring, "--sqpoll", inp], out=tpath3, check_status=0)
        t3 = json.load(open(tpath3))
        unrec = t3.get("io_uring", {}).get("unrecordable", {})
        mp.check(any("SQPOLL" in k for k in unrec), f"the SQPOLL ring is not reported unrecordable: {unrec}")
        rc, _, err = mp.minpriv("generate", "-o", os.path.join(work, "p3"), tpath3)
        mp.check(rc == 0, f"generate failed: {err}")
        md3 = open(os.path.join(work, "p3", "hardening.md")).read()
        mp.check("**Not recorded — review:**" in md3 and "SQPOLL" in md3, "hardening.md hides the SQPOLL ring")
    else:
        print(f"note: SQPOLL unavailable here ({sq.stderr.decode().strip()}), that part not run")
    print("ok")


if __name__ == "__main__":
    main()
