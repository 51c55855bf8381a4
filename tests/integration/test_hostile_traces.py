#!/usr/bin/env python3
"""Hand-made traces that no recording can produce (issue 12, items 5 and 6):
`generate` (and merge, explain, diff, which read traces the same way) exits
2 with one line naming the trace and the culprit, and writes nothing.

 - paths: every `files` key and `resolved` name must be as the tracer
   writes it: absolute, lexically normal (no empty, '.' or '..'
   component, no final '/'); the root directory cannot have been written,
   created, removed, renamed, linked or executed;
 - resource peaks beyond what Linux can have (2^62 KiB of memory, 2^62
   tasks) are refused instead of wrapping into a tiny `--memory 32m` /
   `--pids-limit 12`; large but possible peaks give the right limits.
The good variants of the same traces generate, so the refusals are about
the hostile values only."""
import json
import os
import subprocess

import mp

TEMPLATES = os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "tests", "golden", "templates")
PROG = {"programs": {"/usr/bin/x": {"count": 1}}}


def trace(files=None, resources=None):
    t = {"format": "minpriv-trace", "version": 1, "runs": [],
         "syscalls": {"x86_64": {"openat": {"first": "/usr/bin/x", **PROG},
                                 "exit_group": {"first": "/usr/bin/x", **PROG}}}}
    if files is not None:
        t["files"] = files
    if resources is not None:
        t["resources"] = resources
    return t


def node(kind="read", result="ok", **extra):
    return {"access": {kind: {result: PROG}}, **extra}


def generate(work, name, t):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump(t, f)
    out = os.path.join(work, "out-" + name)
    p = subprocess.run([mp.MINPRIV, "generate", "-q", "-o", out, "--runtime", "none", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                       env={**os.environ, "MINPRIV_TEMPLATES": TEMPLATES})
    return p.returncode, p.stderr.decode(errors="replace"), out, path


def refused(work, name, t, text):
    rc, err, out, path = generate(work, name, t)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    mp.check(rc == 2, f"{name}: exit {rc}, expected 2: {err}")
    mp.check(len(lines) == 1 and path in lines[0] and text in lines[0], f"{name}: message {err!r}, wanted {text!r}")
    mp.check(not os.path.exists(out), f"{name}: {out} was written")
    for cmd in (["merge", "-o", os.path.join(work, "m.json"), path], ["explain", path, "openat"]):
        p = subprocess.run([mp.MINPRIV, *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        mp.check(p.returncode == 2 and text in p.stderr.decode(), f"{name}: {cmd[0]}: exit {p.returncode}")


def accepted(work, name, t):
    rc, err, out, _ = generate(work, name, t)
    mp.check(rc == 0, f"{name}: exit {rc}: {err}")
    with open(os.path.join(out, "hardening.md")) as f:
        return f.read()


def main():
    work = mp.tmpdir()
    bad_path = "not a path as recorded"
    n = 0
    for name, key in (("relative", "etc/shadow"), ("empty", ""), ("dotdot", "/tmp/../etc/shadow"),
                      ("leading-dotdot", "/../etc/shadow"), ("dot", "/etc/./shadow"), ("double-slash", "/etc//shadow"),
                      ("final-slash", "/etc/"), ("only-dots", "..")):
        refused(work, "path-" + name, trace({key: node()}), bad_path)
        n += 1
    refused(work, "resolved-relative", trace({"/tmp/l": node(resolved="etc/shadow")}), bad_path)
    refused(work, "resolved-dotdot", trace({"/tmp/l": node(resolved="/tmp/../../")}), bad_path)
    n += 2
    for kind in ("write", "append", "create", "delete", "rename", "exec"):
        refused(work, "root-" + kind, trace({"/": node(kind)}), "the root directory cannot have been")
        n += 1
    refused(work, "root-resolved-write", trace({"/tmp/l": node("write", resolved="/")}),
            "the root directory cannot have been written")
    n += 1
    # what a recording can hold: "/" listed and a failed write to it, a
    # file named "**" (escaped, not a glob), a symlink resolved
    md = accepted(work, "good-paths", trace({"/": node("list"), "/x": node("write", "EISDIR"),
                                             "/**": node(), "/tmp/l": node(resolved="/etc/hostname")}))
    with open(os.path.join(work, "out-good-paths", "apparmor.profile")) as f:
        prof = f.read()
    mp.check('"/\\*\\*" r,' in prof and "\n  /** r," not in prof, f"the file named ** became a glob:\n{prof}")

    # resource peaks
    huge = 2 ** 62
    for name, res, text in (("rss", {"max_rss_kib": huge}, "resources.max_rss_kib"),
                            ("sum-rss", {"sum_rss_kib": huge, "max_rss_kib": 1000}, "resources.sum_rss_kib"),
                            ("processes", {"max_processes": huge}, "resources.max_processes"),
                            ("threads", {"max_threads": huge}, "resources.max_threads"),
                            ("fds", {"max_fds": huge}, "resources.max_fds")):
        refused(work, "limit-" + name, trace(resources=res), text)
        n += 1
    # the largest possible values still give limits that did not wrap
    md = accepted(work, "limits-max", trace(resources={"max_rss_kib": 2 ** 54, "sum_rss_kib": 2 ** 54,
                                                       "max_threads": 4194304, "max_processes": 4194304,
                                                       "processes": 2 ** 63 - 1, "cpu_ms": 2 ** 63 - 1}))
    want_mib = ((2 ** 54 * 3 + 1) // 2 + 1023) // 1024
    want_mib = (want_mib + 15) // 16 * 16
    mp.check(f"--memory {want_mib}m" in md and f"--pids-limit {2 * 4194304 + 8}" in md,
             f"limits from the largest peaks: want --memory {want_mib}m --pids-limit {2 * 4194304 + 8}:\n"
             + "\n".join(ln for ln in md.splitlines() if "--memory" in ln or "--pids" in ln))
    # merging two traces whose counters sum past 2^63 saturates, never wraps
    a = trace(resources={"processes": 2 ** 63 - 1})
    pa = os.path.join(work, "sat-a.json")
    with open(pa, "w") as f:
        json.dump(a, f)
    merged = os.path.join(work, "sat-merged.json")
    rc, _, err = mp.minpriv("merge", "-o", merged, pa, pa)
    mp.check(rc == 0, f"merge: {err}")
    with open(merged) as f:
        m = json.load(f)
    mp.check(m["resources"]["processes"] == 2 ** 63 - 1, f"merged processes: {m['resources']['processes']}")
    print(f"ok: {n} hostile traces refused with exit 2 and one line; the extreme good ones give unwrapped limits")


if __name__ == "__main__":
    main()
