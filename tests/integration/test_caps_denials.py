#!/usr/bin/env python3
"""hardening.md lists a capability as refused only when a permission check
refused the call (issue 12, item 11).

 1. root (every capability) runs `mkdir F/sub` where F is another user's
    0600 file: the kernel answers ENOTDIR. The tracer records no
    CAP_DAC_OVERRIDE reason for it and hardening.md says no call was
    refused a capability;
 2. a trace from an older tracer holding such a reason with only ENOTDIR
    (and one with ENOENT) gives the same, and caps.txt stays empty;
 3. a real refusal still shows: the same reason with EPERM is listed under
    "Denied during recording", and an unprivileged `chown` of root's file
    (EPERM) is recorded and listed."""
import json
import os
import shutil
import subprocess
import sys

import mp

NOBODY = 65534
DENIED = "### Denied during recording"
NONE = "No call was refused a capability."


def hardening(work, name, trace_path):
    out = os.path.join(work, "out-" + name)
    rc, _, err = mp.minpriv("generate", "-q", "-o", out, "--runtime", "none", trace_path)
    mp.check(rc == 0, f"{name}: generate: {err}")
    with open(os.path.join(out, "hardening.md")) as f:
        md = f.read()
    with open(os.path.join(out, "caps.txt")) as f:
        caps = [ln for ln in f.read().splitlines() if ln and not ln.startswith("#")]
    return md[md.index(DENIED):].split("\n## ")[0], caps


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr)
        sys.exit(77)
    work = os.path.realpath(mp.tmpdir())
    os.chmod(work, 0o755)
    theirs = os.path.join(work, "theirs")
    with open(theirs, "w") as f:
        f.write("x")
    os.chown(theirs, NOBODY, NOBODY)
    os.chmod(theirs, 0o600)

    # 1. the real thing, as root
    t1 = os.path.join(work, "mkdir.json")
    st, trace, err = mp.record(["/usr/bin/mkdir", os.path.join(theirs, "sub")], out=t1)
    mp.check(st == 1 and "Not a directory" in err, f"mkdir: status {st}: {err}")
    reasons = {r: n for c in trace.get("capabilities", {}).values() for r, n in c.items()}
    mp.check(not reasons, f"root's ENOTDIR recorded as capability reasons: {reasons}")
    denied, caps = hardening(work, "mkdir", t1)
    mp.check(NONE in denied and not caps, f"root mkdir ENOTDIR:\n{denied}\ncaps {caps}")

    # 2. and 3. a reason node as an older tracer wrote it, with each result
    reason = f"mkdir {theirs}: write to a directory refused by owner 65534:65534 mode 0600 to uid 0"
    for errno_name, listed in (("ENOTDIR", False), ("ENOENT", False), ("EPERM", True), ("EACCES", True)):
        t = json.loads(json.dumps(trace))
        t["capabilities"] = {"CAP_DAC_OVERRIDE": {reason: {
            "syscall": "mkdir", "object": theirs,
            "inputs": {"uid": 0, "euid": 0, "fsuid": 0, "groups": "", "cap_eff": "000001fffeffffff"},
            "results": {errno_name: {"programs": {"/usr/bin/mkdir": {"count": 1}}}}}}}
        path = os.path.join(work, f"old-{errno_name}.json")
        with open(path, "w") as f:
            json.dump(t, f)
        denied, caps = hardening(work, errno_name, path)
        mp.check(not caps, f"{errno_name}: caps.txt lists {caps}")
        if listed:
            mp.check("1 kind of call failed for want of a capability" in denied and
                     f"`CAP_DAC_OVERRIDE`: `{reason}` — {errno_name} x1" in denied, f"{errno_name}:\n{denied}")
        else:
            mp.check(NONE in denied and "CAP_DAC_OVERRIDE" not in denied, f"{errno_name} listed:\n{denied}")

    # 3. an unprivileged chown of root's file: EPERM, a real refusal
    if not shutil.which("setpriv"):
        print("SKIP: setpriv not installed", file=sys.stderr)
        sys.exit(77)
    mine = os.path.join(work, "mine")
    with open(mine, "w") as f:
        f.write("x")
    os.chmod(mine, 0o666)
    minpriv = shutil.copy(mp.MINPRIV, os.path.join(work, "minpriv"))
    os.chmod(minpriv, 0o755)
    out_dir = os.path.join(work, "out")
    os.mkdir(out_dir)
    os.chown(out_dir, NOBODY, NOBODY)
    t3 = os.path.join(out_dir, "chown.json")
    p = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
                        minpriv, "record", "-q", "-o", t3, "--", "/usr/bin/chown", f"{NOBODY}", mine],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work, timeout=120)
    mp.check(p.returncode == 1 and os.path.exists(t3), f"unprivileged chown: {p.returncode} {p.stderr!r}")
    denied, caps = hardening(work, "chown", t3)
    mp.check("`CAP_CHOWN`" in denied and "EPERM x1" in denied and not caps, f"unprivileged chown:\n{denied}")
    print("ok: ENOTDIR/ENOENT are no capability denial (recorded or old traces); EPERM/EACCES still are")


if __name__ == "__main__":
    main()
