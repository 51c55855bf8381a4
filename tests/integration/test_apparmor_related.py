#!/usr/bin/env python3
"""Files related to what was recorded (templates/apparmor-related.tsv): a
path a program takes on some runs and not on others for reasons of timing is
in the AppArmor profile whenever the trace shows what leads to it.

 1. samples/arenas: 12 threads allocating at once make glibc's malloc read
    /sys/devices/system/cpu/online (checked with strace), 2 threads do not.
    The profile recorded from 2 threads has the rule, with its reason, and
    the same rules as the one recorded from 12 (`minpriv diff`: no
    differences either way). The next run with 12 threads, checked by
    `minpriv verify` against the profile recorded from 2, has no violation;
    negative control: generated without the table's line, verify reports
    the read (exit 3).
 2. Conditions, on written traces: threads created by a glibc program (clone
    or clone3 with CLONE_THREAD) -> the rule; a fork (clone without
    CLONE_THREAD) -> none; threads in one program and libc mapped by another
    -> none.
(A malformed table is a bad-input case of test_generate_badinput.py.)"""
import json
import os
import re
import shutil

import mp

ONLINE = "/sys/devices/system/cpu/online"
RULE = re.compile(r"^  @\{sys\}/devices/system/cpu/online r,$", re.M)
TEMPLATES = os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "templates")


def generate(trace, out, templates=TEMPLATES):
    rc, _, err = mp.minpriv("generate", "-q", "-o", out, "--runtime", "none", trace,
                            env={**os.environ, "MINPRIV_TEMPLATES": templates})
    mp.check(rc == 0, f"generate {trace}: exit {rc}: {err}")
    with open(os.path.join(out, "apparmor.profile")) as f:
        return f.read()


def rules_only(text):
    """The profile without its header (the count of recorded paths differs)."""
    return text[text.index("\nprofile "):]


def strace_reads(argv):
    p = mp.subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "--", *argv], stdout=mp.subprocess.DEVNULL,
                          stderr=mp.subprocess.PIPE, timeout=120)
    mp.check(p.returncode == 0, f"strace {argv}: exit {p.returncode}")
    return ONLINE in p.stderr.decode(errors="replace")


def real_runs(work):
    arenas = mp.sample("arenas")
    mp.check(strace_reads([arenas, "12"]), "12 threads allocating at once did not read " + ONLINE +
             " (glibc's malloc arena limit): this test's premise is gone")
    mp.check(not strace_reads([arenas, "2"]), "2 threads read " + ONLINE)
    profiles = {}
    for n in ("2", "12"):
        trace = os.path.join(work, f"arenas{n}.json")
        mp.record([arenas, n], out=trace, check_status=0)
        with open(trace) as f:
            recorded = ONLINE in json.load(f)["files"]
        mp.check(recorded == (n == "12"), f"arenas {n}: {ONLINE} recorded: {recorded}")
        out = os.path.join(work, f"profiles{n}")
        profiles[n] = (out, generate(trace, out))
        mp.check(RULE.search(profiles[n][1]), f"arenas {n}: no rule for {ONLINE}:\n{profiles[n][1]}")
        mp.check("# related, added whether this recording did it or not: glibc's malloc" in profiles[n][1],
                 f"arenas {n}: the rule has no reason")
    mp.check(rules_only(profiles["2"][1]) == rules_only(profiles["12"][1]),
             "the profiles of 2 and 12 threads differ")
    for a, b in (("2", "12"), ("12", "2")):
        rc, out, err = mp.minpriv("diff", os.path.join(profiles[a][0], "apparmor.profile"),
                                  os.path.join(profiles[b][0], "apparmor.profile"))
        mp.check(rc == 0 and "no differences" in out + err, f"diff {a} -> {b}: exit {rc}: {out}{err}")

    # the next run, not the recorded one, against the profile of 2 threads
    rc, _, err = mp.minpriv("verify", "-p", profiles["2"][0], "--", arenas, "12")
    mp.check(rc == 0, f"verify arenas 12 against the profile of arenas 2: exit {rc}:\n{err[-3000:]}")
    # negative control: the same without the table's line
    bare = os.path.join(work, "templates")
    shutil.copytree(TEMPLATES, bare)
    with open(os.path.join(bare, "apparmor-related.tsv"), "w") as f:
        f.write("# no lines\n")
    neg = os.path.join(work, "negative")
    text = generate(os.path.join(work, "arenas2.json"), neg, templates=bare)
    mp.check(not RULE.search(text), "the rule is there without the table's line")
    rc, _, err = mp.minpriv("verify", "-p", neg, "--", arenas, "12")
    mp.check(rc == 3 and ONLINE in err, f"negative control: verify exit {rc}, expected 3 naming {ONLINE}:\n"
                                        f"{err[-3000:]}")
    print(f"arenas: the rule in both profiles, diff clean; verify of the next run clean, "
          f"without the table's line: exit 3")


def written_trace(path, clones, libc_by):
    """A trace: /usr/bin/app and /usr/bin/other; clones is [(syscall, flags,
    program)], libc_by the programs that map libc.so.6."""
    use = lambda p: {"programs": {p: {"count": 1}}}  # noqa: E731
    calls = {n: {"first": "/usr/bin/app", **use("/usr/bin/app")} for n in ("read", "exit_group", "mmap")}
    args = {}
    for name, flags, prog in clones:
        calls[name] = {"first": prog, **use(prog)}
        args.setdefault(name, {})[hex(flags)] = {**use(prog), "values": [flags]}
    files = {"/etc/app.conf": {"access": {"read": {"ok": use("/usr/bin/app")}}, "type": "file", "uid": 0}}
    if libc_by:
        files["/usr/lib/x86_64-linux-gnu/libc.so.6"] = {
            "access": {"mmap_exec": {"ok": {"programs": {p: {"count": 1} for p in libc_by}}}}, "type": "file",
            "uid": 0}
    t = {"format": "minpriv-trace", "version": 1, "runs": [], "syscalls": {"x86_64": calls}, "arguments": args,
         "files": files}
    with open(path, "w") as f:
        json.dump(t, f)
    return path


def conditions(work):
    thread, fork = 0x3D0F00, 0x1200011  # glibc's pthread_create, fork
    cases = [
        ("threads by clone3 in the glibc program", [("clone3", thread, "/usr/bin/app")], ["/usr/bin/app"], True),
        ("threads by clone in the glibc program", [("clone", thread, "/usr/bin/app")], ["/usr/bin/app"], True),
        ("a fork, no threads", [("clone", fork, "/usr/bin/app")], ["/usr/bin/app"], False),
        ("threads in another program than the one mapping libc", [("clone3", thread, "/usr/bin/other")],
         ["/usr/bin/app"], False),
        ("threads, no libc mapped", [("clone3", thread, "/usr/bin/app")], [], False),
    ]
    for i, (what, clones, libc_by, want) in enumerate(cases):
        trace = written_trace(os.path.join(work, f"cond{i}.json"), clones, libc_by)
        text = generate(trace, os.path.join(work, f"cond{i}"))
        mp.check(bool(RULE.search(text)) == want, f"{what}: rule present {not want}, expected {want}:\n{text}")
    print(f"{len(cases)} conditions: the rule exactly where a glibc program created threads")


def main():
    work = mp.tmpdir()
    real_runs(work)
    conditions(work)
    shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
