#!/usr/bin/env python3
"""Symlinks and /proc/self/root do not hide what was read (issue 12 item 4).

`sh -c 'ln -s /etc/shadow L; cat L; cat /proc/self/root/etc/gshadow'`, run
in a scratch directory under /tmp: the trace gives the link's `target` (the
owner and mode of /etc/shadow); hardening.md flags both files as secrets,
says `--user 65534` is not feasible (0640 files read), proposes no volume
for /etc and keeps the /tmp tmpfs the link was created in; files-used.txt
lists /etc/shadow and /etc/gshadow (not the link, not /proc). Needs root
(to read /etc/shadow) and a 0640 /etc/shadow."""
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(__file__))
import mp  # noqa: E402


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root to read /etc/shadow", file=sys.stderr)
        sys.exit(77)
    for f in ("/etc/shadow", "/etc/gshadow"):
        if not os.path.isfile(f) or os.stat(f).st_mode & stat.S_IROTH:
            print(f"SKIP: {f} missing or readable by others", file=sys.stderr)
            sys.exit(77)
    work = mp.tmpdir()
    mp.check(work.startswith("/tmp/"), f"the scratch directory is not under /tmp: {work}")
    trace = os.path.join(work, "trace.json")
    link = os.path.join(work, "L")
    cmd = f"ln -s /etc/shadow {link} && cat {link} >/dev/null && cat /proc/self/root/etc/gshadow >/dev/null"
    mp.record(["sh", "-c", cmd], out=trace, check_status=0)
    import json
    t = json.load(open(trace))
    node = t["files"].get(link)
    mp.check(node is not None, "the link is not in the trace")
    mp.check(node.get("type") == "symlink" and node.get("resolved") == "/etc/shadow", f"link node: {node}")
    st = os.stat("/etc/shadow")
    mp.check(node.get("target") == {"type": "file", "uid": st.st_uid, "gid": st.st_gid, "mode": st.st_mode & 0o7777},
             f"the link's target is not described: {node.get('target')}")

    out = os.path.join(work, "profiles")
    rc, _, err = mp.minpriv("generate", "-o", out, trace)
    mp.check(rc == 0, f"generate failed: {err}")
    md = open(os.path.join(out, "hardening.md")).read()
    used = open(os.path.join(out, "files-used.txt")).read().split("\n")
    aa = open(os.path.join(out, "apparmor.profile")).read()

    mp.check("  /etc/shadow r," in aa and "  /etc/gshadow r," in aa, "the AppArmor profile lost a read")
    for f in ("/etc/shadow", "/etc/gshadow"):
        mp.check(f in used, f"files-used.txt omits {f}")
        mp.check(f"- `{f}` (password hashes" in md, f"hardening.md does not flag {f} as a secret")
        mp.check(f"- `{f}`: reading needs read permission for others (o+r)" in md,
                 f"the non-root check does not name {f}")
    mp.check(link not in used and not any(u.startswith("/proc/") for u in used),
             "files-used.txt lists the workload's own link or a /proc path")
    mp.check("**Secrets: none read.**" not in md, "hardening.md says no secrets were read")
    nonroot = md[md.index("## 1. "):md.index("## 2. ")]
    mp.check("**Verdict: not feasible" in nonroot, "non-root is called feasible after reading 0640 files")
    mp.check("etc:/etc" not in md and "-v etc" not in md, "the read-only-root advice proposes a volume for /etc")
    mp.check("--tmpfs /tmp" in md, "the /tmp tmpfs the link needed is missing")
    print("ok")


if __name__ == "__main__":
    main()
