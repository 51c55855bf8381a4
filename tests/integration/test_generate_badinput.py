#!/usr/bin/env python3
"""`minpriv generate` on bad input: every case exits 2 with one clear message
naming the culprit, writes nothing, and leaves a previous generation in the
output directory exactly as it was (same bytes, same inode, no temporary
files). A good run over it replaces the files atomically."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

TEMPLATES = os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "tests", "golden", "templates")


def trace_with(syscalls, path):
    t = {"format": "minpriv-trace", "version": 1, "runs": [], "syscalls": syscalls}
    with open(path, "w") as f:
        json.dump(t, f)
    return path


def generate(*args, env=None):
    e = {**os.environ, "MINPRIV_TEMPLATES": TEMPLATES, **(env or {})}
    p = subprocess.run([mp.MINPRIV, "generate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                       timeout=60)
    return p.returncode, p.stderr.decode(errors="replace")


def snapshot(d):
    """Names, bytes and inodes of everything in d."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        st = os.lstat(p)
        data = open(p, "rb").read() if os.path.isfile(p) else None
        out[name] = (st.st_ino, data)
    return out


def main():
    work = mp.tmpdir()
    good = trace_with({"x86_64": {"read": {"first": "/p", "programs": {"/p": {"count": 1}}},
                                  "exit_group": {"first": "/p", "programs": {"/p": {"count": 1}}}}},
                      os.path.join(work, "good.json"))
    good2 = trace_with({"x86_64": {"write": {"first": "/p", "programs": {"/p": {"count": 1}}},
                                   "exit_group": {"first": "/p", "programs": {"/p": {"count": 1}}}}},
                       os.path.join(work, "good2.json"))
    empty_trace = trace_with({}, os.path.join(work, "empty-trace.json"))
    syntax = os.path.join(work, "syntax.json")
    with open(syntax, "w") as f:
        f.write('{"format": "minpriv-trace",\n "version": 1,\n "runs": [}\n')
    empty_file = os.path.join(work, "empty.json")
    open(empty_file, "w").close()
    notatrace = os.path.join(work, "other.json")
    with open(notatrace, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ERRNO"}, f)
    badname = trace_with({"x86_64": {"mmap2": {"first": "/p", "programs": {"/p": {"count": 1}}}}},
                         os.path.join(work, "badname.json"))
    missing = os.path.join(work, "missing.json")
    a_file = os.path.join(work, "a-file")
    open(a_file, "w").close()
    bad_templates = os.path.join(work, "templates")
    os.makedirs(bad_templates)
    with open(os.path.join(bad_templates, "runc.json"), "w") as f:
        json.dump({"format": "minpriv-runtime-syscalls", "runtime": "runc", "runtime_version": "1.1.5",
                   "syscalls": ["read", "no_such_syscall"]}, f)

    bad_related = os.path.join(work, "templates-related")
    shutil.copytree(TEMPLATES, bad_related)
    with open(os.path.join(bad_related, "apparmor-related.tsv"), "w") as f:
        f.write("# a condition minpriv does not know\nforks+libc.so.6\t/etc/x\tr\twhy\n")

    out = os.path.join(work, "profiles")
    rc, err = generate("-o", out, "--runtime", "none", good)
    mp.check(rc == 0, f"good trace: exit {rc}: {err}")
    before = snapshot(out)
    mp.check("seccomp.json" in before and len(before) >= 4, f"unexpected files: {list(before)}")

    cases = [
        # (what, args, env, text the message must contain)
        ("missing trace", [missing], None, f"{missing}: cannot read trace"),
        ("JSON syntax error", [syntax], None, f"{syntax}:3:"),
        ("empty file", [empty_file], None, f"{empty_file}: empty file"),
        ("not a trace", [notatrace], None, f"{notatrace}: not a minpriv trace"),
        ("no syscalls", [empty_trace], None, "records no syscall"),
        ("a name not of its ABI", [badname], None, f"{badname}: syscalls.x86_64.mmap2"),
        ("one bad trace among good ones", [good, syntax, good2], None, f"{syntax}:3:"),
        ("unknown --runtime", ["--runtime", "docker", good], None, "unknown --runtime 'docker'"),
        ("unknown --default-action", ["--default-action", "allow", good], None,
         "unknown --default-action 'allow'"),
        ("missing runtime template", ["--runtime", "runc", good], {"MINPRIV_TEMPLATES": "/nonexistent"},
         "/nonexistent/runc.json: cannot read the runc template"),
        ("broken runtime template", ["--runtime", "runc", good], {"MINPRIV_TEMPLATES": bad_templates},
         f"{bad_templates}/runc.json: syscalls[1]: not an x86_64 syscall name"),
        ("broken AppArmor related-files table", ["--runtime", "none", good], {"MINPRIV_TEMPLATES": bad_related},
         f"{bad_related}/apparmor-related.tsv: not CONDITION<TAB>PATH<TAB>PERMS<TAB>WHY"),
        ("bad --name", ["--name", "a/b", good], None, "--name may only contain"),
        ("no trace", [], None, "no trace given"),
    ]
    for what, args, env, text in cases:
        rc, err = generate("-o", out, *args, env=env)
        mp.check(rc == 2, f"{what}: exit {rc}, expected 2\n{err}")
        mp.check(text in err, f"{what}: message does not contain {text!r}:\n{err}")
        lines = [ln for ln in err.splitlines() if ln.strip()]
        mp.check(len(lines) <= 2, f"{what}: expected one message, got:\n{err}")
        mp.check(snapshot(out) == before, f"{what}: the output directory changed")

    # an output directory that cannot be made or written
    for what, d, text in [("DIR is a regular file", a_file, "cannot create the output directory"),
                          ("DIR under /proc", "/proc/minpriv-cannot-exist", "cannot create the output directory")]:
        rc, err = generate("-o", d, "--runtime", "none", good)
        mp.check(rc == 2 and text in err, f"{what}: exit {rc}: {err}")
    # a destination the final rename cannot replace: nothing else changes
    blocked = os.path.join(work, "blocked")
    os.makedirs(os.path.join(blocked, "seccomp.json"))
    rc, err = generate("-o", blocked, "--runtime", "none", good)
    mp.check(rc == 2 and "seccomp.json" in err, f"seccomp.json is a directory: exit {rc}: {err}")
    mp.check(sorted(os.listdir(blocked)) == ["seccomp.json"], f"left behind: {os.listdir(blocked)}")

    # a good run replaces the previous file atomically (new inode, new bytes,
    # no temporary files left)
    rc, err = generate("-o", out, "--runtime", "none", good2)
    mp.check(rc == 0, f"second good run: exit {rc}: {err}")
    after = snapshot(out)
    mp.check(list(after) == list(before), f"files after replacing: {list(after)}")
    mp.check(after["seccomp.json"][0] != before["seccomp.json"][0], "seccomp.json was rewritten in place")
    mp.check(b'"write"' in after["seccomp.json"][1] and b'"read"' not in after["seccomp.json"][1],
             "seccomp.json was not replaced by the new profile")
    shutil.rmtree(work, ignore_errors=True)
    print(f"ok: {len(cases) + 3} bad inputs exit 2 with a message; the previous profile stays intact")


if __name__ == "__main__":
    main()
