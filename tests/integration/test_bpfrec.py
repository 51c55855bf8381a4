#!/usr/bin/env python3
"""The eBPF recorder (tracer/bpfrec.c) where the kernel has it (root, BPF):
  1. flood: 200,000 stat calls on 1,000 names, with a tracer made slower
     than the workload (MINPRIV_TEST_BPF_DELAY_US): the kernel holds the
     workload back (SIGSTOPs taken back by the tracer) instead of losing
     calls; every call is in the trace, per name, with its result, and the
     workload never sees a signal (its exit status and output are its own);
  2. killed in a reported call: `sleep` killed in clock_nanosleep (a call
     reported at its exit, which never comes) is still recorded;
  3. --no-bpf records those calls with stops, with the same facts;
  5. paths of fds walked by the kernel at the call: a tree walked with
     os.fwalk (openat and newfstatat relative to directory fds, getdents64),
     a directory listed after it was removed, a pipe listed (ENOTDIR), a
     file opened through a symlinked directory: the same file facts as
     where only creation is known (MINPRIV_TEST_NO_PATHS: those calls stop;
     MINPRIV_TEST_NO_WALK: the exit program built without the walk, for
     kernels without bpf_loop) and as a recording that stops at every call;
  4. creating opens without O_EXCL (new files, then the same names again,
     for writing and appending) are reported, whether each created its file
     from the kernel (FMODE_CREATED): the same file facts as where the
     kernel cannot say (MINPRIV_TEST_NO_CREATED: they stop, lstat at entry)
     and as a recording that stops at every call, with far fewer stops.
Skips (77) where the eBPF recorder cannot load (the recording says
seccomp+count or less)."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
from test_kcount import stats  # noqa: E402

FLOOD = """
import os, signal
got = []
signal.signal(signal.SIGCONT, lambda *a: got.append(1))
n = 0
for i in range(200000):
    try:
        os.stat(f"/nonexistent-minpriv/{i % 1000}")
    except FileNotFoundError:
        n += 1
print(n, len(got))
"""


def record(argv, path, extra=(), env=None):
    e = dict(os.environ, MINPRIV_STATS="1", **(env or {}))
    p = subprocess.run([mp.MINPRIV, "record", "-q", *extra, "-o", path, "--", *argv], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=600)
    err = p.stderr.decode(errors="replace")
    mp.check(os.path.isfile(path), f"no trace written: {err}")
    return p.returncode, p.stdout.decode(), json.load(open(path)), stats(err)


def flood_facts(t):
    files = {k: v for k, v in t["files"].items() if k.startswith("/nonexistent-minpriv/")}
    per = {k: v["access"]["stat"]["ENOENT"]["programs"] for k, v in files.items()}
    return {k: sum(p["count"] for p in v.values()) for k, v in per.items()}


def same_facts(what, other, a, b):
    """The file facts of the recording `other` (a) are the reported one's (b)."""
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    mp.check(not diff, f"{what}: other file facts {other} than reported: {diff[:5]} "
                       f"{[(a.get(k), b.get(k)) for k in diff[:2]]}")


CREATING = """
import os, sys
d = sys.argv[1]
for i in range(1000):
    with open(os.path.join(d, f"n{i}"), "w") as f:
        f.write("x")
for i in range(1000):
    with open(os.path.join(d, f"n{i}"), "w" if i % 2 else "a") as f:
        f.write("y")
print(len(os.listdir(d)))
"""


def creating_opens(work, py):
    runs = {}
    for name, extra, env in (("reported", [], None), ("unknown", [], {"MINPRIV_TEST_NO_CREATED": "1"}),
                             ("stops", ["--no-kernel-count"], None)):
        d = os.path.join(work, "made")
        subprocess.run(["rm", "-rf", d], check=True)
        os.makedirs(d)
        rc, out, t, st = record([py, "-c", CREATING, d], os.path.join(work, f"creating-{name}.json"), extra=extra,
                                env=env)
        mp.check(rc == 0 and out.split() == ["1000"], f"{name}: status {rc}, output {out!r}")
        facts = {k: v["access"] for k, v in t["files"].items() if k.startswith(d + "/")}
        runs[name] = (facts, st, t["runs"][0].get("reported_by_bpf", []))
    facts, st, why = runs["reported"]
    mp.check(len(facts) == 1000 and all(list(v["create"]) == ["ok"] and
                                        sum(p["count"] for p in v["create"]["ok"]["programs"].values()) == 1
                                        for v in facts.values()),
             f"each file created once: {list(facts.items())[:2]}")
    mp.check(any(w.startswith("openat (") and "O_CREAT: created or not from the kernel" in w for w in why),
             f"reported_by_bpf: {why}")
    for other in ("unknown", "stops"):
        mp.check(runs[other][0] == facts, f"creating opens: other file facts {other} than reported")
    mp.check(st["stops"] < 300 and runs["unknown"][1]["stops"] >= 2000,
             f"stops: {st['stops']} reported, {runs['unknown'][1]['stops']} where creation is not known")
    mp.check(any("O_CREAT with O_EXCL" in w for w in runs["unknown"][2]), f"unknown: {runs['unknown'][2]}")
    return st["stops"], runs["unknown"][1]["stops"]


WALKING = """
import os, sys
d = sys.argv[1]
for i in range(30):
    os.makedirs(os.path.join(d, "tree", f"a{i % 5}", f"b{i}"), exist_ok=True)
    with open(os.path.join(d, "tree", f"a{i % 5}", f"b{i}", "f"), "w") as f:
        f.write("x")
os.symlink(os.path.join(d, "tree", "a1"), os.path.join(d, "link"))
n = 0
for root, dirs, files, rootfd in os.fwalk(os.path.join(d, "tree")):
    for name in files:
        fd = os.open(name, os.O_RDONLY, dir_fd=rootfd)
        os.close(fd)
        n += 1
fd = os.open(os.path.join(d, "link"), os.O_RDONLY | os.O_DIRECTORY)
sub = os.open("b1", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
print(len(os.listdir(sub)), end=" ")
os.mkdir(os.path.join(d, "gone"))
g = os.open(os.path.join(d, "gone"), os.O_RDONLY | os.O_DIRECTORY)
os.rmdir(os.path.join(d, "gone"))
print(len(os.listdir(g)), end=" ")
r, w = os.pipe()
try:
    os.listdir(r)
except NotADirectoryError:
    pass
print(n)
"""


def walked_paths(work, py):
    runs = {}
    for name, extra, env in (("reported", [], None), ("no-paths", [], {"MINPRIV_TEST_NO_PATHS": "1"}),
                             ("no-walk", [], {"MINPRIV_TEST_NO_WALK": "1"}), ("stops", ["--no-kernel-count"], None)):
        d = os.path.join(work, "walk")
        subprocess.run(["rm", "-rf", d], check=True)
        os.makedirs(d)
        rc, out, t, st = record([py, "-c", WALKING, d], os.path.join(work, f"walk-{name}.json"), extra=extra,
                                env=env)
        mp.check(rc == 0 and out.split() == ["1", "0", "30"], f"{name}: status {rc}, output {out!r}")
        facts = {k: v["access"] for k, v in t["files"].items() if k.startswith(d + "/") or k == d}
        runs[name] = (facts, st, t["runs"][0].get("reported_by_bpf", []))
    facts, st, why = runs["reported"]
    listed = [k for k, v in facts.items() if "list" in v]
    mp.check(len(listed) >= 36 and any(k.endswith("/gone") for k in listed), f"directories listed: {sorted(listed)}")
    mp.check(any(w.startswith("getdents64 (the fd's path from the kernel)") for w in why), f"reported_by_bpf: {why}")
    mp.check(runs["no-walk"][1]["stops"] == runs["no-paths"][1]["stops"],
             f"the exit program without the walk: {runs['no-walk'][1]['stops']} stops, "
             f"{runs['no-paths'][1]['stops']} with it but without paths")
    for other in ("no-paths", "no-walk", "stops"):
        same_facts("fd paths", other, runs[other][0], facts)
    mp.check(st["stops"] + 100 < runs["no-paths"][1]["stops"],
             f"stops: {st['stops']} reported, {runs['no-paths'][1]['stops']} without fd paths")
    return st["stops"], runs["no-paths"][1]["stops"]


REMOVING = """
import os, shutil, stat, sys
d = sys.argv[1]
for i in range(300):
    p = os.path.join(d, f"w{i}")
    with open(p, "w") as f:
        f.write("x")
    os.unlink(p)
for i in range(300):
    p = os.path.join(d, f"x{i}")
    os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640))
    os.stat(p)
    os.unlink(p)
os.makedirs(os.path.join(d, "tree", "sub"))
for i in range(100):
    with open(os.path.join(d, "tree", "sub" if i % 2 else "", f"t{i}"), "w") as f:
        f.write("t")
shutil.rmtree(os.path.join(d, "tree"))
os.mkfifo(os.path.join(d, "fifo"), 0o600)
os.lstat(os.path.join(d, "fifo"))
os.unlink(os.path.join(d, "fifo"))
os.symlink("/nonexistent", os.path.join(d, "link"))
os.lstat(os.path.join(d, "link"))
os.unlink(os.path.join(d, "link"))
s = os.path.join(d, "sticky", "theirs")
with open(s, "w") as f:
    f.write("s")
os.chown(s, 23456, 23456)
os.statx(s, os.STATX_BASIC_STATS) if hasattr(os, "statx") else None
os.unlink(s)
import mmap
p = os.path.join(d, "exec")
fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o700)
os.ftruncate(fd, 4096)
os.unlink(p)
try:
    mmap.mmap(fd, 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC).close()
except OSError:
    pass
os.close(fd)
fd = os.open(d, os.O_TMPFILE | os.O_RDWR, 0o700)
os.ftruncate(fd, 4096)
try:
    mmap.mmap(fd, 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC).close()
except OSError:
    pass
os.close(fd)
print(len(os.listdir(d)))
"""


def removals(work, py):
    """unlink and unlinkat reported: the same file facts and capabilities
    as where they stop, with the tracer reading the events late
    (MINPRIV_TEST_BPF_DELAY_US: the files are gone by then) or not; a
    removed file mapped executable and an O_TMPFILE file (no name: not
    described, as at a stop)."""
    runs = {}
    for name, extra, env in (("reported", [], None), ("late", [], {"MINPRIV_TEST_BPF_DELAY_US": "3000"}),
                             ("unknown", [], {"MINPRIV_TEST_NO_CREATED": "1"}),
                             ("stops", ["--no-kernel-count"], None)):
        d = os.path.join(work, "removing")
        subprocess.run(["rm", "-rf", d], check=True)
        os.makedirs(os.path.join(d, "sticky"))
        os.chown(os.path.join(d, "sticky"), 12345, 12345)
        os.chmod(os.path.join(d, "sticky"), 0o1777)
        rc, out, t, st = record([py, "-c", REMOVING, d], os.path.join(work, f"removing-{name}.json"), extra=extra,
                                env=env)
        mp.check(rc == 0 and out.split() == ["1"], f"{name}: status {rc}, output {out!r}")
        mp.check("bpf_gone" not in t["runs"][0], f"{name}: bpf_gone {t['runs'][0].get('bpf_gone')}")
        # the O_TMPFILE file is named by its inode number, which differs
        facts = {re.sub(r"/#[0-9]+$", "/#ino", k): v for k, v in t["files"].items() if k.startswith(d + "/")}
        caps = {c: sorted(v) for c, v in t.get("capabilities", {}).items()}
        runs[name] = (facts, caps, st, t["runs"][0].get("reported_by_bpf", []))
    facts, caps, st, why = runs["reported"]
    mp.check(len(facts) >= 700 and all("delete" in v["access"] for k, v in facts.items() if "/w" in k or "/x" in k),
             f"files removed: {len(facts)}")
    tmpfile = facts.get(os.path.join(d, "#ino"), {})
    mp.check("mmap_exec" in tmpfile.get("access", {}) and "type" not in tmpfile,
             f"an O_TMPFILE file mapped executable: {tmpfile}")
    theirs = facts.get(os.path.join(d, "sticky", "theirs"), {})
    mp.check(theirs.get("uid") == 0 and "CAP_FOWNER" in caps and any("sticky" in r for r in caps["CAP_FOWNER"]),
             f"removing another uid's file from a sticky directory: {theirs}, capabilities {caps}")
    mp.check(any(w.startswith("unlinkat (any dirfd") for w in why) and any(w.startswith("unlink (") for w in why),
             f"reported_by_bpf: {why}")
    for other in ("late", "unknown", "stops"):
        same_facts("removals", other, runs[other][0], facts)
        mp.check(runs[other][1] == caps, f"removals: other capabilities {other}: {runs[other][1]} against {caps}")
    mp.check(st["stops"] + 600 < runs["unknown"][2]["stops"],
             f"stops: {st['stops']} reported, {runs['unknown'][2]['stops']} where removals stop")

    # a file found only by calls the kernel reports nothing of (access),
    # then removed before the tracer read them: said, not invented
    pre = os.path.join(work, "pre")
    open(pre, "w").close()
    rc, out, t, st = record([py, "-c", f"import os; os.access({pre!r}, os.R_OK); os.unlink({pre!r})"],
                            os.path.join(work, "gone.json"), env={"MINPRIV_TEST_BPF_DELAY_US": "200000"})
    run = t["runs"][0]
    mp.check(rc == 0 and run.get("bpf_gone") == 1 and "type" not in t["files"].get(pre, {"type": 0}),
             f"a file removed before its access was read: status {rc}, bpf_gone {run.get('bpf_gone')}, "
             f"{t['files'].get(pre)}")
    return st["stops"], runs["unknown"][2]["stops"]


TALLY = """
import os, select, signal, sys, threading, time
def calls(n):
    ep = select.epoll()
    r, w = os.pipe()
    for i in range(n):
        ep.register(r)          # ok
        try:
            ep.register(r)      # EEXIST
        except FileExistsError:
            pass
        ep.unregister(r)        # ok
        os.sched_yield()
    try:
        ep.unregister(r)        # ENOENT
    except FileNotFoundError:
        pass
    ep.close(); os.close(r); os.close(w)
if sys.argv[1] == "main":
    calls(300)
    ts = [threading.Thread(target=calls, args=(100,)) for i in range(3)]
    for t in ts: t.start()
    for t in ts: t.join()
    if os.fork() == 0:
        calls(50)
        os._exit(0)
    os.wait()
    signal.signal(signal.SIGUSR1, lambda *a: None)
    r, w = os.pipe()
    c = os.fork()
    if c == 0:
        calls(1)
        signal.pause()          # interrupted
        os.write(w, b"x")
        signal.pause()          # killed in it
        os._exit(0)
    while open(f"/proc/{c}/syscall").read().split()[0] != "34":
        time.sleep(0.01)
    os.kill(c, signal.SIGUSR1)
    os.read(r, 1)
    while open(f"/proc/{c}/syscall").read().split()[0] != "34":
        time.sleep(0.01)
    os.kill(c, signal.SIGKILL)
    os.wait()
    os.execv(sys.argv[2], [sys.argv[2], "-c", sys.argv[3], "exec"])
calls(20)
"""


def tallies(work, py):
    """Calls without a handler, counted by the kernel per process and
    result after each process's first (record.h, struct bpfrec_tally): the
    same counts per program, results and first programs as when each is
    reported whole (MINPRIV_TEST_NO_TALLY), across threads, a fork, a
    process killed in a counted call and an exec (another program: a copy
    of the interpreter); and when the table of tallies is full
    (MINPRIV_TEST_TALLY_MAX=2), the calls left out of it are reported
    whole; and when a result cannot be counted (MINPRIV_TEST_TALLY_ERRS=1:
    no errno value is), that call is reported whole from its exit."""
    other = os.path.join(work, "python-copy")
    shutil.copy(py, other)
    argv = [py, "-c", TALLY, "main", other, TALLY]
    names = ("epoll_ctl", "sched_yield", "pause", "epoll_create1")

    def facts(t):
        sc = t["syscalls"]["x86_64"]
        return {n: {"first": sc[n]["first"], "results": sc[n].get("results"),
                    "programs": {p: v["count"] for p, v in sc[n]["programs"].items()}} for n in names if n in sc}

    runs = {}
    for label, env in (("tallied", {}), ("whole", {"MINPRIV_TEST_NO_TALLY": "1"}),
                       ("full table", {"MINPRIV_TEST_TALLY_MAX": "2"}),
                       ("errors whole", {"MINPRIV_TEST_TALLY_ERRS": "1"})):
        rc, out, t, st = record(argv, os.path.join(work, f"tally-{len(runs)}.json"), env=env)
        mp.check(rc == 0, f"{label}: the workload failed ({rc}): {out}")
        mp.check("bpf_lost" not in t["runs"][0], f"{label}: {t['runs'][0].get('bpf_lost')} calls lost")
        runs[label] = (facts(t), st)
    want, st = runs["tallied"]
    ec = want.get("epoll_ctl", {})
    # the copy: 20 rounds of ok, EEXIST, ok, and one ENOENT; the
    # interpreter: 300 + 3 x 100 + 50 + 1 rounds, 6 ENOENT
    mp.check(ec.get("programs") == {py_real(py): 3 * 651 + 6, other: 61} and
             ec.get("results") == {"ok": 2 * 671, "EEXIST": 671, "ENOENT": 7},
             f"epoll_ctl counts: {ec}")
    mp.check(want.get("pause", {}).get("programs") == {py_real(py): 2},
             f"pause (one of them killed in): {want.get('pause')}")
    mp.check(st["bpf_tallied"] > 2600, f"the kernel counted {st['bpf_tallied']} calls (of 2,700)")
    for label, more in (("whole", 2600), ("full table", 2600), ("errors whole", 670)):
        got, sto = runs[label]
        diff = sorted(n for n in set(want) | set(got) if want.get(n) != got.get(n))
        mp.check(not diff, f"{label}: other facts than tallied for {diff}: "
                           f"{[(want.get(n), got.get(n)) for n in diff[:2]]}")
        mp.check(sto["bpf"] > st["bpf"] + more, f"{label}: {sto['bpf']} calls reported, {st['bpf']} tallied")
    mp.check(runs["whole"][1]["bpf_tallied"] == 0, f"MINPRIV_TEST_NO_TALLY: {runs['whole'][1]['bpf_tallied']} tallied")
    return st["bpf"], st["bpf_tallied"], runs["whole"][1]["bpf"]


def py_real(py):
    return os.path.realpath(py)


def main():
    work = mp.tmpdir()
    py = "/usr/bin/python3"
    rc, out, t, st = record([py, "-c", FLOOD], os.path.join(work, "flood.json"),
                            env={"MINPRIV_TEST_BPF_DELAY_US": "20000"})
    run = t["runs"][0]
    if run["mode"] != "seccomp+count+bpf":
        print(f"SKIP: no eBPF recorder here (mode {run['mode']})", file=sys.stderr)
        sys.exit(77)
    mp.check(rc == 0 and out.split() == ["200000", "0"], f"the workload saw something: status {rc}, output {out!r}")
    mp.check("bpf_lost" not in run, f"{run.get('bpf_lost')} calls lost")
    mp.check(st["bpf_throttled"] > 0, f"a tracer slower than the workload never held it back: {st}")
    per = flood_facts(t)
    mp.check(len(per) == 1000 and set(per.values()) == {200},
             f"stat calls per name: {len(per)} names, counts {sorted(set(per.values()))[:5]}")
    calls = t["syscalls"]["x86_64"]["newfstatat"]["programs"]
    mine = sum(v["count"] for k, v in calls.items() if k != "kernel:counted")
    mp.check(mine >= 200000, f"newfstatat counted {mine} times for the workload")

    # killed in a call that is reported at its exit
    rc, _, t2, st2 = record(["/bin/sh", "-c", "sleep 100 & sleep 0.5; kill $!; wait"],
                            os.path.join(work, "killed.json"))
    sl = t2["syscalls"]["x86_64"].get("clock_nanosleep", {}).get("programs", {})
    mp.check("/usr/bin/sleep" in sl and sl["/usr/bin/sleep"]["count"] >= 2,
             f"clock_nanosleep of the killed sleep: {sl}")

    # the same facts with stops
    rc3, out3, t3, st3 = record([py, "-c", FLOOD], os.path.join(work, "stops.json"), extra=["--no-bpf"])
    mp.check(t3["runs"][0]["mode"] == "seccomp+count", f"--no-bpf recorded in mode {t3['runs'][0]['mode']}")
    mp.check(flood_facts(t3) == per, "--no-bpf: other stat facts")
    mp.check(st3["stops"] > 200000 > st["stops"], f"stops: {st3['stops']} with --no-bpf, {st['stops']} reported")
    made, unknown = creating_opens(work, py)
    walked, unwalked = walked_paths(work, py)
    removed, unremoved = removals(work, py)
    treported, tallied, whole = tallies(work, py)
    print(f"ok: 200,000 stats reported without a stop ({st['stops']} stops, {st['bpf_throttled']} times held back "
          f"by a slow tracer, none lost); {st3['stops']} stops with --no-bpf; a call killed in flight recorded; "
          f"2,000 creating opens: {made} stops, {unknown} where the kernel cannot say whether they created; "
          f"a tree walked by directory fds: {walked} stops, {unwalked} without fd paths; 703 removals: {removed} stops, "
          f"{unremoved} where they stop; calls without a handler: {tallied} counted by the kernel, "
          f"{treported} reported ({whole} without tallies)")


if __name__ == "__main__":
    main()
