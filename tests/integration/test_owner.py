#!/usr/bin/env python3
"""by_owner follows who really used a file (docs/trace-format.md, files).

As root, a Python workload:
  - opens log.txt (root's) for appending, forks a child that drops to uid
    65534 and writes through the inherited descriptor (nginx's master and
    workers): log.txt must NOT be by_owner;
  - creates tmpdir/ and chowns it to 65534, then removes it as root (a
    root `rm -rf` of a directory a server's user owns): not by_owner;
  - creates, writes and removes own.txt as root only: by_owner (control);
  - keep.txt, also open in the parent when the child drops its privileges
    but never used by the child, counts as used by the child too (the
    tracer sees descriptors held, not uses: conservative, so not by_owner),
    while late.txt, opened by the parent after that, stays by_owner.
The generated AppArmor profile must give `owner` to own.txt and late.txt
and not to the others."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

WORKLOAD = r'''
import os, sys
w = sys.argv[1]
log = os.open(os.path.join(w, "log.txt"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
keep = os.open(os.path.join(w, "keep.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
r, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.setgid(65534)
    os.setuid(65534)
    os.write(log, b"from the worker\n")
    os.write(wr, b"x")
    os._exit(0)
os.close(wr)
os.read(r, 1)
os.waitpid(pid, 0)
late = os.open(os.path.join(w, "late.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
os.write(late, b"late\n")
os.close(late)
d = os.path.join(w, "tmpdir")
os.mkdir(d)
os.chown(d, 65534, 65534)
os.rmdir(d)
with open(os.path.join(w, "own.txt"), "w") as f:
    f.write("root only\n")
os.unlink(os.path.join(w, "own.txt"))
print("owner workload: ok")
'''


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (setuid to 65534)", file=sys.stderr)
        sys.exit(77)
    tmp = mp.tmpdir()
    os.chmod(tmp, 0o755)
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    script = os.path.join(tmp, "owner.py")
    with open(script, "w") as f:
        f.write(WORKLOAD)
    trace_path = os.path.join(tmp, "trace.json")
    _, trace, err = mp.record([sys.executable, script, work], out=trace_path, check_status=0)
    files = trace["files"]
    want = {"log.txt": False, "keep.txt": False, "tmpdir": False, "own.txt": True, "late.txt": True}
    for name, owner in want.items():
        node = files.get(os.path.join(work, name))
        mp.check(node is not None, f"{name} not recorded")
        mp.check(node.get("by_owner") is owner, f"{name}: by_owner {node.get('by_owner')}, want {owner}: {node}")
    prof = os.path.join(tmp, "profiles")
    p = subprocess.run([mp.MINPRIV, "generate", "-q", "-o", prof, trace_path], stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"generate: {p.stderr.decode(errors='replace')}")
    with open(os.path.join(prof, "apparmor.profile")) as f:
        text = f.read()
    for name, owner in want.items():
        path = os.path.join(work, name) + ("/" if name == "tmpdir" else "")
        m = re.search(r"^\s*(owner )?" + re.escape(path) + r" \w+,$", text, re.M)
        mp.check(m is not None, f"no rule for {path} in\n{text}")
        mp.check(bool(m.group(1)) is owner, f"{name}: rule {m.group(0).strip()!r}, owner wanted: {owner}")
    print("owner: inherited descriptor across setuid, chown then root's rmdir, root-only files: as expected")


if __name__ == "__main__":
    main()
